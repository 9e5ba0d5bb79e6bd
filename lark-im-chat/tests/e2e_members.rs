//! End-to-end cases of the `chat_managers.*` and `chat_members.*` operations against a real HTTP server on 127.0.0.1
//! (`e2e_support` says what each case checks).

#[macro_use]
mod e2e_support;

use e2e_support::*;
use futures::{FutureExt, TryStreamExt};
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use serde_json::json;

const FILE: &str = "e2e_members";

fn cases() -> Vec<Case> {
    vec![
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
    ]
}

e2e_tests!();
