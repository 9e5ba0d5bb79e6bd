//! End-to-end cases of the `chat.*` operations against a real HTTP server on 127.0.0.1
//! (`e2e_support` says what each case checks).

#[macro_use]
mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use serde_json::json;

const FILE: &str = "e2e_chat";

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
                                .i18n_names(
                                    I18nNames::new().zh_cn("事故 4711").en_us("Incident 4711"),
                                )
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
                                        .screenshot_has_permission_setting(
                                            RestrictedPermission::NotAnyone,
                                        )
                                        .download_has_permission_setting(
                                            RestrictedPermission::AllMembers,
                                        )
                                        .message_has_permission_setting(
                                            RestrictedPermission::NotAnyone,
                                        ),
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
                    assert_eq!(
                        created.share_card_permission,
                        Some(ShareCardPermission::Allowed)
                    );
                    assert_eq!(created.tenant_key.as_deref(), Some("736588c9260f175d"));
                    assert_eq!(created.external, Some(false));
                    assert_eq!(
                        created.i18n_names.as_ref().and_then(|n| n.zh_cn.as_deref()),
                        Some("事故 4711")
                    );
                    let rm = created.restricted_mode_setting.expect("restricted mode");
                    assert_eq!(
                        rm.screenshot_has_permission_setting,
                        Some(RestrictedPermission::NotAnyone)
                    );
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
                    let _: lark_im_chat::runtime::rt::Empty =
                        c.chat(CHAT).delete().send().await.expect("chat.delete");
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
                    assert_eq!(
                        chat.moderation_permission,
                        Some(ModerationSetting::ModeratorList)
                    );
                    assert_eq!(
                        chat.membership_approval,
                        Some(MembershipApproval::ApprovalRequired)
                    );
                    assert_eq!(chat.chat_status, Some(ChatStatus::Normal));
                    assert_eq!(
                        chat.bot_manager_id_list.as_deref(),
                        Some(&["cli_a5f3c9e7d2b4100d".to_owned()][..])
                    );
                    let tag = chat.chat_tag.expect("chat_tag");
                    assert_eq!(tag.as_str(), "a_tag_from_2027");
                    assert_eq!(
                        serde_json::to_value(&tag).expect("serialize"),
                        json!("a_tag_from_2027")
                    );
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
                    assert!(link
                        .share_link
                        .as_deref()
                        .is_some_and(|l| l.contains("link_token=")));
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
                (
                    "page_token",
                    "dmJCRHhpd3JRbGV1VEVNRFFyTitRWDY5ZFkybmYrMEUwMUFYOVZSVkRTaW5nWk9rdXdKRHJBU0E=",
                ),
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
            query: &[
                ("user_id_type", "union_id"),
                ("query", "事故 4711 & co"),
                ("page_size", "50"),
            ],
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
    ]
}

e2e_tests!();
