//! The generated client against a real HTTP server on 127.0.0.1: tenant token fetch, `chat.get`,
//! and a paginated listing.

use futures::TryStreamExt;
use lark_im_chat::prelude::*;
use lark_im_chat::{
    types::{ChatMode, UserIdType},
    Client,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server_with_token() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .and(body_json(
            json!({"app_id": "cli_test", "app_secret": "secret-value"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-tenant-token", "expire": 7200
        })))
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// Records every request `server` received, for `cargo xtask coverage` (a no-op unless it asks).
async fn record_sent(server: &MockServer) {
    for request in server.received_requests().await.unwrap_or_default() {
        coverage_record::record_request(request.method.as_str(), request.url.path());
    }
}

fn client(server: &MockServer) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn get_chat_sends_path_query_and_token_and_decodes_the_data() {
    let server = server_with_token().await;
    Mock::given(method("GET"))
        .and(path(
            "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230",
        ))
        .and(query_param("user_id_type", "user_id"))
        .and(header("authorization", "Bearer t-tenant-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Tt-Logid", "log-1")
                .set_body_json(json!({
                    "code": 0,
                    "msg": "success",
                    "data": {
                        "name": "Incident 4711",
                        "chat_mode": "group",
                        "owner_id_type": "user_id",
                        "user_count": "12",
                        "brand_new_field": {"nested": true},
                        "chat_type": "a_value_from_the_future"
                    }
                })),
        )
        .expect(2)
        .mount(&server)
        .await;

    let client = client(&server);
    for _ in 0..2 {
        let chat = client
            .chat("oc_a0553eda9014c201e6969b478895c230")
            .get()
            .user_id_type(UserIdType::UserId)
            .send()
            .await
            .unwrap();
        assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
        assert_eq!(chat.chat_mode, Some(ChatMode::Group));
        // An enum value this client does not know is kept, not rejected.
        let chat_type = chat.chat_type.unwrap();
        assert_eq!(chat_type.as_str(), "a_value_from_the_future");
        assert_eq!(
            serde_json::to_value(&chat_type).unwrap(),
            json!("a_value_from_the_future")
        );
    }
    // The token was fetched once (expect(1) above) and reused.
    record_sent(&server).await;
}

#[tokio::test]
async fn business_errors_with_http_200_are_errors_with_evidence() {
    let server = server_with_token().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_gone"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Tt-Logid", "202411250001")
                .set_body_json(json!({"code": 232009, "msg": "chat has been disbanded"})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .chat("oc_gone")
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(232009));
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.log_id(), Some("202411250001"));
    assert!(err.to_string().contains("chat has been disbanded"), "{err}");
    record_sent(&server).await;
}

#[tokio::test]
async fn paginated_listing_follows_page_tokens_and_keeps_the_query() {
    let server = server_with_token().await;
    let member = |i: usize| json!({"member_id": format!("ou_{i}"), "member_id_type": "open_id", "name": format!("user {i}")});
    let page = |range: std::ops::Range<usize>, next: Option<&str>| {
        let mut data = json!({"items": range.map(member).collect::<Vec<_>>(), "has_more": next.is_some(), "member_total": 5});
        if let Some(next) = next {
            data["page_token"] = json!(next);
        }
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
    };
    let members = "/open-apis/im/v1/chats/oc_1/members";
    Mock::given(method("GET"))
        .and(path(members))
        .and(query_param("page_size", "2"))
        .and(query_param("member_id_type", "open_id"))
        .and(query_param_is_missing("page_token"))
        .respond_with(page(0..2, Some("p2")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(members))
        .and(query_param("page_size", "2"))
        .and(query_param("member_id_type", "open_id"))
        .and(query_param("page_token", "p2"))
        .respond_with(page(2..4, Some("p3")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(members))
        .and(query_param("page_size", "2"))
        .and(query_param("page_token", "p3"))
        .respond_with(page(4..5, None))
        .expect(1)
        .mount(&server)
        .await;

    let items: Vec<_> = client(&server)
        .chat("oc_1")
        .members()
        .get()
        .page_size(2)
        .member_id_type("open_id")
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = items.iter().map(|m| m.member_id.clone().unwrap()).collect();
    assert_eq!(ids, ["ou_0", "ou_1", "ou_2", "ou_3", "ou_4"]);
    record_sent(&server).await;
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_listing_with_an_error() {
    let server = server_with_token().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": {"items": [{"chat_id": "oc_1"}], "has_more": true, "page_token": "same"}
        })))
        .mount(&server)
        .await;
    let pages: Vec<_> =
        futures::StreamExt::collect::<Vec<_>>(client(&server).chats().list().pages()).await;
    assert_eq!(pages.len(), 3, "two pages, then the error: {pages:?}");
    assert!(pages[0].is_ok() && pages[1].is_ok());
    let err = pages[2].as_ref().unwrap_err();
    assert!(err.to_string().contains("repeated a page_token"), "{err}");
    record_sent(&server).await;
}

#[tokio::test]
async fn limits_are_checked_before_anything_is_sent() {
    let server = MockServer::start().await;
    let err = client(&server)
        .chat("oc_1")
        .members()
        .get()
        .page_size(500)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, lark_im_chat::Error::Validation { ref field, .. } if field == "query.page_size"),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
