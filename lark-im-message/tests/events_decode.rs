//! Typed decoding of the five message events from realistic callback bodies
//! (`tests/fixtures/events/`, written from the reference): every value of each fixture is kept,
//! checked field by field and by re-serializing the typed body.

use lark_im_message::types::{
    EmojiType, EventChatType, MessageType, OperatorType, RecallType, SenderType, UserId,
};
use lark_im_message::MessageEvent;
use serde_json::Value;
use std::path::PathBuf;

const EVENT_TYPES: [&str; 5] = [
    "im.message.receive_v1",
    "im.message.message_read_v1",
    "im.message.recalled_v1",
    "im.message.reaction.created_v1",
    "im.message.reaction.deleted_v1",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

/// Decodes a fixture, checks it is the expected known event, and records the coverage.
fn decode(event_type: &str) -> MessageEvent {
    let event = MessageEvent::from_json(&fixture(event_type)).expect("fixture decodes");
    assert_eq!(event.event_type(), event_type);
    let meta = event.meta().expect("a known event has spec facts");
    assert_eq!(meta.event_type, event_type);
    coverage_record::record_event(event_type);
    event
}

/// The fixture's `event` object, to compare with the re-serialized typed body.
fn raw_body(event_type: &str) -> Value {
    let v: Value = serde_json::from_slice(&fixture(event_type)).expect("json");
    v["event"].clone()
}

fn assert_kept<T: serde::Serialize>(event_type: &str, body: &T) {
    assert_eq!(
        serde_json::to_value(body).expect("serializes"),
        raw_body(event_type),
        "{event_type}: the typed body must keep every value of the fixture"
    );
}

fn user(union_id: &str, user_id: &str, open_id: &str) -> UserId {
    UserId::new()
        .union_id(union_id)
        .user_id(user_id)
        .open_id(open_id)
}

#[test]
fn decodes_message_receive_v1() {
    let MessageEvent::MessageReceiveV1(e) = decode("im.message.receive_v1") else {
        panic!("not MessageReceiveV1");
    };
    assert_eq!(e.schema, "2.0");
    assert_eq!(e.header.event_id, "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(e.header.create_time.as_deref(), Some("1724917512345"));
    assert_eq!(e.header.app_id.as_deref(), Some("cli_9f5343c580712544"));
    assert_eq!(e.header.tenant_key.as_deref(), Some("2ca1d211f64f6438"));
    let sender = e.event.sender.as_ref().expect("sender");
    assert_eq!(
        sender.sender_id,
        Some(user(
            "on_8ed6aa67826108097d9ee143816345",
            "e33ggbyz",
            "ou_84aad35d084aa403a838cf73ee18467"
        ))
    );
    assert_eq!(sender.sender_type, Some(SenderType::User));
    assert_eq!(sender.tenant_key.as_deref(), Some("736588c9260f175e"));
    let m = e.event.message.as_ref().expect("message");
    assert_eq!(
        m.message_id.as_deref(),
        Some("om_5ce6d572455d361153b7cb51da133945")
    );
    assert_eq!(
        m.root_id.as_deref(),
        Some("om_5ce6d572455d361153b7cb5xxfsdfsdfdsf")
    );
    assert_eq!(m.parent_id, m.root_id);
    assert_eq!(m.create_time, Some(1_724_917_512_120));
    assert_eq!(m.update_time, Some(1_724_917_512_120));
    assert_eq!(
        m.chat_id.as_deref(),
        Some("oc_5ce6d572455d361153b7xx51da133945")
    );
    assert_eq!(m.thread_id.as_deref(), Some("omt_d4be107c616aed9c"));
    assert_eq!(m.chat_type, Some(EventChatType::Group));
    assert_eq!(m.message_type, Some(MessageType::Text));
    assert_eq!(
        m.content.as_deref(),
        Some(r#"{"text":"@_user_1 help, the build is red"}"#)
    );
    let mentions = m.mentions.as_deref().expect("mentions");
    assert_eq!(mentions.len(), 1);
    assert_eq!(mentions[0].key.as_deref(), Some("@_user_1"));
    assert_eq!(
        mentions[0].id,
        Some(user(
            "on_8ed6aa67826108097d9ee143816346",
            "",
            "ou_a07a3e0eb5a0d8da6ec24d5c4bbd54ff"
        ))
    );
    assert_eq!(mentions[0].mentioned_type.as_deref(), Some("bot"));
    assert_eq!(mentions[0].name.as_deref(), Some("Build Bot"));
    assert_eq!(mentions[0].tenant_key.as_deref(), Some("2ca1d211f64f6438"));
    assert_eq!(
        m.user_agent.as_deref(),
        Some("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Lark/7.24.5")
    );
    assert_eq!(m.lark_agent_context, None);
    assert_kept("im.message.receive_v1", &e.event);
    assert_eq!(
        MessageEvent::MessageReceiveV1(e).dedup_key(),
        Some("5e3702a84e847582be8db7fb73283c02")
    );
}

#[test]
fn decodes_message_message_read_v1() {
    let MessageEvent::MessageMessageReadV1(e) = decode("im.message.message_read_v1") else {
        panic!("not MessageMessageReadV1");
    };
    assert_eq!(e.header.event_id, "0c7d1f2b9a8e4c3d8f6a5b4c3d2e1f00");
    let reader = e.event.reader.as_ref().expect("reader");
    assert_eq!(
        reader.reader_id,
        Some(user(
            "on_8ed6aa67826108097d9ee143816345",
            "e33ggbyz",
            "ou_84aad35d084aa403a838cf73ee18467"
        ))
    );
    assert_eq!(reader.read_time, Some(1_724_917_599_876));
    assert_eq!(reader.tenant_key.as_deref(), Some("736588c9260f175e"));
    assert_eq!(
        e.event.message_id_list.as_deref(),
        Some(
            &[
                "om_dc13264520392913993dd051dba21dcf".to_owned(),
                "om_7eb9e2ef6d1e3a5a0b4cb6f8a2a1e3c4".to_owned()
            ][..]
        )
    );
    assert_kept("im.message.message_read_v1", &e.event);
}

#[test]
fn decodes_message_recalled_v1() {
    let MessageEvent::MessageRecalledV1(e) = decode("im.message.recalled_v1") else {
        panic!("not MessageRecalledV1");
    };
    assert_eq!(e.header.event_id, "9a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(
        e.event.message_id.as_deref(),
        Some("om_dc13264520392913993dd051dba21dcf")
    );
    assert_eq!(
        e.event.chat_id.as_deref(),
        Some("oc_e7f4b3bb1e8b3f5e6a0c9d2f4a1b2c3d")
    );
    assert_eq!(e.event.recall_time, Some(1_724_917_700_000));
    assert_eq!(e.event.recall_type, Some(RecallType::GroupManager));
    assert_kept("im.message.recalled_v1", &e.event);
}

#[test]
fn decodes_message_reaction_created_v1_by_a_user() {
    let MessageEvent::MessageReactionCreatedV1(e) = decode("im.message.reaction.created_v1") else {
        panic!("not MessageReactionCreatedV1");
    };
    assert_eq!(e.header.event_id, "1f2e3d4c5b6a79881726354453627181");
    assert_eq!(
        e.event.message_id.as_deref(),
        Some("om_dc13264520392913993dd051dba21dcf")
    );
    assert_eq!(
        e.event.reaction_type.as_ref().map(|r| &r.emoji_type),
        Some(&EmojiType::Thumbsup)
    );
    assert_eq!(e.event.operator_type, Some(OperatorType::User));
    assert_eq!(
        e.event.user_id,
        Some(user(
            "on_8ed6aa67826108097d9ee143816345",
            "e33ggbyz",
            "ou_84aad35d084aa403a838cf73ee18467"
        ))
    );
    assert_eq!(e.event.app_id, None);
    assert_eq!(e.event.action_time, Some(1_724_917_800_321));
    assert_kept("im.message.reaction.created_v1", &e.event);
}

#[test]
fn decodes_message_reaction_deleted_v1_by_an_app_with_an_unlisted_emoji() {
    let MessageEvent::MessageReactionDeletedV1(e) = decode("im.message.reaction.deleted_v1") else {
        panic!("not MessageReactionDeletedV1");
    };
    assert_eq!(e.header.event_id, "2a3b4c5d6e7f80910a1b2c3d4e5f6071");
    assert_eq!(
        e.event.message_id.as_deref(),
        Some("om_dc13264520392913993dd051dba21dcf")
    );
    // The emoji list is open: a name the spec does not list is kept, not rejected.
    match e.event.reaction_type.as_ref().map(|r| &r.emoji_type) {
        Some(EmojiType::Unknown(v)) => assert_eq!(v.as_str(), "OnIt"),
        other => panic!("expected an unknown emoji, got {other:?}"),
    }
    assert_eq!(e.event.operator_type, Some(OperatorType::App));
    assert_eq!(e.event.user_id, None);
    assert_eq!(e.event.app_id.as_deref(), Some("cli_a1b2c3d4e5f60718"));
    assert_eq!(e.event.action_time, Some(1_724_917_900_654));
    assert_kept("im.message.reaction.deleted_v1", &e.event);
}

#[test]
fn every_event_of_the_spec_has_a_fixture() {
    let mut specified: Vec<&str> = lark_im_message::meta::EVENTS
        .iter()
        .map(|m| m.event_type)
        .collect();
    // The card action callback is decoded (and its fixtures checked) in card_callback.rs.
    specified.retain(|t| *t != "card.action.trigger");
    specified.sort_unstable();
    let mut fixtures = EVENT_TYPES.to_vec();
    fixtures.sort_unstable();
    assert_eq!(specified, fixtures);
}
