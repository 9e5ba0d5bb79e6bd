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
    assert_eq!(report["operations_matched"], 2);
    assert_eq!(report["events_matched"], 2);
    assert_eq!(report["drift"], serde_json::json!([]));
    assert_eq!(report["acknowledged"], serde_json::json!([]));
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
