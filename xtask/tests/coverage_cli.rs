//! `cargo xtask coverage` on a fixture spec with an untested operation and an untested event: the
//! report measures both as ✗, and `--check`, the one completeness gate, fails naming them.

use coverage_record::{Entry, Line};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A passed test run's record in `dir` holding `entries`.
fn record(dir: &Path, entries: Vec<Entry>) {
    let env = coverage_record::start_run(dir).expect("record starts");
    let run = env
        .iter()
        .find(|(k, _)| k == coverage_record::RUN_ENV)
        .expect("a run id")
        .1
        .clone();
    let lines: Vec<String> = entries
        .into_iter()
        .map(|entry| {
            serde_json::to_string(&Line {
                run: run.clone(),
                test: "fixture::test".into(),
                entry,
            })
            .expect("a line serializes")
        })
        .collect();
    std::fs::write(dir.join("fixture-1.jsonl"), lines.join("\n") + "\n").expect("record written");
    coverage_record::finish_run(dir).expect("record finished");
}

#[test]
fn an_untested_operation_is_a_gap_that_check_names() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-two-ops");
    let tmp = tempfile::tempdir().unwrap();
    let (gen, rec, reports) = (
        tmp.path().join("gen"),
        tmp.path().join("rec"),
        tmp.path().join("reports"),
    );
    let out = xtask(&[
        "codegen",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        gen.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    record(
        &rec,
        vec![
            Entry::Request {
                method: "GET".into(),
                path: "/open-apis/im/v1/chats/oc_1".into(),
            },
            Entry::Event {
                event_type: "im.chat.disbanded_v1".into(),
            },
        ],
    );
    let dirs = [
        "--from-record",
        "--record",
        rec.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--generated",
        gen.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
    ];

    // Measuring succeeds and shows the gap.
    let out = xtask(&[&["coverage", "--format", "json"], &dirs[..]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout is not one JSON document:\n{}",
            text(&out.stdout)
        )
    });
    let tested: Vec<(&str, bool)> = report["families"][0]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o["e2e_tested"] == true))
        .collect();
    assert_eq!(tested, [("chat.create", false), ("chat.get", true)]);
    assert!(reports.join("coverage.md").is_file());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("operation chat.create: not e2e tested"),
        "{stderr}"
    );

    // The gate fails naming each gap, even though the report it compares with is the same.
    let out = xtask(&[&["coverage", "--check"], &dirs[..]].concat());
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("operation chat.create: not e2e tested"),
        "{stderr}"
    );
    assert!(
        stderr.contains("event im.chat.updated_v1: not decode tested"),
        "{stderr}"
    );
    assert!(!stderr.contains("chat.get:"), "{stderr}");

    // Once both are tested, the gate passes (coverage rose: reported, not a failure).
    record(
        &rec,
        vec![
            Entry::Operation {
                id: "chat.get".into(),
            },
            Entry::Operation {
                id: "chat.create".into(),
            },
            Entry::Event {
                event_type: "im.chat.disbanded_v1".into(),
            },
            Entry::Event {
                event_type: "im.chat.updated_v1".into(),
            },
        ],
    );
    let out = xtask(&[&["coverage", "--check"], &dirs[..]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// A stand-in for `cargo test` (xtask runs `$CARGO`): prints what a test run prints on stdout and
/// stderr and records one operation, the way the real tests do through `coverage-record`.
const FAKE_CARGO: &str = r#"#!/bin/sh
echo "running 1 test"
echo "test every_operation_end_to_end ... ok"
echo "   Compiling lark-im-chat" >&2
printf '{"run":"%s","test":"fake::t","kind":"operation","id":"chat.get"}\n' "$LARK_COVERAGE_RUN" \
  > "$LARK_COVERAGE_RECORD/fake-1.jsonl"
"#;

#[test]
fn json_output_is_the_only_thing_on_stdout_while_the_tests_run() {
    use std::os::unix::fs::PermissionsExt as _;
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-two-ops");
    let tmp = tempfile::tempdir().unwrap();
    let cargo = tmp.path().join("fake-cargo");
    std::fs::write(&cargo, FAKE_CARGO).unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let gen = tmp.path().join("gen");
    assert!(xtask(&[
        "codegen",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        gen.to_str().unwrap()
    ])
    .status
    .success());
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("CARGO", &cargo)
        .args(["coverage", "--format", "json", "--record"])
        .arg(tmp.path().join("rec"))
        .arg("--spec")
        .arg(&spec)
        .arg("--generated")
        .arg(&gen)
        .arg("--reports")
        .arg(tmp.path().join("reports"))
        .output()
        .expect("xtask runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout is not one JSON document:\n{}",
            text(&out.stdout)
        )
    });
    assert_eq!(report["totals"]["operations"]["e2e_tested"], 1);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("test every_operation_end_to_end ... ok"),
        "{stderr}"
    );
    assert!(stderr.contains("Compiling lark-im-chat"), "{stderr}");
}
