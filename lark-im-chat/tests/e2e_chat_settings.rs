//! End-to-end cases of the announcement, moderation and top-notice operations against a real HTTP server on 127.0.0.1
//! (`e2e_support` says what each case checks).

#[macro_use]
mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use serde_json::json;

const FILE: &str = "e2e_chat_settings";

fn cases() -> Vec<Case> {
    vec![
        // ---------------------------------------------------------------- announcement
        Case {
            op: "chat_announcement.get",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/announcement",
            query: &[("user_id_type", "open_id")],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "content": "{\"title\":\"Runbook\",\"body\":{\"blocks\":[]}}",
                "revision": "12",
                "create_time": "1609296809",
                "update_time": "1609296900",
                "owner_id_type": "open_id",
                "owner_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs",
                "modifier_id_type": "bot_id_v2",
                "modifier_id": "cli_a5f3c9e7d2b4100d",
                "announcement_type": "doc"
            }),
            call: |c| {
                async move {
                    let a = c
                        .chat(CHAT)
                        .announcement()
                        .get()
                        .user_id_type(UserIdType::OpenId)
                        .send()
                        .await
                        .expect("chat_announcement.get");
                    assert_eq!(a.revision, Some(12));
                    assert_eq!(a.create_time, Some(1_609_296_809));
                    assert_eq!(a.update_time, Some(1_609_296_900));
                    assert_eq!(a.owner_id_type, Some(AnnouncementActorIdType::OpenId));
                    assert_eq!(a.modifier_id_type.expect("modifier").as_str(), "bot_id_v2");
                    assert!(a.content.expect("content").contains("Runbook"));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_announcement.patch",
            method: "PATCH",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/announcement",
            query: &[],
            body: Some(json!({
                "revision": "12",
                "requests": ["{\"requestType\":\"InsertBlocksRequestType\",\"insertBlocksRequest\":{\"payload\":\"{}\"}}"]
            })),
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.chat(CHAT)
                        .announcement()
                        .patch(ChatAnnouncementPatchBody::new(12).requests([
                            "{\"requestType\":\"InsertBlocksRequestType\",\"insertBlocksRequest\":{\"payload\":\"{}\"}}",
                        ]))
                        .send()
                        .await
                        .expect("chat_announcement.patch");
                }
                .boxed()
            },
        },
        // ---------------------------------------------------------------- moderation
        Case {
            op: "chat_moderation.get",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/moderation",
            query: &[("user_id_type", "open_id"), ("page_size", "10")],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "moderation_setting": "moderator_list",
                "page_token": "",
                "has_more": false,
                "items": [
                    {"user_id_type": "open_id", "user_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs", "tenant_key": "736588c9260f175d"},
                    {"user_id_type": "lark_id", "user_id": "lk_12", "tenant_key": "736588c9260f175d", "since": "1700000000"}
                ]
            }),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .moderation()
                        .get()
                        .user_id_type(UserIdType::OpenId)
                        .page_size(10)
                        .send()
                        .await
                        .expect("chat_moderation.get");
                    assert_eq!(r.moderation_setting, Some(ModerationSetting::ModeratorList));
                    let items = r.items.expect("items");
                    assert_eq!(items[0].user_id_type, Some(UserIdType::OpenId));
                    assert_eq!(items[1].user_id_type.as_ref().map(|t| t.as_str().into_owned()).as_deref(), Some("lark_id"));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_moderation.update",
            method: "PUT",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/moderation",
            query: &[("user_id_type", "open_id")],
            body: Some(json!({
                "moderation_setting": "moderator_list",
                "moderator_added_list": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
                "moderator_removed_list": ["ou_1a2b3c4d5e6f708192a3b4c5d6e7f809"]
            })),
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.chat(CHAT)
                        .moderation()
                        .update()
                        .user_id_type(UserIdType::OpenId)
                        .body(
                            ChatModerationUpdateBody::new()
                                .moderation_setting(ModerationSetting::ModeratorList)
                                .moderator_added_list(["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"])
                                .moderator_removed_list(["ou_1a2b3c4d5e6f708192a3b4c5d6e7f809"]),
                        )
                        .send()
                        .await
                        .expect("chat_moderation.update");
                }
                .boxed()
            },
        },
        // ---------------------------------------------------------------- top notice
        Case {
            op: "chat_top_notice.delete_top_notice",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/top_notice/delete_top_notice",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.chat(CHAT)
                        .top_notice()
                        .delete_top_notice()
                        .send()
                        .await
                        .expect("chat_top_notice.delete_top_notice");
                }
                .boxed()
            },
        },
        Case {
            op: "chat_top_notice.put_top_notice",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/top_notice/put_top_notice",
            query: &[],
            body: Some(json!({"chat_top_notice": [{"action_type": "1", "message_id": "om_dc13264520392913993dd051dba21dcf"}]})),
            token: USER_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.as_user(USER_TOKEN)
                        .chat(CHAT)
                        .top_notice()
                        .put_top_notice(ChatTopNoticePutTopNoticeBody::new([ChatTopNotice::new()
                            .action_type(TopNoticeActionType::Message)
                            .message_id("om_dc13264520392913993dd051dba21dcf")]))
                        .send()
                        .await
                        .expect("chat_top_notice.put_top_notice");
                }
                .boxed()
            },
        },
    ]
}

e2e_tests!();
