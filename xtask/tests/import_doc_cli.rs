//! `cargo xtask import-doc` as maintainers and CI run it: exit codes, `--json`, `--check`, `--write`.

mod support;
use support::copy_dir;

use std::path::PathBuf;
use std::process::{Command, Output};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

/// The full fixture page: every item of the spec in the official page's markup and defects.
fn full_page() -> String {
    fixture("im-chat/group-chat-overview.md")
}

/// (operations, events) the spec has.
fn spec_counts() -> (usize, usize) {
    let files =
        lark_codegen::read_spec_dir(&manifest_dir().join("../spec/im-chat")).expect("spec reads");
    let api = lark_codegen::load_ir(&files).expect("spec loads");
    (api.operations.len(), api.events.len())
}

fn fixture(name: &str) -> String {
    manifest_dir()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn full_page_json_lists_everything_and_check_passes() {
    let out = xtask(&["import-doc", &full_page(), "--json", "--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let (operations, events) = spec_counts();
    assert_eq!(report["operations"].as_array().unwrap().len(), operations);
    assert_eq!(report["events"].as_array().unwrap().len(), events);
    assert_eq!(report["drift"], serde_json::json!([]));
    assert_eq!(report["acknowledged"].as_array().unwrap().len(), 1);
    let kinds: Vec<&str> = report["quirks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "token_split_by_whitespace",
            "scope_separator_unusual",
            "path_missing_leading_slash",
            "token_typo",
            "wrong_doc_link"
        ]
    );
    let add_members = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["title"] == "将用户或机器人拉入群聊")
        .unwrap();
    assert_eq!(add_members["method"], "POST");
    assert_eq!(
        add_members["path"],
        "/open-apis/im/v1/chats/:chat_id/members"
    );
    assert_eq!(add_members["tokens"], serde_json::json!(["tenant", "user"]));
    assert_eq!(
        add_members["app_types"],
        serde_json::json!(["custom", "store"])
    );
    assert_eq!(
        add_members["doc"],
        "https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/chat-members/create"
    );
    let ev = &report["events"][0];
    assert_eq!(ev["event_type"], "im.chat.disbanded_v1");
    assert_eq!(
        ev["scopes"],
        serde_json::json!(["im:chat", "im:chat:read", "im:chat:readonly"])
    );
}

#[test]
fn check_fails_on_drift_and_names_it() {
    // Against the whole spec, the small page misses most items: drift.
    let out = xtask(&[
        "import-doc",
        &fixture("im-chat/overview-small-changed.md"),
        "--json",
        "--check",
    ]);
    assert!(!out.status.success());
    let report = json(&out);
    let drift = report["drift"].as_array().unwrap();
    assert!(drift.iter().any(|d| d["kind"] == "added"
        && d["item"] == "operation"
        && d["key"] == "GET /open-apis/im/v1/chats/:chat_id/pins"));
    assert!(drift.iter().any(|d| d["kind"] == "changed"
        && d["key"] == "GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat"
        && d["details"].as_str().unwrap().contains("tokens")));
    assert!(drift.iter().any(|d| d["kind"] == "not_on_page"
        && d["item"] == "event"
        && d["key"] == "im.chat.disbanded_v1"
        && d["details"] == "im.chat.disbanded_v1 is in spec/im-chat but not on this page"));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("difference(s) between the page and spec/im-chat"));
    // Without --check, drift is reported but is not a failure.
    assert!(
        xtask(&["import-doc", &fixture("im-chat/overview-small-changed.md")])
            .status
            .success()
    );
}

#[test]
fn an_unreadable_row_fails_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("im-chat/overview-small.md"))
        .unwrap()
        .replacen(
            "`PUT` /open-apis/im/v1/chats/:chat_id",
            "PUT /open-apis/im/v1/chats/:chat_id",
            1,
        );
    let bad_line = text
        .lines()
        .position(|l| l.contains("[更新群信息]"))
        .unwrap()
        + 1;
    let page = dir.path().join("broken.md");
    std::fs::write(&page, text).unwrap();
    let out = xtask(&["import-doc", page.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "nothing is listed when a row cannot be read"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("broken.md:{bad_line}: no `METHOD`")),
        "{stderr}"
    );
}

#[test]
fn write_records_the_catalog_and_leaves_hand_written_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec");
    copy_dir(&manifest_dir().join("../spec/im-chat"), &spec);
    let _ = std::fs::remove_dir_all(spec.join("catalog"));
    let before = std::fs::read_to_string(spec.join("operations/chat.yaml")).unwrap();
    let page = full_page();
    let out = xtask(&[
        "import-doc",
        &page,
        "--write",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let catalog = std::fs::read_to_string(spec.join("catalog/group-chat-overview.yaml")).unwrap();
    assert!(
        catalog.contains("source: \"https://open.feishu.cn/document/server-docs/group/overview\"")
    );
    assert!(catalog.contains("sha256: \""));
    let (operations, events) = spec_counts();
    assert_eq!(catalog.matches("  - method: ").count(), operations);
    assert_eq!(catalog.matches("  - event_type: ").count(), events);
    assert_eq!(
        std::fs::read_to_string(spec.join("operations/chat.yaml")).unwrap(),
        before
    );
    // The same page writes the same bytes.
    assert!(xtask(&[
        "import-doc",
        &page,
        "--write",
        "--spec",
        spec.to_str().unwrap()
    ])
    .status
    .success());
    assert_eq!(
        std::fs::read_to_string(spec.join("catalog/group-chat-overview.yaml")).unwrap(),
        catalog
    );
}

#[test]
fn each_page_is_checked_against_its_own_family() {
    // The message page: its family is inferred, its page-only rows are acknowledged, check passes.
    let page = fixture("im-message/message-overview.md");
    let out = xtask(&["import-doc", &page, "--json", "--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["family"], "im-message");
    assert_eq!(report["drift"], serde_json::json!([]));
    // Three page-only operations and the card callback, which is off this page.
    assert_eq!(report["acknowledged"].as_array().unwrap().len(), 4);
    assert!(String::from_utf8_lossy(&out.stderr).contains("family im-message (inferred)"));
    // The chat page is the chat family's, inferred as well.
    let out = xtask(&["import-doc", &full_page(), "--json"]);
    assert_eq!(json(&out)["family"], "im-chat");

    // Named explicitly as the other family: the message rows are that family's, not added; the
    // chat family's items are not on this page; check fails.
    let out = xtask(&["import-doc", &page, "--family", "im-chat", "--check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "operation POST /open-apis/im/v1/messages (message.create): in spec/im-message"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("chat.get is in spec/im-chat but not on this page"),
        "{stdout}"
    );
    assert!(!stdout.contains("removed"), "{stdout}");

    // An unknown family is named with the known ones.
    let out = xtask(&["import-doc", &page, "--family", "im-nope"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown family \"im-nope\" (known: im-chat, im-message)"),
        "{stderr}"
    );
}
