//! `spec/<family>/catalog/overview-acknowledged.yaml`: items on only one side of a family's
//! overview page on purpose, each with its reason. Hand-written; `import-doc` lists them apart
//! instead of as drift, and reports an entry that no longer matches anything.

use serde::Deserialize;
use std::path::Path;

/// File of the hand-written acknowledgements, in `spec/<family>/catalog/`.
pub const FILE: &str = "overview-acknowledged.yaml";

/// One item on only one side, on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffPage {
    /// `added` (on the page, not in the spec) or `not_on_page` (in the spec, not on this page).
    pub kind: String,
    /// `operation` or `event`.
    pub item: String,
    /// `METHOD /path` of an operation, or the event type, as import-doc reports it.
    pub key: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    acknowledged: Vec<OffPage>,
}

/// The acknowledgements of the spec at `spec_dir` (none when the file is absent). An entry of an
/// unknown kind or item, or without a reason, is an error naming it.
pub fn read(spec_dir: &Path) -> Result<Vec<OffPage>, String> {
    let path = spec_dir.join("catalog").join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let file: File =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for (i, a) in file.acknowledged.iter().enumerate() {
        let problem = if !matches!(a.kind.as_str(), "added" | "not_on_page") {
            Some("kind must be `added` or `not_on_page`")
        } else if !matches!(a.item.as_str(), "operation" | "event") {
            Some("item must be `operation` or `event`")
        } else if a.reason.trim().is_empty() {
            Some("a reason is required")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!(
                "{}: entry {} ({} {}): {problem}",
                path.display(),
                i + 1,
                a.item,
                a.key
            ));
        }
    }
    Ok(file.acknowledged)
}
