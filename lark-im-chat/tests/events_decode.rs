//! Typed decoding of the nine chat events from realistic callback bodies
//! (`tests/fixtures/events/`), unknown event types, and property tests showing that decoding
//! never panics, alone or through the whole webhook path.

use lark_im_chat::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use lark_im_chat::events::dispatch::{Dispatcher, WebhookDispatcher};
use lark_im_chat::events::webhook::{Received, WebhookConfig, WebhookReceiver};
use lark_im_chat::testing::Callback;
use lark_im_chat::{
    types::{
        GroupMessageType, MembershipApproval, MessageVisibility, ModerationSetting,
        OwnerOrAllMembers, RestrictedPermission, ShareCardPermission,
    },
    ChatEvent,
};
use proptest::prelude::*;
use serde_json::Value;

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-tests";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

/// Decodes a fixture, checks it is the expected known event, and records the coverage.
fn decode(event_type: &str) -> ChatEvent {
    let event = ChatEvent::from_json(&fixture(event_type)).expect("fixture decodes");
    assert_eq!(event.event_type(), event_type);
    let meta = event.meta().expect("a known event has spec facts");
    assert_eq!(meta.event_type, event_type);
    coverage_record::record_event(event_type);
    event
}

#[test]
fn decodes_chat_updated_v1_with_unknown_enum_values_and_extra_fields() {
    let ChatEvent::ChatUpdatedV1(e) = decode("im.chat.updated_v1") else {
        panic!("not ChatUpdatedV1");
    };
    assert_eq!(e.schema, "2.0");
    assert_eq!(e.header.event_id, "f7984f25108f8137722bb63cee927e66");
    assert_eq!(e.header.create_time.as_deref(), Some("1603977298000000"));
    assert_eq!(e.header.app_id.as_deref(), Some("cli_9f5343c580712544"));
    assert_eq!(e.header.tenant_key.as_deref(), Some("2ca1d211f64f6438"));
    let body = &e.event;
    assert_eq!(
        body.chat_id.as_deref(),
        Some("oc_413871c6cde5ed1f1d6ad2f8e07e9b55")
    );
    assert_eq!(body.external, Some(false));
    let operator = body.operator_id.as_ref().expect("operator_id");
    assert_eq!(operator.user_id.as_deref(), Some("e33ggbyz"));
    let after = body.after_change.as_ref().expect("after_change");
    assert_eq!(after.name.as_deref(), Some("Incident 4711 (resolved)"));
    assert_eq!(
        after.i18n_names.as_ref().and_then(|n| n.zh_cn.as_deref()),
        Some("事故 4711（已解决）")
    );
    assert_eq!(
        after.add_member_permission,
        Some(OwnerOrAllMembers::AllMembers)
    );
    assert_eq!(
        after.share_card_permission,
        Some(ShareCardPermission::Allowed)
    );
    // A value the spec does not list is kept, not rejected.
    match &after.at_all_permission {
        Some(OwnerOrAllMembers::Unknown(v)) => assert_eq!(v.as_str(), "only_owner_and_helpers"),
        other => panic!("expected an unknown value, got {other:?}"),
    }
    assert_eq!(
        after.membership_approval,
        Some(MembershipApproval::NoApprovalRequired)
    );
    assert_eq!(
        after.join_message_visibility,
        Some(MessageVisibility::OnlyOwner)
    );
    assert_eq!(
        after.leave_message_visibility,
        Some(MessageVisibility::NotAnyone)
    );
    assert_eq!(
        after.moderation_permission,
        Some(ModerationSetting::ModeratorList)
    );
    assert_eq!(
        after.owner_id.as_ref().and_then(|o| o.open_id.as_deref()),
        Some("ou_7dab8a3d3cdcc9da365777c7ad53uew2")
    );
    assert_eq!(
        after.labels.as_deref(),
        Some(&["incident".to_owned(), "p1".to_owned()][..])
    );
    let restricted = after
        .restricted_mode_setting
        .as_ref()
        .expect("restricted_mode_setting");
    assert_eq!(restricted.status, Some(true));
    assert_eq!(
        restricted.download_has_permission_setting,
        Some(RestrictedPermission::NotAnyone)
    );
    assert_eq!(after.group_message_type, Some(GroupMessageType::Thread));
    let before = body.before_change.as_ref().expect("before_change");
    assert_eq!(
        before.add_member_permission,
        Some(OwnerOrAllMembers::OnlyOwner)
    );
    assert_eq!(before.group_message_type, Some(GroupMessageType::Chat));
    let moderators = body.moderator_list.as_ref().expect("moderator_list");
    assert_eq!(moderators.added_member_list.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        moderators.removed_member_list.as_ref().map(Vec::len),
        Some(1)
    );
}

