//! Every operation of `lark_im_chat::meta::OPERATIONS` sent to a real HTTP server on 127.0.0.1.
//!
//! Each case states the exact request the platform must receive (method, path, query, headers and
//! JSON body) and answers a realistic response (extra unknown fields, unknown enum values), which
//! the case then checks field by field after decoding. Each case records its operation in the
//! coverage record; an operation of the spec without a case is a gap that `cargo xtask coverage
//! --check` (the one completeness gate) names. These tests only name it on stderr, so that coverage
//! can still be measured and show the gap as ✗.

use futures::future::BoxFuture;
use futures::{FutureExt, TryStreamExt};
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use lark_im_chat::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const APP_ID: &str = "cli_a5f3c9e7d2b4100d";
const APP_SECRET: &str = "Kq3vT9xLmN2pR7sW4yZ8aB1cD6eF0gHj";
const TENANT_TOKEN: &str = "t-g1044qeGEDXTB6NDJOGV4JQCYDGHRBARFTGT1234";
const USER_TOKEN: &str = "u-0o1X8Dkq5c8VrUaOHmgkfz1kg2hx4hVrXMG0g4w00a0i";
const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

/// The request one case must produce, and the `data` the server answers.
struct Case {
    op: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    /// Expected JSON body; `None`: the request must carry no body.
    body: Option<Value>,
    /// Which bearer token must be sent.
    token: &'static str,
    /// The response `data`.
    data: Value,
    /// Sends the request and checks the decoded response.
    call: fn(Client) -> BoxFuture<'static, ()>,
}

