//! Webhook requests that must be refused (and a few that must not), configuration, error
//! reporting and de-duplication of redeliveries.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::{HeaderMap, HeaderValue, StatusCode};
use lark_im_chat::events::webhook::{
    challenge_response_body, compute_signature, Clock, ConfigError, DedupOutcome, DedupStore,
    EncryptKey, InMemoryDedup, Received, Schema, VerificationToken, VerifiedEvent, WebhookConfig,
    WebhookError, WebhookReceiver, DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL,
    DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMESTAMP_WINDOW, NONCE_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use lark_im_chat::testing::Callback;

const KEY: &str = "q7Lm2v9XcR4tYp1WzK8sNf3Hd6Jb0GaE";
const TOKEN: &str = "Vt5pQ2rS8uW1xY4zA7bC0dE3fG6hJ9kL";
/// Time the test requests are sent at (Unix seconds).
const SENT: u64 = 1_722_925_320;
const NONCE: &str = "c0a8e1f7-5b2d-4e9a";
const IV: [u8; 16] = *b"fixed-iv-for-tst";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A schema 2.0 "users added to a chat" event.
fn member_added_v2(token: &str) -> String {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"5e3702a84e847582be8db7fb73283c02","token":"{token}","create_time":"1722925316000","event_type":"im.chat.member.user.added_v1","tenant_key":"2ca1d211f64f6438","app_id":"cli_a5d3c8b2e1f0900d"}},"event":{{"chat_id":"oc_9e1ac2f0b6d1de2c3b41b0c4e61c7a9d","operator_id":{{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz","open_id":"ou_84aad35d084aa403a838cf73ee18467"}},"external":false,"operator_tenant_key":"2ca1d211f64f6438","users":[{{"name":"Li Lei","tenant_key":"2ca1d211f64f6438","user_id":{{"union_id":"on_5f2b0c1e9d8a7b6c5d4e3f2a1b0c9d8e","user_id":"4gbb9f8c","open_id":"ou_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}}}}],"name":"Release train 🚂"}}}}"#
    )
}

/// A schema 1.0 "first one-to-one chat with the bot" callback.
fn p2p_chat_create_v1(token: &str) -> String {
    format!(
        r#"{{"ts":"1722925318.420113","uuid":"a3b9c1d2e4f5061728394a5b6c7d8e9f","token":"{token}","type":"event_callback","event":{{"app_id":"cli_a5d3c8b2e1f0900d","chat_id":"oc_5ad11d72b830411d72b836c20","operator":{{"open_id":"ou_2d2c0399b53d06fd195bb393cd1d38f2","user_id":"gfa21d92"}},"tenant_key":"736588c9260f175c","type":"p2p_chat_create","user":{{"name":"Han Meimei","open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","user_id":"gfa21d92"}}}}}}"#
    )
}

fn challenge_plain(token: &str) -> String {
    format!(
        r#"{{"challenge":"b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90","token":"{token}","type":"url_verification"}}"#
    )
}

/// `{"encrypt": ...}` around `plaintext`, encrypted with `KEY`.
fn seal(plaintext: &[u8]) -> Vec<u8> {
    Callback::new(&secured_config()).iv(IV).payload(plaintext).1
}

fn seal_raw(encrypt: &str) -> Vec<u8> {
    format!(r#"{{"encrypt":"{encrypt}"}}"#).into_bytes()
}

/// Headers signing `body` with `key` at `timestamp`, which may be any text (the testing
/// helper only sends numbers).
fn signed_with(key: &str, timestamp: &str, body: &[u8]) -> HeaderMap {
    let signature = compute_signature(timestamp, NONCE, &EncryptKey::new(key), body);
    let mut headers = HeaderMap::new();
    headers.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_str(timestamp).expect("header value"),
    );
    headers.insert(NONCE_HEADER, HeaderValue::from_static(NONCE));
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).expect("header value"),
    );
    headers
}

fn signed(body: &[u8]) -> HeaderMap {
    Callback::new(&secured_config())
        .timestamp(SENT)
        .nonce(NONCE)
        .sign(body)
}

fn secured_config() -> WebhookConfig {
    WebhookConfig::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .build()
        .expect("valid config")
}

/// Receiver with both secrets and the default window.
fn secured() -> WebhookReceiver {
    WebhookReceiver::new(secured_config())
}

fn token_only() -> WebhookReceiver {
    WebhookReceiver::new(
        WebhookConfig::builder()
            .verification_token(TOKEN)
            .build()
            .expect("valid config"),
    )
}

fn open() -> WebhookReceiver {
    WebhookReceiver::new(WebhookConfig::default())
}

/// Receives a correctly signed, encrypted request at `SENT + 1`.
fn receive_sealed(receiver: &WebhookReceiver, plaintext: &[u8]) -> Result<Received, WebhookError> {
    let body = seal(plaintext);
    receiver.receive_at(&signed(&body), &body, at(SENT + 1))
}