#[test]
fn decodes_chat_disbanded_v1_with_extra_field() {
    let ChatEvent::ChatDisbandedV1(e) = decode("im.chat.disbanded_v1") else {
        panic!("not ChatDisbandedV1");
    };
    assert_eq!(e.header.event_id, "3e1c6c9f0bd0d7cb6b0bbd1bce0a2c11");
    assert_eq!(
        e.event.chat_id.as_deref(),
        Some("oc_a0553eda9014c201e6969b478895c230")
    );
    assert_eq!(e.event.name.as_deref(), Some("Project Falcon"));
    assert_eq!(
        e.event.i18n_names.as_ref().and_then(|n| n.ja_jp.as_deref()),
        Some("ファルコン計画")
    );
    assert_eq!(
        e.event.operator_tenant_key.as_deref(),
        Some("2ca1d211f64f6438")
    );
}

#[test]
fn decodes_chat_member_bot_added_v1() {
    let ChatEvent::ChatMemberBotAddedV1(e) = decode("im.chat.member.bot.added_v1") else {
        panic!("not ChatMemberBotAddedV1");
    };
    assert_eq!(e.header.event_id, "b3ae0a0d1e8f4dd3a7ea0b1a34f3c9d2");
    assert_eq!(e.event.external, Some(true));
    assert_eq!(
        e.event.operator_tenant_key.as_deref(),
        Some("736588c9260f175d")
    );
    assert_eq!(e.event.name.as_deref(), Some("Vendor sync"));
}

#[test]
fn decodes_chat_member_bot_deleted_v1() {
    let ChatEvent::ChatMemberBotDeletedV1(e) = decode("im.chat.member.bot.deleted_v1") else {
        panic!("not ChatMemberBotDeletedV1");
    };
    assert_eq!(e.header.event_id, "7c2d1b4e9f6a4c0d8e1f2a3b4c5d6e7f");
    assert_eq!(
        e.event
            .operator_id
            .as_ref()
            .and_then(|o| o.union_id.as_deref()),
        Some("on_2312aab89ab7c87beb9a443b2f3b1342")
    );
    assert_eq!(
        e.event.chat_id.as_deref(),
        Some("oc_9e9619b938c9571c1c3165681cdaead5")
    );
}

#[test]
fn decodes_chat_member_user_added_v1_with_extra_field() {
    let ChatEvent::ChatMemberUserAddedV1(e) = decode("im.chat.member.user.added_v1") else {
        panic!("not ChatMemberUserAddedV1");
    };
    assert_eq!(e.header.event_id, "5e3702a84e847582be8db7fb73283c02");
    let users = e.event.users.as_ref().expect("users");
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].name.as_deref(), Some("张三"));
    assert_eq!(
        users[0].user_id.as_ref().and_then(|u| u.user_id.as_deref()),
        Some("8c6f1d2e")
    );
    // The second user has no tenant-scoped id, and an extra field.
    assert_eq!(
        users[1].user_id.as_ref().map(|u| u.user_id.is_none()),
        Some(true)
    );
    assert_eq!(users[1].tenant_key.as_deref(), Some("736588c9260f175d"));
}

