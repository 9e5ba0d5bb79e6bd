//! What the tests measured, for `cargo xtask coverage`.
//!
//! Tests call [`record_operation`] after an operation went over HTTP to a test server and its
//! request was checked, [`record_request`] for each request such a server received (xtask maps
//! method and path to the operation), and [`record_event`] after an event body was decoded into its
//! typed event. Nothing is recorded unless `LARK_COVERAGE_RECORD` names a directory: `cargo xtask
//! coverage` and `cargo xtask check` set it (and `LARK_COVERAGE_RUN`, the id of their run) for the
//! test step, after emptying the directory, so the report only ever reads what that very test run
//! recorded.
//!
//! Each test process appends JSON lines to `<dir>/<test-binary>-<pid>.jsonl`:
//! `{"run":"…","test":"…","kind":"operation","id":"chat.get"}`,
//! `{"run":"…","test":"…","kind":"request","method":"GET","path":"/open-apis/im/v1/chats/oc_1"}`,
//! `{"run":"…","test":"…","kind":"event","event_type":"im.chat.updated_v1"}`.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

/// Directory the records go to; unset: nothing is recorded.
pub const DIR_ENV: &str = "LARK_COVERAGE_RECORD";
/// Id of the run that asked for the record; copied into every line.
pub const RUN_ENV: &str = "LARK_COVERAGE_RUN";

static LOCK: Mutex<()> = Mutex::new(());

/// An operation (spec id, e.g. `chat.get`) was sent over HTTP and its request checked.
pub fn record_operation(id: &str) {
    write(serde_json::json!({"kind": "operation", "id": id}));
}

/// A test HTTP server received this request (`GET`, `/open-apis/im/v1/chats/oc_1`).
pub fn record_request(method: &str, path: &str) {
    write(serde_json::json!({"kind": "request", "method": method, "path": path}));
}

/// An event of this type (e.g. `im.chat.updated_v1`) was decoded into its typed event.
pub fn record_event(event_type: &str) {
    write(serde_json::json!({"kind": "event", "event_type": event_type}));
}

/// Whether records are being kept (the tests may skip work otherwise).
pub fn enabled() -> bool {
    std::env::var_os(DIR_ENV).is_some_and(|d| !d.is_empty())
}

fn write(mut line: serde_json::Value) {
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
    line["run"] = std::env::var(RUN_ENV).unwrap_or_default().into();
    line["test"] = format!("{binary}::{test}").into();
    let text = format!("{line}\n");
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let file = dir.join(format!("{binary}-{}.jsonl", std::process::id()));
    let result = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)?
            .write_all(text.as_bytes())
    });
    // A record that cannot be written must not pass silently: coverage would drop unnoticed.
    if let Err(e) = result {
        panic!("coverage record {}: {e}", file.display());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_json_lines_only_when_asked() {
        let dir = std::env::temp_dir().join(format!("coverage-record-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::env::remove_var(super::DIR_ENV);
        assert!(!super::enabled());
        super::record_operation("chat.get");
        assert!(!dir.exists());

        std::env::set_var(super::DIR_ENV, &dir);
        std::env::set_var(super::RUN_ENV, "run-1");
        super::record_operation("chat.get");
        super::record_request("GET", "/open-apis/im/v1/chats/oc_1");
        super::record_event("im.chat.updated_v1");
        std::env::remove_var(super::DIR_ENV);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["kind"], "operation");
        assert_eq!(lines[0]["id"], "chat.get");
        assert_eq!(lines[1]["path"], "/open-apis/im/v1/chats/oc_1");
        assert_eq!(lines[2]["event_type"], "im.chat.updated_v1");
        assert!(lines.iter().all(|l| l["run"] == "run-1"));
        assert!(lines[0]["test"]
            .as_str()
            .unwrap()
            .ends_with("records_json_lines_only_when_asked"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
