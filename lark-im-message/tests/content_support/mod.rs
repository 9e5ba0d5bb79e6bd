//! A platform stand-in on 127.0.0.1 for the content tests: a tenant token, then success with
//! the given `data` for every other request, each one recorded.

use lark_im_message::Client;
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The stand-in, answering API requests with `data`.
pub async fn platform(data: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-tenant-token", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": data})),
        )
        .mount(&server)
        .await;
    server
}

/// A client of the stand-in.
pub fn client(server: &MockServer) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client")
}

/// Every request the stand-in got, token fetches included.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording")
}

/// The requests to `at` (path) the stand-in got.
pub async fn requests_to(server: &MockServer, at: &str) -> Vec<Request> {
    let mut all = requests(server).await;
    all.retain(|r| r.url.path() == at);
    all
}
