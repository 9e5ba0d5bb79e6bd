//! The whole webhook path through the [`Dispatcher`]: receiver -> typed decoding ->
//! de-duplication -> handler, and the HTTP answer of every outcome.

use lark_im_chat::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{
    Dispatcher, DispatcherBuildError, HandlerPanicked, Outcome, WebhookDispatcher,
};
use lark_im_chat::events::webhook::{
    DedupError, DedupForgetFuture, DedupFuture, DedupStore, EncryptKey, InMemoryDedup, Received,
    WebhookConfig, WebhookError, WebhookReceiver,
};
use lark_im_chat::testing::Callback;
use lark_im_chat::{
    events::{ChatDisbandedV1, ChatUpdatedV1, Event, RawEvent},
    ChatEvent,
};
use serde_json::Value;

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-tests";
const NOW: u64 = 1_700_000_000;

const KNOWN: [&str; 9] = [
    "im.chat.access_event.bot_p2p_chat_entered_v1",
    "im.chat.disbanded_v1",
    "im.chat.member.bot.added_v1",
    "im.chat.member.bot.deleted_v1",
    "im.chat.member.user.added_v1",
    "im.chat.member.user.deleted_v1",
    "im.chat.member.user.withdrawn_v1",
    "im.chat.updated_v1",
    "p2p_chat_create",
];

// --- helpers --------------------------------------------------------------------------------

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn plain_config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config")
}

fn encrypted_config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .build()
        .expect("config")
}

/// Verifies plaintext callbacks carrying `TOKEN`.
fn plain() -> WebhookReceiver {
    WebhookReceiver::new(plain_config())
}

/// Verifies encrypted, signed callbacks.
fn encrypted() -> WebhookReceiver {
    WebhookReceiver::new(encrypted_config())
}

/// Headers of a request signed at `timestamp` with `key`.
fn signed_with(key: &str, timestamp: u64, body: &[u8]) -> HeaderMap {
    let config = WebhookConfig::builder()
        .encrypt_key(key)
        .build()
        .expect("config");
    Callback::new(&config)
        .timestamp(timestamp)
        .nonce("n0nce-42")
        .sign(body)
}

fn signed(body: &[u8]) -> HeaderMap {
    signed_with(KEY, NOW, body)
}

fn wrap(encrypt: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "encrypt": encrypt })).expect("json")
}

/// `plaintext` encrypted with `KEY` (IV of `iv` bytes), as a request body.
fn seal(plaintext: &[u8], iv: u8) -> Vec<u8> {
    Callback::new(&encrypted_config())
        .iv([iv; 16])
        .payload(plaintext)
        .1
}

/// What the handlers saw: `(event type, event id, chat id)`.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

fn push(seen: &Seen, event_type: &str, id: &str, chat: Option<&str>) {
    seen.lock().expect("lock").push((
        event_type.to_owned(),
        id.to_owned(),
        chat.map(str::to_owned),
    ));
}

fn seen_types(seen: &Seen) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .map(|(t, _, _)| t.clone())
        .collect()
}