fn cases() -> Vec<Case> {
    vec![
        // ---------------------------------------------------------------- chat
        Case {
            op: "chat.create",
            method: "POST",
            path: "/open-apis/im/v1/chats",
            query: &[
                ("user_id_type", "open_id"),
                ("set_bot_manager", "true"),
                ("uuid", "b13g2t38-1jd2-458b-8djf-dtbca5104204"),
            ],
            body: Some(json!({
                "name": "Incident 4711",
                "description": "Payments outage war room",
                "i18n_names": {"zh_cn": "事故 4711", "en_us": "Incident 4711"},
                "owner_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs",
                "user_id_list": ["ou_7d8a6e6df7621556ce0d21922b676706ccs", "ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
                "bot_id_list": ["cli_a5f3c9e7d2b4100d"],
                "group_message_type": "chat",
                "chat_mode": "group",
                "chat_type": "private",
                "external": false,
                "join_message_visibility": "all_members",
                "leave_message_visibility": "only_owner",
                "membership_approval": "no_approval_required",
                "restricted_mode_setting": {
                    "status": true,
                    "screenshot_has_permission_setting": "not_anyone",
                    "download_has_permission_setting": "all_members",
                    "message_has_permission_setting": "not_anyone"
                },
                "urgent_setting": "only_owner",
                "video_conference_setting": "all_members",
                "edit_permission": "all_members",
                "hide_member_count_setting": "all_members"
            })),
            token: TENANT_TOKEN,
            data: json!({
                "chat_id": CHAT,
                "avatar": "https://s1-imfile.feishucdn.com/static-resource/v1/default-avatar_44ae0ca3-e140-494b-956f-78091e348435~?image_size=72x72",
                "name": "Incident 4711",
                "description": "Payments outage war room",
                "i18n_names": {"zh_cn": "事故 4711", "en_us": "Incident 4711", "ja_jp": ""},
                "owner_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs",
                "owner_id_type": "open_id",
                "urgent_setting": "only_owner",
                "video_conference_setting": "all_members",
                "add_member_permission": "all_members",
                "share_card_permission": "allowed",
                "at_all_permission": "all_members",
                "edit_permission": "all_members",
                "group_message_type": "chat",
                "chat_mode": "group",
                "chat_type": "private",
                "chat_tag": "inner",
                "external": false,
                "tenant_key": "736588c9260f175d",
                "join_message_visibility": "all_members",
                "leave_message_visibility": "only_owner",
                "membership_approval": "no_approval_required",
                "moderation_permission": "all_members",
                "restricted_mode_setting": {"status": true, "screenshot_has_permission_setting": "not_anyone",
                    "download_has_permission_setting": "all_members", "message_has_permission_setting": "not_anyone"},
                "hide_member_count_setting": "only_admins_from_2027",
                "chat_bg_image": {"key": "unknown field from a newer platform"}
            }),
            call: |c| {
                async move {
                    let created = c
                        .chats()
                        .create()
                        .user_id_type(UserIdType::OpenId)
                        .set_bot_manager(true)
                        .uuid("b13g2t38-1jd2-458b-8djf-dtbca5104204")
                        .body(
                            ChatCreateBody::new()
                                .name("Incident 4711")
                                .description("Payments outage war room")
                                .i18n_names(I18nNames::new().zh_cn("事故 4711").en_us("Incident 4711"))
                                .owner_id("ou_7d8a6e6df7621556ce0d21922b676706ccs")
                                .user_id_list([
                                    "ou_7d8a6e6df7621556ce0d21922b676706ccs",
                                    "ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                                ])
                                .bot_id_list(["cli_a5f3c9e7d2b4100d"])
                                .group_message_type(GroupMessageType::Chat)
                                .chat_mode(ChatMode::Group)
                                .chat_type(ChatType::Private)
                                .external(false)
                                .join_message_visibility(MessageVisibility::AllMembers)
                                .leave_message_visibility(MessageVisibility::OnlyOwner)
                                .membership_approval(MembershipApproval::NoApprovalRequired)
                                .restricted_mode_setting(
                                    RestrictedModeSetting::new()
                                        .status(true)
                                        .screenshot_has_permission_setting(RestrictedPermission::NotAnyone)
                                        .download_has_permission_setting(RestrictedPermission::AllMembers)
                                        .message_has_permission_setting(RestrictedPermission::NotAnyone),
                                )
                                .urgent_setting(OwnerOrAllMembers::OnlyOwner)
                                .video_conference_setting(OwnerOrAllMembers::AllMembers)
                                .edit_permission(OwnerOrAllMembers::AllMembers)
                                .hide_member_count_setting(HideMemberCountSetting::AllMembers),
                        )
                        .send()
                        .await
                        .expect("chat.create");
                    assert_eq!(created.chat_id.as_deref(), Some(CHAT));
                    assert_eq!(created.owner_id_type, Some(UserIdType::OpenId));
                    assert_eq!(created.chat_tag, Some(ChatTag::Inner));
                    assert_eq!(created.share_card_permission, Some(ShareCardPermission::Allowed));
                    assert_eq!(created.tenant_key.as_deref(), Some("736588c9260f175d"));
                    assert_eq!(created.external, Some(false));
                    assert_eq!(
                        created.i18n_names.as_ref().and_then(|n| n.zh_cn.as_deref()),
                        Some("事故 4711")
                    );
                    let rm = created.restricted_mode_setting.expect("restricted mode");
                    assert_eq!(rm.screenshot_has_permission_setting, Some(RestrictedPermission::NotAnyone));
                    let hide = created.hide_member_count_setting.expect("hide setting");
                    assert!(matches!(hide, HideMemberCountSetting::Unknown(_)));
                    assert_eq!(hide.as_str(), "only_admins_from_2027");
                }
                .boxed()
            },
        },
        Case {
            op: "chat.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    let _: lark_im_chat::runtime::rt::Empty = c.chat(CHAT).delete().send().await.expect("chat.delete");
                }
                .boxed()
            },
        },
        Case {
            op: "chat.get",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230",
            query: &[("user_id_type", "user_id")],
            body: None,
            token: USER_TOKEN,
            data: json!({
                "avatar": "https://s1-imfile.feishucdn.com/static-resource/v1/v2_c8d2cd50-ba3d-4d2b-8e4a-1b2c3d4e5f6g~?image_size=72x72",
                "name": "Incident 4711",
                "description": "Payments outage war room",
                "i18n_names": {"zh_cn": "事故 4711", "en_us": "Incident 4711"},
                "add_member_permission": "all_members",
                "share_card_permission": "not_allowed",
                "at_all_permission": "only_owner",
                "edit_permission": "all_members",
                "owner_id_type": "user_id",
                "owner_id": "4d7a3c6g",
                "user_manager_id_list": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
                "bot_manager_id_list": ["cli_a5f3c9e7d2b4100d"],
                "group_message_type": "thread",
                "chat_mode": "group",
                "chat_type": "public",
                "chat_tag": "a_tag_from_2027",
                "join_message_visibility": "only_owner",
                "leave_message_visibility": "not_anyone",
                "membership_approval": "approval_required",
                "moderation_permission": "moderator_list",
                "external": true,
                "tenant_key": "736588c9260f175d",
                "user_count": "1254",
                "bot_count": "3",
                "restricted_mode_setting": {"status": false},
                "urgent_setting": "all_members",
                "video_conference_setting": "only_owner",
                "pin_manage_setting": "all_members",
                "hide_member_count_setting": "only_owner",
                "chat_status": "normal",
                "unannounced_field": [1, 2, 3]
            }),
            call: |c| {
                async move {
                    let chat = c
                        .as_user(USER_TOKEN)
                        .chat(CHAT)
                        .get()
                        .user_id_type("user_id")
                        .send()
                        .await
                        .expect("chat.get");
                    assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
                    assert_eq!(chat.user_count, Some(1254));
                    assert_eq!(chat.bot_count, Some(3));
                    assert_eq!(chat.owner_id.as_deref(), Some("4d7a3c6g"));
                    assert_eq!(chat.group_message_type, Some(GroupMessageType::Thread));
                    assert_eq!(chat.chat_type, Some(ChatType::Public));
                    assert_eq!(chat.moderation_permission, Some(ModerationSetting::ModeratorList));
                    assert_eq!(chat.membership_approval, Some(MembershipApproval::ApprovalRequired));
                    assert_eq!(chat.chat_status, Some(ChatStatus::Normal));
                    assert_eq!(chat.bot_manager_id_list.as_deref(), Some(&["cli_a5f3c9e7d2b4100d".to_owned()][..]));
                    let tag = chat.chat_tag.expect("chat_tag");
                    assert_eq!(tag.as_str(), "a_tag_from_2027");
                    assert_eq!(serde_json::to_value(&tag).expect("serialize"), json!("a_tag_from_2027"));
                }
                .boxed()
            },
        },
        Case {
            op: "chat.link",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/link",
            query: &[],
            body: Some(json!({"validity_period": "week"})),
            token: TENANT_TOKEN,
            data: json!({
                "share_link": "https://applink.feishu.cn/client/chat/chatter/add_by_link?link_token=3b4h7e9a-5c2d-4f1e-8a6b-0c9d8e7f6a5b",
                "expire_time": "1609296809",
                "is_permanent": false,
                "qr_code": "new-in-a-later-version"
            }),
            call: |c| {
                async move {
                    let link = c
                        .chat(CHAT)
                        .link()
                        .body(ChatLinkBody::new().validity_period(LinkValidityPeriod::Week))
                        .send()
                        .await
                        .expect("chat.link");
                    assert!(link.share_link.as_deref().is_some_and(|l| l.contains("link_token=")));
                    assert_eq!(link.expire_time, Some(1_609_296_809));
                    assert_eq!(link.is_permanent, Some(false));
                }
                .boxed()
            },
        },
        Case {
            op: "chat.list",
            method: "GET",
            path: "/open-apis/im/v1/chats",
            query: &[
                ("user_id_type", "open_id"),
                ("sort_type", "ByActiveTimeDesc"),
                ("page_token", "dmJCRHhpd3JRbGV1VEVNRFFyTitRWDY5ZFkybmYrMEUwMUFYOVZSVkRTaW5nWk9rdXdKRHJBU0E="),
                ("page_size", "20"),
            ],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "items": [
                    {"chat_id": CHAT, "avatar": "https://s1-imfile.feishucdn.com/static-resource/v1/default-avatar_1.png",
                     "name": "Incident 4711", "description": "Payments outage war room",
                     "owner_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs", "owner_id_type": "open_id",
                     "external": false, "tenant_key": "736588c9260f175d", "chat_status": "normal", "chat_mode": "group"},
                    {"chat_id": "oc_2f4c7b0d3e6a9c1b5d8e0f2a4c6b8d0e", "name": "", "chat_mode": "p2p",
                     "p2p_target_type": "bot", "p2p_target_id": "cli_a5f3c9e7d2b4100d",
                     "chat_status": "frozen_for_audit", "labels": ["oncall"], "pinned_at": "1700000000"}
                ],
                "page_token": "dmJCRHhpd3JRbGV1VEVNRFFyTitRWDY5ZFkybmYrMEUwMUFYOVZSVkRTaW5nWk9rdXdKRHJBU0E=",
                "has_more": false
            }),
            call: |c| {
                async move {
                    let page = c
                        .chats()
                        .list()
                        .user_id_type(UserIdType::OpenId)
                        .sort_type(ChatSortType::ByActiveTimeDesc)
                        .page_token("dmJCRHhpd3JRbGV1VEVNRFFyTitRWDY5ZFkybmYrMEUwMUFYOVZSVkRTaW5nWk9rdXdKRHJBU0E=")
                        .page_size(20)
                        .send()
                        .await
                        .expect("chat.list");
                    let items = page.items.expect("items");
                    assert_eq!(items.len(), 2);
                    assert_eq!(items[0].chat_id.as_deref(), Some(CHAT));
                    assert_eq!(items[0].chat_status, Some(ChatStatus::Normal));
                    assert_eq!(items[1].chat_mode, Some(ChatMode::P2p));
                    assert_eq!(items[1].p2p_target_type, Some(P2pTargetType::Bot));
                    assert_eq!(items[1].chat_status.as_ref().map(|s| s.as_str().into_owned()).as_deref(), Some("frozen_for_audit"));
                    assert_eq!(page.has_more, Some(false));
                }
                .boxed()
            },
        },
        Case {
            op: "chat.search",
            method: "GET",
            path: "/open-apis/im/v1/chats/search",
            query: &[("user_id_type", "union_id"), ("query", "事故 4711 & co"), ("page_size", "50")],
            body: None,
            token: USER_TOKEN,
            data: json!({
                "items": [{"chat_id": CHAT, "name": "事故 4711", "owner_id": "on_94a1ee5551019f18cd73d9f111898cf2",
                           "owner_id_type": "union_id", "external": false, "tenant_key": "736588c9260f175d",
                           "chat_status": "dissolved_save", "score": 0.97}],
                "page_token": "",
                "has_more": false
            }),
            call: |c| {
                async move {
                    let found = c
                        .as_user(USER_TOKEN)
                        .chats()
                        .search()
                        .user_id_type(UserIdType::UnionId)
                        .query("事故 4711 & co")
                        .page_size(50)
                        .send()
                        .await
                        .expect("chat.search");
                    let items = found.items.expect("items");
                    assert_eq!(items[0].owner_id_type, Some(UserIdType::UnionId));
                    assert_eq!(items[0].chat_status, Some(ChatStatus::DissolvedSave));
                }
                .boxed()
            },
        },
        Case {
            op: "chat.update",
            method: "PUT",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230",
            query: &[("user_id_type", "open_id")],
            body: Some(json!({
                "name": "Incident 4711 (resolved)",
                "i18n_names": {"en_us": "Incident 4711 (resolved)"},
                "add_member_permission": "only_owner",
                "share_card_permission": "not_allowed",
                "at_all_permission": "only_owner",
                "owner_id": "ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                "membership_approval": "approval_required",
                "chat_type": "private",
                "labels": ["resolved"],
                "pin_manage_setting": "only_owner"
            })),
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.chat(CHAT)
                        .update()
                        .user_id_type(UserIdType::OpenId)
                        .body(
                            ChatUpdateBody::new()
                                .name("Incident 4711 (resolved)")
                                .i18n_names(I18nNames::new().en_us("Incident 4711 (resolved)"))
                                .add_member_permission(OwnerOrAllMembers::OnlyOwner)
                                .share_card_permission(ShareCardPermission::NotAllowed)
                                .at_all_permission(OwnerOrAllMembers::OnlyOwner)
                                .owner_id("ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0")
                                .membership_approval(MembershipApproval::ApprovalRequired)
                                .chat_type(ChatType::Private)
                                .labels(["resolved"])
                                .pin_manage_setting(OwnerOrAllMembers::OnlyOwner),
                        )
                        .send()
                        .await
                        .expect("chat.update");
                }
                .boxed()
            },
        },
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
        // ---------------------------------------------------------------- managers
        Case {
            op: "chat_managers.add_managers",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/managers/add_managers",
            query: &[("member_id_type", "open_id")],
            body: Some(json!({"manager_ids": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "ou_1a2b3c4d5e6f708192a3b4c5d6e7f809"]})),
            token: TENANT_TOKEN,
            data: json!({
                "chat_managers": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "ou_1a2b3c4d5e6f708192a3b4c5d6e7f809"],
                "chat_bot_managers": [],
                "manager_limit": 10
            }),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .managers()
                        .add_managers()
                        .member_id_type(MemberIdType::OpenId)
                        .body(ChatManagersAddManagersBody::new().manager_ids([
                            "ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                            "ou_1a2b3c4d5e6f708192a3b4c5d6e7f809",
                        ]))
                        .send()
                        .await
                        .expect("chat_managers.add_managers");
                    assert_eq!(r.chat_managers.map(|m| m.len()), Some(2));
                    assert_eq!(r.chat_bot_managers, Some(vec![]));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_managers.delete_managers",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/managers/delete_managers",
            query: &[("member_id_type", "app_id")],
            body: Some(json!({"manager_ids": ["cli_a5f3c9e7d2b4100d"]})),
            token: USER_TOKEN,
            data: json!({"chat_managers": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"], "chat_bot_managers": []}),
            call: |c| {
                async move {
                    let r = c
                        .as_user(USER_TOKEN)
                        .chat(CHAT)
                        .managers()
                        .delete_managers()
                        .member_id_type(MemberIdType::AppId)
                        .body(ChatManagersDeleteManagersBody::new().manager_ids(["cli_a5f3c9e7d2b4100d"]))
                        .send()
                        .await
                        .expect("chat_managers.delete_managers");
                    assert_eq!(r.chat_managers, Some(vec!["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0".to_owned()]));
                }
                .boxed()
            },
        },
        // ---------------------------------------------------------------- members
        Case {
            op: "chat_members.create",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/members",
            query: &[("member_id_type", "open_id"), ("succeed_type", "1")],
            body: Some(json!({"id_list": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "ou_deadbeefdeadbeefdeadbeefdeadbeef", "ou_0000resigned00000000000000000000"]})),
            token: TENANT_TOKEN,
            data: json!({
                "invalid_id_list": ["ou_0000resigned00000000000000000000"],
                "not_existed_id_list": ["ou_deadbeefdeadbeefdeadbeefdeadbeef"],
                "pending_approval_id_list": [],
                "rejected_by_policy": []
            }),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .members()
                        .create()
                        .member_id_type(MemberIdType::OpenId)
                        .succeed_type(SucceedType::Partial)
                        .body(ChatMembersCreateBody::new().id_list([
                            "ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                            "ou_deadbeefdeadbeefdeadbeefdeadbeef",
                            "ou_0000resigned00000000000000000000",
                        ]))
                        .send()
                        .await
                        .expect("chat_members.create");
                    assert_eq!(r.invalid_id_list, Some(vec!["ou_0000resigned00000000000000000000".to_owned()]));
                    assert_eq!(r.not_existed_id_list, Some(vec!["ou_deadbeefdeadbeefdeadbeefdeadbeef".to_owned()]));
                    assert_eq!(r.pending_approval_id_list, Some(vec![]));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_members.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/members",
            query: &[("member_id_type", "user_id")],
            body: Some(json!({"id_list": ["4d7a3c6g", "9b2e1f0a"]})),
            token: TENANT_TOKEN,
            data: json!({"invalid_id_list": ["9b2e1f0a"]}),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .members()
                        .delete()
                        .member_id_type(MemberIdType::UserId)
                        .body(ChatMembersDeleteBody::new().id_list(["4d7a3c6g", "9b2e1f0a"]))
                        .send()
                        .await
                        .expect("chat_members.delete");
                    assert_eq!(r.invalid_id_list, Some(vec!["9b2e1f0a".to_owned()]));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_members.get",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/members",
            query: &[("member_id_type", "open_id"), ("page_size", "100"), ("check_security_conf", "true")],
            body: None,
            token: TENANT_TOKEN,
            data: json!({
                "items": [
                    {"member_id_type": "open_id", "member_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs", "name": "张三", "tenant_key": "736588c9260f175d"},
                    {"member_id_type": "anonymous_id", "member_id": "an_5f1d", "name": "Guest", "tenant_key": "2ed263bf32cf1651", "is_guest": true}
                ],
                "page_token": "",
                "has_more": false,
                "member_total": 2,
                "trigger_security_conf_limit": false,
                "security_conf_limit": 5000
            }),
            call: |c| {
                async move {
                    let members: Vec<ListMember> = c
                        .chat(CHAT)
                        .members()
                        .get()
                        .member_id_type(MemberListIdType::OpenId)
                        .page_size(100)
                        .check_security_conf(true)
                        .items()
                        .try_collect()
                        .await
                        .expect("chat_members.get");
                    assert_eq!(members.len(), 2);
                    assert_eq!(members[0].name.as_deref(), Some("张三"));
                    assert_eq!(members[0].member_id_type, Some(MemberListIdType::OpenId));
                    assert_eq!(members[1].member_id_type.as_ref().map(|t| t.as_str().into_owned()).as_deref(), Some("anonymous_id"));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_members.is_in_chat",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/members/is_in_chat",
            query: &[],
            body: None,
            token: USER_TOKEN,
            data: json!({"is_in_chat": true, "role": "member"}),
            call: |c| {
                async move {
                    let r = c
                        .as_user(USER_TOKEN)
                        .chat(CHAT)
                        .members()
                        .is_in_chat()
                        .send()
                        .await
                        .expect("chat_members.is_in_chat");
                    assert_eq!(r.is_in_chat, Some(true));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_members.me_join",
            method: "PATCH",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/members/me_join",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: json!({}),
            call: |c| {
                async move {
                    c.chat(CHAT).members().me_join().send().await.expect("chat_members.me_join");
                }
                .boxed()
            },
        },
        // ---------------------------------------------------------------- menus
        Case {
            op: "chat_menu_item.patch",
            method: "PATCH",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/menu_items/7156553273518882844",
            query: &[],
            body: Some(json!({
                "update_fields": ["NAME", "REDIRECT_LINK"],
                "chat_menu_item": {
                    "action_type": "REDIRECT_LINK",
                    "redirect_link": {"common_url": "https://status.example.com/incidents/4711"},
                    "name": "Status page"
                }
            })),
            token: TENANT_TOKEN,
            data: json!({
                "chat_menu_item": {
                    "action_type": "OPEN_MINI_APP",
                    "redirect_link": {"common_url": "https://status.example.com/incidents/4711",
                                      "pc_url": "https://status.example.com/pc", "harmony_url": "x"},
                    "image_key": "img_v2_b0fbe905-7988-4282-b882-82edd010336j",
                    "name": "Status page",
                    "i18n_names": {"zh_cn": "状态页", "en_us": "Status page", "ja_jp": "ステータス"}
                }
            }),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .menu_item("7156553273518882844")
                        .patch(ChatMenuItemPatchBody::new(
                            [MenuUpdateField::Name, MenuUpdateField::RedirectLink],
                            ChatMenuItemInput::new()
                                .action_type(MenuActionType::RedirectLink)
                                .redirect_link(
                                    ChatMenuItemRedirectLink::new().common_url("https://status.example.com/incidents/4711"),
                                )
                                .name("Status page"),
                        ))
                        .send()
                        .await
                        .expect("chat_menu_item.patch");
                    let item = r.chat_menu_item.expect("item");
                    assert_eq!(item.action_type.expect("action").as_str(), "OPEN_MINI_APP");
                    assert_eq!(item.redirect_link.and_then(|l| l.pc_url).as_deref(), Some("https://status.example.com/pc"));
                    assert_eq!(item.i18n_names.and_then(|n| n.ja_jp).as_deref(), Some("ステータス"));
                }
                .boxed()
            },
        },
        Case {
            op: "chat_menu_tree.create",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/menu_tree",
            query: &[],
            body: Some(json!({
                "menu_tree": {"chat_menu_top_levels": [{
                    "chat_menu_item": {"action_type": "NONE", "name": "Runbooks"},
                    "children": [{"chat_menu_item": {
                        "action_type": "REDIRECT_LINK", "name": "Payments",
                        "redirect_link": {"common_url": "https://wiki.example.com/runbooks/payments"}
                    }}]
                }]}
            })),
            token: TENANT_TOKEN,
            data: menu_tree_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .menu_tree()
                        .create(ChatMenuTreeCreateBody::new(ChatMenuTreeInput::new([ChatMenuTopLevelInput::new(
                            ChatMenuItemTopInput::new(MenuActionType::NoAction, "Runbooks"),
                        )
                        .children([ChatMenuSecondLevelInput::new().chat_menu_item(
                            ChatMenuItemInput::new()
                                .action_type(MenuActionType::RedirectLink)
                                .name("Payments")
                                .redirect_link(
                                    ChatMenuItemRedirectLink::new().common_url("https://wiki.example.com/runbooks/payments"),
                                ),
                        )])])))
                        .send()
                        .await
                        .expect("chat_menu_tree.create");
                    check_menu_tree(r.menu_tree);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_menu_tree.delete",
            method: "DELETE",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/menu_tree",
            query: &[],
            body: Some(json!({"chat_menu_top_level_ids": ["7117116451961487361", "7117116451961487362"]})),
            token: TENANT_TOKEN,
            data: menu_tree_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .menu_tree()
                        .delete(ChatMenuTreeDeleteBody::new([7117116451961487361_i64, 7117116451961487362]))
                        .send()
                        .await
                        .expect("chat_menu_tree.delete");
                    check_menu_tree(r.menu_tree);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_menu_tree.get",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/menu_tree",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: menu_tree_data(),
            call: |c| {
                async move {
                    let r = c.chat(CHAT).menu_tree().get().send().await.expect("chat_menu_tree.get");
                    check_menu_tree(r.menu_tree);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_menu_tree.sort",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/menu_tree/sort",
            query: &[],
            body: Some(json!({"chat_menu_top_level_ids": ["7117116451961487362", "7117116451961487361"]})),
            token: TENANT_TOKEN,
            data: menu_tree_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .menu_tree()
                        .sort(ChatMenuTreeSortBody::new([7117116451961487362_i64, 7117116451961487361]))
                        .send()
                        .await
                        .expect("chat_menu_tree.sort");
                    check_menu_tree(r.menu_tree);
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
        // ---------------------------------------------------------------- tabs
        Case {
            op: "chat_tab.create",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs",
            query: &[],
            body: Some(json!({"chat_tabs": [{
                "tab_name": "Dashboard",
                "tab_type": "url",
                "tab_content": {"url": "https://grafana.example.com/d/payments"},
                "tab_config": {"icon_key": "img_v2_b0fbe905-7988-4282-b882-82edd010336j", "is_built_in": false}
            }]})),
            token: TENANT_TOKEN,
            data: tabs_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .tabs()
                        .create(ChatTabCreateBody::new([ChatTabCreateInput::new(ChatTabType::Url)
                            .tab_name("Dashboard")
                            .tab_content(ChatTabContent::new().url("https://grafana.example.com/d/payments"))
                            .tab_config(
                                ChatTabConfig::new()
                                    .icon_key("img_v2_b0fbe905-7988-4282-b882-82edd010336j")
                                    .is_built_in(false),
                            )]))
                        .send()
                        .await
                        .expect("chat_tab.create");
                    check_tabs(r.chat_tabs);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_tab.delete_tabs",
            method: "DELETE",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/delete_tabs",
            query: &[],
            body: Some(json!({"tab_ids": ["7101214603622940671"]})),
            token: USER_TOKEN,
            data: tabs_data(),
            call: |c| {
                async move {
                    let r = c
                        .as_user(USER_TOKEN)
                        .chat(CHAT)
                        .tabs()
                        .delete_tabs(ChatTabDeleteTabsBody::new(["7101214603622940671"]))
                        .send()
                        .await
                        .expect("chat_tab.delete_tabs");
                    check_tabs(r.chat_tabs);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_tab.list_tabs",
            method: "GET",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/list_tabs",
            query: &[],
            body: None,
            token: TENANT_TOKEN,
            data: tabs_data(),
            call: |c| {
                async move {
                    let r = c.chat(CHAT).tabs().list_tabs().send().await.expect("chat_tab.list_tabs");
                    check_tabs(r.chat_tabs);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_tab.sort_tabs",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/sort_tabs",
            query: &[],
            body: Some(json!({"tab_ids": ["7101214603622940633", "7101214603622940671"]})),
            token: TENANT_TOKEN,
            data: tabs_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .tabs()
                        .sort_tabs()
                        .body(ChatTabSortTabsBody::new().tab_ids(["7101214603622940633", "7101214603622940671"]))
                        .send()
                        .await
                        .expect("chat_tab.sort_tabs");
                    check_tabs(r.chat_tabs);
                }
                .boxed()
            },
        },
        Case {
            op: "chat_tab.update_tabs",
            method: "POST",
            path: "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/update_tabs",
            query: &[],
            body: Some(json!({"chat_tabs": [{
                "tab_id": "7101214603622940671",
                "tab_name": "Postmortem",
                "tab_type": "doc",
                "tab_content": {"doc": "https://example.feishu.cn/docx/K2ZQdXhUioq1Hcx4QmZc5C8rnVb"}
            }]})),
            token: TENANT_TOKEN,
            data: tabs_data(),
            call: |c| {
                async move {
                    let r = c
                        .chat(CHAT)
                        .tabs()
                        .update_tabs()
                        .body(ChatTabUpdateTabsBody::new().chat_tabs([ChatTabUpdateInput::new(ChatTabType::Doc)
                            .tab_id("7101214603622940671")
                            .tab_name("Postmortem")
                            .tab_content(
                                ChatTabContent::new().doc("https://example.feishu.cn/docx/K2ZQdXhUioq1Hcx4QmZc5C8rnVb"),
                            )]))
                        .send()
                        .await
                        .expect("chat_tab.update_tabs");
                    check_tabs(r.chat_tabs);
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

fn menu_tree_data() -> Value {
    json!({"menu_tree": {"chat_menu_top_levels": [
        {
            "chat_menu_top_level_id": "7117116451961487361",
            "chat_menu_item": {"action_type": "NONE", "name": "Runbooks",
                               "i18n_names": {"zh_cn": "运行手册", "en_us": "Runbooks"}},
            "children": [{
                "chat_menu_second_level_id": "7156553273518882844",
                "chat_menu_item": {"action_type": "REDIRECT_LINK", "name": "Payments",
                                   "redirect_link": {"common_url": "https://wiki.example.com/runbooks/payments"}}
            }]
        },
        {
            "chat_menu_top_level_id": 7117116451961487362_i64,
            "chat_menu_item": {"action_type": "OPEN_CALENDAR", "name": "On-call"},
            "badge": 3
        }
    ]}})
}

fn check_menu_tree(tree: Option<ChatMenuTree>) {
    let tops = tree
        .and_then(|t| t.chat_menu_top_levels)
        .expect("top levels");
    assert_eq!(tops.len(), 2);
    assert_eq!(tops[0].chat_menu_top_level_id, Some(7117116451961487361));
    // The Python SDK's integer form is accepted too.
    assert_eq!(tops[1].chat_menu_top_level_id, Some(7117116451961487362));
    let first = tops[0].chat_menu_item.as_ref().expect("item");
    assert_eq!(first.action_type, Some(MenuActionType::NoAction));
    let child = &tops[0].children.as_ref().expect("children")[0];
    assert_eq!(child.chat_menu_second_level_id, Some(7156553273518882844));
    assert_eq!(
        child
            .chat_menu_item
            .as_ref()
            .and_then(|i| i.action_type.clone()),
        Some(MenuActionType::RedirectLink)
    );
    let unknown = tops[1]
        .chat_menu_item
        .as_ref()
        .and_then(|i| i.action_type.clone())
        .expect("action");
    assert_eq!(unknown.as_str(), "OPEN_CALENDAR");
}

fn tabs_data() -> Value {
    json!({"chat_tabs": [
        {"tab_id": "7101214603622940633", "tab_name": "", "tab_type": "message"},
        {"tab_id": "7101214603622940634", "tab_type": "pin"},
        {"tab_id": "7101214603622940671", "tab_name": "Dashboard", "tab_type": "url",
         "tab_content": {"url": "https://grafana.example.com/d/payments"},
         "tab_config": {"icon_key": "img_v2_b0fbe905-7988-4282-b882-82edd010336j", "is_built_in": false}},
        {"tab_id": "7101214603622940699", "tab_name": "Whiteboard", "tab_type": "board_v3",
         "tab_content": {"board": "https://example.feishu.cn/board/abc"}}
    ]})
}

fn check_tabs(tabs: Option<Vec<ChatTab>>) {
    let tabs = tabs.expect("chat_tabs");
    assert_eq!(tabs.len(), 4);
    assert_eq!(tabs[0].tab_type, Some(ChatTabType::Message));
    assert_eq!(tabs[1].tab_type, Some(ChatTabType::Pin));
    assert_eq!(tabs[2].tab_type, Some(ChatTabType::Url));
    assert_eq!(
        tabs[2].tab_content.as_ref().and_then(|c| c.url.as_deref()),
        Some("https://grafana.example.com/d/payments")
    );
    assert_eq!(
        tabs[2].tab_config.as_ref().and_then(|c| c.is_built_in),
        Some(false)
    );
    assert_eq!(
        tabs[3]
            .tab_type
            .as_ref()
            .map(|t| t.as_str().into_owned())
            .as_deref(),
        Some("board_v3")
    );
}

/// Matches `/a/:b/c` templates against concrete paths.
fn path_matches_template(template: &str, concrete: &str) -> bool {
    let t: Vec<_> = template.split('/').collect();
    let c: Vec<_> = concrete.split('/').collect();
    t.len() == c.len() && t.iter().zip(&c).all(|(t, c)| t.starts_with(':') || t == c)
}

async fn run_case(case: &Case) {
    let op = lark_im_chat::meta::OPERATIONS
        .iter()
        .find(|m| m.id == case.op)
        .unwrap_or_else(|| panic!("{}: not an operation of the spec", case.op));
    assert_eq!(
        op.method.as_str(),
        case.method,
        "{}: method differs from the spec",
        case.op
    );
    assert!(
        path_matches_template(op.path, case.path),
        "{}: {} does not match the spec's {}",
        case.op,
        case.path,
        op.path
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN, "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method(case.method))
        .and(path(case.path))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Tt-Logid", "20241125103045EC1B3D7E1A2F4B6C8D9E")
                .insert_header("content-type", "application/json; charset=utf-8")
                .set_body_json(json!({"code": 0, "msg": "success", "data": case.data})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder(APP_ID, APP_SECRET)
        .base_url(server.uri())
        .build()
        .expect("client");
    (case.call)(client).await;

    let received: Vec<Request> = server.received_requests().await.expect("recording");
    let calls: Vec<&Request> = received
        .iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect();
    assert_eq!(
        calls.len(),
        1,
        "{}: expected exactly one API request",
        case.op
    );
    let req = calls[0];
    coverage_record::record_request(req.method.as_str(), req.url.path());
    assert_eq!(req.method.as_str(), case.method, "{}: method", case.op);
    assert_eq!(req.url.path(), case.path, "{}: path", case.op);
    let mut got_query: Vec<(String, String)> = req
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut want_query: Vec<(String, String)> = case
        .query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    got_query.sort();
    want_query.sort();
    assert_eq!(got_query, want_query, "{}: query", case.op);
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    assert_eq!(
        auth,
        Some(format!("Bearer {}", case.token).as_str()),
        "{}: authorization",
        case.op
    );
    let content_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    match &case.body {
        Some(want) => {
            assert_eq!(
                content_type,
                Some("application/json; charset=utf-8"),
                "{}: content-type",
                case.op
            );
            let got: Value = serde_json::from_slice(&req.body)
                .unwrap_or_else(|e| panic!("{}: body is not JSON ({e})", case.op));
            assert_eq!(&got, want, "{}: body", case.op);
        }
        None => {
            assert!(
                req.body.is_empty(),
                "{}: expected no body, got {:?}",
                case.op,
                String::from_utf8_lossy(&req.body)
            );
            assert_eq!(
                content_type, None,
                "{}: content-type without a body",
                case.op
            );
        }
    }
    record(case.op);
}

/// Reports each operation sent, once its request was checked, to the workspace coverage record.
fn record(op: &str) {
    coverage_record::record_operation(op);
}

/// Operations of the spec without a case here, by id (a gap, not a failure of this test run).
fn operations_without_a_case(covered: &BTreeSet<&str>) -> Vec<&'static str> {
    lark_im_chat::meta::OPERATIONS
        .iter()
        .map(|m| m.id)
        .filter(|id| !covered.contains(id))
        .collect()
}

#[test]
fn every_case_names_one_operation_of_the_spec_once() {
    let mut seen = BTreeSet::new();
    for case in cases() {
        assert!(
            lark_im_chat::meta::OPERATIONS
                .iter()
                .any(|m| m.id == case.op),
            "case for {:?}, which is not an operation of the spec",
            case.op
        );
        assert!(seen.insert(case.op), "two cases for {:?}", case.op);
    }
}

#[tokio::test]
async fn every_operation_end_to_end() {
    let mut done = BTreeSet::new();
    for case in cases() {
        run_case(&case).await;
        done.insert(case.op);
    }
    for id in operations_without_a_case(&done) {
        eprintln!("operation without an end-to-end case: {id} (`cargo xtask coverage --check` fails on it)");
    }
}
