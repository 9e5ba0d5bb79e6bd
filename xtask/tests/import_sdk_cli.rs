//! `cargo xtask import-sdk` as maintainers and CI run it, on a fixture package written in the
//! SDK's layout: `--json`, `--check`, `--write`.

mod support;
use support::copy_dir;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn import_sdk(args: &[&Path], flags: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("import-sdk")
        .args(args)
        .args(flags)
        .output()
        .expect("xtask runs")
}

#[test]
fn json_check_and_write_on_a_fixture_package() {
    let tmp = tempfile::tempdir().unwrap();
    let (spec, sdk) = (tmp.path().join("spec"), tmp.path().join("sdk"));
    copy_dir(&fixtures().join("spec-two-ops"), &spec);
    copy_dir(&fixtures().join("sdk-two-ops"), &sdk);
    let with_spec = |flags: &[&str]| {
        let mut all = vec!["--spec", spec.to_str().unwrap()];
        all.extend_from_slice(flags);
        import_sdk(&[&sdk], &all)
    };

    let out = with_spec(&["--json", "--check", "--write"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(report["sdk_version"], "9.9.9");
    let family = &report["families"][0];
    assert_eq!(family["family"], "fixture-two-ops");
    assert_eq!(family["operations_matched"], 2);
    assert_eq!(family["events_matched"], 2);
    assert_eq!(family["drift"], serde_json::json!([]));
    assert_eq!(family["acknowledged"], serde_json::json!([]));
    let record = std::fs::read_to_string(spec.join("catalog/lark-oapi.yaml")).unwrap();
    assert!(record.contains("version: 9.9.9"), "{record}");
    assert!(record.contains("sha256: "), "{record}");

    // A field the spec lacks fails --check, naming it, until it is acknowledged.
    let body = sdk.join("lark_oapi/api/im/v1/model/create_chat_response_body.py");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(
        &body,
        text.replace(
            "\"chat_id\": str,",
            "\"chat_id\": str,\n        \"chat_tags\": List[str],",
        ),
    )
    .unwrap();
    let out = with_spec(&["--check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("missing_in_spec chat.create data.chat_tags"),
        "{stdout}"
    );
    std::fs::write(
        spec.join("catalog/sdk-acknowledged.yaml"),
        "acknowledged:\n  - {kind: missing_in_spec, item: chat.create, path: data.chat_tags, reason: fixture}\n",
    )
    .unwrap();
    let out = with_spec(&["--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A folder without the SDK's model files is an error naming it.
    let out = import_sdk(&[tmp.path()], &["--spec", spec.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lark_oapi/api/im/v1/model"));
}

#[test]
fn every_family_is_compared_and_check_names_the_one_that_drifts() {
    let tmp = tempfile::tempdir().unwrap();
    let (sdk, chat, message) = (
        tmp.path().join("sdk"),
        tmp.path().join("chat"),
        tmp.path().join("message"),
    );
    // One package with both families' classes; the chat fixture spec and the real message spec.
    copy_dir(&fixtures().join("sdk-scaffold"), &sdk);
    copy_dir(&fixtures().join("sdk-two-ops"), &sdk);
    copy_dir(&fixtures().join("spec-two-ops"), &chat);
    copy_dir(&fixtures().join("../../../spec/im-message"), &message);
    let specs = [
        "--spec",
        chat.to_str().unwrap(),
        "--spec",
        message.to_str().unwrap(),
    ];
    let out = import_sdk(&[&sdk], &[&specs[..], &["--json", "--check"]].concat());
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let families = report["families"].as_array().unwrap();
    assert_eq!(families.len(), 2);
    assert_eq!(families[0]["drift"], serde_json::json!([]));
    assert_eq!(families[1]["family"], "im-message");
    assert!(families[1]["acknowledged"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["item"] == "message.get" && d["path"] == "data.items[].create_time"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("im-message: "), "{stderr}");
    assert!(!stderr.contains("fixture-two-ops: "), "{stderr}");

    // --write records each family in its own catalog.
    let out = import_sdk(&[&sdk], &[&specs[..], &["--write"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for dir in [&chat, &message] {
        let record = std::fs::read_to_string(dir.join("catalog/lark-oapi.yaml")).unwrap();
        assert!(record.contains("version: 9.9.9"), "{record}");
    }
    let record = std::fs::read_to_string(message.join("catalog/lark-oapi.yaml")).unwrap();
    assert!(record.contains("message.get:"), "{record}");
    assert!(!record.contains("chat.get:"), "{record}");
}
