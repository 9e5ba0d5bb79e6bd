//! Helpers shared by the codegen tests (`mod support;` in each test file).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixtures of `tests/codegen_snapshots.rs`, one edge case each.
pub const FIXTURES: &[&str] = &[
    "open_enum",
    "nested_body",
    "path_query",
    "pagination",
    "idempotency",
    "body_idempotency",
    "multipart_download",
    "int64_string",
    "name_collisions",
    "legacy_event",
];

/// The `tests/` package directory.
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    tests_dir()
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The real spec, `spec/`.
pub fn spec_dir() -> PathBuf {
    workspace_root().join("spec/im-chat")
}

/// The checked-in generated code, `lark-im-chat/src/generated/`.
pub fn gen_dir() -> PathBuf {
    workspace_root().join("lark-im-chat/src/generated")
}

/// `tests/fixtures/<name>`.
pub fn fixture_dir(name: &str) -> PathBuf {
    tests_dir().join("fixtures").join(name)
}

/// A fixture's files, in memory.
pub fn read_fixture(name: &str) -> BTreeMap<String, String> {
    lark_codegen::read_spec_dir(&fixture_dir(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Runs `cargo xtask codegen <args>` (through `cargo run`, exactly as the alias does).
pub fn xtask_codegen(args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .current_dir(workspace_root())
        .args(["run", "-q", "-p", "xtask", "--", "codegen"])
        .args(args)
        .output()
        .expect("cannot run cargo")
}

/// Every file below `dir` (relative path with `/` -> bytes).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("below root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}
