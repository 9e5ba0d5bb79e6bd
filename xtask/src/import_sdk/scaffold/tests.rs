//! Units of the scaffolder: handle chains from paths, YAML scalars, placeholders.

use super::draft::handle_chain;
use super::render::scalar;

fn chain(path: &str, resource: &str) -> Vec<(String, Option<String>)> {
    handle_chain(path, resource)
}

fn item(name: &str, var: &str) -> (String, Option<String>) {
    (name.to_owned(), Some(var.to_owned()))
}

fn coll(name: &str) -> (String, Option<String>) {
    (name.to_owned(), None)
}

#[test]
fn paths_become_handle_chains_and_actions_sit_on_their_parent() {
    let m = "/open-apis/im/v1/messages";
    assert_eq!(chain(m, "message"), [coll("messages")]);
    assert_eq!(
        chain(&format!("{m}/:message_id"), "message"),
        [item("message", "message_id")]
    );
    assert_eq!(
        chain(&format!("{m}/:message_id/reply"), "message"),
        [item("message", "message_id")]
    );
    assert_eq!(
        chain(&format!("{m}/merge_forward"), "message"),
        [coll("messages")]
    );
    assert_eq!(
        chain(&format!("{m}/:message_id/reactions"), "message_reaction"),
        [item("message", "message_id"), coll("reactions")]
    );
    assert_eq!(
        chain(
            &format!("{m}/:message_id/reactions/:reaction_id"),
            "message_reaction"
        ),
        [
            item("message", "message_id"),
            item("reaction", "reaction_id")
        ]
    );
    assert_eq!(
        chain("/open-apis/im/v1/pins/:message_id", "pin"),
        [item("pin", "message_id")]
    );
    assert_eq!(
        chain(
            "/open-apis/im/v1/chats/:chat_id/members/me_join",
            "chat_members"
        ),
        [item("chat", "chat_id"), coll("members")]
    );
}

#[test]
fn scalars_are_plain_only_when_they_read_back_the_same() {
    assert_eq!(scalar("message.create"), "message.create");
    assert_eq!(
        scalar("/open-apis/im/v1/pins/:message_id"),
        "/open-apis/im/v1/pins/:message_id"
    );
    assert_eq!(scalar("[string]"), "\"[string]\"");
    assert_eq!(scalar("yes"), "\"yes\"");
    assert_eq!(scalar("a b; c"), "\"a b; c\"");
    assert_eq!(scalar("2.0"), "\"2.0\"");
}

#[test]
fn only_the_placeholders_the_format_rejects_are_filled() {
    let text = "summary: TODO\ndoc_url: TODO\nscopes: []\napp_types: []\ndoc: TODO\n";
    assert_eq!(
        super::fill_placeholders(text),
        "summary: TODO\ndoc_url: https://open.feishu.cn/document/TODO\nscopes: [\"todo:scope\"]\napp_types: [custom]\ndoc: TODO\n"
    );
}
