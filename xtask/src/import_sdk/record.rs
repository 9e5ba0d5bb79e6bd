//! `spec/catalog/lark-oapi.yaml`: what `import-sdk --write` recorded. One type for the writer
//! (import-sdk) and the reader (coverage).

use super::compare::Comparison;
use super::parse::Sdk;
use crate::normalized;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// File name in `spec/catalog/`.
pub const FILE: &str = "lark-oapi.yaml";

/// How one operation or event compares with the SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemStatus {
    /// Whether the SDK has the item at all.
    pub matched: bool,
    /// Unacknowledged differences.
    pub drift: usize,
    /// Acknowledged differences.
    pub acknowledged: usize,
}

/// The recorded import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub package: String,
    pub version: String,
    /// SHA-256 over the files read (name, NUL, bytes, NUL; sorted by name).
    pub sha256: String,
    /// Operation ids and event types.
    pub items: BTreeMap<String, ItemStatus>,
}

impl Record {
    pub fn of(sdk: &Sdk, spec: &serde_json::Value, cmp: &Comparison) -> Record {
        let mut bytes = Vec::new();
        for (name, data) in &sdk.files {
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(data);
            bytes.push(0);
        }
        let ids = normalized::items(spec, "operations")
            .iter()
            .map(|o| &o["id"])
            .chain(
                normalized::items(spec, "events")
                    .iter()
                    .map(|e| &e["event_type"]),
            )
            .filter_map(|v| v.as_str());
        let items = ids
            .map(|id| {
                let count =
                    |list: &[super::compare::Drift]| list.iter().filter(|d| d.item == id).count();
                let matched = !cmp
                    .drift
                    .iter()
                    .chain(&cmp.acknowledged)
                    .any(|d| d.item == id && d.kind == "unmatched" && d.path.is_empty());
                let status = ItemStatus {
                    matched,
                    drift: count(&cmp.drift),
                    acknowledged: count(&cmp.acknowledged),
                };
                (id.to_owned(), status)
            })
            .collect();
        Record {
            package: "lark-oapi".into(),
            version: sdk.version.clone(),
            sha256: crate::import_doc::catalog::sha256_hex(&bytes),
            items,
        }
    }

    pub fn render(&self) -> Result<String, String> {
        let body = serde_yaml_ng::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# The official Python SDK as read by `cargo xtask import-sdk --write`. Generated: do not edit.\n{body}"
        ))
    }

    /// The record in `catalog_dir`, if an import was recorded.
    pub fn read(catalog_dir: &Path) -> Result<Option<Record>, String> {
        let path = catalog_dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_yaml_ng::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}
