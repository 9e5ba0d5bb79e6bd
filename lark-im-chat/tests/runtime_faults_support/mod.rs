//! Shared by the `runtime_faults_*` tests: a wiremock platform on 127.0.0.1 with a token
//! endpoint, canned answers and a client with a fast retry policy.
#![allow(dead_code)] // each test binary uses part of it

use lark_im_chat::{Client, RetryPolicy};
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
pub const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
pub const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

pub fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-tt-logid", "log-ok")
        .set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

pub fn token_ok(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200
    }))
}

pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-tenant-token"))
        .mount(&server)
        .await;
    server
}

/// Answers `verb path` with `first` once, then with `then` for every later request.
pub async fn first_then(
    server: &MockServer,
    verb: &str,
    at: &str,
    first: ResponseTemplate,
    then: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(first)
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(then)
        .mount(server)
        .await;
}

pub fn client_with(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(policy)
        .build()
        .expect("client")
}

pub fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .jitter(false)
}

pub async fn api_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("recording")
        .into_iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect()
}

pub fn rate_limited(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-tt-logid", "log-429")
        .set_body_json(json!({"code": 99991400, "msg": "request trigger frequency limit"}))
}
