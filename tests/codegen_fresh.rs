//! The checked-in generated code matches the spec, and generation is deterministic and free of
//! machine-specific text.

mod support;

use lark_codegen::{Mode, SyncReport};
use std::path::Path;

fn describe(report: &SyncReport, root: &Path) -> String {
    let show = |p: &std::path::PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut out = String::new();
    for p in &report.changed {
        out.push_str(&format!("  changed: {}\n", show(p)));
    }
    for p in &report.missing {
        out.push_str(&format!("  missing: {}\n", show(p)));
    }
    for p in &report.stale {
        out.push_str(&format!("  no longer generated: {}\n", show(p)));
    }
    out
}

/// The same check as `cargo xtask codegen --check`.
#[test]
fn checked_in_code_is_fresh() {
    let generated =
        lark_codegen::generate_dir(&support::spec_dir()).unwrap_or_else(|e| panic!("{e}"));
    let report = lark_codegen::sync(&support::gen_dir(), &generated.files, Mode::Check)
        .expect("lark-im-chat/src/generated is readable");
    assert!(
        report.is_fresh(),
        "generated code is stale; run `cargo xtask codegen` and commit the result:\n{}",
        describe(&report, &support::workspace_root())
    );
}

/// Check mode changes nothing, and reports every kind of difference.
#[test]
fn check_mode_reports_without_writing() {
    let generated = lark_codegen::generate_dir(&support::fixture_dir("pagination")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = lark_codegen::sync(dir.path(), &generated.files, Mode::Check).unwrap();
    assert_eq!(report.missing.len(), generated.files.len());
    assert!(
        support::read_tree(dir.path()).is_empty(),
        "check mode wrote files"
    );

    lark_codegen::sync(dir.path(), &generated.files, Mode::Write).unwrap();
    std::fs::write(dir.path().join("shared.rs"), "// edited by hand\n").unwrap();
    std::fs::write(
        dir.path().join("ops/old_group.rs"),
        "// no longer generated\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not Rust: left alone\n").unwrap();
    let report = lark_codegen::sync(dir.path(), &generated.files, Mode::Check).unwrap();
    assert_eq!(
        describe(&report, dir.path()),
        "  changed: shared.rs\n  no longer generated: ops/old_group.rs\n"
    );

    // Write mode repairs it; a second write finds nothing to do.
    lark_codegen::sync(dir.path(), &generated.files, Mode::Write).unwrap();
    let again = lark_codegen::sync(dir.path(), &generated.files, Mode::Write).unwrap();
    assert!(again.is_fresh(), "{again:?}");
    assert!(dir.path().join("notes.txt").exists());
    assert!(!dir.path().join("ops/old_group.rs").exists());
}

/// Two runs on the same spec give the same bytes, in memory and on disk.
#[test]
fn generation_is_deterministic() {
    let spec = support::spec_dir();
    let first = lark_codegen::generate_dir(&spec).unwrap();
    let second = lark_codegen::generate_dir(&spec).unwrap();
    assert_eq!(first, second);

    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    lark_codegen::sync(one.path(), &first.files, Mode::Write).unwrap();
    lark_codegen::sync(two.path(), &second.files, Mode::Write).unwrap();
    let (a, b) = (
        support::read_tree(one.path()),
        support::read_tree(two.path()),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs between two runs");
    }
    // What was written is exactly the generated text, nothing more (no temporary files left).
    let written: Vec<&String> = a.keys().collect();
    let generated: Vec<&String> = first.files.keys().collect();
    assert_eq!(written, generated);
    for (path, text) in &first.files {
        assert!(
            a[path] == text.as_bytes(),
            "{path} on disk is not the generated text"
        );
    }
}

/// The spec's order of files in memory does not matter, and the same spec read from another
/// directory generates the same text: nothing depends on where the spec lives.
#[test]
fn output_does_not_depend_on_the_spec_location() {
    let files = lark_codegen::read_spec_dir(&support::spec_dir()).unwrap();
    let copy = tempfile::tempdir().unwrap();
    for (rel, text) in &files {
        let path = copy.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let here = lark_codegen::generate_dir(&support::spec_dir()).unwrap();
    let there = lark_codegen::generate_dir(copy.path()).unwrap();
    assert_eq!(here, there);
}

/// Headers carry no timestamp and no machine path; only the spec's hash identifies the input.
#[test]
fn header_has_no_timestamp_or_path() {
    let out = tempfile::tempdir().unwrap();
    let tmp = out.path().to_string_lossy().into_owned();
    let root = support::workspace_root().to_string_lossy().into_owned();
    let mut generated = lark_codegen::generate_dir(&support::spec_dir())
        .unwrap()
        .files;
    for fixture in support::FIXTURES {
        let fixture_files = lark_codegen::generate_dir(&support::fixture_dir(fixture)).unwrap();
        for (path, text) in fixture_files.files {
            generated.insert(format!("{fixture}/{path}"), text);
        }
    }
    lark_codegen::sync(out.path(), &generated, Mode::Write).unwrap();
    for (path, bytes) in support::read_tree(out.path()) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("/work"), "{path} names a machine path");
        assert!(!text.contains(&root), "{path} names the workspace path");
        assert!(!text.contains(&tmp), "{path} names the output directory");
        // The header is exactly these lines: any new one (a date, a path, a version) must be
        // looked at here first.
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with("// ")).collect();
        let expected = [
            "// @generated by lark-codegen from a YAML spec: do not edit by hand.",
            "// Regenerate with `cargo xtask codegen` (the proc-macro front end regenerates on build).",
        ];
        let mut rest = &header[..];
        assert!(rest.starts_with(&expected), "{path}: {header:?}");
        rest = &rest[expected.len()..];
        if path.ends_with("mod.rs") && !path.ends_with("ops/mod.rs") {
            let hash = rest[0]
                .strip_prefix("// Spec SHA-256: ")
                .unwrap_or_else(|| panic!("{path}: {header:?}"));
            assert!(
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
                "{path}: {header:?}"
            );
            rest = &rest[1..];
        }
        assert_eq!(rest.len(), 1, "{path}: {header:?}");
        assert!(rest[0].starts_with("// Contents: "), "{path}: {header:?}");
    }
}
