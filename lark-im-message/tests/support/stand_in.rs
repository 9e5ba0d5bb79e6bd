//! A platform stand-in on 127.0.0.1 for upload and download tests: the token endpoint, and a
//! client with quick retries pointed at it.

use lark_im_message::{Client, RetryPolicy};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A stand-in that answers the token endpoint.
pub async fn platform() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-tenant-token", "expire": 7200
        })))
        .mount(&server)
        .await;
    server
}

/// A client of `server` with three quick attempts.
pub fn client(server: &MockServer) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(50))
                .jitter(false),
        )
        .build()
        .expect("client")
}

/// Every request the stand-in received, token requests included.
pub async fn all_requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording")
}

/// The API requests the stand-in received (token requests left out), recorded for coverage.
pub async fn api_requests(server: &MockServer) -> Vec<Request> {
    let requests: Vec<Request> = all_requests(server)
        .await
        .into_iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect();
    for r in &requests {
        coverage_record::record_request(r.method.as_str(), r.url.path());
    }
    requests
}

/// The request's header value.
pub fn header(request: &Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
