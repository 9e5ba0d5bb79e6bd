//! JSON values as the plain text docs and examples print.

/// A string without its quotes; any other value as JSON.
pub fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
