//! The response body limit for API and token calls alike, and `Retry-After` in HTTP-date form,
//! against real HTTP servers on 127.0.0.1. (Memory under oversized bodies: `body_limit_memory`.)

use lark_im_chat::prelude::*;
use lark_im_chat::{Client, Error, RetryPolicy};
use serde_json::json;
use std::time::{Duration, SystemTime};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/platform.rs"]
mod platform;
use platform::{count, CHAT, CHAT_PATH, TOKEN_PATH};

async fn mount(server: &MockServer, verb: &str, at: &str, answer: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(answer)
        .mount(server)
        .await;
}

fn token_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-x", "expire": 7200}),
    )
}

/// A `chat.get` answer whose body is exactly `size` bytes.
fn chat_of_size(size: usize) -> ResponseTemplate {
    let head = r#"{"code":0,"msg":"success","data":{"name":""#;
    let tail = r#""}}"#;
    let name = "x".repeat(size - head.len() - tail.len());
    ResponseTemplate::new(200).set_body_raw(format!("{head}{name}{tail}"), "application/json")
}

#[tokio::test]
async fn an_api_body_over_the_limit_is_a_typed_error_and_not_retried() {
    let server = MockServer::start().await;
    mount(&server, "POST", TOKEN_PATH, token_ok()).await;
    mount(&server, "GET", CHAT_PATH, chat_of_size(2049)).await;
    mount(
        &server,
        "GET",
        "/open-apis/im/v1/chats/oc_fits",
        chat_of_size(2048),
    )
    .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(RetryPolicy::default())
        .max_response_body(2048)
        .build()
        .expect("client");
    let chat = client
        .chat("oc_fits")
        .get()
        .send()
        .await
        .expect("at the limit");
    assert_eq!(chat.name.map(|n| n.len()), Some(2048 - 45));
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::BodyTooLarge {
                operation: "chat.get",
                limit: 2048,
                status: 200,
                declared: Some(2049),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "the response to chat.get (HTTP 200) is larger than the 2048-byte body limit \
         (Content-Length 2049)"
    );
    // GET is retry-safe, yet the same request would get the same body: sent once.
    assert_eq!(count(&server, CHAT_PATH).await, 1);
}

#[tokio::test]
async fn a_token_body_over_the_limit_is_a_typed_error_naming_the_token_endpoint() {
    let server = MockServer::start().await;
    let padded =
        json!({"code": 0, "msg": "x".repeat(4096), "tenant_access_token": "t-x", "expire": 7200});
    mount(
        &server,
        "POST",
        TOKEN_PATH,
        ResponseTemplate::new(200).set_body_json(padded),
    )
    .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .max_response_body(1024)
        .build()
        .expect("client");
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::BodyTooLarge {
                operation: "auth.tenant_access_token",
                limit: 1024,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("t-x"));
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
    assert_eq!(count(&server, CHAT_PATH).await, 0);
    let zero = Client::builder("cli_test", "secret-value")
        .max_response_body(0)
        .build();
    assert!(matches!(zero, Err(Error::Config(_))));
}

fn rate_limited_until(at: SystemTime) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", httpdate::fmt_http_date(at).as_str())
        .set_body_json(json!({"code": 99991400, "msg": "request trigger frequency limit"}))
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_parsed() {
    let server = MockServer::start().await;
    mount(&server, "POST", TOKEN_PATH, token_ok()).await;
    let at = SystemTime::now() + Duration::from_secs(3);
    mount(&server, "GET", CHAT_PATH, rate_limited_until(at)).await;
    // A wait longer than the cap is not waited: the error says how long to wait.
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(RetryPolicy::default().max_rate_limit_wait(Duration::from_millis(100)))
        .build()
        .expect("client");
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert!(err.is_rate_limited());
    let wait = err.retry_after().expect("the date is read");
    // HTTP dates have whole seconds: between 2 and 3 s from now.
    assert!(
        wait > Duration::from_millis(1500) && wait <= Duration::from_secs(3),
        "{wait:?}"
    );
    assert_eq!(count(&server, CHAT_PATH).await, 1);

    // A date already past means "now".
    let server = MockServer::start().await;
    mount(&server, "POST", TOKEN_PATH, token_ok()).await;
    let past = SystemTime::now() - Duration::from_secs(60);
    mount(&server, "GET", CHAT_PATH, rate_limited_until(past)).await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
}
