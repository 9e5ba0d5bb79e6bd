//! The normalized spec (the JSON `cargo xtask spec-json` prints, documented in spec/README.md) as
//! the maintainer tools read it: `decode` walks samples against it and `spec-diff` compares two of
//! them. Reading the normalized form, not the generator's IR, keeps these tools independent of the
//! generator's internals.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The normalized spec of the spec files in `files` (relative path -> YAML text).
pub fn from_files(files: &BTreeMap<String, String>) -> Result<Value, String> {
    let api = lark_codegen::load_ir(files).map_err(|e| e.to_string())?;
    Ok(lark_codegen::spec_json::to_json(&api))
}

/// The normalized spec of the spec folder `dir`.
pub fn from_dir(dir: &Path) -> Result<Value, String> {
    from_files(&lark_codegen::read_spec_dir(dir).map_err(|e| e.to_string())?)
}

/// The items of one list of the spec (`operations`, `events`).
pub fn items<'a>(spec: &'a Value, list: &str) -> &'a [Value] {
    spec[list].as_array().map_or(&[], Vec::as_slice)
}

/// The operation with spec id `id`.
pub fn operation<'a>(spec: &'a Value, id: &str) -> Option<&'a Value> {
    items(spec, "operations").iter().find(|o| o["id"] == id)
}

/// The event of type `event_type`.
pub fn event<'a>(spec: &'a Value, event_type: &str) -> Option<&'a Value> {
    items(spec, "events")
        .iter()
        .find(|e| e["event_type"] == event_type)
}

/// The field nodes of a node list (`response`, `fields`, `query`, …): `{name, type, required,
/// enum?, fields?, items?}`.
pub fn fields(list: &Value) -> &[Value] {
    list.as_array().map_or(&[], Vec::as_slice)
}

/// `parent.name`, or `name` at the top.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}
