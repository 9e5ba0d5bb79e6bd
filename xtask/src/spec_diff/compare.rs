//! Item-by-item comparison of two normalized specs, each change classified for the generated Rust
//! API:
//! - `breaking`: code that compiled against the old client may not compile, or a value it relied on
//!   is gone: a removed operation, event, field, parameter, enum value or token type; a new required
//!   input (required inputs are method arguments); any change of a field's type or requiredness; a
//!   changed method, path or event schema.
//! - `additive`: new API that old code does not see: a new operation or event, a new optional input,
//!   a new response or event field (the structs are `#[non_exhaustive]`), a new enum value (the
//!   enums are open), a new token type, pagination added.
//! - `docs`: summaries, documentation links, scopes and app types (metadata, no type changes).

use crate::normalized::{self, join};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// How a change affects the generated Rust API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Breaking,
    Additive,
    Docs,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

/// One change of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    /// Operation id or event type.
    pub item: String,
    /// What changed inside the item: `query.page_size`, `data.items[].name`, `tokens`, … (empty:
    /// the item itself).
    pub path: String,
    /// What happened, for people.
    pub change: String,
}

/// Whether the fields being compared are sent (inputs) or received (outputs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

#[derive(Default)]
struct Changes {
    item: String,
    out: Vec<Change>,
}

impl Changes {
    fn add(&mut self, class: Class, path: &str, change: impl Into<String>) {
        self.out.push(Change {
            class,
            item: self.item.clone(),
            path: path.to_owned(),
            change: change.into(),
        });
    }

    /// A scalar property of the item (`summary`, `method`, …).
    fn property(&mut self, old: &Value, new: &Value, key: &str, class: Class) {
        if old[key] != new[key] {
            self.add(class, key, format!("{} → {}", old[key], new[key]));
        }
    }

    /// A list property (`tokens`, `scopes`): each added and removed entry.
    fn set(&mut self, old: &Value, new: &Value, key: &str, added: Class, removed: Class) {
        let set = |v: &Value| -> BTreeSet<String> {
            normalized::fields(&v[key])
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let (old, new) = (set(old), set(new));
        for v in new.difference(&old) {
            self.add(added, key, format!("{v} added"));
        }
        for v in old.difference(&new) {
            self.add(removed, key, format!("{v} removed"));
        }
    }

    /// Two lists of field nodes under `path`.
    fn fields(&mut self, old: &[Value], new: &[Value], path: &str, side: Side) {
        let find =
            |list: &'_ [Value], name: &Value| list.iter().find(|f| &f["name"] == name).cloned();
        for o in old {
            let here = join(path, o["name"].as_str().unwrap_or("?"));
            match find(new, &o["name"]) {
                Some(n) => self.node(o, &n, &here, side),
                None => self.add(Class::Breaking, &here, "removed"),
            }
        }
        for n in new.iter().filter(|n| find(old, &n["name"]).is_none()) {
            let here = join(path, n["name"].as_str().unwrap_or("?"));
            let required = n["required"] == true;
            let (class, what) = match (side, required) {
                (Side::Input, true) => (Class::Breaking, "added, required"),
                (Side::Input, false) => (Class::Additive, "added, optional"),
                (Side::Output, _) => (Class::Additive, "added"),
            };
            self.add(class, &here, what);
        }
    }

    /// One field node present on both sides.
    fn node(&mut self, old: &Value, new: &Value, path: &str, side: Side) {
        if old["type"] != new["type"] {
            self.add(
                Class::Breaking,
                path,
                format!("type {} → {}", old["type"], new["type"]),
            );
            return;
        }
        if old["required"] != new["required"] {
            let now = if new["required"] == true {
                "required"
            } else {
                "optional"
            };
            self.add(Class::Breaking, path, format!("now {now}"));
        }
        match (old["enum"].as_array(), new["enum"].as_array()) {
            (Some(o), Some(n)) => {
                for v in n.iter().filter(|v| !o.contains(v)) {
                    self.add(Class::Additive, path, format!("enum value {v} added"));
                }
                for v in o.iter().filter(|v| !n.contains(v)) {
                    self.add(Class::Breaking, path, format!("enum value {v} removed"));
                }
            }
            (None, None) => {}
            _ => self.add(Class::Breaking, path, "enum ↔ plain value"),
        }
        if let (Some(o), Some(n)) = (old["fields"].as_array(), new["fields"].as_array()) {
            self.fields(o, n, path, side);
        }
        if let (Some(o), Some(n)) = (old.get("items"), new.get("items")) {
            self.node(o, n, &format!("{path}[]"), side);
        }
    }
}

/// Every change from `old` to `new`, operations first, each list in the order of `new`'s items
/// (removed items last).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    for (list, key) in [("operations", "id"), ("events", "event_type")] {
        let (olds, news) = (normalized::items(old, list), normalized::items(new, list));
        let find = |items: &'_ [Value], k: &Value| items.iter().find(|i| &i[key] == k).cloned();
        for n in news {
            let mut c = Changes {
                item: n[key].as_str().unwrap_or("?").to_owned(),
                out: Vec::new(),
            };
            match find(olds, &n[key]) {
                None => c.add(
                    Class::Additive,
                    "",
                    format!("new {}", &list[..list.len() - 1]),
                ),
                Some(o) if list == "operations" => operation(&mut c, &o, n),
                Some(o) => event(&mut c, &o, n),
            }
            out.extend(c.out);
        }
        for o in olds.iter().filter(|o| find(news, &o[key]).is_none()) {
            out.push(Change {
                class: Class::Breaking,
                item: o[key].as_str().unwrap_or("?").to_owned(),
                path: String::new(),
                change: format!("{} removed", &list[..list.len() - 1]),
            });
        }
    }
    out
}

