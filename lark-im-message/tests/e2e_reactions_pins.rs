//! End-to-end cases of the `message_reaction.*` and `pin.*` operations against a real HTTP
//! server on 127.0.0.1 (`e2e_harness` says what each case checks).

mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_message::prelude::*;
use lark_im_message::runtime::rt::Empty;
use lark_im_message::types::*;
use serde_json::json;

const FILE: &str = "e2e_reactions_pins";

const REACTION: &str = "ZCaCIjUBVVWSrm5L-3ZTw6GTp4WZ9Fz7lbV2rGhLy1sz9Ah";

fn reaction_json(emoji: &str) -> serde_json::Value {
    json!({
        "reaction_id": REACTION,
        "operator": {"operator_id": USER, "operator_type": "user"},
        "action_time": "1626086391570",
        "reaction_type": {"emoji_type": emoji}
    })
}

fn check_reaction(r: &MessageReaction, emoji: EmojiType) {
    assert_eq!(r.reaction_id.as_deref(), Some(REACTION));
    let operator = r.operator.as_ref().expect("operator");
    assert_eq!(operator.operator_id.as_deref(), Some(USER));
    assert_eq!(operator.operator_type, Some(OperatorType::User));
    assert_eq!(r.action_time, Some(1_626_086_391_570));
    assert_eq!(
        r.reaction_type.as_ref().map(|e| &e.emoji_type),
        Some(&emoji)
    );
}

fn pin_json(operator_type: &str) -> serde_json::Value {
    json!({
        "message_id": MESSAGE,
        "chat_id": CHAT,
        "operator_id": USER,
        "operator_id_type": operator_type,
        "create_time": "1615380573411"
    })
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            op: "message_reaction.create",
            method: "POST",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/reactions",
            query: &[],
            body: Some(json!({"reaction_type": {"emoji_type": "THUMBSUP"}})),
            token: USER_TOKEN,
            data: reaction_json("THUMBSUP"),
            call: |c| {
                async move {
                    let r = c
                        .as_user(USER_TOKEN)
                        .message(MESSAGE)
                        .reactions()
                        .create(MessageReactionCreateBody::new(Emoji::new(EmojiType::Thumbsup)))
                        .send()
                        .await
                        .expect("message_reaction.create");
                    check_reaction(&r, EmojiType::Thumbsup);
                }
                .boxed()
            },
        },
        Case {
            op: "message_reaction.list",
            method: "GET",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/reactions",
            query: &[
                ("reaction_type", "SMILE"),
                ("page_token", "YhljsPiGfUgnVAg9urvRFd-BvSqRL20wMZNAWfa9xXkud6UKCybPuUgQ1vM26dj6"),
                ("page_size", "10"),
                ("user_id_type", "open_id"),
            ],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "items": [reaction_json("SMILE"), reaction_json("PARTYPOPPER_NEW")],
                "has_more": false,
                "page_token": ""
            }),
            call: |c| {
                async move {
                    let page = c
                        .message(MESSAGE)
                        .reactions()
                        .list()
                        .reaction_type(EmojiType::Smile)
                        .page_token("YhljsPiGfUgnVAg9urvRFd-BvSqRL20wMZNAWfa9xXkud6UKCybPuUgQ1vM26dj6")
                        .page_size(10)
                        .user_id_type(UserIdType::OpenId)
                        .send()
                        .await
                        .expect("message_reaction.list");
                    assert_eq!(page.has_more, Some(false));
                    let items = page.items.expect("items");
                    check_reaction(&items[0], EmojiType::Smile);
                    // An emoji newer than the spec's list is kept as sent.
                    match items[1].reaction_type.as_ref().map(|e| &e.emoji_type) {
                        Some(EmojiType::Unknown(v)) => assert_eq!(v.as_str(), "PARTYPOPPER_NEW"),
                        other => panic!("unknown emoji not kept: {other:?}"),
                    }
                }
                .boxed()
            },
        },
        Case {
            op: "message_reaction.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/messages/om_dc13264520392913993dd051dba21dcf/reactions/ZCaCIjUBVVWSrm5L-3ZTw6GTp4WZ9Fz7lbV2rGhLy1sz9Ah",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: reaction_json("THUMBSUP"),
            call: |c| {
                async move {
                    let r = c
                        .message(MESSAGE)
                        .reaction(REACTION)
                        .delete()
                        .send()
                        .await
                        .expect("message_reaction.delete");
                    check_reaction(&r, EmojiType::Thumbsup);
                }
                .boxed()
            },
        },
        Case {
            op: "pin.create",
            method: "POST",
            path: "/open-apis/im/v1/pins",
            query: &[],
            body: Some(json!({"message_id": MESSAGE})),
            token: TENANT_TOKEN,
            data: json!({"pin": pin_json("app_id")}),
            call: |c| {
                async move {
                    let got = c
                        .pins()
                        .create(PinCreateBody::new(MESSAGE))
                        .send()
                        .await
                        .expect("pin.create");
                    let pin = got.pin.expect("pin");
                    assert_eq!(pin.message_id.as_deref(), Some(MESSAGE));
                    assert_eq!(pin.chat_id.as_deref(), Some(CHAT));
                    assert_eq!(pin.operator_id_type, Some(PinOperatorIdType::AppId));
                    assert_eq!(pin.create_time, Some(1_615_380_573_411));
                }
                .boxed()
            },
        },
        Case {
            op: "pin.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/pins/om_dc13264520392913993dd051dba21dcf",
            query: &[],
            body: None,
            token: USER_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    let _: Empty = c
                        .as_user(USER_TOKEN)
                        .pin(MESSAGE)
                        .delete()
                        .send()
                        .await
                        .expect("pin.delete");
                }
                .boxed()
            },
        },
        Case {
            op: "pin.list",
            method: "GET",
            path: "/open-apis/im/v1/pins",
            query: &[
                ("chat_id", CHAT),
                ("start_time", "1658632251800"),
                ("end_time", "1658731646425"),
                ("page_size", "20"),
                ("page_token", "GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAghVD_TvuYd1aoJ1LQph86O"),
            ],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "items": [pin_json("open_id"), pin_json("bot_id")],
                "has_more": true,
                "page_token": "GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAghVD_TvuYd1aoJ1LQph86P"
            }),
            call: |c| {
                async move {
                    let page = c
                        .pins()
                        .list(CHAT)
                        .start_time(1_658_632_251_800)
                        .end_time(1_658_731_646_425)
                        .page_size(20)
                        .page_token("GxmvlNRvP0NdQZpa7yIqf_Lv_QuBwTQ8tXkX7w-irAghVD_TvuYd1aoJ1LQph86O")
                        .send()
                        .await
                        .expect("pin.list");
                    assert_eq!(page.has_more, Some(true));
                    let items = page.items.expect("items");
                    assert_eq!(items[0].operator_id_type, Some(PinOperatorIdType::OpenId));
                    match &items[1].operator_id_type {
                        Some(PinOperatorIdType::Unknown(v)) => assert_eq!(v.as_str(), "bot_id"),
                        other => panic!("unknown operator id type not kept: {other:?}"),
                    }
                }
                .boxed()
            },
        },
    ]
}

e2e_tests!();
