//! The axum integration over real TCP on 127.0.0.1: encrypted, signed callbacks and the
//! challenge, posted with an HTTP client.

use lark_im_chat::prelude::*;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lark_im_chat::events::axum::Timeouts;
use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::testing::Callback;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-tests";
const PATH: &str = "/lark/events";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

fn config_with(key: &str) -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(key)
        .build()
        .expect("config")
}

fn seal(plaintext: &[u8], iv: u8) -> Vec<u8> {
    Callback::new(&config_with(KEY))
        .iv([iv; 16])
        .payload(plaintext)
        .1
}

/// Signature headers for `body` with `key`, timestamped now.
fn signature_headers(body: &[u8], key: &str) -> Vec<(http::HeaderName, String)> {
    Callback::new(&config_with(key))
        .sign(body)
        .iter()
        .map(|(name, value)| (name.clone(), value.to_str().expect("ascii").to_owned()))
        .collect()
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
    let dispatcher = Dispatcher::builder()
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
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config));
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

// --- read timeouts and body limits, with raw sockets -----------------------------------------

/// Serves a dispatcher with `timeouts` and a 4 KiB body limit; returns the address.
async fn serve_raw(timeouts: Timeouts) -> std::net::SocketAddr {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .max_body_size(4096)
        .build()
        .expect("config");
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config));
    let app = axum::Router::new().nest(
        PATH,
        lark_im_chat::events::axum::router_with(dispatcher, timeouts),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(lark_im_chat::events::axum::serve_with(
        listener, app, timeouts,
    ));
    addr
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read
/// and when the connection was closed, `None` if it was still open at `limit`.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    limit: Duration,
) -> (Vec<u8>, Option<Duration>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (received, Some(started.elapsed())),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return (received, None),
        }
    }
}

fn short_timeouts() -> Timeouts {
    Timeouts::default()
        .header_read(Duration::from_millis(600))
        .body_read(Duration::from_millis(600))
}

#[tokio::test]
async fn a_silent_socket_is_closed_within_the_header_timeout() {
    let addr = serve_raw(short_timeouts()).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("closed by the server");
    assert!(closed < Duration::from_millis(2000), "{closed:?}");
}

#[tokio::test]
async fn a_socket_trickling_its_headers_is_closed_within_the_header_timeout() {
    let addr = serve_raw(short_timeouts()).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    let head = format!("POST {PATH} HTTP/1.1\r\nhost: x\r\nx-slow: ");
    stream.write_all(head.as_bytes()).await.expect("write");
    // One byte every 200 ms, for up to 5 s: the server must give up long before.
    let mut closed_after = None;
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if stream.write_all(b"a").await.is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await
        {
            closed_after = Some(started.elapsed());
            break;
        }
    }
    let closed = closed_after.expect("closed by the server");
    assert!(closed < Duration::from_millis(2000), "{closed:?}");
}

#[tokio::test]
async fn a_socket_trickling_its_body_gets_408_and_is_closed_within_the_body_timeout() {
    let addr = serve_raw(short_timeouts()).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let trickle = tokio::spawn(async move {
        for _ in 0..25 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            let mut buf = [0u8; 4096];
            match tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => {
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
                    return Some((text, closed));
                }
                Err(_) => {}
            }
        }
        None
    });
    let started = Instant::now();
    let (response, closed) = trickle.await.expect("joined").expect("answered");
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("not received in time"), "{response}");
    assert!(closed.is_some(), "connection left open after the 408");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn every_oversized_body_gets_the_same_json_413() {
    let addr = serve_raw(Timeouts::default()).await;
    let url = format!("http://{addr}{PATH}");
    for size in [4097, 4098, 64 * 1024, 4 << 20] {
        let (status, content_type, json) = post(&url, vec![b' '; size], &[]).await;
        assert_eq!(status, 413, "{size}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/json; charset=utf-8"),
            "{size}"
        );
        assert!(
            json["msg"]
                .as_str()
                .is_some_and(|m| m.contains("exceeds the limit of 4096 bytes")),
            "{size}: {json}"
        );
    }
    // Chunked, with no length announced: cut off while streaming, same answer.
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!("POST {PATH} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
    for _ in 0..8 {
        // The server may answer and stop reading before the end.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let (response, _) = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.contains("application/json; charset=utf-8"),
        "{response}"
    );
    assert!(
        response.contains("exceeds the limit of 4096 bytes"),
        "{response}"
    );
}
