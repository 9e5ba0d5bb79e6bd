//! End-to-end cases of the `message.*` operations against a real HTTP server on 127.0.0.1
//! (`e2e_harness` says what each case checks).

mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_message::prelude::*;
use lark_im_message::runtime::rt::Empty;
use lark_im_message::types::*;
use serde_json::json;

const FILE: &str = "e2e_messages";

const TEXT: &str =
    r#"{"text":"<at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706ccs\">Tom</at> welcome"}"#;
const REPLY_UUID: &str = "5c3a9e0e-3a51-4d8f-9a57-0c1c2b7a1f3e";

/// The checks every case makes on a message the platform answered with.
fn check_message(m: &Message, id: &str, msg_type: MessageType, content: &str) {
    assert_eq!(m.message_id.as_deref(), Some(id));
    assert_eq!(m.msg_type, Some(msg_type));
    assert_eq!(m.chat_id.as_deref(), Some(CHAT));
    assert_eq!(m.create_time, Some(1_609_073_151_345));
    assert_eq!(m.message_position, Some(17));
    assert_eq!(m.thread_message_position, Some(-1));
    let sender = m.sender.as_ref().expect("sender");
    assert_eq!(sender.id.as_deref(), Some(BOT));
    assert_eq!(sender.sender_type, Some(SenderType::App));
    assert_eq!(
        m.body.as_ref().and_then(|b| b.content.as_deref()),
        Some(content)
    );
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            op: "message.create",
            method: "POST",
            path: "/open-apis/im/v1/messages",
            query: &[("receive_id_type", "chat_id")],
            body: Some(json!({
                "receive_id": CHAT,
                "msg_type": "text",
                "content": TEXT,
                "uuid": "a0d69e20-1dd1-458b-k525-dfeca4015204"
            })),
            token: TENANT_TOKEN,
            data: message_json(MESSAGE, "text", TEXT),
            call: |c| {
                async move {
                    let sent = c
                        .messages()
                        .create(
                            ReceiveIdType::ChatId,
                            MessageCreateBody::new(CHAT, SendMsgType::Text, TEXT)
                                .uuid("a0d69e20-1dd1-458b-k525-dfeca4015204"),
                        )
                        .send()
                        .await
                        .expect("message.create");
                    check_message(&sent, MESSAGE, MessageType::Text, TEXT);
                }
                .boxed()
            },
        },
        Case {
            op: "message.reply",
            method: "POST",
            path: "/open-apis/im/v1/messages/om_5ce6d572455d361153b7cb51da133945/reply",
            query: &[],
            body: Some(json!({
                "content": r#"{"text":"see the runbook"}"#,
                "msg_type": "text",
                "reply_in_thread": true,
                "uuid": REPLY_UUID
            })),
            token: USER_TOKEN,
            data: {
                let mut m = message_json(MESSAGE, "text", r#"{"text":"see the runbook"}"#);
                m["root_id"] = json!("om_5ce6d572455d361153b7cb51da133945");
                m["parent_id"] = json!("om_5ce6d572455d361153b7cb51da133945");
                m["thread_id"] = json!("omt_d4be107c616a");
                m
            },
            call: |c| {
                async move {
                    let sent = c
                        .as_user(USER_TOKEN)
                        .message("om_5ce6d572455d361153b7cb51da133945")
                        .reply(
                            MessageReplyBody::new(r#"{"text":"see the runbook"}"#, SendMsgType::Text)
                                .reply_in_thread(true)
                                .uuid(REPLY_UUID),
                        )
                        .send()
                        .await
                        .expect("message.reply");
                    check_message(&sent, MESSAGE, MessageType::Text, r#"{"text":"see the runbook"}"#);
                    assert_eq!(sent.thread_id.as_deref(), Some("omt_d4be107c616a"));
                    assert_eq!(
                        sent.parent_id.as_deref(),
                        Some("om_5ce6d572455d361153b7cb51da133945")
                    );
                }
                .boxed()
            },
        },
        Case {
            op: "message.update",
            method: "PUT",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf",
            query: &[],
            body: Some(json!({"msg_type": "text", "content": r#"{"text":"fixed typo"}"#})),
            token: TENANT_TOKEN,
            data: {
                let mut m = message_json(MESSAGE, "text", r#"{"text":"fixed typo"}"#);
                m["updated"] = json!(true);
                m["update_time"] = json!("1609073160000");
                m
            },
            call: |c| {
                async move {
                    let edited = c
                        .message(MESSAGE)
                        .update(MessageUpdateBody::new(UpdateMsgType::Text, r#"{"text":"fixed typo"}"#))
                        .send()
                        .await
                        .expect("message.update");
                    check_message(&edited, MESSAGE, MessageType::Text, r#"{"text":"fixed typo"}"#);
                    assert_eq!(edited.updated, Some(true));
                    assert_eq!(edited.update_time, Some(1_609_073_160_000));
                }
                .boxed()
            },
        },
        Case {
            op: "message.patch",
            method: "PATCH",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf",
            query: &[],
            body: Some(json!({
                "content": r#"{"schema":"2.0","config":{"update_multi":true},"body":{"elements":[{"tag":"markdown","content":"Done"}]}}"#
            })),
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    let _: Empty = c
                        .message(MESSAGE)
                        .patch(MessagePatchBody::new(
                            r#"{"schema":"2.0","config":{"update_multi":true},"body":{"elements":[{"tag":"markdown","content":"Done"}]}}"#,
                        ))
                        .send()
                        .await
                        .expect("message.patch");
                }
                .boxed()
            },
        },
        Case {
            op: "message.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    let _: Empty = c.message(MESSAGE).delete().send().await.expect("message.delete");
                }
                .boxed()
            },
        },
        Case {
            op: "message.get",
            method: "GET",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf",
            query: &[
                ("user_id_type", "open_id"),
                ("card_msg_content_type", "raw_card_content"),
                ("with_sender_name", "true"),
            ],
            body: None,
            token: TENANT_TOKEN,
            data: {
                let mut m = message_json(MESSAGE, "merge_forward", "Merged and Forwarded Message");
                m["sender"]["sender_name"] = json!("Release bot");
                let mut inner = message_json("om_1a2b3c4d5e6f", "poll_v2", r#"{"title":"Lunch?"}"#);
                inner["upper_message_id"] = json!(MESSAGE);
                json!({"items": [m, inner]})
            },
            call: |c| {
                async move {
                    let got = c
                        .message(MESSAGE)
                        .get()
                        .user_id_type(UserIdType::OpenId)
                        .card_msg_content_type(CardMsgContentType::RawCardContent)
                        .with_sender_name(true)
                        .send()
                        .await
                        .expect("message.get");
                    let items = got.items.expect("items");
                    assert_eq!(items.len(), 2);
                    check_message(
                        &items[0],
                        MESSAGE,
                        MessageType::MergeForward,
                        "Merged and Forwarded Message",
                    );
                    assert_eq!(
                        items[0].sender.as_ref().and_then(|s| s.sender_name.as_deref()),
                        Some("Release bot")
                    );
                    // A message type newer than the spec is kept, not an error.
                    match &items[1].msg_type {
                        Some(MessageType::Unknown(v)) => assert_eq!(v.as_str(), "poll_v2"),
                        other => panic!("unknown msg_type not kept: {other:?}"),
                    }
                    assert_eq!(items[1].upper_message_id.as_deref(), Some(MESSAGE));
                }
                .boxed()
            },
        },
        Case {
            op: "message.list",
            method: "GET",
            path: "/open-apis/im/v1/messages",
            query: &[
                ("container_id_type", "chat"),
                ("container_id", CHAT),
                ("start_time", "1608594809"),
                ("end_time", "1609296809"),
                ("sort_type", "ByCreateTimeDesc"),
                ("page_size", "20"),
                ("page_token", "GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAghVD_TvuYd1aoJ1LQph86O-XImC4X9j9FhUPhXQDvtrQ=="),
                ("only_thread_root_messages", "false"),
            ],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "has_more": true,
                "page_token": "GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAhlwsXZVyxBVD_TvuYd1aoJ1LQph86O-XImC4X9j9FhUPhXQDvtrQ==",
                "items": [
                    message_json(MESSAGE, "text", TEXT),
                    message_json("om_5ce6d572455d361153b7cb51da133945", "image", r#"{"image_key":"img_7ea74629-9191-4176-998c-2e603c9c5e8g"}"#)
                ]
            }),
            call: |c| {
                async move {
                    let page = c
                        .messages()
                        .list(ContainerIdType::Chat, CHAT)
                        .start_time(1_608_594_809)
                        .end_time(1_609_296_809)
                        .sort_type(MessageSortType::ByCreateTimeDesc)
                        .page_size(20)
                        .page_token("GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAghVD_TvuYd1aoJ1LQph86O-XImC4X9j9FhUPhXQDvtrQ==")
                        .only_thread_root_messages(false)
                        .send()
                        .await
                        .expect("message.list");
                    assert_eq!(page.has_more, Some(true));
                    assert!(page.page_token.as_deref().is_some_and(|t| t.starts_with("Gxmvl")));
                    let items = page.items.expect("items");
                    check_message(&items[0], MESSAGE, MessageType::Text, TEXT);
                    assert_eq!(items[1].msg_type, Some(MessageType::Image));
                }
                .boxed()
            },
        },
        Case {
            op: "message.forward",
            method: "POST",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/forward",
            query: &[("receive_id_type", "open_id"), ("uuid", "b13g2t38-1jd2-458b-8djf-dtbca5104204")],
            body: Some(json!({"receive_id": USER})),
            token: TENANT_TOKEN,
            data: message_json("om_f2e8b0a1c3d5", "text", TEXT),
            call: |c| {
                async move {
                    let fwd = c
                        .message(MESSAGE)
                        .forward(ForwardReceiveIdType::OpenId, MessageForwardBody::new(USER))
                        .uuid("b13g2t38-1jd2-458b-8djf-dtbca5104204")
                        .send()
                        .await
                        .expect("message.forward");
                    check_message(&fwd, "om_f2e8b0a1c3d5", MessageType::Text, TEXT);
                }
                .boxed()
            },
        },
        Case {
            op: "message.read_users",
            method: "GET",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/read_users",
            query: &[("user_id_type", "user_id"), ("page_size", "50"), ("page_token", "eyJtIjoiMTYwOTA3MzE1MSJ9")],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "items": [
                    {"user_id_type": "user_id", "user_id": "ea4b35d1", "timestamp": "1609484183000", "tenant_key": "736588c9260f175e"},
                    {"user_id_type": "staff_id", "user_id": "5f7c1e2d", "timestamp": "1609484190000", "tenant_key": "736588c9260f175e", "device": "mobile"}
                ],
                "has_more": false,
                "page_token": ""
            }),
            call: |c| {
                async move {
                    let page = c
                        .message(MESSAGE)
                        .read_users(UserIdType::UserId)
                        .page_size(50)
                        .page_token("eyJtIjoiMTYwOTA3MzE1MSJ9")
                        .send()
                        .await
                        .expect("message.read_users");
                    assert_eq!(page.has_more, Some(false));
                    let items = page.items.expect("items");
                    assert_eq!(items[0].user_id.as_deref(), Some("ea4b35d1"));
                    assert_eq!(items[0].user_id_type, Some(UserIdType::UserId));
                    assert_eq!(items[0].timestamp, Some(1_609_484_183_000));
                    match &items[1].user_id_type {
                        Some(UserIdType::Unknown(v)) => assert_eq!(v.as_str(), "staff_id"),
                        other => panic!("unknown id type not kept: {other:?}"),
                    }
                }
                .boxed()
            },
        },
    ]
}

e2e_tests!();
