//! Faults against real HTTP servers on 127.0.0.1, rate limits: HTTP 429 and code 99991400, the
//! reset and `Retry-After` waits and their cap.

mod runtime_faults_support;

use lark_im_chat::prelude::*;
use lark_im_chat::types::ChatCreateBody;
use runtime_faults_support::*;
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn http_429_waits_for_the_ratelimit_reset_then_succeeds() {
    let server = server().await;
    first_then(
        &server,
        "GET",
        CHAT_PATH,
        rate_limited(429)
            .insert_header("x-ogw-ratelimit-limit", "50")
            .insert_header("x-ogw-ratelimit-reset", "1"),
        ok(json!({"name": "Incident 4711"})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    let started = Instant::now();
    let chat = client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("succeeds after the wait");
    let waited = started.elapsed();
    assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn code_99991400_with_http_400_is_rate_limiting_and_retry_after_is_the_fallback() {
    let server = server().await;
    // A POST without idempotency key: rate limiting is still retried, the call was refused.
    first_then(
        &server,
        "POST",
        "/open-apis/im/v1/chats",
        rate_limited(400).insert_header("retry-after", "0"),
        ok(json!({"chat_id": CHAT})),
    )
    .await;
    let created = client_with(&server, fast_policy())
        .chats()
        .create()
        .body(ChatCreateBody::new().name("Incident 4711"))
        .send()
        .await
        .expect("created");
    assert_eq!(created.chat_id.as_deref(), Some(CHAT));
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_rate_limit_wait_above_the_cap_returns_the_error_at_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(rate_limited(429).insert_header("x-ogw-ratelimit-reset", "120"))
        .mount(&server)
        .await;
    let policy = fast_policy().max_rate_limit_wait(Duration::from_secs(5));
    let started = Instant::now();
    let err = client_with(&server, policy)
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.is_rate_limited() && err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.code(), Some(99991400));
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.log_id(), Some("log-429"));
    assert!(err.to_string().contains("retry after 120"), "{err}");
    assert_eq!(api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_429_without_a_json_body_is_still_rate_limiting() {
    let server = server().await;
    first_then(
        &server,
        "DELETE",
        CHAT_PATH,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "0")
            .set_body_string("Too Many Requests"),
        ok(json!({})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    client
        .chat(CHAT)
        .delete()
        .send()
        .await
        .expect("retried after the 429");
    assert_eq!(api_requests(&server).await.len(), 2);
}
