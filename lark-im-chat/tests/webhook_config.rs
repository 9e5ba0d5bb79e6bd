//! The webhook receiver's configuration, its error reporting (status codes, messages and
//! `Debug` without secrets) and its public types across threads.

mod webhook_support;

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use lark_im_chat::events::webhook::{
    ConfigError, DedupStore, EncryptKey, InMemoryDedup, Received, VerificationToken, VerifiedEvent,
    WebhookConfig, WebhookError, WebhookReceiver, DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMESTAMP_WINDOW,
    SIGNATURE_HEADER,
};
use webhook_support::*;

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
