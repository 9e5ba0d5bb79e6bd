//! The `testing` feature's mock platform, used the way a downstream test would.
#![cfg(feature = "testing")]

use futures::TryStreamExt;
use lark_im_chat::prelude::*;
use lark_im_chat::testing::{MockPlatform, MOCK_TENANT_TOKEN};
use lark_im_chat::{
    types::{ChatCreateBody, ChatDetail, ChatMembersGetResponse, ChatMode, ListMember},
    Error, RetryPolicy,
};
use serde_json::json;

#[tokio::test]
async fn serves_typed_responses_and_records_requests() {
    let platform = MockPlatform::start_with(&[&lark_im_chat::FAMILY]).await;
    platform
        .respond(
            "chat.get",
            ChatDetail::new()
                .name("Incident 4711")
                .chat_mode(ChatMode::Group),
        )
        .respond(
            "chat_members.get",
            ChatMembersGetResponse::new()
                .items([ListMember::new().member_id("ou_1").name("张三")])
                .has_more(false),
        )
        .respond(
            "chat.create",
            json!({"chat_id": "oc_new", "unknown_field": 1}),
        );
    let client = platform.client();

    let chat = client
        .chat("oc_1")
        .get()
        .user_id_type("open_id")
        .send()
        .await
        .expect("chat.get");
    assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
    assert_eq!(chat.chat_mode, Some(ChatMode::Group));
    let members: Vec<_> = client
        .chat("oc_1")
        .members()
        .get()
        .items()
        .try_collect()
        .await
        .expect("members");
    assert_eq!(members[0].name.as_deref(), Some("张三"));
    let created = client
        .chats()
        .create()
        .uuid("u-1")
        .body(ChatCreateBody::new().name("n"))
        .send()
        .await
        .expect("create");
    assert_eq!(created.chat_id.as_deref(), Some("oc_new"));

    let get = &platform.requests_for("chat.get")[0];
    assert_eq!(get.path, "/open-apis/im/v1/chats/oc_1");
    assert_eq!(get.query_value("user_id_type"), Some("open_id"));
    assert_eq!(
        get.authorization.as_deref(),
        Some(format!("Bearer {MOCK_TENANT_TOKEN}").as_str())
    );
    let create = &platform.requests_for("chat.create")[0];
    assert_eq!(create.json(), json!({"name": "n"}));
    assert_eq!(
        create.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    let tokens = platform
        .requests()
        .iter()
        .filter(|r| r.operation == Some("auth.tenant_access_token"))
        .count();
    assert_eq!(tokens, 1);
}

#[tokio::test]
async fn serves_errors_and_unregistered_operations_fail_clearly() {
    let platform = MockPlatform::start_with(&[&lark_im_chat::FAMILY]).await;
    platform.respond_error(
        "chat.delete",
        400,
        232009,
        "chat has already been disbanded",
    );
    let client = platform
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.chat("oc_1").delete().send().await.unwrap_err();
    assert_eq!(err.code(), Some(232009));
    assert_eq!(err.log_id(), Some("mock-chat.delete"));
    let err = client.chat("oc_1").link().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(e) if e.status == 404 && e.msg.contains("no answer registered")),
        "{err}"
    );
    // The log still names the operation the unanswered request was for.
    let link = platform.requests_for("chat.link");
    assert_eq!(link.len(), 1, "{:?}", platform.requests());
    assert!(!link[0].answered);
    assert!(platform.requests_for("chat.delete")[0].answered);
}

#[tokio::test]
async fn rate_limits_can_be_simulated() {
    let platform = MockPlatform::start_with(&[&lark_im_chat::FAMILY]).await;
    platform.respond_with_headers(
        "chat.get",
        429,
        &[("x-ogw-ratelimit-reset", "90")],
        json!({"code": 99991400, "msg": "request trigger frequency limit"}),
    );
    let client = platform.client();
    let err = client.chat("oc_1").get().send().await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(90)));
}
