//! Webhook requests that must be refused: signature, timestamp window, Verification Token,
//! encryption envelope, size limit and routing fields. Configuration and error reporting:
//! `webhook_config.rs`; accepted events and challenges: `webhook_accepted.rs`;
//! de-duplication: `webhook_dedup.rs`.

mod webhook_support;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::{HeaderMap, HeaderValue, StatusCode};
use lark_im_chat::events::webhook::{
    EncryptKey, WebhookConfig, WebhookError, WebhookReceiver, DEFAULT_MAX_BODY_SIZE, NONCE_HEADER,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use webhook_support::*;

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
