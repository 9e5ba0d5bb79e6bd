//! Property tests: whatever arrives, the webhook receiver answers with a result, never a panic,
//! and what it accepts is consistent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::HeaderName;
use http::{HeaderMap, HeaderValue};
use lark_im_chat::events::webhook::{
    challenge_response_body, compute_signature, EncryptKey, Received, WebhookConfig, WebhookError,
    WebhookReceiver, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use lark_im_chat::testing::Callback;
use proptest::prelude::*;

const KEY: &str = "fuzz-encrypt-key";
const TOKEN: &str = "fuzz-verification-token";
const SENT: u64 = 1_722_925_320;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SENT)
}

/// Every interesting configuration, including a tiny body limit.
fn receivers() -> Vec<WebhookReceiver> {
    let configs = [
        WebhookConfig::builder(),
        WebhookConfig::builder().verification_token(TOKEN),
        WebhookConfig::builder().encrypt_key(KEY),
        WebhookConfig::builder()
            .encrypt_key(KEY)
            .verification_token(TOKEN),
        WebhookConfig::builder()
            .encrypt_key(KEY)
            .timestamp_window(None),
        WebhookConfig::builder()
            .verification_token(TOKEN)
            .max_body_size(64),
    ];
    configs
        .into_iter()
        .map(|builder| WebhookReceiver::new(builder.build().expect("valid config")))
        .collect()
}

/// Runs `body` through every receiver and checks what any result must satisfy.
fn check_all(headers: &HeaderMap, body: &[u8]) -> Result<(), TestCaseError> {
    for receiver in receivers() {
        check_one(&receiver, headers, body)?;
    }
    Ok(())
}

fn check_one(
    receiver: &WebhookReceiver,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<Received>, TestCaseError> {
    match receiver.receive_at(headers, body, now()) {
        Ok(Received::Event(event)) => {
            prop_assert!(!event.event_type().is_empty());
            prop_assert!(!event.dedup_key().is_empty());
            let parsed: Result<serde_json::Map<String, serde_json::Value>, _> =
                serde_json::from_slice(event.plaintext());
            prop_assert!(parsed.is_ok(), "accepted plaintext is a JSON object");
            Ok(Some(Received::Event(event)))
        }
        Ok(other) => Ok(Some(other)),
        Err(err) => {
            let status = err.status();
            prop_assert!(status.is_client_error(), "{err:?} -> {status}");
            prop_assert!(!err.to_string().is_empty());
            Ok(None)
        }
    }
}

fn header_name() -> impl Strategy<Value = HeaderName> {
    prop_oneof![
        Just(SIGNATURE_HEADER),
        Just(TIMESTAMP_HEADER),
        Just(NONCE_HEADER),
        Just(HeaderName::from_static("content-type")),
        "[a-z][a-z0-9-]{0,20}"
            .prop_map(|s| HeaderName::from_bytes(s.as_bytes())
                .unwrap_or(HeaderName::from_static("x-other"))),
    ]
}

fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(|bytes| {
            HeaderValue::from_bytes(&bytes).unwrap_or(HeaderValue::from_static("x"))
        }),
        "[0-9a-fA-F]{0,70}"
            .prop_map(|s| HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static("0"))),
        (0u64..4_000_000_000).prop_map(HeaderValue::from),
        Just(HeaderValue::from(SENT)),
    ]
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    proptest::collection::vec((header_name(), header_value()), 0..6).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, value);
        }
        map
    })
}

/// A JSON value made of the keys and values the receiver looks at, nested a little.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop_oneof![
            Just("2.0".to_owned()),
            Just("url_verification".to_owned()),
            Just("event_callback".to_owned()),
            Just(TOKEN.to_owned()),
            Just(String::new()),
            any::<String>(),
        ]
        .prop_map(serde_json::Value::from),
    ];
    let key = prop_oneof![
        Just("schema".to_owned()),
        Just("header".to_owned()),
        Just("event".to_owned()),
        Just("event_id".to_owned()),
        Just("event_type".to_owned()),
        Just("type".to_owned()),
        Just("token".to_owned()),
        Just("uuid".to_owned()),
        Just("challenge".to_owned()),
        Just("tenant_key".to_owned()),
        Just("app_id".to_owned()),
        Just("encrypt".to_owned()),
        any::<String>(),
    ];
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Headers signing `body` with `KEY` at `timestamp`, which may be any text (the testing
/// helper only sends numbers).
fn sign(body: &[u8], timestamp: &str) -> HeaderMap {
    let signature = compute_signature(timestamp, "nonce", &EncryptKey::new(KEY), body);
    let mut map = HeaderMap::new();
    map.insert(
        TIMESTAMP_HEADER,
        HeaderValue::from_str(timestamp).expect("ascii"),
    );
    map.insert(NONCE_HEADER, HeaderValue::from_static("nonce"));
    map.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).expect("hex"),
    );
    map
}

