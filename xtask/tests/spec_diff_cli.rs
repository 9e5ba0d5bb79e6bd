//! `cargo xtask spec-diff` as maintainers and tools run it: Markdown by default, one JSON document
//! with `--json`, errors naming a bad revision.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn spec_diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .args(args)
        .output()
        .expect("xtask runs")
}

#[test]
fn json_lists_each_change_with_its_class_and_counts() {
    let (old, new) = (fixture("spec-two-ops"), fixture("spec-diff/breaking"));
    let out = spec_diff(&["--old", &old, "--new", &new, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(report["counts"]["breaking"], changes.len());
    assert_eq!(report["counts"]["additive"], 0);
    assert!(changes.iter().any(|c| c["class"] == "breaking"
        && c["item"] == "chat.create"
        && c["path"] == "body.owner_id"));

    let out = spec_diff(&["--old", &old, "--new", &fixture("spec-diff/additive")]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("### Additive\n"), "{md}");
    assert!(
        md.contains("- `chat.get` `data.description`: added\n"),
        "{md}"
    );
}

#[test]
fn a_bad_revision_or_flag_fails_naming_it() {
    let out = spec_diff(&["no-such-revision-here"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-revision-here"));
    let out = spec_diff(&["--jsn"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--jsn"));
}
