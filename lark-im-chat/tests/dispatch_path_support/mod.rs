//! Helpers of the dispatch-path tests (`dispatch_*.rs`): fixtures, configurations, signed and
//! sealed callbacks, a dispatcher with a handler on every chat event, and outcome checks.
#![allow(dead_code)] // each test binary uses part of it

use lark_im_chat::prelude::*;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome, WebhookDispatcher};
use lark_im_chat::events::webhook::{WebhookConfig, WebhookError, WebhookReceiver};
use lark_im_chat::events::{Event, RawEvent};
use lark_im_chat::testing::Callback;
use serde_json::Value;

pub const TOKEN: &str = "v3rificati0n-t0ken";
pub const KEY: &str = "encrypt-key-for-tests";
pub const NOW: u64 = 1_700_000_000;

pub const KNOWN: [&str; 9] = [
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

pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

pub fn plain_config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config")
}

pub fn encrypted_config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .build()
        .expect("config")
}

/// Verifies plaintext callbacks carrying `TOKEN`.
pub fn plain() -> WebhookReceiver {
    WebhookReceiver::new(plain_config())
}

/// Verifies encrypted, signed callbacks.
pub fn encrypted() -> WebhookReceiver {
    WebhookReceiver::new(encrypted_config())
}

/// Headers of a request signed at `timestamp` with `key`.
pub fn signed_with(key: &str, timestamp: u64, body: &[u8]) -> HeaderMap {
    let config = WebhookConfig::builder()
        .encrypt_key(key)
        .build()
        .expect("config");
    Callback::new(&config)
        .timestamp(timestamp)
        .nonce("n0nce-42")
        .sign(body)
}

pub fn signed(body: &[u8]) -> HeaderMap {
    signed_with(KEY, NOW, body)
}

pub fn wrap(encrypt: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "encrypt": encrypt })).expect("json")
}

/// `plaintext` encrypted with `KEY` (IV of `iv` bytes), as a request body.
pub fn seal(plaintext: &[u8], iv: u8) -> Vec<u8> {
    Callback::new(&encrypted_config())
        .iv([iv; 16])
        .payload(plaintext)
        .1
}

/// What the handlers saw: `(event type, event id, chat id)`.
pub type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

pub fn push(seen: &Seen, event_type: &str, id: &str, chat: Option<&str>) {
    seen.lock().expect("lock").push((
        event_type.to_owned(),
        id.to_owned(),
        chat.map(str::to_owned),
    ));
}

pub fn seen_types(seen: &Seen) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .map(|(t, _, _)| t.clone())
        .collect()
}

/// A dispatcher with a typed handler on each of the nine events, recording what it got.
pub fn all_handlers(config: WebhookConfig, seen: &Seen) -> WebhookDispatcher {
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
pub fn expected(name: &str) -> (String, Option<String>) {
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
pub fn must_not_run(why: &str) -> Result<(), lark_im_chat::events::dispatch::HandlerError> {
    panic!("{why}")
}

pub async fn run(dispatcher: &WebhookDispatcher, headers: &HeaderMap, body: &[u8]) -> Outcome {
    dispatcher.dispatch_at(headers, body, now()).await
}

pub fn assert_success(outcome: &Outcome) {
    let (status, body) = (outcome.status(), outcome.body());
    assert_eq!(status, StatusCode::OK, "{outcome:?}");
    assert_eq!(&body[..], br#"{"msg":"success"}"#);
}

pub fn assert_rejected(
    outcome: Outcome,
    status: StatusCode,
    check: impl Fn(&WebhookError) -> bool,
) {
    assert_eq!(outcome.status(), status, "{outcome:?}");
    let body: Value = serde_json::from_slice(&outcome.body()).expect("JSON error body");
    assert!(body["msg"].is_string());
    match outcome {
        Outcome::Rejected(e) => assert!(check(&e), "unexpected {e:?}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// Runs `body` with `headers` through an encrypted dispatcher with every handler, checks the
/// rejection and that no handler ran.
pub async fn rejected_encrypted(
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

pub async fn rejected_plain(
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