/// A dispatcher with a typed handler on each of the nine events, recording what it got.
fn all_handlers(config: WebhookConfig, seen: &Seen) -> WebhookDispatcher {
    macro_rules! v2 {
        ($builder:expr, $method:ident, $ty:ty) => {{
            let seen = Arc::clone(seen);
            $builder.$method(move |e| {
                let seen = Arc::clone(&seen);
                async move {
                    assert_eq!(e.header.event_type, <$ty as Event>::EVENT_TYPE);
                    push(
                        &seen,
                        <$ty as Event>::EVENT_TYPE,
                        &e.header.event_id,
                        e.event.chat_id.as_deref(),
                    );
                    Ok(())
                }
            })
        }};
    }
    let b = Dispatcher::builder();
    let b = v2!(
        b,
        on_chat_access_event_bot_p2p_chat_entered,
        lark_im_chat::events::ChatAccessEventBotP2pChatEnteredV1
    );
    let b = v2!(b, on_chat_disbanded, lark_im_chat::events::ChatDisbandedV1);
    let b = v2!(
        b,
        on_chat_member_bot_added,
        lark_im_chat::events::ChatMemberBotAddedV1
    );
    let b = v2!(
        b,
        on_chat_member_bot_deleted,
        lark_im_chat::events::ChatMemberBotDeletedV1
    );
    let b = v2!(
        b,
        on_chat_member_user_added,
        lark_im_chat::events::ChatMemberUserAddedV1
    );
    let b = v2!(
        b,
        on_chat_member_user_deleted,
        lark_im_chat::events::ChatMemberUserDeletedV1
    );
    let b = v2!(
        b,
        on_chat_member_user_withdrawn,
        lark_im_chat::events::ChatMemberUserWithdrawnV1
    );
    let b = v2!(b, on_chat_updated, lark_im_chat::events::ChatUpdatedV1);
    let v1_seen = Arc::clone(seen);
    let b = b.on_p2p_chat_create(move |e| {
        let seen = Arc::clone(&v1_seen);
        async move {
            assert_eq!(e.event.event_type.as_deref(), Some("p2p_chat_create"));
            push(
                &seen,
                "p2p_chat_create",
                &e.uuid,
                e.event.chat_id.as_deref(),
            );
            Ok(())
        }
    });
    let fallback_seen = Arc::clone(seen);
    b.fallback(move |event: RawEvent| {
        let seen = Arc::clone(&fallback_seen);
        async move {
            push(
                &seen,
                &format!("fallback:{}", event.event_type()),
                event.event_id(),
                None,
            );
            Ok(())
        }
    })
    .build()
    .expect("one handler per event")
    .with_webhook(WebhookReceiver::new(config))
}