#[test]
fn decodes_chat_member_user_deleted_v1() {
    let ChatEvent::ChatMemberUserDeletedV1(e) = decode("im.chat.member.user.deleted_v1") else {
        panic!("not ChatMemberUserDeletedV1");
    };
    assert_eq!(e.header.event_id, "9a8b7c6d5e4f30211f2e3d4c5b6a7980");
    let users = e.event.users.as_ref().expect("users");
    assert_eq!(users.len(), 1);
    assert_eq!(
        users[0].user_id.as_ref().and_then(|u| u.open_id.as_deref()),
        Some("ou_0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    );
}

#[test]
fn decodes_chat_member_user_withdrawn_v1() {
    let ChatEvent::ChatMemberUserWithdrawnV1(e) = decode("im.chat.member.user.withdrawn_v1") else {
        panic!("not ChatMemberUserWithdrawnV1");
    };
    assert_eq!(e.header.event_id, "0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4");
    assert_eq!(e.event.external, Some(true));
    assert_eq!(
        e.event.users.as_ref().and_then(|u| u[0].name.as_deref()),
        Some("Alice Martin")
    );
    let names = e.event.i18n_names.as_ref().expect("i18n_names");
    assert_eq!(names.en_us.as_deref(), Some("Incident 4711"));
    assert_eq!(names.zh_cn, None);
}

#[test]
fn decodes_chat_access_event_bot_p2p_chat_entered_v1() {
    let ChatEvent::ChatAccessEventBotP2pChatEnteredV1(e) =
        decode("im.chat.access_event.bot_p2p_chat_entered_v1")
    else {
        panic!("not ChatAccessEventBotP2pChatEnteredV1");
    };
    assert_eq!(e.header.event_id, "c4f0e2d6a1b84e0f9a7c3d2b1e0f9a8b");
    assert_eq!(
        e.event.last_message_id.as_deref(),
        Some("om_dc13264520392913993dd051dba21dcf")
    );
    // Sent as a string of Unix milliseconds.
    assert_eq!(e.event.last_message_create_time, Some(1_679_036_099_000));
}

#[test]
fn decodes_legacy_p2p_chat_create_with_extra_field() {
    let ChatEvent::P2pChatCreate(e) = decode("p2p_chat_create") else {
        panic!("not P2pChatCreate");
    };
    assert_eq!(e.uuid, "bc447199585340d1f3728d26b1c0297a");
    assert_eq!(e.ts, "1502199207.7171419");
    assert_eq!(e.callback_type, "event_callback");
    assert_eq!(e.event.event_type.as_deref(), Some("p2p_chat_create"));
    assert_eq!(e.event.app_id.as_deref(), Some("cli_9f5343c580712544"));
    assert_eq!(
        e.event.operator.as_ref().and_then(|o| o.open_id.as_deref()),
        Some("ou_2d2c0399b53d06fd195bb393cd1e38f2")
    );
    assert_eq!(
        e.event.user.as_ref().and_then(|u| u.name.as_deref()),
        Some("Zhang San")
    );
}

#[test]
fn dedup_keys_are_event_id_and_uuid() {
    let v2 = decode("im.chat.member.user.added_v1");
    assert_eq!(v2.dedup_key(), Some("5e3702a84e847582be8db7fb73283c02"));
    let v1 = decode("p2p_chat_create");
    assert_eq!(v1.dedup_key(), Some("bc447199585340d1f3728d26b1c0297a"));
}

#[test]
fn unknown_schema_2_event_keeps_type_and_raw_json() {
    let body = fixture("unknown.im.message.receive_v1");
    let event = ChatEvent::from_json(&body).expect("decodes");
    let ChatEvent::Unknown { event_type, raw } = &event else {
        panic!("expected Unknown, got {}", event.event_type());
    };
    assert_eq!(event_type, "im.message.receive_v1");
    assert_eq!(raw, &serde_json::from_slice::<Value>(&body).expect("json"));
    assert_eq!(event.meta(), None);
    assert_eq!(event.dedup_key(), Some("5e3702a84e847582be8db7fb73283c99"));
}

#[test]
fn unknown_legacy_event_keeps_type_and_raw_json() {
    let body = fixture("unknown.add_bot");
    let event = ChatEvent::from_json(&body).expect("decodes");
    assert!(matches!(&event, ChatEvent::Unknown { event_type, .. } if event_type == "add_bot"));
    assert_eq!(event.dedup_key(), Some("a1c2e3f4a5b6c7d8e9f00112233445566"));
}

#[test]
fn every_fixture_decodes_the_same_through_the_receiver() {
    let receiver = WebhookReceiver::new(
        WebhookConfig::builder()
            .verification_token(TOKEN)
            .build()
            .expect("config"),
    );
    for name in KNOWN
        .iter()
        .chain(&["unknown.im.message.receive_v1", "unknown.add_bot"])
    {
        let body = fixture(name);
        let Ok(Received::Event(verified)) = receiver.receive(&HeaderMap::new(), &body) else {
            panic!("{name} is accepted");
        };
        // The receiver hands the event on undecoded (as a fallback gets it); the family's
        // enum decodes it.
        let raw = verified.to_raw().expect("JSON");
        assert_eq!(raw.event_type(), verified.event_type());
        assert_eq!(raw.event_id(), verified.dedup_key());
        let decoded = ChatEvent::from_raw(&raw).expect("decodes");
        assert_eq!(decoded, ChatEvent::from_json(&body).expect("decodes"));
        assert_eq!(decoded.event_type(), verified.event_type());
        assert_eq!(decoded.dedup_key(), Some(verified.dedup_key()));
    }
}

#[test]
fn url_verification_is_not_an_event() {
    let body = br#"{"challenge":"c","token":"t","type":"url_verification"}"#;
    assert!(ChatEvent::from_json(body).is_err());
}

#[test]
fn malformed_known_event_names_the_failing_path() {
    let body = br#"{"schema":"2.0","header":{"event_id":"e","event_type":"im.chat.updated_v1"},"event":{"chat_id":"oc_1","external":"yes"}}"#;
    let error = ChatEvent::from_json(body).expect_err("external is not a boolean");
    assert_eq!(error.path, "event.external");
}

// --- property tests -------------------------------------------------------------------------

const KNOWN: [&str; 9] = [
    "im.chat.access_event.bot_p2p_chat_entered_v1",
    "im.chat.disbanded_v1",
    "im.chat.member.bot.added_v1",
    "im.chat.member.bot.deleted_v1",
    "im.chat.member.user.added_v1",
    "im.chat.member.user.deleted_v1",
    "im.chat.member.user.withdrawn_v1",
    "im.chat.updated_v1",
    "p2p_chat_create",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        // Values of the types the event fields expect, to get past the first field.
        prop::sample::select(vec![
            "oc_1",
            "ou_1",
            "2.0",
            "only_owner",
            "all_members",
            "not_anyone",
            "1679036099000",
            "-1",
            "99999999999999999999",
            "",
            "\u{0}",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            prop::sample::select(vec![
                "schema",
                "header",
                "event",
                "event_id",
                "event_type",
                "type",
                "uuid",
                "token",
                "chat_id",
                "operator_id",
                "open_id",
                "user_id",
                "union_id",
                "users",
                "name",
                "i18n_names",
                "after_change",
                "before_change",
                "moderator_list",
                "add_member_permission",
                "owner_id",
                "last_message_create_time",
                "external",
                "operator",
                "user",
                "encrypt",
                "challenge",
                "restricted_mode_setting",
                "status",
            ])
            .prop_map(str::to_owned),
            ".{0,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A callback envelope of either schema around an arbitrary body, with a known event type most
/// of the time, so that the typed decoders see arbitrary input.
fn envelope() -> impl Strategy<Value = Value> {
    let event_type = prop_oneof![
        4 => prop::sample::select(KNOWN.to_vec()).prop_map(str::to_owned),
        1 => ".{0,20}",
    ];
    (
        event_type,
        json_value(),
        json_value(),
        any::<bool>(),
        ".{0,8}",
    )
        .prop_map(|(event_type, body, extra, legacy, id)| {
            let mut body = body;
            if legacy {
                if let Value::Object(map) = &mut body {
                    map.insert("type".into(), Value::from(event_type.clone()));
                }
                serde_json::json!({
                    "ts": "1502199207.7171419", "uuid": id, "token": TOKEN,
                    "type": "event_callback", "event": body, "extra": extra,
                })
            } else {
                serde_json::json!({
                    "schema": "2.0",
                    "header": { "event_id": id, "event_type": event_type, "token": TOKEN },
                    "event": body, "extra": extra,
                })
            }
        })
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn encrypted_config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .build()
        .expect("config")
}

/// `plaintext` encrypted with `KEY`, signed at the time of `now()`.
fn sealed(plaintext: &[u8], iv: [u8; 16]) -> (HeaderMap, Vec<u8>) {
    Callback::new(&encrypted_config())
        .timestamp(1_700_000_000)
        .iv(iv)
        .payload(plaintext)
}

/// Dispatchers with a handler on every event and a fallback, plain and encrypted.
fn dispatchers() -> (WebhookDispatcher, WebhookDispatcher) {
    fn build(config: WebhookConfig) -> WebhookDispatcher {
        Dispatcher::builder()
            .on_chat_access_event_bot_p2p_chat_entered(|_| async { Ok(()) })
            .on_chat_disbanded(|_| async { Ok(()) })
            .on_chat_member_bot_added(|_| async { Ok(()) })
            .on_chat_member_bot_deleted(|_| async { Ok(()) })
            .on_chat_member_user_added(|_| async { Ok(()) })
            .on_chat_member_user_deleted(|_| async { Ok(()) })
            .on_chat_member_user_withdrawn(|_| async { Ok(()) })
            .on_chat_updated(|_| async { Ok(()) })
            .on_p2p_chat_create(|_| async { Ok(()) })
            .fallback(|_| async { Ok(()) })
            .build()
            .expect("one handler each")
            .with_webhook(WebhookReceiver::new(config))
    }
    let plain = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    (build(plain), build(encrypted_config()))
}

/// Runs a body through the whole path and checks the answer is one the dispatcher documents.
fn full_path(
    dispatcher: &WebhookDispatcher,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let outcome = runtime.block_on(dispatcher.dispatch_at(headers, body, now()));
    let status = outcome.status().as_u16();
    prop_assert!(
        [200, 400, 401, 403, 413, 500].contains(&status),
        "unexpected status {status} for {outcome:?}"
    );
    let body = outcome.body();
    prop_assert!(serde_json::from_slice::<Value>(&body).is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn from_json_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = ChatEvent::from_json(&bytes);
    }

    #[test]
    fn from_json_never_panics_on_arbitrary_json(value in json_value()) {
        let _ = ChatEvent::from_json(value.to_string().as_bytes());
    }

    #[test]
    fn from_json_never_panics_on_arbitrary_event_bodies(value in envelope()) {
        if let Ok(event) = ChatEvent::from_json(value.to_string().as_bytes()) {
            // Whatever decoded serialises again.
            prop_assert!(serde_json::to_vec(&event).is_ok());
        }
    }

    #[test]
    fn full_path_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400), iv in any::<[u8; 16]>()) {
        let (plain, encrypted) = dispatchers();
        full_path(&plain, &HeaderMap::new(), &bytes)?;
        let (headers, body) = sealed(&bytes, iv);
        full_path(&encrypted, &headers, &body)?;
    }

    #[test]
    fn full_path_never_panics_on_arbitrary_json(value in json_value(), iv in any::<[u8; 16]>()) {
        let (plain, encrypted) = dispatchers();
        let text = value.to_string();
        full_path(&plain, &HeaderMap::new(), text.as_bytes())?;
        let (headers, body) = sealed(text.as_bytes(), iv);
        full_path(&encrypted, &headers, &body)?;
    }

    #[test]
    fn full_path_never_panics_on_arbitrary_event_bodies(value in envelope(), iv in any::<[u8; 16]>()) {
        let (plain, encrypted) = dispatchers();
        let text = value.to_string();
        full_path(&plain, &HeaderMap::new(), text.as_bytes())?;
        let (headers, body) = sealed(text.as_bytes(), iv);
        full_path(&encrypted, &headers, &body)?;
    }
}
