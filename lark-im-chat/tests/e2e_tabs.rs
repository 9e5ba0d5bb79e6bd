//! End-to-end cases of the `chat_tab.*` operations against a real HTTP server on 127.0.0.1
//! (`e2e_support` says what each case checks).

#[macro_use]
mod e2e_support;

use e2e_support::*;
use futures::FutureExt;
use lark_im_chat::prelude::*;
use lark_im_chat::types::*;
use serde_json::{json, Value};

const FILE: &str = "e2e_tabs";

fn cases() -> Vec<Case> {
    vec![
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
                        .create(ChatTabCreateBody::new([ChatTabCreateInput::new(
                            ChatTabType::Url,
                        )
                        .tab_name("Dashboard")
                        .tab_content(
                            ChatTabContent::new().url("https://grafana.example.com/d/payments"),
                        )
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
            path:
                "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/delete_tabs",
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
                    let r = c
                        .chat(CHAT)
                        .tabs()
                        .list_tabs()
                        .send()
                        .await
                        .expect("chat_tab.list_tabs");
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
                        .body(
                            ChatTabSortTabsBody::new()
                                .tab_ids(["7101214603622940633", "7101214603622940671"]),
                        )
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
            path:
                "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230/chat_tabs/update_tabs",
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
                        .body(
                            ChatTabUpdateTabsBody::new().chat_tabs([ChatTabUpdateInput::new(
                                ChatTabType::Doc,
                            )
                            .tab_id("7101214603622940671")
                            .tab_name("Postmortem")
                            .tab_content(ChatTabContent::new().doc(
                                "https://example.feishu.cn/docx/K2ZQdXhUioq1Hcx4QmZc5C8rnVb",
                            ))]),
                        )
                        .send()
                        .await
                        .expect("chat_tab.update_tabs");
                    check_tabs(r.chat_tabs);
                }
                .boxed()
            },
        },
    ]
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

e2e_tests!();
