//! The message family's end-to-end suite over the workspace's shared harness (`e2e-harness`):
//! which `e2e_*` file holds the cases of which operation groups, and the message samples the
//! cases answer with.
#![allow(dead_code)] // each test binary uses part of it

pub use e2e_harness::*;
use serde_json::{json, Value};

/// The message family's operations and the file of each operation group.
pub const SUITE: Suite = Suite {
    operations: lark_im_message::meta::OPERATIONS,
    files: &[
        ("e2e_messages", &["message"]),
        ("e2e_reactions_pins", &["message_reaction", "pin"]),
        // Uploads and downloads are sent end to end by upload_parts.rs and download_files.rs,
        // which check their multipart parts and streamed bodies.
        ("upload_parts", &["image", "file", "message_resource"]),
    ],
};

/// A message the bot sent.
pub const MESSAGE: &str = "om_dc13264520392913993dd051dba21dcf";
/// The user who wrote to the bot.
pub const USER: &str = "ou_7d8a6e6df7621556ce0d21922b676706ccs";
/// The bot's app id as a sender id.
pub const BOT: &str = "cli_a5f3c9e7d2b4100d";

/// A message as the platform answers it (`Message`), with a field and an enum value this spec
/// does not know, which the decoded value must keep.
pub fn message_json(id: &str, msg_type: &str, content: &str) -> Value {
    json!({
        "message_id": id,
        "root_id": "",
        "parent_id": "",
        "thread_id": "",
        "msg_type": msg_type,
        "create_time": "1609073151345",
        "update_time": "1609073151345",
        "deleted": false,
        "updated": false,
        "chat_id": CHAT,
        "sender": {
            "id": BOT,
            "id_type": "app_id",
            "sender_type": "app",
            "tenant_key": "736588c9260f175e"
        },
        "body": {"content": content},
        "mentions": [],
        "upper_message_id": "",
        "message_position": "17",
        "thread_message_position": "-1",
        "reply_count": 0
    })
}
