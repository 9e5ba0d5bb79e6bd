//! The axum integration over real TCP on 127.0.0.1: encrypted, signed callbacks and the
//! challenge, posted with an HTTP client.
#![cfg(feature = "axum")]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{
    compute_signature, EncryptKey, WebhookConfig, WebhookReceiver, NONCE_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use serde_json::Value;

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-tests";
const PATH: &str = "/lark/events";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

fn seal(plaintext: &[u8], iv: u8) -> Vec<u8> {
    let encrypt = EncryptKey::new(KEY).encrypt_with_iv(plaintext, [iv; 16]);
    serde_json::to_vec(&serde_json::json!({ "encrypt": encrypt })).expect("json")
}

/// Signature headers for `body`, timestamped now.
fn signature_headers(body: &[u8], key: &str) -> [(http::HeaderName, String); 3] {
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string();
    let signature = compute_signature(&timestamp, "n0nce", &EncryptKey::new(key), body);
    [
        (TIMESTAMP_HEADER, timestamp),
        (NONCE_HEADER, "n0nce".to_owned()),
        (SIGNATURE_HEADER, signature),
    ]
}

/// Starts the server; returns the callback URL and what the handler saw.
async fn serve(max_body_size: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .max_body_size(max_body_size)
        .build()
        .expect("config");
    let dispatcher = Dispatcher::builder(WebhookReceiver::new(config))
        .on_chat_member_user_added(move |e| {
            let sink = Arc::clone(&sink);
            async move {
                let names = e
                    .event
                    .users
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|u| u.name)
                    .collect::<Vec<_>>()
                    .join(",");
                sink.lock()
                    .expect("lock")
                    .push(format!("{}:{names}", e.header.event_id));
                Ok(())
            }
        })
        .build()
        .expect("dispatcher");
    let app = axum::Router::new().nest(PATH, lark_im_chat::events::axum::router(dispatcher));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    (format!("http://{addr}{PATH}"), seen)
}

async fn post(
    url: &str,
    body: Vec<u8>,
    headers: &[(http::HeaderName, String)],
) -> (reqwest::StatusCode, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name.clone(), value);
    }
    let response = request.body(body).send().await.expect("request sent");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, json)
}

#[tokio::test]
async fn encrypted_signed_callback_over_tcp_reaches_the_typed_handler() {
    let (url, seen) = serve(1024 * 1024).await;
    let body = seal(&fixture("im.chat.member.user.added_v1"), 1);
    let headers = signature_headers(&body, KEY);

    let (status, content_type, json) = post(&url, body.clone(), &headers).await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(json, serde_json::json!({ "msg": "success" }));
    assert_eq!(
        *seen.lock().expect("lock"),
        ["5e3702a84e847582be8db7fb73283c02:张三,Alice Martin"]
    );

    // The same delivery again: acknowledged, not dispatched.
    let (status, _, _) = post(&url, body, &headers).await;
    assert_eq!(status, 200);
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn challenge_over_tcp_is_answered() {
    let (url, _) = serve(1024 * 1024).await;
    let plaintext =
        format!(r#"{{"challenge":"ajls384kdjx98XX","token":"{TOKEN}","type":"url_verification"}}"#);
    // Challenges may arrive without signature headers.
    let (status, content_type, json) = post(&url, seal(plaintext.as_bytes(), 2), &[]).await;
    assert_eq!(status, 200);
    assert!(content_type.is_some_and(|c| c.starts_with("application/json")));
    assert_eq!(json, serde_json::json!({ "challenge": "ajls384kdjx98XX" }));
}

#[tokio::test]
async fn forged_and_oversized_requests_over_tcp_are_refused() {
    let (url, seen) = serve(4096).await;
    let body = seal(&fixture("im.chat.member.user.added_v1"), 3);
    let forged = signature_headers(&body, "another-key");
    let (status, _, json) = post(&url, body, &forged).await;
    assert_eq!(status, 401);
    assert!(json["msg"].is_string());

    let big = vec![b' '; 5000];
    let headers = signature_headers(&big, KEY);
    let (status, _, _) = post(&url, big, &headers).await;
    assert_eq!(status, 413);

    // Far larger than the limit: refused by the body limit layer before being read.
    let huge = vec![b' '; 64 * 1024];
    let (status, _, _) = post(&url, huge, &[]).await;
    assert_eq!(status, 413);
    assert!(seen.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn only_post_is_routed() {
    let (url, _) = serve(4096).await;
    let response = reqwest::get(&url).await.expect("request sent");
    assert_eq!(response.status(), 405);
}
