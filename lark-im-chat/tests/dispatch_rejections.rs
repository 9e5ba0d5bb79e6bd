//! Webhook requests the dispatcher refuses (signature, timestamp, Verification Token,
//! encryption, size, JSON) with the HTTP answer of each, none of which reaches a handler.

mod dispatch_path_support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dispatch_path_support::*;
use http::{HeaderMap, StatusCode};
use lark_im_chat::events::webhook::{EncryptKey, WebhookConfig, WebhookError};

// --- rejections, none of which reaches a handler --------------------------------------------

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