/// `event.chat_id` and the dedup key of a fixture.
fn expected(name: &str) -> (String, Option<String>) {
    let value: Value = serde_json::from_slice(&fixture(name)).expect("json");
    let id = value
        .pointer("/header/event_id")
        .or_else(|| value.pointer("/uuid"))
        .and_then(Value::as_str)
        .expect("id")
        .to_owned();
    let chat = value
        .pointer("/event/chat_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    (id, chat)
}

/// A handler body that panics with `why`.
fn must_not_run(why: &str) -> Result<(), lark_im_chat::events::dispatch::HandlerError> {
    panic!("{why}")
}

async fn run(dispatcher: &WebhookDispatcher, headers: &HeaderMap, body: &[u8]) -> Outcome {
    dispatcher.dispatch_at(headers, body, now()).await
}

fn assert_success(outcome: &Outcome) {
    let (status, body) = (outcome.status(), outcome.body());
    assert_eq!(status, StatusCode::OK, "{outcome:?}");
    assert_eq!(&body[..], br#"{"msg":"success"}"#);
}

fn assert_rejected(outcome: Outcome, status: StatusCode, check: impl Fn(&WebhookError) -> bool) {
    assert_eq!(outcome.status(), status, "{outcome:?}");
    let body: Value = serde_json::from_slice(&outcome.body()).expect("JSON error body");
    assert!(body["msg"].is_string());
    match outcome {
        Outcome::Rejected(e) => assert!(check(&e), "unexpected {e:?}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

// --- every event, plain and encrypted -------------------------------------------------------

#[tokio::test]
async fn each_of_the_nine_events_reaches_its_typed_handler_in_plain_text() {
    let seen = Seen::default();
    let dispatcher = all_handlers(plain_config(), &seen);
    for name in KNOWN {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
        assert_eq!(outcome.event().map(|e| e.event_type.as_str()), Some(name));
        coverage_record::record_event(name);
    }
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), KNOWN.len());
    for (name, (event_type, id, chat)) in KNOWN.iter().zip(seen) {
        assert_eq!(&event_type, name);
        assert_eq!((id, chat), expected(name));
    }
}

#[tokio::test]
async fn each_of_the_nine_events_reaches_its_typed_handler_encrypted_and_signed() {
    let seen = Seen::default();
    let dispatcher = all_handlers(encrypted_config(), &seen);
    for (i, name) in KNOWN.iter().enumerate() {
        let body = seal(&fixture(name), i as u8);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
        coverage_record::record_event(name);
    }
    let seen = seen.lock().expect("lock").clone();
    let types: Vec<_> = seen.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(types, KNOWN);
    for (name, (_, id, chat)) in KNOWN.iter().zip(seen) {
        assert_eq!((id, chat), expected(name));
    }
}

#[tokio::test]
async fn handle_returns_status_and_body() {
    let dispatcher = Dispatcher::builder()
        .on_chat_disbanded(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    let (status, body) = dispatcher
        .handle(&HeaderMap::new(), &fixture("im.chat.disbanded_v1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], br#"{"msg":"success"}"#);
}

#[tokio::test]
async fn dispatch_verified_runs_the_rest_of_the_path() {
    let seen = Seen::default();
    let dispatcher = all_handlers(plain_config(), &seen);
    let receiver = WebhookReceiver::new(plain_config());
    let Ok(Received::Event(event)) =
        receiver.receive(&HeaderMap::new(), &fixture("im.chat.updated_v1"))
    else {
        panic!("accepted");
    };
    let outcome = dispatcher.dispatcher().dispatch_verified(event).await;
    assert!(matches!(outcome, Outcome::Handled { .. }));
    assert_eq!(seen_types(&seen), ["im.chat.updated_v1"]);
}

// --- challenge ------------------------------------------------------------------------------

#[tokio::test]
async fn plain_challenge_is_answered_with_the_challenge() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    let body =
        format!(r#"{{"challenge":"ajls384kdjx98XX","token":"{TOKEN}","type":"url_verification"}}"#);
    let (status, answer) = run(&dispatcher, &HeaderMap::new(), body.as_bytes())
        .await
        .into_response();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&answer[..], br#"{"challenge":"ajls384kdjx98XX"}"#);
}

#[tokio::test]
async fn encrypted_unsigned_challenge_is_answered() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(encrypted());
    let plaintext =
        format!(r#"{{"challenge":"c-\"quoted\"","token":"{TOKEN}","type":"url_verification"}}"#);
    let body = seal(plaintext.as_bytes(), 7);
    let outcome = run(&dispatcher, &HeaderMap::new(), &body).await;
    assert!(matches!(&outcome, Outcome::Challenge { challenge } if challenge == "c-\"quoted\""));
    let answer: Value = serde_json::from_slice(&outcome.body()).expect("json");
    assert_eq!(answer, serde_json::json!({ "challenge": "c-\"quoted\"" }));
}

#[tokio::test]
async fn challenge_with_wrong_token_is_forbidden() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = br#"{"challenge":"c","token":"someone-else","type":"url_verification"}"#;
    assert_rejected(
        run(&dispatcher, &HeaderMap::new(), body).await,
        StatusCode::FORBIDDEN,
        |e| *e == WebhookError::TokenMismatch,
    );
}

// --- rejections, none of which reaches a handler --------------------------------------------

/// Runs `body` with `headers` through an encrypted dispatcher with every handler, checks the
/// rejection and that no handler ran.
async fn rejected_encrypted(
    headers: &HeaderMap,
    body: &[u8],
    status: StatusCode,
    check: impl Fn(&WebhookError) -> bool,
) {
    let seen = Seen::default();
    let dispatcher = all_handlers(encrypted_config(), &seen);
    assert_rejected(run(&dispatcher, headers, body).await, status, check);
    assert!(seen_types(&seen).is_empty());
}

async fn rejected_plain(
    headers: &HeaderMap,
    body: &[u8],
    status: StatusCode,
    check: impl Fn(&WebhookError) -> bool,
) {
    let seen = Seen::default();
    let dispatcher = all_handlers(plain_config(), &seen);
    assert_rejected(run(&dispatcher, headers, body).await, status, check);
    assert!(seen_types(&seen).is_empty());
}

#[tokio::test]
async fn forged_signature_is_unauthorized() {
    let body = seal(&fixture("im.chat.updated_v1"), 1);
    // Signed with another key.
    rejected_encrypted(
        &signed_with("not-the-key", NOW, &body),
        &body,
        StatusCode::UNAUTHORIZED,
        |e| *e == WebhookError::SignatureMismatch,
    )
    .await;
    // Valid signature of another body.
    let other = seal(&fixture("im.chat.updated_v1"), 2);
    rejected_encrypted(&signed(&other), &body, StatusCode::UNAUTHORIZED, |e| {
        *e == WebhookError::SignatureMismatch
    })
    .await;
    // No signature at all.
    rejected_encrypted(&HeaderMap::new(), &body, StatusCode::UNAUTHORIZED, |e| {
        e.is_auth_failure()
    })
    .await;
}

#[tokio::test]
async fn stale_and_future_timestamps_are_unauthorized() {
    let body = seal(&fixture("im.chat.member.user.added_v1"), 3);
    rejected_encrypted(
        &signed_with(KEY, NOW - 301, &body),
        &body,
        StatusCode::UNAUTHORIZED,
        |e| matches!(e, WebhookError::StaleTimestamp { age_secs: 301 }),
    )
    .await;
    rejected_encrypted(
        &signed_with(KEY, NOW + 3600, &body),
        &body,
        StatusCode::UNAUTHORIZED,
        |e| matches!(e, WebhookError::FutureTimestamp { .. }),
    )
    .await;
}

#[tokio::test]
async fn wrong_verification_token_is_forbidden() {
    let text = String::from_utf8(fixture("im.chat.updated_v1"))
        .expect("utf8")
        .replace(TOKEN, "token-of-another-app");
    rejected_plain(
        &HeaderMap::new(),
        text.as_bytes(),
        StatusCode::FORBIDDEN,
        |e| *e == WebhookError::TokenMismatch,
    )
    .await;
    let body = seal(text.as_bytes(), 4);
    rejected_encrypted(&signed(&body), &body, StatusCode::FORBIDDEN, |e| {
        *e == WebhookError::TokenMismatch
    })
    .await;
    // Legacy schema: top-level token.
    let legacy = String::from_utf8(fixture("p2p_chat_create"))
        .expect("utf8")
        .replace(TOKEN, "token-of-another-app");
    rejected_plain(
        &HeaderMap::new(),
        legacy.as_bytes(),
        StatusCode::FORBIDDEN,
        |e| *e == WebhookError::TokenMismatch,
    )
    .await;
}

#[tokio::test]
async fn bad_padding_is_a_bad_request() {
    let plaintext = fixture("im.chat.disbanded_v1");
    let encrypted = EncryptKey::new(KEY).encrypt_with_iv(&plaintext, [5; 16]);
    let mut raw = STANDARD.decode(encrypted).expect("base64");
    // CBC: flipping a byte of the previous block flips the same byte of the last plaintext
    // block. Turn the last padding byte into 0, which no PKCS#7 padding has.
    let pad = (16 - plaintext.len() % 16) as u8;
    let at = raw.len() - 17;
    raw[at] ^= pad;
    let body = wrap(&STANDARD.encode(raw));
    rejected_encrypted(&signed(&body), &body, StatusCode::BAD_REQUEST, |e| {
        *e == WebhookError::BadPadding
    })
    .await;
}

#[tokio::test]
async fn truncated_ciphertext_is_a_bad_request() {
    let encrypted = EncryptKey::new(KEY).encrypt_with_iv(&fixture("im.chat.disbanded_v1"), [6; 16]);
    let raw = STANDARD.decode(encrypted).expect("base64");
    let body = wrap(&STANDARD.encode(&raw[..raw.len() - 5]));
    rejected_encrypted(&signed(&body), &body, StatusCode::BAD_REQUEST, |e| {
        matches!(e, WebhookError::CiphertextLength { .. })
    })
    .await;
    // Only an IV.
    let body = wrap(&STANDARD.encode(&raw[..16]));
    rejected_encrypted(&signed(&body), &body, StatusCode::BAD_REQUEST, |e| {
        matches!(e, WebhookError::CiphertextLength { len: 0 })
    })
    .await;
}

#[tokio::test]
async fn invalid_base64_is_a_bad_request() {
    let body = wrap("not base64 at all!");
    rejected_encrypted(&signed(&body), &body, StatusCode::BAD_REQUEST, |e| {
        *e == WebhookError::InvalidBase64
    })
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_a_bad_request() {
    let mut body = fixture("im.chat.updated_v1");
    let at = body.len() / 2;
    body[at] = 0xff;
    rejected_plain(&HeaderMap::new(), &body, StatusCode::BAD_REQUEST, |e| {
        *e == WebhookError::InvalidUtf8
    })
    .await;
    // Inside the ciphertext.
    let body = seal(&[b'{', 0xc3, 0x28, b'}'], 8);
    rejected_encrypted(&signed(&body), &body, StatusCode::BAD_REQUEST, |e| {
        *e == WebhookError::InvalidUtf8
    })
    .await;
}

#[tokio::test]
async fn oversized_body_is_payload_too_large() {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .max_body_size(1024)
        .build()
        .expect("config");
    let seen = Seen::default();
    let dispatcher = all_handlers(config, &seen);
    let body = fixture("im.chat.updated_v1");
    assert!(body.len() > 1024);
    assert_rejected(
        run(&dispatcher, &HeaderMap::new(), &body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        |e| matches!(e, WebhookError::BodyTooLarge { limit: 1024, .. }),
    );
    assert!(seen_types(&seen).is_empty());
}

#[tokio::test]
async fn plaintext_body_where_encryption_is_required_is_unauthorized() {
    let body = fixture("im.chat.updated_v1");
    rejected_encrypted(&signed(&body), &body, StatusCode::UNAUTHORIZED, |e| {
        *e == WebhookError::NotEncrypted
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    rejected_plain(
        &HeaderMap::new(),
        b"{\"schema\":",
        StatusCode::BAD_REQUEST,
        |e| *e == WebhookError::InvalidJson,
    )
    .await;
}

// --- de-duplication -------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_delivery_is_dispatched_once() {
    let seen = Seen::default();
    let dispatcher = all_handlers(encrypted_config(), &seen);
    let plaintext = fixture("im.chat.member.user.added_v1");
    // A redelivery is encrypted again, with another IV.
    for iv in [1, 2, 3] {
        let body = seal(&plaintext, iv);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert_success(&outcome);
        assert_eq!(outcome.is_duplicate(), iv != 1, "{outcome:?}");
    }
    // Schema 1.0, keyed on uuid.
    for _ in 0..2 {
        let body = seal(&fixture("p2p_chat_create"), 9);
        assert_success(&run(&dispatcher, &signed(&body), &body).await);
    }
    assert_eq!(
        seen_types(&seen),
        ["im.chat.member.user.added_v1", "p2p_chat_create"]
    );
}

#[tokio::test]
async fn concurrent_duplicates_are_dispatched_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(move |_| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = fixture("im.chat.updated_v1");
    let headers = HeaderMap::new();
    let (a, b) = tokio::join!(
        run(&dispatcher, &headers, &body),
        run(&dispatcher, &headers, &body)
    );
    // The one that met the other in its handler is answered 503, not acknowledged: that run
    // might still have failed.
    let in_progress = |o: &Outcome| matches!(o, Outcome::InProgress { .. });
    assert!(a.is_success() != b.is_success(), "{a:?} {b:?}");
    assert_eq!(u8::from(in_progress(&a)) + u8::from(in_progress(&b)), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // The platform's redelivery then is a duplicate.
    let again = run(&dispatcher, &headers, &body).await;
    assert!(again.is_duplicate(), "{again:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn without_dedup_every_delivery_is_dispatched() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .without_dedup()
        .on_chat_updated(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    for _ in 0..3 {
        let outcome = run(
            &dispatcher,
            &HeaderMap::new(),
            &fixture("im.chat.updated_v1"),
        )
        .await;
        assert!(matches!(outcome, Outcome::Handled { .. }));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_custom_dedup_store_is_used() {
    let store = Arc::new(InMemoryDedup::new());
    // Keys are namespaced by the app id: `<length>:<app id>:<event id>`.
    let updated: Value = serde_json::from_slice(&fixture("im.chat.updated_v1")).expect("json");
    let app = updated["header"]["app_id"].as_str().expect("app id");
    let id = updated["header"]["event_id"].as_str().expect("event id");
    assert_eq!(id, "f7984f25108f8137722bb63cee927e66");
    let key = format!("{}:{app}:{id}", app.len());
    assert!(store.check_and_mark_sync(&key).is_new());
    store.mark_done_sync(&key);
    let dispatcher = Dispatcher::builder()
        .dedup(Arc::clone(&store))
        .on_chat_updated(|_| async { must_not_run("already seen") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("im.chat.updated_v1"),
    )
    .await;
    assert!(outcome.is_duplicate());
}

/// A store whose backend is down.
struct BrokenStore;

impl DedupStore for BrokenStore {
    fn check_and_mark<'a>(&'a self, _key: &'a str) -> DedupFuture<'a> {
        Box::pin(async { Err(DedupError::new("cache unreachable")) })
    }

    fn forget<'a>(&'a self, _key: &'a str) -> DedupForgetFuture<'a> {
        Box::pin(async { Err(DedupError::new("cache unreachable")) })
    }
}

#[tokio::test]
async fn dedup_store_failure_answers_503_without_dispatching() {
    let dispatcher = Dispatcher::builder()
        .dedup(BrokenStore)
        .on_chat_updated(|_| async { must_not_run("must not run") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("im.chat.updated_v1"),
    )
    .await;
    assert_eq!(outcome.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(matches!(outcome, Outcome::DedupFailed { .. }));
}

// --- handler results ------------------------------------------------------------------------

#[tokio::test]
async fn handler_error_answers_500_and_the_redelivery_is_processed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_member_user_deleted(move |e| {
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                assert_eq!(e.event.users.map(|u| u.len()), Some(1));
                if attempt == 0 {
                    Err("database unavailable".into())
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .expect("build")
        .with_webhook(encrypted());
    let plaintext = fixture("im.chat.member.user.deleted_v1");

    let body = seal(&plaintext, 1);
    let outcome = run(&dispatcher, &signed(&body), &body).await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(&outcome.body()[..], br#"{"msg":"event handler failed"}"#);
    match &outcome {
        Outcome::HandlerFailed { info, error } => {
            assert_eq!(info.event_id, "9a8b7c6d5e4f30211f2e3d4c5b6a7980");
            assert_eq!(error.to_string(), "database unavailable");
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }

    // The platform redelivers: the failed event was not recorded as seen.
    let body = seal(&plaintext, 2);
    let outcome = run(&dispatcher, &signed(&body), &body).await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    // Once handled, later deliveries are duplicates.
    let body = seal(&plaintext, 3);
    assert!(run(&dispatcher, &signed(&body), &body).await.is_duplicate());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn handler_panic_answers_500() {
    let dispatcher = Dispatcher::builder()
        .on_chat_disbanded(|_| async { must_not_run("handler bug") })
        .on_chat_updated(|_| -> std::future::Ready<Result<(), _>> { panic!("before the future") })
        .build()
        .expect("build")
        .with_webhook(plain());
    for name in ["im.chat.disbanded_v1", "im.chat.updated_v1"] {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
        match outcome {
            Outcome::HandlerFailed { error, .. } => assert!(error.is::<HandlerPanicked>()),
            other => panic!("expected HandlerFailed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn event_without_handler_is_acknowledged() {
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    for name in [
        "im.chat.disbanded_v1",
        "p2p_chat_create",
        "unknown.im.message.receive_v1",
    ] {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Unhandled { .. }), "{outcome:?}");
    }
}

#[tokio::test]
async fn unknown_event_types_go_to_the_fallback() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .fallback(move |event| {
            let sink = Arc::clone(&sink);
            async move {
                sink.lock().expect("lock").push(event);
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(encrypted());
    for (i, name) in [
        "unknown.im.message.receive_v1",
        "unknown.add_bot",
        "im.chat.disbanded_v1",
    ]
    .iter()
    .enumerate()
    {
        let body = seal(&fixture(name), i as u8);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    }
    let got: Vec<ChatEvent> = got
        .lock()
        .expect("lock")
        .iter()
        .map(|raw| ChatEvent::from_raw(raw).expect("decodes"))
        .collect();
    match &got[0] {
        ChatEvent::Unknown { event_type, raw } => {
            assert_eq!(event_type, "im.message.receive_v1");
            assert_eq!(raw["event"]["message"]["message_type"], "text");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(matches!(&got[1], ChatEvent::Unknown { event_type, .. } if event_type == "add_bot"));
    // A known event without a typed handler reaches the fallback typed.
    assert!(matches!(&got[2], ChatEvent::ChatDisbandedV1(_)));
}

#[tokio::test]
async fn fallback_errors_answer_500_too() {
    let dispatcher = Dispatcher::builder()
        .fallback(|_| async { Err("nope".into()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("unknown.im.message.receive_v1"),
    )
    .await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn undecodable_known_event_answers_500_without_dispatching() {
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { must_not_run("must not run") })
        .fallback(|_| async { must_not_run("must not run") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"e-1","event_type":"im.chat.updated_v1","token":"{TOKEN}"}},"event":{{"external":"yes"}}}}"#
    );
    let outcome = run(&dispatcher, &HeaderMap::new(), body.as_bytes()).await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
    match outcome {
        Outcome::Undecodable { info, error } => {
            assert_eq!(info.event_type, "im.chat.updated_v1");
            assert_eq!(error.path, "event.external");
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
}

// --- builder --------------------------------------------------------------------------------

#[test]
fn registering_an_event_twice_is_a_build_error() {
    let error = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .on_chat_disbanded(|_| async { Ok(()) })
        .on::<ChatUpdatedV1, _, _>(|_| async { Ok(()) })
        .build()
        .expect_err("two handlers for im.chat.updated_v1");
    assert_eq!(
        error,
        DispatcherBuildError::DuplicateHandler {
            event_type: "im.chat.updated_v1"
        }
    );
    assert_eq!(
        error.to_string(),
        "two handlers are registered for `im.chat.updated_v1` events"
    );
}

#[test]
fn registering_two_fallbacks_is_a_build_error() {
    let error = Dispatcher::builder()
        .fallback(|_| async { Ok(()) })
        .fallback(|_| async { Ok(()) })
        .build()
        .expect_err("two fallbacks");
    assert_eq!(error, DispatcherBuildError::DuplicateFallback);
}

#[test]
fn generic_and_named_registration_are_the_same_slot() {
    let ok = Dispatcher::builder()
        .on::<ChatDisbandedV1, _, _>(|_| async { Ok(()) })
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("distinct events")
        .with_webhook(plain());
    let debug = format!("{ok:?}");
    assert!(debug.contains("im.chat.disbanded_v1") && debug.contains("im.chat.updated_v1"));
    assert!(!debug.contains(TOKEN), "secrets stay out of Debug: {debug}");
}

#[test]
fn dispatcher_is_send_sync_and_its_future_is_send() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    assert_send_sync(&dispatcher);
    let headers = HeaderMap::new();
    let future = dispatcher.dispatch(&headers, b"{}");
    assert_send(&future);
}

#[test]
fn in_memory_dedup_forget_lets_a_key_be_new_again() {
    let store = InMemoryDedup::with_limits(2, Duration::from_secs(60));
    assert!(store.check_and_mark_sync("a").is_new());
    assert!(store.check_and_mark_sync("b").is_new());
    // "a" is not the newest key: its queue entry stays behind, stale.
    store.forget_sync("a");
    assert_eq!(store.len(), 1);
    assert!(store.check_and_mark_sync("a").is_new());
    assert!(!store.check_and_mark_sync("a").is_new());
    // At capacity: the stale entry is popped without dropping the new "a", then "b" goes.
    assert!(store.check_and_mark_sync("c").is_new());
    assert!(!store.check_and_mark_sync("a").is_new());
    assert!(store.check_and_mark_sync("b").is_new());
    assert_eq!(store.len(), 2);
    // The newest key is dropped from the queue right away.
    store.forget_sync("b");
    assert!(store.check_and_mark_sync("b").is_new());
    store.forget_sync("never-seen");
    assert_eq!(store.len(), 2);
}

#[tokio::test]
async fn a_dispatch_cancelled_mid_handler_lets_the_redelivery_through() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(move |_| {
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if attempt == 0 {
                    // The connection will be gone long before this.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = fixture("im.chat.updated_v1");
    let headers = HeaderMap::new();
    let first =
        tokio::time::timeout(Duration::from_millis(20), run(&dispatcher, &headers, &body)).await;
    assert!(first.is_err(), "the first delivery is cancelled");
    // The key is forgotten on a task of the runtime.
    tokio::task::yield_now().await;
    let outcome = run(&dispatcher, &headers, &body).await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    assert!(run(&dispatcher, &headers, &body).await.is_duplicate());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
