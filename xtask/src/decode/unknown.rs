//! What a sample body carries that the spec does not know: JSON paths absent from the spec and
//! enum values the spec does not list. The generated types decode such bodies without a word
//! (unknown fields are ignored, unknown enum values kept), so this is how a maintainer sees them.

use crate::normalized::{self, join};
use lark_runtime::events::{EVENT_V1_KEYS, EVENT_V2_HEADER_KEYS, EVENT_V2_KEYS};
use lark_runtime::http::RESPONSE_ENVELOPE_KEYS as RESPONSE_KEYS;
use serde_json::{Map, Value};
use std::fmt;

/// One thing the spec does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// A JSON path (`data.items[].brand_new`) the spec does not have.
    Field(String),
    /// A value of an enum field the spec does not list.
    Value { path: String, value: Value },
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::Field(path) => write!(f, "unknown field: {path}"),
            Unknown::Value { path, value } => write!(f, "unknown value: {path} = {value}"),
        }
    }
}

/// Everything in `sample` (a response body of operation `what`, or a callback body of event type
/// `what`) that the normalized `spec` does not know, objects in key order, each path and value
/// once.
pub fn unknowns(spec: &Value, what: &str, sample: &Value) -> Result<Vec<Unknown>, String> {
    let mut out = Found::default();
    if let Some(op) = normalized::operation(spec, what) {
        let top = object(sample, "the response body")?;
        out.keys(top, RESPONSE_KEYS, "");
        if let Some(data) = top.get("data") {
            out.node_fields(normalized::fields(&op["response"]), data, "data");
        }
    } else if let Some(ev) = normalized::event(spec, what) {
        let top = object(sample, "the callback body")?;
        if ev["schema"] == "1.0" {
            out.keys(top, EVENT_V1_KEYS, "");
        } else {
            out.keys(top, EVENT_V2_KEYS, "");
            if let Some(Value::Object(header)) = top.get("header") {
                out.keys(header, EVENT_V2_HEADER_KEYS, "header");
            }
        }
        if let Some(event) = top.get("event") {
            out.node_fields(normalized::fields(&ev["fields"]), event, "event");
        }
    } else {
        return Err(format!(
            "`{what}` is neither an operation id nor an event type of the spec"
        ));
    }
    Ok(out.0)
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))
}

#[derive(Default)]
struct Found(Vec<Unknown>);

impl Found {
    fn push(&mut self, u: Unknown) {
        if !self.0.contains(&u) {
            self.0.push(u);
        }
    }

    /// Keys of `obj` outside `known` (an envelope).
    fn keys(&mut self, obj: &Map<String, Value>, known: &[&str], path: &str) {
        for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            self.push(Unknown::Field(join(path, key)));
        }
    }

    /// `value` at `path` against an object whose fields are `fields`.
    fn node_fields(&mut self, fields: &[Value], value: &Value, path: &str) {
        let Value::Object(obj) = value else {
            return;
        };
        for (key, v) in obj {
            let here = join(path, key);
            match fields.iter().find(|f| f["name"] == key.as_str()) {
                Some(node) => self.node(node, v, &here),
                None => self.push(Unknown::Field(here)),
            }
        }
    }

    /// `value` at `path` against one field node.
    fn node(&mut self, node: &Value, value: &Value, path: &str) {
        if value.is_null() {
            return;
        }
        if let Some(values) = node["enum"].as_array() {
            if !values.contains(value) {
                self.push(Unknown::Value {
                    path: path.to_owned(),
                    value: value.clone(),
                });
            }
        } else if let Some(fields) = node["fields"].as_array() {
            self.node_fields(fields, value, path);
        } else if let (Some(items), Value::Array(list)) = (node.get("items"), value) {
            let path = format!("{path}[]");
            for item in list {
                self.node(items, item, &path);
            }
        }
        // Any other node (a scalar, a free-form `object` without `fields`) knows every value.
    }
}
