//! Retries that never double-post: `message.create` and `message.reply` carry their idempotency
//! key `uuid` in the JSON body. The generated builder fills it in once, when the request is
//! described, so a send answered 503 then 200 arrives twice with the same `uuid`; a `uuid` the
//! caller set is sent as given. Against a platform stand-in on 127.0.0.1.

use lark_im_message::prelude::*;
use lark_im_message::types::{MessageCreateBody, MessageReplyBody, ReceiveIdType, SendMsgType};
use lark_im_message::{Client, RetryPolicy};
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const MESSAGE: &str = "om_dc13264520392913993dd051dba21dcf";
const CREATE_PATH: &str = "/open-apis/im/v1/messages";
const REPLY_PATH: &str = "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/reply";
const TEXT: &str = r#"{"text":"hello"}"#;

/// A stand-in answering the token endpoint, then `503` once and `200` for every later request
/// to `at`.
async fn platform(at: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-tenant-token", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success",
            "data": {"message_id": "om_new", "chat_id": CHAT, "msg_type": "text"}
        })))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
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

/// The API requests the stand-in received (token requests left out), recorded for coverage.
async fn api_requests(server: &MockServer) -> Vec<Request> {
    let requests: Vec<Request> = server
        .received_requests()
        .await
        .expect("recording")
        .into_iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect();
    for r in &requests {
        coverage_record::record_request(r.method.as_str(), r.url.path());
    }
    requests
}

fn json_body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON body")
}

/// `8-4-4-4-12` lowercase hex with version 4 and the RFC 4122 variant.
fn is_uuid_v4(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        && s.as_bytes()[14] == b'4'
        && matches!(s.as_bytes()[19], b'8' | b'9' | b'a' | b'b')
}

#[tokio::test]
async fn a_create_answered_503_then_200_arrives_twice_with_the_same_filled_uuid() {
    let server = platform(CREATE_PATH).await;
    let sent = client(&server)
        .messages()
        .create(
            ReceiveIdType::ChatId,
            MessageCreateBody::new(CHAT, SendMsgType::Text, TEXT),
        )
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(sent.message_id.as_deref(), Some("om_new"));

    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2, "one 503, one retry");
    let bodies: Vec<Value> = requests.iter().map(json_body).collect();
    let uuid = bodies[0]["uuid"].as_str().expect("a uuid was filled in");
    assert!(is_uuid_v4(uuid), "{uuid}");
    assert_eq!(bodies[0], bodies[1], "the retry is the same request");
    for (r, body) in requests.iter().zip(&bodies) {
        assert_eq!(r.url.path(), CREATE_PATH);
        assert_eq!(r.url.query(), Some("receive_id_type=chat_id"));
        assert_eq!(
            body,
            &json!({"receive_id": CHAT, "msg_type": "text", "content": TEXT, "uuid": uuid})
        );
    }
    coverage_record::record_operation("message.create");
}

#[tokio::test]
async fn a_uuid_the_caller_set_is_sent_as_given_on_every_attempt() {
    let server = platform(CREATE_PATH).await;
    client(&server)
        .messages()
        .create(
            ReceiveIdType::ChatId,
            MessageCreateBody::new(CHAT, SendMsgType::Text, TEXT).uuid("welcome-oc_a055-1"),
        )
        .send()
        .await
        .expect("the retry succeeds");
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(json_body(r)["uuid"], "welcome-oc_a055-1");
    }
}

#[tokio::test]
async fn a_described_request_fixes_its_uuid_and_a_new_description_gets_a_new_one() {
    let server = platform(CREATE_PATH).await;
    let client = client(&server);
    let create = client.messages().create(
        ReceiveIdType::ChatId,
        MessageCreateBody::new(CHAT, SendMsgType::Text, TEXT),
    );
    let first = create.to_request().expect("described");
    let second = create.to_request().expect("described");
    let key = first.idempotency_key().expect("a body key").to_owned();
    assert!(is_uuid_v4(&key), "{key}");
    assert!(first.carries_idempotency_key());
    assert!(first.meta.retry_safe(first.carries_idempotency_key()));
    assert_ne!(second.idempotency_key(), Some(key.as_str()));
    // Keep the described request to send it (again, after a crash) with the same key.
    let sent: lark_im_message::types::Message = client.ctx().send(first).await.expect("sent");
    assert_eq!(sent.message_id.as_deref(), Some("om_new"));
    for r in &api_requests(&server).await {
        assert_eq!(json_body(r)["uuid"], key.as_str());
    }
}

#[tokio::test]
async fn a_reply_is_retried_with_the_same_filled_uuid() {
    let server = platform(REPLY_PATH).await;
    client(&server)
        .message(MESSAGE)
        .reply(MessageReplyBody::new(TEXT, SendMsgType::Text).reply_in_thread(true))
        .send()
        .await
        .expect("the retry succeeds");
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2);
    let bodies: Vec<Value> = requests.iter().map(json_body).collect();
    let uuid = bodies[0]["uuid"].as_str().expect("a uuid was filled in");
    assert!(is_uuid_v4(uuid), "{uuid}");
    for body in &bodies {
        assert_eq!(
            body,
            &json!({"content": TEXT, "msg_type": "text", "reply_in_thread": true, "uuid": uuid})
        );
    }
    coverage_record::record_operation("message.reply");
}

/// "Empty means no de-duplication": an empty `uuid` is sent as given, and the POST is then not
/// retried after a 503.
#[tokio::test]
async fn an_empty_uuid_is_kept_and_makes_the_send_not_retried() {
    let server = platform(REPLY_PATH).await;
    let err = client(&server)
        .message(MESSAGE)
        .reply(MessageReplyBody::new(TEXT, SendMsgType::Text).uuid(""))
        .send()
        .await
        .expect_err("a 503 is not retried");
    assert_eq!(err.status(), Some(503), "{err:?}");
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(json_body(&requests[0])["uuid"], "");
}
