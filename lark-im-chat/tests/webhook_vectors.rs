//! Known-answer tests of the webhook layer against `tests/fixtures/test-vectors.json`, the
//! project's copy of the known-answer vectors (facts: inputs and expected outputs, each entry with
//! its origin). A missing file fails the tests (it is never skipped).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::{HeaderMap, HeaderValue};
use lark_im_chat::events::webhook::{
    challenge_response_body, compute_signature, verify_signature, EncryptKey, Received, Schema,
    VerifiedEvent, WebhookConfig, WebhookError, WebhookReceiver, NONCE_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the webhook test vectors must exist at {}: {e}",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("test-vectors.json is valid JSON")
}

fn group<'v>(all: &'v Value, name: &str) -> &'v [Value] {
    match all[name].as_array() {
        Some(items) if !items.is_empty() => items,
        _ => panic!("vector group {name} is missing or empty"),
    }
}

fn field<'v>(vector: &'v Value, name: &str) -> &'v str {
    vector[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector {} has no string field {name}", vector["id"]))
}

fn id(vector: &Value) -> &str {
    field(vector, "id")
}

fn headers(timestamp: &str, nonce: &str, signature: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_str(timestamp).expect("header value"),
    );
    map.insert(
        NONCE_HEADER,
        HeaderValue::from_str(nonce).expect("header value"),
    );
    map.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(signature).expect("header value"),
    );
    map
}

/// Headers of a correctly signed request.
fn signed(key: &str, body: &[u8]) -> HeaderMap {
    let signature = compute_signature("1700000000", "n0nce", &EncryptKey::new(key), body);
    headers("1700000000", "n0nce", &signature)
}

fn encrypted_body(encrypt: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "encrypt": encrypt })).expect("serialisable")
}

fn receiver(key: Option<&str>, token: Option<&str>) -> WebhookReceiver {
    let mut builder = WebhookConfig::builder().timestamp_window(None);
    if let Some(key) = key {
        builder = builder.encrypt_key(key);
    }
    if let Some(token) = token {
        builder = builder.verification_token(token);
    }
    WebhookReceiver::new(builder.build().expect("valid config"))
}