fn operation(c: &mut Changes, old: &Value, new: &Value) {
    c.property(old, new, "method", Class::Breaking);
    c.property(old, new, "path", Class::Breaking);
    c.property(old, new, "summary", Class::Docs);
    c.property(old, new, "doc_url", Class::Docs);
    c.set(old, new, "tokens", Class::Additive, Class::Breaking);
    c.set(old, new, "scopes", Class::Docs, Class::Docs);
    c.set(old, new, "app_types", Class::Docs, Class::Docs);
    match (old["paginated"] == true, new["paginated"] == true) {
        (false, true) => c.add(Class::Additive, "paginated", "now paginated"),
        (true, false) => c.add(Class::Breaking, "paginated", "no longer paginated"),
        _ => {}
    }
    match (
        old["idempotency_key"].is_null(),
        new["idempotency_key"].is_null(),
    ) {
        (true, false) => c.add(Class::Additive, "idempotency_key", "added"),
        (false, true) => c.add(Class::Breaking, "idempotency_key", "removed"),
        _ => c.property(old, new, "idempotency_key", Class::Docs),
    }
    for (key, path) in [
        ("path_params", "path"),
        ("query", "query"),
        ("body", "body"),
    ] {
        c.fields(
            normalized::fields(&old[key]),
            normalized::fields(&new[key]),
            path,
            Side::Input,
        );
    }
    c.fields(
        normalized::fields(&old["response"]),
        normalized::fields(&new["response"]),
        "data",
        Side::Output,
    );
}

fn event(c: &mut Changes, old: &Value, new: &Value) {
    c.property(old, new, "schema", Class::Breaking);
    c.property(old, new, "summary", Class::Docs);
    c.property(old, new, "doc_url", Class::Docs);
    c.set(old, new, "scopes", Class::Docs, Class::Docs);
    c.set(old, new, "app_types", Class::Docs, Class::Docs);
    c.fields(
        normalized::fields(&old["fields"]),
        normalized::fields(&new["fields"]),
        "event",
        Side::Output,
    );
}
