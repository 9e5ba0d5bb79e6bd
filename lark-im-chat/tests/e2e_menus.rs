//! End-to-end cases of the `chat_menu_item.*` and `chat_menu_tree.*` operations against a real HTTP server on 127.0.0.1
//! (`e2e_support` says what each case checks).

#[macro_use]
mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use serde_json::{json, Value};

const FILE: &str = "e2e_menus";

fn cases() -> Vec<Case> {
    vec![
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

e2e_tests!();
