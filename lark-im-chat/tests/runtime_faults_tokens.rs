//! Faults against real HTTP servers on 127.0.0.1, invalid tenant tokens: evicted and the call
//! repeated once, explicit tokens kept.

mod runtime_faults_support;

use lark_im_chat::prelude::*;
use lark_im_chat::RetryPolicy;
use runtime_faults_support::*;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn an_invalid_token_is_evicted_and_the_call_repeated_once_with_a_fresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-revoked"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-fresh"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-revoked"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": 99991663, "msg": "Invalid access token for authorization."}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-fresh"))
        .respond_with(ok(json!({"name": "Incident 4711"})))
        .expect(2)
        .mount(&server)
        .await;
    // No policy retries: the token refresh happens anyway, once.
    let client = client_with(&server, RetryPolicy::none());
    for _ in 0..2 {
        let chat = client
            .chat(CHAT)
            .get()
            .send()
            .await
            .expect("after one refetch");
        assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
    }
    // expect(1) on each token answer: exactly one refetch, then the fresh token is cached.
}

#[tokio::test]
async fn a_token_rejected_twice_is_refetched_only_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    let received = server.received_requests().await.expect("recording");
    let tokens = received
        .iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .count();
    assert_eq!(tokens, 2, "first fetch and one refetch");
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn an_explicit_token_is_never_refreshed() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .with_tenant_token("t-mine")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 1, "no token request, no repeat");
}
