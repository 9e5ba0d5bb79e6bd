//! The chat family's end-to-end suite over the workspace's shared harness (`e2e-harness`): which
//! `e2e_*` file holds the cases of which operation groups.
#![allow(dead_code)] // each test binary uses part of it

pub use e2e_harness::*;

/// The chat family's operations and the file of each operation group.
pub const SUITE: Suite = Suite {
    operations: lark_im_chat::meta::OPERATIONS,
    files: &[
        ("e2e_chat", &["chat"]),
        ("e2e_members", &["chat_managers", "chat_members"]),
        ("e2e_menus", &["chat_menu_item", "chat_menu_tree"]),
        (
            "e2e_chat_settings",
            &["chat_announcement", "chat_moderation", "chat_top_notice"],
        ),
        ("e2e_tabs", &["chat_tab"]),
    ],
};
