//! The record the tests write while they run (see the `coverage-record` crate), and its reader.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Same names as `coverage_record::{DIR_ENV, RUN_ENV}` (xtask does not depend on the test helper).
pub const DIR_ENV: &str = "LARK_COVERAGE_RECORD";
pub const RUN_ENV: &str = "LARK_COVERAGE_RUN";
/// File in the record directory holding the id of the run that owns it.
const RUN_FILE: &str = "RUN";
/// Written (with the run id) once the test run that owns the record passed.
const PASSED_FILE: &str = "PASSED";

/// `<target>/coverage-record`.
pub fn default_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::root().join("target"));
    let target = if target.is_relative() {
        crate::root().join(target)
    } else {
        target
    };
    target.join("coverage-record")
}

/// Empties `dir` and starts a new run in it; returns the environment the test step needs.
pub fn start_run(dir: &Path) -> Result<Vec<(String, String)>, String> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let run = format!("{}-{nanos}", std::process::id());
    std::fs::write(dir.join(RUN_FILE), &run).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(vec![
        (DIR_ENV.to_owned(), dir.display().to_string()),
        (RUN_ENV.to_owned(), run),
    ])
}

/// Marks the run that owns `dir` as passed: only a passing run's record is read.
pub fn finish_run(dir: &Path) -> Result<(), String> {
    let run = std::fs::read_to_string(dir.join(RUN_FILE))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join(PASSED_FILE), run).map_err(|e| format!("{}: {e}", dir.display()))
}

/// What one test run recorded.
#[derive(Debug, Default)]
pub struct Record {
    pub operations: BTreeSet<String>,
    /// (method, concrete path) of requests test servers received.
    pub requests: BTreeSet<(String, String)>,
    pub events: BTreeSet<String>,
    /// Lines left by another run (ignored).
    pub foreign: usize,
}

/// Reads the record of the run that owns `dir`.
pub fn read(dir: &Path) -> Result<Record, String> {
    let run = std::fs::read_to_string(dir.join(RUN_FILE)).map_err(|_| {
        format!(
            "no coverage record at {}: run `cargo xtask coverage` (it runs the tests with {DIR_ENV} set)",
            dir.display()
        )
    })?;
    let passed = std::fs::read_to_string(dir.join(PASSED_FILE)).unwrap_or_default();
    if passed != run {
        return Err(format!(
            "the test run that wrote the coverage record at {} did not pass (or is still running)",
            dir.display()
        ));
    }
    let mut record = Record::default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            let bad = |what: &str| format!("{}:{}: {what}: {line}", file.display(), n + 1);
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
            if v["run"].as_str() != Some(run.trim()) {
                record.foreign += 1;
                continue;
            }
            let s = |key: &str| {
                v[key]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(&format!("no {key}")))
            };
            match v["kind"].as_str() {
                Some("operation") => {
                    record.operations.insert(s("id")?);
                }
                Some("request") => {
                    record.requests.insert((s("method")?, s("path")?));
                }
                Some("event") => {
                    record.events.insert(s("event_type")?);
                }
                _ => return Err(bad("unknown kind")),
            }
        }
    }
    Ok(record)
}

/// Whether a concrete path fits a spec path (`:name` matches one segment); the number of literal
/// segments when it does, so the most specific template wins (`/chats/search` over `/chats/:chat_id`).
pub fn match_template(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (t, p) in t.iter().zip(&p) {
        if t.starts_with(':') {
            if p.is_empty() {
                return None;
            }
        } else if t == p {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}