fn expect_event(result: Result<Received, WebhookError>) -> VerifiedEvent {
    match result {
        Ok(Received::Event(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

fn expect_challenge(result: Result<Received, WebhookError>) -> String {
    match result {
        Ok(Received::Challenge { challenge }) => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn opt_str(value: &Value) -> Option<&str> {
    value.as_str()
}

/// Checks the routing facts of `event` against an independent reading of `plaintext`.
fn assert_facts_match(event: &VerifiedEvent, plaintext: &str) {
    let json: Value = serde_json::from_str(plaintext).expect("plaintext is JSON");
    assert_eq!(event.plaintext(), plaintext.as_bytes());
    if json["schema"] == "2.0" {
        let header = &json["header"];
        assert_eq!(event.schema(), Schema::V2);
        assert_eq!(Some(event.event_type()), opt_str(&header["event_type"]));
        assert_eq!(Some(event.dedup_key()), opt_str(&header["event_id"]));
        assert_eq!(event.tenant_key(), opt_str(&header["tenant_key"]));
        assert_eq!(event.app_id(), opt_str(&header["app_id"]));
    } else {
        assert_eq!(event.schema(), Schema::V1);
        assert_eq!(Some(event.event_type()), opt_str(&json["event"]["type"]));
        assert_eq!(Some(event.dedup_key()), opt_str(&json["uuid"]));
        assert_eq!(event.tenant_key(), opt_str(&json["event"]["tenant_key"]));
        assert_eq!(event.app_id(), opt_str(&json["event"]["app_id"]));
    }
}

fn token_of(plaintext: &Value) -> &str {
    plaintext["header"]["token"]
        .as_str()
        .or(plaintext["token"].as_str())
        .expect("payload carries a token")
}

#[test]
fn aes_decrypt_vectors_decrypt_to_the_expected_plaintext() {
    let all = vectors();
    for vector in group(&all, "aes_decrypt") {
        let key = EncryptKey::new(field(vector, "encrypt_key"));
        let expected = field(vector, "expected_plaintext");
        let plaintext = key
            .decrypt(field(vector, "encrypt"))
            .unwrap_or_else(|e| panic!("{}: {e}", id(vector)));
        assert_eq!(plaintext, expected.as_bytes(), "{}", id(vector));
    }
}

#[test]
fn aes_decrypt_vectors_agree_with_the_derived_values() {
    let all = vectors();
    for vector in group(&all, "aes_decrypt") {
        let derived = &vector["derived"];
        let key_hex = hex::encode(Sha256::digest(field(vector, "encrypt_key").as_bytes()));
        assert_eq!(
            Some(key_hex.as_str()),
            derived["aes256_key_hex_sha256_of_encrypt_key"].as_str(),
            "{}",
            id(vector)
        );
        let raw = STANDARD.decode(field(vector, "encrypt")).unwrap();
        assert_eq!(
            Some(hex::encode(&raw[..16]).as_str()),
            derived["iv_hex"].as_str(),
            "{}",
            id(vector)
        );
        let ct_len = raw.len() - 16;
        assert_eq!(
            Some(ct_len as u64),
            derived["ciphertext_bytes_after_iv"].as_u64()
        );
        let pad = ct_len - field(vector, "expected_plaintext").len();
        assert_eq!(Some(pad as u64), derived["pkcs7_pad_len"].as_u64());
    }
}

#[test]
fn aes_encrypt_fixed_iv_vectors_reproduce_the_expected_ciphertext() {
    let all = vectors();
    for vector in group(&all, "aes_encrypt_fixed_iv") {
        let key = EncryptKey::new(field(vector, "encrypt_key"));
        let iv: [u8; 16] = hex::decode(field(vector, "iv_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        let plaintext = field(vector, "plaintext");
        let expected = field(vector, "expected_encrypt");
        assert_eq!(
            key.encrypt_with_iv(plaintext.as_bytes(), iv),
            expected,
            "{}",
            id(vector)
        );
        assert_eq!(
            key.decrypt(expected).unwrap(),
            plaintext.as_bytes(),
            "{}",
            id(vector)
        );
    }
}

#[test]
fn random_iv_encryption_round_trips_and_differs_each_time() {
    let key = EncryptKey::new("my-encrypt-key");
    let first = key.encrypt(b"{\"a\":1}");
    let second = key.encrypt(b"{\"a\":1}");
    assert_ne!(first, second);
    assert_eq!(key.decrypt(&first).unwrap(), b"{\"a\":1}");
    assert_eq!(key.decrypt(&second).unwrap(), b"{\"a\":1}");
}

#[test]
fn aes_decrypt_must_fail_vectors_fail_with_the_expected_reason() {
    let all = vectors();
    for vector in group(&all, "aes_decrypt_must_fail") {
        let key = EncryptKey::new(field(vector, "encrypt_key"));
        let err = key.decrypt(field(vector, "encrypt")).expect_err(id(vector));
        let expected = match id(vector) {
            "wrong-key" | "tampered-penultimate-block" => WebhookError::BadPadding,
            "too-short" => WebhookError::CiphertextLength { len: 0 },
            "not-block-multiple" => WebhookError::CiphertextLength { len: 79 },
            "not-base64" => WebhookError::InvalidBase64,
            other => panic!("no expectation written for must-fail vector {other}"),
        };
        assert_eq!(err, expected, "{}", id(vector));
    }
}

#[test]
fn aes_decrypt_must_fail_vectors_are_rejected_by_the_receiver() {
    let all = vectors();
    for vector in group(&all, "aes_decrypt_must_fail") {
        let key = field(vector, "encrypt_key");
        let body = encrypted_body(field(vector, "encrypt"));
        let receiver = receiver(Some(key), None);

        // Signed: the precise decryption error comes through, as a 400.
        let err = receiver
            .receive(&signed(key, &body), &body)
            .expect_err(id(vector));
        assert_eq!(
            Some(err.clone()),
            EncryptKey::new(key).decrypt(field(vector, "encrypt")).err()
        );
        assert_eq!(
            err.status(),
            http::StatusCode::BAD_REQUEST,
            "{}",
            id(vector)
        );

        // Unsigned: whatever failed inside, only the missing signature is reported.
        let err = receiver
            .receive(&HeaderMap::new(), &body)
            .expect_err(id(vector));
        assert_eq!(err, WebhookError::MissingSignature, "{}", id(vector));
    }
}

#[test]
fn signature_vectors_compute_and_verify() {
    let all = vectors();
    for vector in group(&all, "signature_sha256") {
        let key = EncryptKey::new(field(vector, "encrypt_key"));
        let timestamp = field(vector, "X-Lark-Request-Timestamp");
        let nonce = field(vector, "X-Lark-Request-Nonce");
        let body = field(vector, "raw_body").as_bytes();
        let expected = field(vector, "expected_X-Lark-Signature");
        assert_eq!(
            compute_signature(timestamp, nonce, &key, body),
            expected,
            "{}",
            id(vector)
        );
        assert_eq!(
            verify_signature(&headers(timestamp, nonce, expected), &key, body),
            Ok(()),
            "{}",
            id(vector)
        );
    }
}

#[test]
fn signature_must_fail_vectors_are_rejected() {
    let all = vectors();
    for vector in group(&all, "signature_must_fail") {
        let key = field(vector, "encrypt_key");
        let request_headers = headers(
            field(vector, "X-Lark-Request-Timestamp"),
            field(vector, "X-Lark-Request-Nonce"),
            field(vector, "received_X-Lark-Signature"),
        );
        let body = field(vector, "raw_body").as_bytes();
        assert_eq!(
            verify_signature(&request_headers, &EncryptKey::new(key), body),
            Err(WebhookError::SignatureMismatch),
            "{}",
            id(vector)
        );
        let err = receiver(Some(key), None)
            .receive(&request_headers, body)
            .expect_err(id(vector));
        assert_eq!(err, WebhookError::SignatureMismatch, "{}", id(vector));
        assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn signature_vectors_show_that_raw_bytes_not_json_values_are_signed() {
    let all = vectors();
    let by_id = |wanted: &str| {
        group(&all, "signature_sha256")
            .iter()
            .find(|v| id(v) == wanted)
            .unwrap_or_else(|| panic!("vector {wanted} missing"))
            .clone()
    };
    let pretty = by_id("pretty-printed-body-is-different");
    let compact = by_id("compact-body-same-json");
    let key = field(&pretty, "encrypt_key");
    let receiver = receiver(Some(key), None);

    // Correct signatures get past the check; "abc" is then not valid base64.
    for vector in [&pretty, &compact] {
        let request_headers = headers(
            field(vector, "X-Lark-Request-Timestamp"),
            field(vector, "X-Lark-Request-Nonce"),
            field(vector, "expected_X-Lark-Signature"),
        );
        assert_eq!(
            receiver
                .receive(&request_headers, field(vector, "raw_body").as_bytes())
                .unwrap_err(),
            WebhookError::InvalidBase64
        );
    }
    // The signature of one body does not fit the other, although both hold the same JSON.
    let swapped = headers(
        field(&pretty, "X-Lark-Request-Timestamp"),
        field(&pretty, "X-Lark-Request-Nonce"),
        field(&compact, "expected_X-Lark-Signature"),
    );
    assert_eq!(
        receiver
            .receive(&swapped, field(&pretty, "raw_body").as_bytes())
            .unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn signed_encrypted_signature_vector_yields_a_routed_event() {
    let all = vectors();
    let vector = group(&all, "signature_sha256")
        .iter()
        .find(|v| id(v) == "java-encrypted-event-test-inputs")
        .expect("vector java-encrypted-event-test-inputs");
    let request_headers = headers(
        field(vector, "X-Lark-Request-Timestamp"),
        field(vector, "X-Lark-Request-Nonce"),
        field(vector, "expected_X-Lark-Signature"),
    );
    // The timestamp of this vector is the word "timestamp": only usable without a window.
    let receiver = receiver(Some(field(vector, "encrypt_key")), Some("v"));
    let event =
        expect_event(receiver.receive(&request_headers, field(vector, "raw_body").as_bytes()));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "contact.user.created_v3");
    assert_eq!(event.dedup_key(), "f7984f25108f8137722bb63cee927e66");
    assert_eq!(event.app_id(), Some("cli_xxxxxxxx"));
    assert_eq!(event.tenant_key(), Some("xxxxxxx"));
    let decrypted = group(&all, "aes_decrypt")
        .iter()
        .find(|v| id(v) == "java-decryptor-test")
        .expect("vector java-decryptor-test");
    assert_eq!(
        event.plaintext(),
        field(decrypted, "expected_plaintext").as_bytes()
    );
}

#[test]
fn realistic_signature_vector_passes_inside_the_timestamp_window_only() {
    let all = vectors();
    let vector = group(&all, "signature_sha256")
        .iter()
        .find(|v| id(v) == "realistic-encrypted-body")
        .expect("vector realistic-encrypted-body");
    let timestamp = field(vector, "X-Lark-Request-Timestamp");
    let request_headers = headers(
        timestamp,
        field(vector, "X-Lark-Request-Nonce"),
        field(vector, "expected_X-Lark-Signature"),
    );
    let body = field(vector, "raw_body").as_bytes();
    let sent = UNIX_EPOCH + Duration::from_secs(timestamp.parse().unwrap());
    let receiver = WebhookReceiver::new(
        WebhookConfig::builder()
            .encrypt_key(field(vector, "encrypt_key"))
            .verification_token("vt")
            .build()
            .unwrap(),
    );

    let event =
        expect_event(receiver.receive_at(&request_headers, body, sent + Duration::from_secs(2)));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "im.chat.updated_v1");
    assert_eq!(event.dedup_key(), "ev_1");
    assert_eq!(event.tenant_key(), None);
    assert_eq!(event.app_id(), None);
    let plaintext: Value = serde_json::from_slice(event.plaintext()).unwrap();
    assert_eq!(plaintext["event"]["name"], "群聊🎉");

    assert_eq!(
        receiver
            .receive_at(&request_headers, body, sent + Duration::from_secs(301))
            .unwrap_err(),
        WebhookError::StaleTimestamp { age_secs: 301 }
    );
    assert_eq!(
        receiver
            .receive_at(&request_headers, body, sent - Duration::from_secs(301))
            .unwrap_err(),
        WebhookError::FutureTimestamp { ahead_secs: 301 }
    );
}

#[test]
fn every_aes_decrypt_vector_goes_through_the_receiver_when_signed() {
    let all = vectors();
    for vector in group(&all, "aes_decrypt") {
        let key = field(vector, "encrypt_key");
        let expected = field(vector, "expected_plaintext");
        let body = encrypted_body(field(vector, "encrypt"));
        let request_headers = signed(key, &body);
        let Ok(json) = serde_json::from_str::<Value>(expected) else {
            // "hello world": decrypts, but is not a payload.
            assert_eq!(
                receiver(Some(key), None)
                    .receive(&request_headers, &body)
                    .unwrap_err(),
                WebhookError::InvalidJson,
                "{}",
                id(vector)
            );
            continue;
        };
        let token = token_of(&json);
        let receiver = receiver(Some(key), Some(token));
        let result = receiver.receive(&request_headers, &body);
        if json["type"] == "url_verification" {
            assert_eq!(
                Some(expect_challenge(result).as_str()),
                json["challenge"].as_str(),
                "{}",
                id(vector)
            );
        } else {
            assert_facts_match(&expect_event(result), expected);
        }

        // The same request with another configured token is refused.
        let wrong = self::receiver(Some(key), Some("another-token"));
        assert_eq!(
            wrong.receive(&request_headers, &body).unwrap_err(),
            WebhookError::TokenMismatch,
            "{}",
            id(vector)
        );
    }
}

#[test]
fn url_verification_vectors_are_answered() {
    let all = vectors();
    for vector in group(&all, "url_verification") {
        let key = vector["encrypt_key"].as_str();
        let token = field(vector, "configured_verification_token");
        let body = field(vector, "request_body").as_bytes();
        assert_eq!(vector["expected_response_status"], 200);

        // No signature headers at all, as the platform may send them.
        let challenge =
            expect_challenge(receiver(key, Some(token)).receive(&HeaderMap::new(), body));
        let response: Value = serde_json::from_slice(&challenge_response_body(&challenge)).unwrap();
        assert_eq!(
            response,
            vector["expected_response_body_json"],
            "{}",
            id(vector)
        );

        // Also without a configured token, and with a stale signed request.
        let challenge_again =
            expect_challenge(receiver(key, None).receive(&headers("1", "x", "bad"), body));
        assert_eq!(challenge_again, challenge);

        assert_eq!(
            receiver(key, Some("not-the-token"))
                .receive(&HeaderMap::new(), body)
                .unwrap_err(),
            WebhookError::TokenMismatch,
            "{}",
            id(vector)
        );
    }
}

#[test]
fn challenge_with_signature_headers_and_a_window_ignores_them() {
    let all = vectors();
    let vector = group(&all, "url_verification")
        .iter()
        .find(|v| id(v) == "encrypted-made-here")
        .expect("vector encrypted-made-here");
    let receiver = WebhookReceiver::new(
        WebhookConfig::builder()
            .encrypt_key(field(vector, "encrypt_key"))
            .verification_token(field(vector, "configured_verification_token"))
            .build()
            .unwrap(),
    );
    let body = field(vector, "request_body").as_bytes();
    let ancient = headers("1", "nonce", &"0".repeat(64));
    let challenge = expect_challenge(receiver.receive_at(&ancient, body, SystemTime::now()));
    assert_eq!(challenge, "ajls384kdjx98XX");
}
