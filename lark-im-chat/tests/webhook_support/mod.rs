//! Helpers of the webhook receiver tests (`webhook_*.rs`): secrets, callbacks of both schemas,
//! sealed and signed requests, receivers, and result checks.
#![allow(dead_code)] // each test binary uses part of it

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use lark_im_chat::events::webhook::{
    compute_signature, EncryptKey, Received, VerifiedEvent, WebhookConfig, WebhookError,
    WebhookReceiver, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use lark_im_chat::testing::Callback;

pub const KEY: &str = "q7Lm2v9XcR4tYp1WzK8sNf3Hd6Jb0GaE";
pub const TOKEN: &str = "Vt5pQ2rS8uW1xY4zA7bC0dE3fG6hJ9kL";
/// Time the test requests are sent at (Unix seconds).
pub const SENT: u64 = 1_722_925_320;
pub const NONCE: &str = "c0a8e1f7-5b2d-4e9a";
pub const IV: [u8; 16] = *b"fixed-iv-for-tst";

pub fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A schema 2.0 "users added to a chat" event.
pub fn member_added_v2(token: &str) -> String {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"5e3702a84e847582be8db7fb73283c02","token":"{token}","create_time":"1722925316000","event_type":"im.chat.member.user.added_v1","tenant_key":"2ca1d211f64f6438","app_id":"cli_a5d3c8b2e1f0900d"}},"event":{{"chat_id":"oc_9e1ac2f0b6d1de2c3b41b0c4e61c7a9d","operator_id":{{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz","open_id":"ou_84aad35d084aa403a838cf73ee18467"}},"external":false,"operator_tenant_key":"2ca1d211f64f6438","users":[{{"name":"Li Lei","tenant_key":"2ca1d211f64f6438","user_id":{{"union_id":"on_5f2b0c1e9d8a7b6c5d4e3f2a1b0c9d8e","user_id":"4gbb9f8c","open_id":"ou_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}}}}],"name":"Release train 🚂"}}}}"#
    )
}

/// A schema 1.0 "first one-to-one chat with the bot" callback.
pub fn p2p_chat_create_v1(token: &str) -> String {
    format!(
        r#"{{"ts":"1722925318.420113","uuid":"a3b9c1d2e4f5061728394a5b6c7d8e9f","token":"{token}","type":"event_callback","event":{{"app_id":"cli_a5d3c8b2e1f0900d","chat_id":"oc_5ad11d72b830411d72b836c20","operator":{{"open_id":"ou_2d2c0399b53d06fd195bb393cd1d38f2","user_id":"gfa21d92"}},"tenant_key":"736588c9260f175c","type":"p2p_chat_create","user":{{"name":"Han Meimei","open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","user_id":"gfa21d92"}}}}}}"#
    )
}

pub fn challenge_plain(token: &str) -> String {
    format!(
        r#"{{"challenge":"b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90","token":"{token}","type":"url_verification"}}"#
    )
}

/// `{"encrypt": ...}` around `plaintext`, encrypted with `KEY`.
pub fn seal(plaintext: &[u8]) -> Vec<u8> {
    Callback::new(&secured_config()).iv(IV).payload(plaintext).1
}

pub fn seal_raw(encrypt: &str) -> Vec<u8> {
    format!(r#"{{"encrypt":"{encrypt}"}}"#).into_bytes()
}

/// Headers signing `body` with `key` at `timestamp`, which may be any text (the testing
/// helper only sends numbers).
pub fn signed_with(key: &str, timestamp: &str, body: &[u8]) -> HeaderMap {
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

pub fn signed(body: &[u8]) -> HeaderMap {
    Callback::new(&secured_config())
        .timestamp(SENT)
        .nonce(NONCE)
        .sign(body)
}

pub fn secured_config() -> WebhookConfig {
    WebhookConfig::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .build()
        .expect("valid config")
}

/// Receiver with both secrets and the default window.
pub fn secured() -> WebhookReceiver {
    WebhookReceiver::new(secured_config())
}

pub fn token_only() -> WebhookReceiver {
    WebhookReceiver::new(
        WebhookConfig::builder()
            .verification_token(TOKEN)
            .build()
            .expect("valid config"),
    )
}

pub fn open() -> WebhookReceiver {
    WebhookReceiver::new(WebhookConfig::default())
}

/// Receives a correctly signed, encrypted request at `SENT + 1`.
pub fn receive_sealed(
    receiver: &WebhookReceiver,
    plaintext: &[u8],
) -> Result<Received, WebhookError> {
    let body = seal(plaintext);
    receiver.receive_at(&signed(&body), &body, at(SENT + 1))
}

pub fn event(result: Result<Received, WebhookError>) -> VerifiedEvent {
    match result {
        Ok(Received::Event(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

pub fn challenge(result: Result<Received, WebhookError>) -> String {
    match result {
        Ok(Received::Challenge { challenge }) => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

pub fn error(result: Result<Received, WebhookError>) -> WebhookError {
    match result {
        Err(e) => e,
        Ok(other) => panic!("expected a rejection, got {other:?}"),
    }
}
