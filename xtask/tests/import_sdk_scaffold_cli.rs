//! `cargo xtask import-sdk <dir> --scaffold …` on a fixture package in lark-oapi's layout
//! (`tests/fixtures/sdk-scaffold`: resources `message`, `message_reaction`, `image`, `pin`; four
//! events): the draft loads with the generator once the placeholders the format rejects are
//! filled, and holds the SDK's operations, parameters, fields, types and events, nothing of the
//! resources not asked for, and a TODO for everything the SDK cannot know.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdk-scaffold")
}

fn scaffold(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("import-sdk")
        .arg(fixture())
        .args([
            "--scaffold",
            "im-note",
            "message",
            "message_reaction",
            "image",
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("xtask runs")
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The draft with only the placeholders the format rejects filled (as a maintainer would first).
fn filled(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace("doc_url: TODO", "doc_url: https://open.feishu.cn/x")
                .replace("scopes: []", "scopes: [\"im:message\"]")
                .replace("app_types: []", "app_types: [custom]");
            (k.clone(), v)
        })
        .collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|v| v[key].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn the_draft_loads_once_filled_and_holds_what_the_sdk_says() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("im-note");
    let stderr = ok(&scaffold(&out, &[]));

    let files = lark_codegen::read_spec_dir(&out).unwrap();
    let mut listed: Vec<&str> = files.keys().map(String::as_str).collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "api.yaml",
            "errors.yaml",
            "events.yaml",
            "handles.yaml",
            "operations/image.yaml",
            "operations/message.yaml",
            "operations/message_reaction.yaml",
            "types.yaml",
        ]
    );
    // As drafted, the generator refuses it: the placeholders cannot be shipped by mistake.
    let refused = lark_codegen::load_ir(&files).unwrap_err().to_string();
    assert!(
        refused.contains("doc_url must be an https:// link"),
        "{refused}"
    );
    assert!(refused.contains("at least one scope"), "{refused}");

    let api = lark_codegen::load_ir(&filled(&files)).unwrap_or_else(|e| panic!("{e}"));
    let spec = lark_codegen::spec_json::to_json(&api);
    let ops = &spec["operations"];
    assert_eq!(
        names(ops, "id"),
        [
            "image.create",
            "image.get",
            "message.create",
            "message.delete",
            "message.get",
            "message.list",
            "message.reply",
            "message_reaction.create",
            "message_reaction.delete",
        ]
    );
    let op = |id: &str| {
        ops.as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap()
            .clone()
    };
    let create = op("message.create");
    assert_eq!(create["method"], "POST");
    assert_eq!(create["path"], "/open-apis/im/v1/messages");
    assert_eq!(create["tokens"], serde_json::json!(["tenant", "user"]));
    assert_eq!(names(&create["query"], "name"), ["receive_id_type"]);
    assert_eq!(
        names(&create["body"], "name"),
        ["receive_id", "msg_type", "content", "uuid"]
    );
    assert_eq!(
        names(&create["response"], "name"),
        ["message_id", "create_time", "sender", "body", "mentions"]
    );
    let mentions = &create["response"][4];
    assert_eq!(mentions["type"], "array");
    assert_eq!(
        names(&mentions["items"]["fields"], "name"),
        ["key", "id", "name"]
    );
    let list = op("message.list");
    assert_eq!(list["paginated"], true);
    let types: Vec<&str> = list["query"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["string", "integer", "string", "boolean"]);
    let delete = op("message_reaction.delete");
    assert_eq!(
        names(&delete["path_params"], "name"),
        ["message_id", "reaction_id"]
    );
    assert_eq!(op("image.get")["tokens"], serde_json::json!(["tenant"]));

    // Handles follow the paths; actions (`reply`) sit on their resource's handle.
    let handles = &files["handles.yaml"];
    for line in [
        "  message: {params: [message_id], doc: TODO}",
        "  message.reaction: {params: [reaction_id], doc: TODO}",
        "  message.reactions: {doc: TODO}",
        "  messages: {doc: TODO}",
        "  images: {doc: TODO}",
    ] {
        assert!(handles.contains(line), "{line}\n{handles}");
    }
    assert!(files["operations/message.yaml"]
        .contains("path: /open-apis/im/v1/messages/:message_id/reply\n    handle: message\n"));

    // Events of the chosen resources only; the one the dispatcher does not name is guessed, and said so.
    assert_eq!(
        names(&spec["events"], "event_type"),
        [
            "im.message.reaction.created_v1",
            "im.message.recalled_v1",
            "im.message.receive_v1",
        ]
    );
    assert!(files["events.yaml"]
        .contains("  im.message.recalled_v1:  # TODO(scaffold): guessed from the SDK's file name"));
    // Nested classes become types; the unchosen resource's do not.
    let structs: Vec<&str> = api.structs.iter().map(|s| s.name.as_str()).collect();
    for t in [
        "Emoji",
        "EventMessage",
        "Mention",
        "Message",
        "MessageBody",
        "Sender",
        "UserId",
    ] {
        assert!(structs.contains(&t), "{t}: {structs:?}");
    }
    assert!(!structs.contains(&"Pin"), "{structs:?}");

    // What the SDK cannot know is marked, and counted per kind.
    let all: String = files.values().cloned().collect();
    for marker in [
        "summary: TODO  # TODO(scaffold)",
        "overview: {title: TODO, section: TODO}  # TODO(scaffold)",
        "tokens: [tenant]  # TODO(scaffold): the SDK also lists [app]",
        "image: {type: string, doc: TODO}  # TODO(scaffold): a file (IO[Any])",
        "response: {empty: true}  # TODO(scaffold): the response is the file itself",
        "create_time: {type: integer, doc: TODO}  # TODO(scaffold): int in the SDK",
        "extra: {type: json, doc: TODO}  # TODO(scaffold): a map",
        "# TODO(scaffold): required flags and limits below are unknown",
    ] {
        assert!(all.contains(marker), "{marker}");
    }
    assert!(
        !all.contains("required: true, doc: TODO}  #"),
        "path params need no TODO"
    );
    let errors = &files["errors.yaml"];
    assert!(errors.contains("99991400: {name: rate_limited"), "{errors}");
    assert!(
        !errors.contains("232001"),
        "chat codes are not copied: {errors}"
    );
    for line in [
        "9 operations (",
        "3 events (",
        "     12  summary",
        "     12  overview",
        "      1  tokens",
        "      2  file transfer",
        "      1  event type",
        "the draft loads with the generator once doc_url, scopes and app_types are filled",
    ] {
        assert!(stderr.contains(line), "{line}\n{stderr}");
    }
}

#[test]
fn existing_files_are_kept_unless_forced_and_unknown_resources_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("im-note");
    ok(&scaffold(&out, &[]));
    let api = out.join("api.yaml");
    std::fs::write(&api, "name: im-note\ntitle: Notes, filled by hand\n").unwrap();

    let stderr = ok(&scaffold(&out, &[]));
    assert!(
        stderr.contains("kept (exists; --force overwrites): api.yaml"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&api).unwrap().contains("by hand"));
    ok(&scaffold(&out, &["--force"]));
    assert!(std::fs::read_to_string(&api)
        .unwrap()
        .contains("title: TODO"));

    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("import-sdk")
        .arg(fixture())
        .args(["--scaffold", "im-note", "messages"])
        .arg("--out")
        .arg(tmp.path().join("other"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no resource `messages`; known: image, message, message_reaction, pin"),
        "{stderr}"
    );
    assert!(!tmp.path().join("other").exists());
}
