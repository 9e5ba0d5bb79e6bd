//! Where the record the tests write lives, and how a recorded request maps to an operation. The
//! record itself (format, writer, reader) is the `coverage-record` crate, shared with the tests.

pub use coverage_record::{finish_run, read, start_run, Record};
use std::path::PathBuf;

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
