//! What the tests measured, for `cargo xtask coverage`: both sides of the record live here.
//!
//! The writer side: tests call [`record_operation`] after an operation went over HTTP to a test
//! server and its request was checked, [`record_request`] for each request such a server received
//! (xtask maps method and path to the operation), and [`record_event`] after an event body was
//! decoded into its typed event. Nothing is recorded unless [`DIR_ENV`] names a directory.
//!
//! The reader side: `cargo xtask coverage` and `cargo xtask check` call [`start_run`] (which
//! empties the directory and returns the environment for the test step), [`finish_run`] once the
//! tests passed, and [`read`], which only accepts what that very run recorded.
//!
//! Each test process appends one JSON [`Line`] per record to `<dir>/<test-binary>-<pid>.jsonl`;
//! both sides use the same type, so the format is defined once.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directory the records go to; unset: nothing is recorded.
pub const DIR_ENV: &str = "LARK_COVERAGE_RECORD";
/// Id of the run that asked for the record; copied into every line.
pub const RUN_ENV: &str = "LARK_COVERAGE_RUN";
/// File in the record directory holding the id of the run that owns it.
const RUN_FILE: &str = "RUN";
/// Written (with the run id) once the test run that owns the record passed.
const PASSED_FILE: &str = "PASSED";

/// What one record line says was exercised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// An operation (spec id, e.g. `chat.get`) was sent over HTTP and its request checked.
    Operation {
        /// Spec id.
        id: String,
    },
    /// A test HTTP server received this request.
    Request {
        /// `GET`, `POST`, …
        method: String,
        /// Concrete path, e.g. `/open-apis/im/v1/chats/oc_1`.
        path: String,
    },
    /// An event of this type was decoded into its typed event.
    Event {
        /// E.g. `im.chat.updated_v1`.
        event_type: String,
    },
}

/// One line of a record file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Id of the run that asked for the record ([`RUN_ENV`]).
    pub run: String,
    /// `<test-binary>::<test name>` that wrote it.
    pub test: String,
    /// What was exercised.
    #[serde(flatten)]
    pub entry: Entry,
}

static LOCK: Mutex<()> = Mutex::new(());

/// An operation (spec id, e.g. `chat.get`) was sent over HTTP and its request checked.
pub fn record_operation(id: &str) {
    write(Entry::Operation { id: id.into() });
}

/// A test HTTP server received this request (`GET`, `/open-apis/im/v1/chats/oc_1`).
pub fn record_request(method: &str, path: &str) {
    write(Entry::Request {
        method: method.into(),
        path: path.into(),
    });
}

/// An event of this type (e.g. `im.chat.updated_v1`) was decoded into its typed event.
pub fn record_event(event_type: &str) {
    write(Entry::Event {
        event_type: event_type.into(),
    });
}

/// Whether records are being kept (the tests may skip work otherwise).
pub fn enabled() -> bool {
    std::env::var_os(DIR_ENV).is_some_and(|d| !d.is_empty())
}

fn write(entry: Entry) {
    let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let exe = std::env::current_exe().ok();
    let binary = exe
        .as_deref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| "test".to_owned(), |s| s.to_string_lossy().into_owned());
    // `client_basic-bc05459055a29e76` -> `client_basic`.
    let binary = match binary.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name.to_owned()
        }
        _ => binary,
    };
    let test = std::thread::current().name().unwrap_or("").to_owned();
    let line = Line {
        run: std::env::var(RUN_ENV).unwrap_or_default(),
        test: format!("{binary}::{test}"),
        entry,
    };
    let file = dir.join(format!("{binary}-{}.jsonl", std::process::id()));
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let result = serde_json::to_string(&line)
        .map_err(std::io::Error::other)
        .and_then(|text| {
            std::fs::create_dir_all(&dir)?;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)?
                .write_all(format!("{text}\n").as_bytes())
        });
    // A record that cannot be written must not pass silently: coverage would drop unnoticed.
    if let Err(e) = result {
        panic!("coverage record {}: {e}", file.display());
    }
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
    /// Spec ids of operations whose request was checked.
    pub operations: BTreeSet<String>,
    /// (method, concrete path) of requests test servers received.
    pub requests: BTreeSet<(String, String)>,
    /// Event types decoded.
    pub events: BTreeSet<String>,
    /// Lines left by another run (ignored).
    pub foreign: usize,
}

/// Reads the record of the run that owns `dir`; fails when that run did not pass, and names file
/// and line of anything unreadable.
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
        for (n, text) in text.lines().enumerate() {
            let line: Line = serde_json::from_str(text)
                .map_err(|e| format!("{}:{}: {e}: {text}", file.display(), n + 1))?;
            if line.run != run.trim() {
                record.foreign += 1;
                continue;
            }
            match line.entry {
                Entry::Operation { id } => {
                    record.operations.insert(id);
                }
                Entry::Request { method, path } => {
                    record.requests.insert((method, path));
                }
                Entry::Event { event_type } => {
                    record.events.insert(event_type);
                }
            }
        }
    }
    Ok(record)
}

#[cfg(test)]
mod tests;
