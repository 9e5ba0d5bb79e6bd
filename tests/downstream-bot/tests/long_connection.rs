//! The bot over the long connection: events pushed by the in-process `LongConnectionServer`
//! run the handlers (whose REST calls go to a `MockPlatform`) and are acked with their outcome.
//!
//! A card click pushed as a `type=card` frame is answered in the ack's `data` (`Ack::data`
//! decodes it).

use downstream_bot::{Bot, HELP_TEXT};
use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::{ChatMemberBotAddedV1, EventEnvelopeV2};
use lark_im_chat::testing::{Answer, Callback, LongConnectionServer, MockPlatform};
use lark_im_chat::types::ChatDetail;
use lark_im_chat::types::ListMember;
use lark_im_message::events::MessageReceiveV1;
use lark_im_message::types::{EventMessage, MessageType};
use serde_json::json;

async fn rest_platform() -> MockPlatform {
    MockPlatform::start_with(&[&lark_im_chat::FAMILY, &lark_im_message::FAMILY]).await
}

fn dispatcher(platform: &MockPlatform) -> Dispatcher {
    Bot::new(platform.client())
        .register(Dispatcher::builder())
        .build()
        .expect("dispatcher")
}

#[tokio::test]
async fn a_pushed_bot_added_event_runs_the_welcome_and_is_acked_200() {
    let platform = rest_platform().await;
    platform.respond("chat.get", ChatDetail::new().name("Launch"));
    let _ = platform
        .on("chat_members.get")
        .pages([ListMember::new().member_id("ou_1")], 20);
    let _ = platform
        .on("message.create")
        .then_data(json!({"message_id": "om_w"}));
    platform.expect("message.create").times(1);

    let mut server = LongConnectionServer::start().await;
    let connection = server
        .connection(dispatcher(&platform))
        .start()
        .expect("start");
    let mut conn = server.accept().await;
    let event = EventEnvelopeV2::of("ev_added", ChatMemberBotAddedV1::new().chat_id("oc_launch"));
    let seq = conn.push_event(&event).await;
    let ack = conn.next_ack().await;
    assert_eq!((ack.seq_id, ack.code), (seq, 200));
    assert!(ack.biz_rt_ms.is_some_and(|ms| ms >= 1));
    assert_eq!(ack.data, None);
    // The ack came after the handler: the welcome is already sent.
    let create = &platform.requests_for("message.create")[0];
    assert_eq!(create.json()["receive_id"], "oc_launch");

    // A failing handler is acked 500 (the platform redelivers it).
    let _ = platform
        .on("chat.get")
        .then(Answer::error(232011, "no permission"));
    conn.push_event(&EventEnvelopeV2::of(
        "ev_denied",
        ChatMemberBotAddedV1::new().chat_id("oc_x"),
    ))
    .await;
    assert_eq!(conn.next_ack().await.code, 500);
    connection.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_help_message_in_three_fragments_is_reassembled_and_answered() {
    let platform = rest_platform().await;
    let _ = platform
        .on("message.reply")
        .then_data(json!({"message_id": "om_r"}));
    platform.expect("message.reply").times(1);

    let mut server = LongConnectionServer::start().await;
    let connection = server
        .connection(dispatcher(&platform))
        .start()
        .expect("start");
    let mut conn = server.accept().await;
    let message = MessageReceiveV1::new().message(
        EventMessage::new()
            .message_id("om_q")
            .chat_id("oc_1")
            .message_type(MessageType::Text)
            .content(json!({"text": "help please"}).to_string()),
    );
    let envelope = Callback::envelope("ev_help", "im.message.receive_v1", &message);
    let payload = serde_json::to_vec(&envelope).expect("JSON");
    let last = conn.send_fragmented("event", &payload, 3).await;
    let ack = conn.next_ack().await;
    assert_eq!(
        (ack.seq_id, ack.code),
        (last, 200),
        "the completing fragment is acked"
    );
    let reply = &platform.requests_for("message.reply")[0];
    assert_eq!(reply.path, "/open-apis/im/v1/messages/om_q/reply");
    let content: serde_json::Value =
        serde_json::from_str(reply.json()["content"].as_str().expect("content")).expect("JSON");
    assert_eq!(content["text"], HELP_TEXT);
    connection.shutdown().await.expect("clean shutdown");
}

fn click(event_id: &str, action: &str) -> serde_json::Value {
    Callback::envelope(
        event_id,
        lark_im_chat::testing::CARD_ACTION_TRIGGER,
        &json!({
            "operator": {"open_id": "ou_clicker"},
            "action": {"value": {"action": action}, "tag": "button"},
            "context": {"open_message_id": "om_w", "open_chat_id": "oc_launch"}
        }),
    )
}

#[tokio::test]
async fn a_card_click_is_answered_with_a_toast_and_a_card_in_the_acks_data() {
    let platform = rest_platform().await;
    let mut server = LongConnectionServer::start().await;
    let connection = server
        .connection(dispatcher(&platform))
        .start()
        .expect("start");
    let mut conn = server.accept().await;
    conn.push_card(&click("ev_click_1", "hello")).await;
    let ack = conn.next_ack().await;
    assert_eq!(ack.code, 200);
    let data = ack.data.expect("the answer in data");
    assert_eq!(data["toast"]["type"], "success");
    assert_eq!(data["toast"]["content"], "Hello!");
    assert_eq!(data["card"]["type"], "raw");
    // Another button: the card stays (`{}`); a second click is handled too (no de-duplication).
    conn.push_card(&click("ev_click_2", "other")).await;
    assert_eq!(conn.next_ack().await.data, Some(json!({})));
    conn.push_card(&click("ev_click_2", "hello")).await;
    assert_eq!(
        conn.next_ack().await.data.expect("data")["toast"]["content"],
        "Hello!"
    );
    connection.shutdown().await.expect("clean shutdown");
}