fn event(result: Result<Received, WebhookError>) -> VerifiedEvent {
    match result {
        Ok(Received::Event(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

fn challenge(result: Result<Received, WebhookError>) -> String {
    match result {
        Ok(Received::Challenge { challenge }) => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn error(result: Result<Received, WebhookError>) -> WebhookError {
    match result {
        Err(e) => e,
        Ok(other) => panic!("expected a rejection, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn config_defaults() {
    let config = WebhookConfig::builder().build().unwrap();
    assert_eq!(config.timestamp_window(), Some(Duration::from_secs(300)));
    assert_eq!(config.timestamp_window(), Some(DEFAULT_TIMESTAMP_WINDOW));
    assert_eq!(config.max_body_size(), 1024 * 1024);
    assert_eq!(config.max_body_size(), DEFAULT_MAX_BODY_SIZE);
    assert!(config.encrypt_key().is_none());
    assert!(config.verification_token().is_none());
    let default = WebhookConfig::default();
    assert_eq!(default.timestamp_window(), config.timestamp_window());
    assert_eq!(default.max_body_size(), config.max_body_size());
}

#[test]
fn config_debug_never_shows_secrets() {
    let config = WebhookConfig::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .build()
        .unwrap();
    let receiver = WebhookReceiver::new(config.clone());
    for printed in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{receiver:?}"),
        format!(
            "{:?}",
            WebhookConfig::builder()
                .encrypt_key(KEY)
                .verification_token(TOKEN)
        ),
        format!("{:?}", EncryptKey::new(KEY)),
        format!("{:?}", VerificationToken::new(TOKEN)),
    ] {
        assert!(!printed.contains(KEY), "{printed}");
        assert!(!printed.contains(TOKEN), "{printed}");
        assert!(printed.contains("redacted"), "{printed}");
    }
}

#[test]
fn config_rejects_empty_secrets_and_a_zero_body_limit() {
    assert_eq!(
        WebhookConfig::builder()
            .encrypt_key("")
            .build()
            .unwrap_err(),
        ConfigError::EmptyEncryptKey
    );
    assert_eq!(
        WebhookConfig::builder()
            .verification_token(String::new())
            .build()
            .unwrap_err(),
        ConfigError::EmptyVerificationToken
    );
    assert_eq!(
        WebhookConfig::builder()
            .max_body_size(0)
            .build()
            .unwrap_err(),
        ConfigError::ZeroMaxBodySize
    );
}

#[test]
fn verification_token_compares_whole_values() {
    let token = VerificationToken::new(TOKEN);
    assert!(token.matches(TOKEN));
    assert!(!token.matches(&TOKEN[..TOKEN.len() - 1]));
    assert!(!token.matches(&format!("{TOKEN}x")));
    assert!(!token.matches(""));
    assert!(!token.matches(&TOKEN.to_lowercase()));
}

// ---------------------------------------------------------------------------------------------
// Accepted events and their routing facts

#[test]
fn v2_event_routing_facts_encrypted() {
    let plaintext = member_added_v2(TOKEN);
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
    assert_eq!(event.dedup_key(), "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(event.tenant_key(), Some("2ca1d211f64f6438"));
    assert_eq!(event.app_id(), Some("cli_a5d3c8b2e1f0900d"));
    assert_eq!(event.plaintext(), plaintext.as_bytes());
    assert_eq!(event.plaintext_bytes(), plaintext.as_bytes());
}

#[test]
fn v2_event_routing_facts_plain_with_token() {
    let plaintext = member_added_v2(TOKEN);
    let event = event(token_only().receive(&HeaderMap::new(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
    assert_eq!(event.dedup_key(), "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(event.plaintext(), plaintext.as_bytes());
}

#[test]
fn v1_p2p_chat_create_routing_facts_encrypted() {
    let plaintext = p2p_chat_create_v1(TOKEN);
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V1);
    assert_eq!(event.event_type(), "p2p_chat_create");
    assert_eq!(event.dedup_key(), "a3b9c1d2e4f5061728394a5b6c7d8e9f");
    assert_eq!(event.tenant_key(), Some("736588c9260f175c"));
    assert_eq!(event.app_id(), Some("cli_a5d3c8b2e1f0900d"));
    assert_eq!(event.plaintext(), plaintext.as_bytes());
}

#[test]
fn v1_p2p_chat_create_routing_facts_plain() {
    let plaintext = p2p_chat_create_v1("anything");
    let event = event(open().receive(&HeaderMap::new(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V1);
    assert_eq!(event.event_type(), "p2p_chat_create");
    assert_eq!(event.dedup_key(), "a3b9c1d2e4f5061728394a5b6c7d8e9f");
}

#[test]
fn escaped_routing_fields_are_unescaped() {
    let plaintext = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"ev\u005f1\/2","event_type":"im.chat.updated_v1","token":"{TOKEN}","tenant_key":"t\"k"}},"event":{{}}}}"#
    );
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.dedup_key(), "ev_1/2");
    assert_eq!(event.event_type(), "im.chat.updated_v1");
    assert_eq!(event.tenant_key(), Some("t\"k"));
    assert_eq!(event.app_id(), None);
}

#[test]
fn unusual_types_in_unread_or_optional_fields_do_not_reject_an_event() {
    // `event.type` is a number and `event` holds arrays: irrelevant for schema 2.0 routing.
    let plaintext = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"e-9","event_type":"x.y_v1","token":"{TOKEN}","app_id":17,"tenant_key":null}},"event":{{"type":3,"app_id":["a"],"items":[1,{{"k":[]}}]}},"challenge":{{"not":"a string"}},"uuid":5}}"#
    );
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.event_type(), "x.y_v1");
    assert_eq!(event.app_id(), None);
    assert_eq!(event.tenant_key(), None);
}

#[test]
fn events_are_accepted_without_any_secret_configured() {
    let event = event(open().receive(&HeaderMap::new(), member_added_v2("whatever").as_bytes()));
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
}

// ---------------------------------------------------------------------------------------------
// Challenges

#[test]
fn plain_challenge_is_answered_with_or_without_configured_token() {
    let body = challenge_plain(TOKEN);
    for receiver in [token_only(), open()] {
        let value = challenge(receiver.receive(&HeaderMap::new(), body.as_bytes()));
        assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
        assert_eq!(
            challenge_response_body(&value),
            br#"{"challenge":"b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90"}"#
        );
    }
}

#[test]
fn plain_challenge_with_wrong_or_missing_token_is_refused() {
    let wrong = challenge_plain("not-our-token");
    let err = error(token_only().receive(&HeaderMap::new(), wrong.as_bytes()));
    assert_eq!(err, WebhookError::TokenMismatch);
    assert_eq!(err.status(), StatusCode::FORBIDDEN);

    let tokenless = br#"{"challenge":"c","type":"url_verification"}"#;
    assert_eq!(
        error(token_only().receive(&HeaderMap::new(), tokenless)),
        WebhookError::TokenMismatch
    );
}

#[test]
fn challenge_without_challenge_value_is_malformed() {
    let body = format!(r#"{{"token":"{TOKEN}","type":"url_verification"}}"#);
    assert_eq!(
        error(token_only().receive(&HeaderMap::new(), body.as_bytes())),
        WebhookError::MissingChallenge
    );
}

#[test]
fn encrypted_challenge_needs_no_signature_headers() {
    let body = seal(challenge_plain(TOKEN).as_bytes());
    let value = challenge(secured().receive(&HeaderMap::new(), &body));
    assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
    // Signed and stale: still answered, the window does not apply to challenges.
    let value = challenge(secured().receive_at(&signed(&body), &body, at(SENT + 86_400)));
    assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
}

#[test]
fn encrypted_challenge_with_wrong_token_is_refused() {
    let body = seal(challenge_plain("not-our-token").as_bytes());
    assert_eq!(
        error(secured().receive(&HeaderMap::new(), &body)),
        WebhookError::TokenMismatch
    );
}

#[test]
fn plaintext_challenge_is_refused_when_encryption_is_configured() {
    let err = error(secured().receive(&HeaderMap::new(), challenge_plain(TOKEN).as_bytes()));
    assert_eq!(err, WebhookError::NotEncrypted);
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn challenge_response_body_escapes_the_value() {
    let tricky = "a\"b\\c\n\u{1}\u{1f}é🎉/";
    let body = challenge_response_body(tricky);
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(parsed, serde_json::json!({ "challenge": tricky }));
    assert_eq!(challenge_response_body(""), br#"{"challenge":""}"#);
}

// ---------------------------------------------------------------------------------------------
// Signature

#[test]
fn forged_signature_is_refused() {
    let genuine = seal(member_added_v2(TOKEN).as_bytes());
    let headers = signed(&genuine);

    // Another body under the genuine headers.
    let other = seal(p2p_chat_create_v1(TOKEN).as_bytes());
    let err = error(secured().receive_at(&headers, &other, at(SENT)));
    assert_eq!(err, WebhookError::SignatureMismatch);
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);

    // A signature made with another key.
    let forged = signed_with("guessed-key", &SENT.to_string(), &genuine);
    assert_eq!(
        error(secured().receive_at(&forged, &genuine, at(SENT))),
        WebhookError::SignatureMismatch
    );

    // Same JSON value, different bytes: the raw body is what is signed.
    let mut spaced = b"{ ".to_vec();
    spaced.extend_from_slice(&genuine[1..]);
    assert_eq!(
        error(secured().receive_at(&headers, &spaced, at(SENT))),
        WebhookError::SignatureMismatch
    );

    // Changed nonce.
    let mut renonced = headers.clone();
    renonced.insert(NONCE_HEADER, HeaderValue::from_static("another-nonce"));
    assert_eq!(
        error(secured().receive_at(&renonced, &genuine, at(SENT))),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn uppercase_or_padded_signature_is_refused() {
    let body = seal(member_added_v2(TOKEN).as_bytes());
    let headers = signed(&body);
    let genuine = headers[SIGNATURE_HEADER].to_str().unwrap().to_owned();
    for variant in [
        genuine.to_uppercase(),
        format!(" {genuine}"),
        format!("{genuine}00"),
    ] {
        let mut changed = headers.clone();
        changed.insert(SIGNATURE_HEADER, HeaderValue::from_str(&variant).unwrap());
        assert_eq!(
            error(secured().receive_at(&changed, &body, at(SENT))),
            WebhookError::SignatureMismatch,
            "{variant}"
        );
    }
    assert!(
        event(secured().receive_at(&headers, &body, at(SENT))).dedup_key()
            == "5e3702a84e847582be8db7fb73283c02"
    );
}

#[test]
fn missing_signature_headers_are_refused() {
    let body = seal(member_added_v2(TOKEN).as_bytes());
    let complete = signed(&body);
    for (header, expected) in [
        (SIGNATURE_HEADER, WebhookError::MissingSignature),
        (TIMESTAMP_HEADER, WebhookError::MissingTimestamp),
        (NONCE_HEADER, WebhookError::MissingNonce),
    ] {
        let mut headers = complete.clone();
        headers.remove(&header);
        let err = error(secured().receive_at(&headers, &body, at(SENT)));
        assert_eq!(err, expected);
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        error(secured().receive(&HeaderMap::new(), &body)),
        WebhookError::MissingSignature
    );
}

// ---------------------------------------------------------------------------------------------
// Timestamp window

#[test]
fn stale_and_future_timestamps_are_refused() {
    let body = seal(member_added_v2(TOKEN).as_bytes());
    let headers = signed(&body);
    let receiver = secured();

    assert!(receiver.receive_at(&headers, &body, at(SENT + 300)).is_ok());
    assert!(receiver.receive_at(&headers, &body, at(SENT - 300)).is_ok());

    let stale = error(receiver.receive_at(&headers, &body, at(SENT + 301)));
    assert_eq!(stale, WebhookError::StaleTimestamp { age_secs: 301 });
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);

    let future = error(receiver.receive_at(&headers, &body, at(SENT - 3600)));
    assert_eq!(future, WebhookError::FutureTimestamp { ahead_secs: 3600 });
    assert_eq!(future.status(), StatusCode::UNAUTHORIZED);

    // Through `receive`, with the real clock: a 2024 request is long stale.
    assert!(matches!(
        receiver.receive(&headers, &body),
        Err(WebhookError::StaleTimestamp { .. })
    ));
}

#[test]
fn timestamp_window_can_be_changed_or_disabled() {
    let body = seal(member_added_v2(TOKEN).as_bytes());
    let headers = signed(&body);
    let build = |window| {
        WebhookReceiver::new(
            WebhookConfig::builder()
                .encrypt_key(KEY)
                .timestamp_window(window)
                .build()
                .unwrap(),
        )
    };
    assert!(build(None).receive(&headers, &body).is_ok());
    let narrow = build(Some(Duration::from_secs(10)));
    assert!(narrow.receive_at(&headers, &body, at(SENT + 10)).is_ok());
    assert_eq!(
        error(narrow.receive_at(&headers, &body, at(SENT + 11))),
        WebhookError::StaleTimestamp { age_secs: 11 }
    );
}

#[test]
fn malformed_timestamp_is_refused() {
    let body = seal(member_added_v2(TOKEN).as_bytes());
    for timestamp in [
        "",
        "soon",
        "1722925320.5",
        "0x66b1",
        "99999999999999999999999",
    ] {
        let headers = signed_with(KEY, timestamp, &body);
        let err = error(secured().receive_at(&headers, &body, at(SENT)));
        assert_eq!(err, WebhookError::InvalidTimestamp, "{timestamp:?}");
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn timestamp_is_not_checked_on_unsigned_configurations() {
    // Without an Encrypt Key nothing signs the timestamp, so it is not relied upon.
    let mut headers = HeaderMap::new();
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from_static("1"));
    assert!(token_only()
        .receive(&headers, member_added_v2(TOKEN).as_bytes())
        .is_ok());
}

// ---------------------------------------------------------------------------------------------
// Verification Token

#[test]
fn wrong_token_is_refused_v2_and_v1() {
    for plaintext in [
        member_added_v2("rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV"),
        p2p_chat_create_v1("rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV"),
    ] {
        let err = error(receive_sealed(&secured(), plaintext.as_bytes()));
        assert_eq!(err, WebhookError::TokenMismatch);
        assert_eq!(err.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            error(token_only().receive(&HeaderMap::new(), plaintext.as_bytes())),
            WebhookError::TokenMismatch
        );
    }
}

#[test]
fn token_in_the_wrong_place_or_missing_is_refused() {
    // A schema 2.0 payload with the token only at the top level.
    let misplaced = format!(
        r#"{{"schema":"2.0","token":"{TOKEN}","header":{{"event_id":"e1","event_type":"im.chat.updated_v1"}},"event":{{}}}}"#
    );
    // A schema 1.0 payload with the token only in a header object.
    let misplaced_v1 = format!(
        r#"{{"uuid":"u1","header":{{"token":"{TOKEN}"}},"event":{{"type":"p2p_chat_create"}}}}"#
    );
    let missing = r#"{"schema":"2.0","header":{"event_id":"e1","event_type":"im.chat.updated_v1"},"event":{}}"#;
    for body in [misplaced.as_str(), misplaced_v1.as_str(), missing] {
        assert_eq!(
            error(token_only().receive(&HeaderMap::new(), body.as_bytes())),
            WebhookError::TokenMismatch,
            "{body}"
        );
    }
}

#[test]
fn unconfigured_token_is_not_checked() {
    let receiver = WebhookReceiver::new(WebhookConfig::builder().encrypt_key(KEY).build().unwrap());
    let tokenless = r#"{"schema":"2.0","header":{"event_id":"e1","event_type":"im.chat.updated_v1"},"event":{}}"#;
    assert!(receive_sealed(&receiver, member_added_v2("any").as_bytes()).is_ok());
    assert!(receive_sealed(&receiver, tokenless.as_bytes()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Encryption envelope

#[test]
fn bad_padding_is_refused() {
    let key = EncryptKey::new(KEY);
    let mut raw = STANDARD
        .decode(key.encrypt_with_iv(member_added_v2(TOKEN).as_bytes(), IV))
        .unwrap();
    // Flipping the last byte of the second-to-last block changes the last plaintext byte,
    // which is padding.
    let at_index = raw.len() - 17;
    raw[at_index] ^= 0x40;
    let body = seal_raw(&STANDARD.encode(&raw));

    let err = error(secured().receive_at(&signed(&body), &body, at(SENT)));
    assert_eq!(err, WebhookError::BadPadding);
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);

    // Unsigned, the same body only reports the missing signature: no padding oracle.
    assert_eq!(
        error(secured().receive(&HeaderMap::new(), &body)),
        WebhookError::MissingSignature
    );
}

#[test]
fn decrypting_with_the_wrong_key_is_refused() {
    let body = seal_raw(
        &EncryptKey::new("another-key").encrypt_with_iv(member_added_v2(TOKEN).as_bytes(), IV),
    );
    let err = error(secured().receive_at(&signed(&body), &body, at(SENT)));
    assert!(
        matches!(
            err,
            WebhookError::BadPadding | WebhookError::InvalidUtf8 | WebhookError::InvalidJson
        ),
        "{err:?}"
    );
}

#[test]
fn truncated_ciphertext_is_refused() {
    let full = EncryptKey::new(KEY).encrypt_with_iv(member_added_v2(TOKEN).as_bytes(), IV);
    let raw = STANDARD.decode(&full).unwrap();
    for (cut, expected_len) in [(raw.len() - 5, raw.len() - 21), (16, 0), (10, 0)] {
        let body = seal_raw(&STANDARD.encode(&raw[..cut]));
        let err = error(secured().receive_at(&signed(&body), &body, at(SENT)));
        assert_eq!(err, WebhookError::CiphertextLength { len: expected_len });
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
    // Dropping whole blocks keeps the length valid but breaks the payload.
    let body = seal_raw(&STANDARD.encode(&raw[..raw.len() - 16]));
    assert!(secured()
        .receive_at(&signed(&body), &body, at(SENT))
        .is_err());
}

#[test]
fn invalid_base64_is_refused() {
    let valid = EncryptKey::new(KEY).encrypt_with_iv(member_added_v2(TOKEN).as_bytes(), IV);
    let without_padding = valid.trim_end_matches('=').to_owned();
    let with_newline = format!("{}\n{}", &valid[..8], &valid[8..]);
    let url_safe = valid.replace('+', "-").replace('/', "_");
    for encrypt in [
        "%%%not base64%%%".to_owned(),
        with_newline,
        url_safe,
        without_padding,
    ] {
        if encrypt == valid {
            continue;
        }
        let body = seal_raw(&encrypt.replace('\n', "\\n"));
        let err = error(secured().receive_at(&signed(&body), &body, at(SENT)));
        assert_eq!(err, WebhookError::InvalidBase64, "{encrypt}");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn invalid_utf8_is_refused() {
    let err = error(receive_sealed(
        &secured(),
        b"{\"schema\":\"2.0\",\"x\":\"\xff\xfe\"}",
    ));
    assert_eq!(err, WebhookError::InvalidUtf8);
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);

    let plain = b"{\"uuid\":\"\xc3\x28\",\"event\":{\"type\":\"p2p_chat_create\"}}";
    assert_eq!(
        error(open().receive(&HeaderMap::new(), plain)),
        WebhookError::InvalidUtf8
    );
}

#[test]
fn plaintext_that_is_not_a_json_object_is_refused() {
    for plaintext in [
        &b"hello world"[..],
        b"",
        b"[1,2,3]",
        b"[\"2.0\",null]",
        b"\"url_verification\"",
        b"null",
        b"{\"schema\":\"2.0\"",
        b"{\"schema\":\"2.0\"} trailing",
    ] {
        let err = error(receive_sealed(&secured(), plaintext));
        assert_eq!(
            err,
            WebhookError::InvalidJson,
            "{:?}",
            String::from_utf8_lossy(plaintext)
        );
        assert_eq!(
            error(open().receive(&HeaderMap::new(), plaintext)),
            WebhookError::InvalidJson
        );
    }
}

#[test]
fn duplicated_security_fields_are_refused() {
    let body = format!(
        r#"{{"challenge":"c","token":"{TOKEN}","token":"other","type":"url_verification"}}"#
    );
    assert_eq!(
        error(token_only().receive(&HeaderMap::new(), body.as_bytes())),
        WebhookError::InvalidJson
    );
}

#[test]
fn encryption_must_match_the_configuration() {
    // Encrypted body, no key configured.
    let body = seal(member_added_v2(TOKEN).as_bytes());
    let err = error(token_only().receive(&HeaderMap::new(), &body));
    assert_eq!(err, WebhookError::EncryptKeyMissing);
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);

    // Plain body, key configured, even when signed.
    let plain = member_added_v2(TOKEN);
    let err = error(secured().receive_at(&signed(plain.as_bytes()), plain.as_bytes(), at(SENT)));
    assert_eq!(err, WebhookError::NotEncrypted);
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------------
// Size limit

#[test]
fn oversized_body_is_refused_before_anything_else() {
    let receiver = WebhookReceiver::new(
        WebhookConfig::builder()
            .encrypt_key(KEY)
            .max_body_size(1024)
            .build()
            .unwrap(),
    );
    let garbage = vec![0xffu8; 1025];
    let err = error(receiver.receive(&HeaderMap::new(), &garbage));
    assert_eq!(
        err,
        WebhookError::BodyTooLarge {
            size: 1025,
            limit: 1024
        }
    );
    assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A body of exactly the limit is read.
    let plaintext = member_added_v2(TOKEN);
    let mut body = seal(plaintext.as_bytes());
    assert!(body.len() < 1024);
    let filler = vec![b' '; 1024 - body.len()];
    body.splice(1..1, filler);
    assert_eq!(body.len(), 1024);
    let event = event(receiver.receive_at(&signed(&body), &body, at(SENT)));
    assert_eq!(event.plaintext(), plaintext.as_bytes());

    // The default limit is 1 MiB.
    let huge = vec![b' '; DEFAULT_MAX_BODY_SIZE + 1];
    assert_eq!(
        error(open().receive(&HeaderMap::new(), &huge)),
        WebhookError::BodyTooLarge {
            size: DEFAULT_MAX_BODY_SIZE + 1,
            limit: DEFAULT_MAX_BODY_SIZE
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Routing fields

#[test]
fn events_without_routing_fields_are_refused() {
    let cases = [
        (
            format!(
                r#"{{"schema":"2.0","header":{{"event_id":"e1","token":"{TOKEN}"}},"event":{{}}}}"#
            ),
            WebhookError::MissingEventType,
        ),
        (
            format!(
                r#"{{"schema":"2.0","header":{{"event_id":"e1","event_type":"","token":"{TOKEN}"}},"event":{{}}}}"#
            ),
            WebhookError::MissingEventType,
        ),
        (
            format!(
                r#"{{"schema":"2.0","header":{{"event_type":"im.chat.updated_v1","token":"{TOKEN}"}},"event":{{}}}}"#
            ),
            WebhookError::MissingEventId,
        ),
        (
            format!(r#"{{"schema":"2.0","header":"nope","token":"{TOKEN}"}}"#),
            WebhookError::TokenMismatch,
        ),
        (
            format!(
                r#"{{"uuid":"u1","token":"{TOKEN}","type":"event_callback","event":{{"app_id":"cli_1"}}}}"#
            ),
            WebhookError::MissingEventType,
        ),
        (
            format!(
                r#"{{"token":"{TOKEN}","type":"event_callback","event":{{"type":"p2p_chat_create"}}}}"#
            ),
            WebhookError::MissingEventId,
        ),
        (
            format!(
                r#"{{"schema":"3.0","header":{{"event_id":"e1","event_type":"a","token":"{TOKEN}"}}}}"#
            ),
            WebhookError::UnsupportedSchema,
        ),
        (
            format!(r#"{{"token":"{TOKEN}"}}"#),
            WebhookError::MissingEventType,
        ),
    ];
    for (plaintext, expected) in cases {
        let err = error(receive_sealed(&secured(), plaintext.as_bytes()));
        assert_eq!(err, expected, "{plaintext}");
        assert_eq!(
            error(token_only().receive(&HeaderMap::new(), plaintext.as_bytes())),
            expected,
            "{plaintext}"
        );
        if expected != WebhookError::TokenMismatch {
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Error reporting

#[test]
fn status_codes_follow_the_kind_of_failure() {
    use WebhookError as E;
    let cases = [
        (E::BodyTooLarge { size: 2, limit: 1 }, 413),
        (E::InvalidUtf8, 400),
        (E::InvalidJson, 400),
        (E::InvalidBase64, 400),
        (E::CiphertextLength { len: 3 }, 400),
        (E::BadPadding, 400),
        (E::NotEncrypted, 401),
        (E::EncryptKeyMissing, 400),
        (E::MissingSignature, 401),
        (E::MissingNonce, 401),
        (E::MissingTimestamp, 401),
        (E::SignatureMismatch, 401),
        (E::InvalidTimestamp, 401),
        (E::StaleTimestamp { age_secs: 1 }, 401),
        (E::FutureTimestamp { ahead_secs: 1 }, 401),
        (E::TokenMismatch, 403),
        (E::MissingChallenge, 400),
        (E::UnsupportedSchema, 400),
        (E::MissingEventType, 400),
        (E::MissingEventId, 400),
    ];
    for (err, status) in cases {
        assert_eq!(err.status().as_u16(), status, "{err:?}");
        assert_eq!(
            err.is_auth_failure(),
            status == 401 || status == 403,
            "{err:?}"
        );
    }
}

#[test]
fn error_messages_never_contain_secrets_or_the_body() {
    let marker = "SECRET-BODY-MARKER";
    let plaintexts = [
        format!(
            r#"{{"schema":"2.0","header":{{"event_id":"{marker}","event_type":"{marker}","token":"{marker}"}}}}"#
        ),
        format!(r#"{{"schema":"{marker}","x":"{marker}"}}"#),
        format!(r#"{{"uuid":"{marker}","token":"{TOKEN}"}}"#),
        format!(r#"["{marker}"]"#),
        format!(r#"{{"{marker}":1,"{marker}":2}}"#),
        format!(r#"{{"challenge":"{marker}","token":"{marker}","type":"url_verification"}}"#),
    ];
    let mut errors = Vec::new();
    for plaintext in &plaintexts {
        if let Err(e) = receive_sealed(&secured(), plaintext.as_bytes()) {
            errors.push(e);
        }
        let body = seal(plaintext.as_bytes());
        if let Err(e) = secured().receive(&HeaderMap::new(), &body) {
            errors.push(e);
        }
        if let Err(e) = token_only().receive(&HeaderMap::new(), plaintext.as_bytes()) {
            errors.push(e);
        }
        let mut headers = signed(&body);
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_static("SECRET-BODY-MARKER"),
        );
        if let Err(e) = secured().receive_at(&headers, &body, at(SENT)) {
            errors.push(e);
        }
    }
    assert!(errors.len() >= plaintexts.len() * 3);
    for err in errors {
        let text = format!("{err} / {err:?}");
        assert!(!text.contains(marker), "{text}");
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[test]
fn verified_event_debug_hides_the_plaintext() {
    let event = event(receive_sealed(
        &secured(),
        member_added_v2(TOKEN).as_bytes(),
    ));
    let printed = format!("{event:?}");
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(!printed.contains("Li Lei"), "{printed}");
    assert!(
        printed.contains("im.chat.member.user.added_v1"),
        "{printed}"
    );
}

// ---------------------------------------------------------------------------------------------
// De-duplication

#[derive(Debug)]
struct ManualClock {
    start: Instant,
    elapsed: Mutex<Duration>,
}

impl ManualClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        })
    }

    fn advance(&self, by: Duration) {
        *self.elapsed.lock().expect("clock lock") += by;
    }

    fn rewind(&self, by: Duration) {
        let mut elapsed = self.elapsed.lock().expect("clock lock");
        *elapsed = elapsed.saturating_sub(by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().expect("clock lock")
    }
}

#[test]
fn dedup_defaults_outlast_the_redelivery_window() {
    let store = InMemoryDedup::new();
    assert_eq!(store.capacity(), 100_000);
    assert_eq!(store.capacity(), DEFAULT_DEDUP_CAPACITY);
    assert_eq!(store.ttl(), DEFAULT_DEDUP_TTL);
    // 15 s + 5 min + 1 h + 6 h of redeliveries.
    assert!(store.ttl() > Duration::from_secs(15 + 5 * 60 + 3600 + 6 * 3600));
    assert!(store.is_empty());
}

#[test]
fn dedup_reports_a_key_new_exactly_once() {
    let store = InMemoryDedup::new();
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::New);
    // In progress is not done: until the first run finishes, a redelivery is not a duplicate.
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::InProgress);
    store.mark_done_sync("ev-1");
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::Duplicate);
    assert!(store.check_and_mark_sync("ev-2").is_new());
    assert_eq!(store.len(), 2);
}

#[test]
fn dedup_in_progress_marks_lapse_after_the_lease_and_done_ones_do_not() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::new()
        .with_lease(Duration::from_secs(60))
        .with_clock(clock.clone());
    assert!(store.check_and_mark_sync("stuck").is_new());
    assert!(store.check_and_mark_sync("done").is_new());
    store.mark_done_sync("done");
    clock.advance(Duration::from_secs(59));
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::InProgress);
    clock.advance(Duration::from_secs(1));
    // The run holding the mark is taken for dead: this delivery takes it over, once.
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::New);
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::InProgress);
    assert_eq!(store.check_and_mark_sync("done"), DedupOutcome::Duplicate);
    assert_eq!(store.len(), 2);
    // Forgetting an in-progress key lets the next delivery run.
    store.forget_sync("stuck");
    assert!(store.check_and_mark_sync("stuck").is_new());
}

#[test]
fn dedup_evicts_the_oldest_keys_at_capacity() {
    let store = InMemoryDedup::with_limits(3, DEFAULT_DEDUP_TTL);
    for key in ["a", "b", "c", "d"] {
        assert!(store.check_and_mark_sync(key).is_new());
        store.mark_done_sync(key);
    }
    assert_eq!(store.len(), 3);
    assert_eq!(store.check_and_mark_sync("d"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("c"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("b"), DedupOutcome::Duplicate);
    // "a" was evicted: a late redelivery would be processed again.
    assert_eq!(store.check_and_mark_sync("a"), DedupOutcome::New);
    // ... and that pushed "b" out.
    assert_eq!(store.check_and_mark_sync("b"), DedupOutcome::New);
    assert_eq!(store.len(), 3);

    let tiny = InMemoryDedup::with_limits(0, DEFAULT_DEDUP_TTL);
    assert_eq!(tiny.capacity(), 1);
    assert!(tiny.check_and_mark_sync("x").is_new());
    assert!(!tiny.check_and_mark_sync("x").is_new());
}

#[test]
fn dedup_forgets_keys_after_the_ttl() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::with_limits(100, Duration::from_secs(60)).with_clock(clock.clone());
    assert!(store.check_and_mark_sync("first").is_new());
    clock.advance(Duration::from_secs(30));
    assert!(store.check_and_mark_sync("second").is_new());
    clock.advance(Duration::from_secs(29));
    assert!(!store.check_and_mark_sync("first").is_new());
    clock.advance(Duration::from_secs(1));
    // 60 s after "first": expired, and purged.
    assert!(store.check_and_mark_sync("first").is_new());
    assert_eq!(store.len(), 2);
    assert!(!store.check_and_mark_sync("second").is_new());
    clock.advance(Duration::from_secs(31));
    assert!(store.check_and_mark_sync("second").is_new());
}

#[test]
fn dedup_keeps_keys_when_the_clock_goes_backwards() {
    let clock = ManualClock::new();
    clock.advance(Duration::from_secs(1000));
    let store = InMemoryDedup::with_limits(10, Duration::from_secs(60)).with_clock(clock.clone());
    assert!(store.check_and_mark_sync("k").is_new());
    clock.rewind(Duration::from_secs(500));
    assert!(!store.check_and_mark_sync("k").is_new());
    clock.advance(Duration::from_secs(559));
    assert!(!store.check_and_mark_sync("k").is_new());
}

#[test]
fn dedup_long_ttl_redeliveries_are_caught() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::new().with_clock(clock.clone());
    assert!(store
        .check_and_mark_sync("5e3702a84e847582be8db7fb73283c02")
        .is_new());
    store.mark_done_sync("5e3702a84e847582be8db7fb73283c02");
    for retry in [15, 5 * 60, 3600, 6 * 3600] {
        clock.advance(Duration::from_secs(retry));
        assert!(!store
            .check_and_mark_sync("5e3702a84e847582be8db7fb73283c02")
            .is_new());
    }
    let huge_ttl = InMemoryDedup::with_limits(10, Duration::MAX);
    assert!(huge_ttl.check_and_mark_sync("k").is_new());
    assert!(!huge_ttl.check_and_mark_sync("k").is_new());
}

#[tokio::test]
async fn dedup_store_works_as_a_shared_trait_object() {
    let store: Arc<dyn DedupStore> = Arc::new(InMemoryDedup::new());
    let event = event(receive_sealed(
        &secured(),
        member_added_v2(TOKEN).as_bytes(),
    ));

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        let key = event.dedup_key().to_owned();
        tasks.push(tokio::spawn(async move {
            store.check_and_mark(&key).await.unwrap()
        }));
    }
    let mut new = 0;
    for task in tasks {
        if task.await.unwrap().is_new() {
            new += 1;
        }
    }
    assert_eq!(new, 1, "exactly one concurrent delivery is processed");
    assert_eq!(
        store.check_and_mark(event.dedup_key()).await.unwrap(),
        DedupOutcome::InProgress
    );
    store.mark_done(event.dedup_key()).await.unwrap();
    assert_eq!(
        store.check_and_mark(event.dedup_key()).await.unwrap(),
        DedupOutcome::Duplicate
    );
}

#[test]
fn public_types_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<WebhookReceiver>();
    assert_send_sync::<WebhookConfig>();
    assert_send_sync::<VerifiedEvent>();
    assert_send_sync::<Received>();
    assert_send_sync::<WebhookError>();
    assert_send_sync::<InMemoryDedup>();
    assert_send_sync::<Arc<dyn DedupStore>>();
}
