//! The bot over the scripted `MockPlatform`: pages, retried faults, a rate limit with its reset
//! header, platform errors, and a help message arriving as a signed, encrypted callback.

use downstream_bot::{Bot, HELP_TEXT};
use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::testing::{Answer, Callback, MockPlatform};
use lark_im_chat::types::{ChatDetail, ListMember};
use lark_im_chat::RetryPolicy;
use lark_im_message::events::MessageReceiveV1;
use lark_im_message::types::{EventMessage, MessageType};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

async fn platform() -> MockPlatform {
    MockPlatform::start_with(&[&lark_im_chat::FAMILY, &lark_im_message::FAMILY]).await
}

/// The bot's client against `platform`, retrying fast (the defaults wait longer).
fn bot(platform: &MockPlatform) -> std::sync::Arc<Bot> {
    let retry = RetryPolicy::default()
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50));
    Bot::new(
        platform
            .client_builder()
            .retry(retry)
            .build()
            .expect("client"),
    )
}

fn members(n: usize) -> Vec<ListMember> {
    (0..n)
        .map(|i| {
            ListMember::new()
                .member_id(format!("ou_{i}"))
                .name(format!("member {i}"))
        })
        .collect()
}

fn sent_text(platform: &MockPlatform, op: &str) -> String {
    let body: Value = platform.requests_for(op)[0].decode().expect("JSON body");
    let content: Value =
        serde_json::from_str(body["content"].as_str().expect("content")).expect("content JSON");
    content["text"].as_str().expect("text").to_owned()
}

#[tokio::test]
async fn bot_added_reads_the_chat_every_member_page_and_posts_one_welcome() {
    let platform = platform().await;
    platform.respond("chat.get", ChatDetail::new().name("Incident 4711"));
    let _ = platform.on("chat_members.get").pages(members(7), 3);
    let _ = platform
        .on("message.create")
        .then_data(json!({"message_id": "om_welcome"}));
    platform.expect("chat.get").times(1);
    platform.expect("chat_members.get").times(3); // 3 + 3 + 1
    platform.expect("message.create").times(1);

    let welcome = bot(&platform).welcome(CHAT).await.expect("welcome");
    assert_eq!(
        (welcome.chat_name.as_str(), welcome.members),
        ("Incident 4711", 7)
    );
    assert_eq!(welcome.message_id.as_deref(), Some("om_welcome"));

    let pages = platform.requests_for("chat_members.get");
    assert_eq!(pages[0].query_value("page_token"), None);
    assert_eq!(pages[0].query_value("page_size"), Some("50"));
    assert!(pages[1].query_value("page_token").is_some());
    let create = &platform.requests_for("message.create")[0];
    assert_eq!(create.query_value("receive_id_type"), Some("chat_id"));
    assert_eq!(create.json()["receive_id"], CHAT);
    assert_eq!(create.json()["uuid"], format!("welcome-{CHAT}"));
    assert!(sent_text(&platform, "message.create").contains("all 7 of you"));
    assert!(platform.unanswered().is_empty());
    // Expectations are checked again when `platform` drops.
}

#[tokio::test]
async fn a_503_and_a_dropped_connection_are_retried_until_the_200() {
    let platform = platform().await;
    let _ = platform
        .on("chat.get")
        .then(Answer::status(503))
        .then(Answer::dropped())
        .then_data(ChatDetail::new().name("Ops"));
    let _ = platform.on("chat_members.get").pages(members(1), 10);
    let _ = platform
        .on("message.create")
        .then_data(json!({"message_id": "om_1"}));
    platform.expect("chat.get").times(3);

    let welcome = bot(&platform)
        .welcome(CHAT)
        .await
        .expect("welcome after retries");
    assert_eq!(welcome.chat_name, "Ops");
    platform.verify();
}

#[tokio::test]
async fn a_429_waits_for_its_reset_header_and_the_retry_keeps_the_uuid() {
    let platform = platform().await;
    platform.respond("chat.get", ChatDetail::new().name("Ops"));
    let _ = platform.on("chat_members.get").pages(members(2), 10);
    let _ = platform
        .on("message.create")
        .then(Answer::rate_limited(1))
        .then_data(json!({"message_id": "om_1"}));
    platform.expect("message.create").times(2);

    let start = Instant::now();
    bot(&platform)
        .welcome(CHAT)
        .await
        .expect("welcome after the limit");
    let waited = start.elapsed();
    eprintln!("rate limited with x-ogw-ratelimit-reset: 1, welcomed after {waited:?}");
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    let sends = platform.requests_for("message.create");
    assert_eq!(sends[0].json()["uuid"], sends[1].json()["uuid"]);
}

#[tokio::test]
async fn a_platform_error_reaches_the_caller_with_its_code() {
    let platform = platform().await;
    platform.respond("chat.get", ChatDetail::new().name("Ops"));
    let _ = platform.on("chat_members.get").pages(members(2), 10);
    let _ = platform.on("message.create").then(Answer::error(
        230002,
        "Bot/User can NOT be out of the chat.",
    ));
    let error = bot(&platform)
        .welcome(CHAT)
        .await
        .expect_err("not in the chat");
    assert_eq!(error.code(), Some(230002), "{error}");
    assert_eq!(
        platform.requests_for("message.create").len(),
        1,
        "not retried"
    );
}

#[tokio::test]
async fn a_help_message_callback_is_answered_with_a_reply_and_others_are_not() {
    let platform = platform().await;
    let _ = platform
        .on("message.reply")
        .path("/open-apis/im/v1/messages/om_help/reply")
        .then_data(json!({"message_id": "om_reply"}));
    platform.expect("message.reply").times(1);
    let config = WebhookConfig::builder()
        .verification_token("vt")
        .encrypt_key("ek")
        .build()
        .expect("config");
    let webhook = bot(&platform)
        .register(Dispatcher::builder())
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config.clone()));
    for (id, text) in [("om_help", "can you help?"), ("om_chat", "lunch?")] {
        let event = MessageReceiveV1::new().message(
            EventMessage::new()
                .message_id(id)
                .chat_id(CHAT)
                .message_type(MessageType::Text)
                .content(json!({ "text": text }).to_string()),
        );
        let (headers, body) =
            Callback::new(&config).event_of(&format!("ev_{id}"), "im.message.receive_v1", &event);
        assert!(webhook.dispatch(&headers, &body).await.is_success());
    }
    assert_eq!(sent_text(&platform, "message.reply"), HELP_TEXT);
}
