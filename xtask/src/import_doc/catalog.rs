//! `--write`: the page's facts as `spec/catalog/<page>.yaml`, with the page's source and hash.
//!
//! The catalog is written by this command only; `lark-codegen` never reads `spec/catalog/`, and
//! hand-written spec files are not touched.

use super::parse::Page;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// A YAML double-quoted scalar (JSON string escapes are valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", items.join(", "))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Renders the catalog file. Deterministic: page order, no timestamps.
pub fn render(page: &Page, page_text: &str, page_name: &str) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# What the official overview page lists, as read by `cargo xtask import-doc --write`.\n\
         # Generated: do not edit. Hand-written facts live in spec/operations/ and spec/events.yaml."
    );
    let _ = writeln!(y, "page: {}", q(page_name));
    let _ = writeln!(
        y,
        "source: {}",
        q(page.source.as_deref().unwrap_or(page_name))
    );
    let _ = writeln!(y, "sha256: {}", q(&sha256_hex(page_text.as_bytes())));
    let _ = writeln!(y, "operations:");
    for op in &page.operations {
        let _ = writeln!(y, "  - method: {}", op.method);
        let _ = writeln!(y, "    path: {}", q(&op.path));
        let _ = writeln!(y, "    title: {}", q(&op.title));
        let _ = writeln!(y, "    section: {}", q(&op.section));
        let _ = writeln!(y, "    doc: {}", q(&op.doc));
        let _ = writeln!(y, "    tokens: {}", list(&op.tokens));
        let _ = writeln!(y, "    scopes: {}", list(&op.scopes));
        let _ = writeln!(y, "    app_types: {}", list(&op.app_types));
    }
    let _ = writeln!(y, "events:");
    for ev in &page.events {
        let _ = writeln!(y, "  - event_type: {}", q(&ev.event_type));
        let _ = writeln!(y, "    title: {}", q(&ev.title));
        let _ = writeln!(y, "    section: {}", q(&ev.section));
        let _ = writeln!(y, "    doc: {}", q(&ev.doc));
        let _ = writeln!(y, "    scopes: {}", list(&ev.scopes));
        let _ = writeln!(y, "    app_types: {}", list(&ev.app_types));
    }
    let _ = writeln!(y, "quirks:");
    for quirk in &page.quirks {
        let _ = writeln!(
            y,
            "  - {{kind: {}, line: {}, text: {}}}",
            quirk.kind,
            quirk.line,
            q(&quirk.text)
        );
    }
    y
}

/// Keys of what the catalogs in `dir` list: (`METHOD /path` of operations, event types).
/// Reads the format [`render`] writes; a missing directory lists nothing.
pub fn read_keys(
    dir: &std::path::Path,
) -> Result<
    (
        std::collections::BTreeSet<String>,
        std::collections::BTreeSet<String>,
    ),
    String,
> {
    let mut ops = std::collections::BTreeSet::new();
    let mut events = std::collections::BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok((ops, events));
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
    {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let unquote = |v: &str| {
            serde_json::from_str::<String>(v.trim()).unwrap_or_else(|_| v.trim().to_owned())
        };
        let mut method: Option<String> = None;
        for line in text.lines() {
            if let Some(m) = line.strip_prefix("  - method: ") {
                method = Some(m.trim().to_owned());
            } else if let (Some(p), Some(m)) = (line.strip_prefix("    path: "), method.take()) {
                ops.insert(format!("{m} {}", unquote(p)));
            } else if let Some(e) = line.strip_prefix("  - event_type: ") {
                events.insert(unquote(e));
            }
        }
    }
    Ok((ops, events))
}