/// `plaintext` encrypted with `KEY`, as a request body.
fn sealed(plaintext: &[u8], iv: [u8; 16]) -> Vec<u8> {
    let config = WebhookConfig::builder()
        .encrypt_key(KEY)
        .build()
        .expect("config");
    Callback::new(&config).iv(iv).payload(plaintext).1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_and_headers_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        headers in headers(),
    ) {
        check_all(&headers, &body)?;
    }

    #[test]
    fn arbitrary_json_payloads_never_panic(value in json_value(), headers in headers()) {
        let body = serde_json::to_vec(&value).expect("serialisable");
        check_all(&headers, &body)?;
        check_all(&sign(&body, &SENT.to_string()), &body)?;
    }

    #[test]
    fn arbitrary_ciphertexts_never_panic(
        raw in proptest::collection::vec(any::<u8>(), 0..200),
        timestamp in prop_oneof![Just(SENT.to_string()), any::<u32>().prop_map(|t| t.to_string())],
    ) {
        let body = format!(r#"{{"encrypt":"{}"}}"#, STANDARD.encode(&raw)).into_bytes();
        check_all(&sign(&body, &timestamp), &body)?;
        check_all(&HeaderMap::new(), &body)?;
    }

    #[test]
    fn arbitrary_encrypted_plaintexts_never_panic(
        plaintext in proptest::collection::vec(any::<u8>(), 0..200),
        iv in any::<[u8; 16]>(),
    ) {
        let body = sealed(&plaintext, iv);
        check_all(&sign(&body, &SENT.to_string()), &body)?;
    }

    #[test]
    fn arbitrary_encrypted_json_never_panics(value in json_value(), iv in any::<[u8; 16]>()) {
        let plaintext = serde_json::to_vec(&value).expect("serialisable");
        let body = sealed(&plaintext, iv);
        check_all(&sign(&body, &SENT.to_string()), &body)?;
        check_all(&HeaderMap::new(), &body)?;
    }

    #[test]
    fn any_change_to_a_signed_body_is_refused(
        index in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
        iv in any::<[u8; 16]>(),
    ) {
        let plaintext = format!(
            r#"{{"schema":"2.0","header":{{"event_id":"e-1","event_type":"im.chat.updated_v1","token":"{TOKEN}"}},"event":{{}}}}"#
        );
        let body = sealed(plaintext.as_bytes(), iv);
        let headers = sign(&body, &SENT.to_string());
        let receiver = WebhookReceiver::new(
            WebhookConfig::builder().encrypt_key(KEY).verification_token(TOKEN).build().expect("valid config"),
        );
        prop_assert!(receiver.receive_at(&headers, &body, now()).is_ok());

        let mut changed = body.clone();
        let at = index.index(changed.len());
        changed[at] ^= flip;
        let result = receiver.receive_at(&headers, &changed, now());
        prop_assert!(
            matches!(
                result,
                Err(WebhookError::SignatureMismatch | WebhookError::InvalidJson | WebhookError::InvalidUtf8 | WebhookError::NotEncrypted)
            ),
            "{result:?}"
        );
    }

    #[test]
    fn encryption_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..300), iv in any::<[u8; 16]>(), key in ".{1,40}") {
        let key = EncryptKey::new(key);
        let encrypted = key.encrypt_with_iv(&plaintext, iv);
        prop_assert_eq!(key.decrypt(&encrypted), Ok(plaintext));
    }

    #[test]
    fn challenge_response_body_is_json_for_any_value(challenge in any::<String>()) {
        let body = challenge_response_body(&challenge);
        let parsed: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        prop_assert_eq!(parsed, serde_json::json!({ "challenge": challenge }));
    }

    #[test]
    fn challenges_echo_any_value(challenge in any::<String>(), headers in headers(), iv in any::<[u8; 16]>()) {
        let plaintext = serde_json::to_vec(&serde_json::json!({
            "challenge": challenge, "token": TOKEN, "type": "url_verification"
        })).expect("serialisable");
        for (receiver, body) in [
            (receivers().swap_remove(1), plaintext.clone()),
            (receivers().swap_remove(3), sealed(&plaintext, iv)),
        ] {
            match receiver.receive_at(&headers, &body, now()) {
                Ok(Received::Challenge { challenge: echoed }) => prop_assert_eq!(&echoed, &challenge),
                other => prop_assert!(false, "expected a challenge, got {:?}", other),
            }
        }
    }
}
