//! Field-level comparison of the spec (normalized form) with what the SDK declares, per operation
//! and event: fields either side lacks, JSON kind mismatches, query and path parameters, token
//! types, and items the SDK lacks entirely.

use super::parse::{PyType, Request, Sdk};
use crate::normalized::{self, join};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Drift {
    /// `missing_in_spec`, `missing_in_sdk`, `type_mismatch`, `param_missing_in_spec`,
    /// `param_missing_in_sdk`, `tokens` or `unmatched`.
    pub kind: String,
    /// Operation id or event type.
    pub item: String,
    /// JSON path (`data.items[].chat_status`), parameter (`query.user_id_type`), `tokens`, or empty.
    pub path: String,
    pub details: String,
}

/// A deliberate difference, recorded with its reason (`spec/catalog/sdk-acknowledged.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledged {
    pub kind: String,
    pub item: String,
    #[serde(default)]
    pub path: String,
    pub reason: String,
}

/// The comparison of every operation and event of the spec.
#[derive(Debug, Default, Serialize)]
pub struct Comparison {
    pub operations_matched: usize,
    pub events_matched: usize,
    pub drift: Vec<Drift>,
    pub acknowledged: Vec<Drift>,
}

struct Out<'a> {
    sdk: &'a Sdk,
    item: String,
    drift: Vec<Drift>,
}

impl Out<'_> {
    fn push(&mut self, kind: &str, path: &str, details: String) {
        self.drift.push(Drift {
            kind: kind.into(),
            item: self.item.clone(),
            path: path.into(),
            details,
        });
    }

    /// The spec's field nodes against the SDK class `class`, under `path`.
    fn class(&mut self, spec: &[Value], class: &str, path: &str) {
        let Some(fields) = self.sdk.classes.get(class) else {
            self.push(
                "unmatched",
                path,
                format!("the SDK declares no fields for {class}"),
            );
            return;
        };
        for (name, ty) in fields {
            let here = join(path, name);
            match spec.iter().find(|f| f["name"] == name.as_str()) {
                Some(node) => self.node(node, ty, &here),
                None => self.push("missing_in_spec", &here, format!("SDK: {}", describe(ty))),
            }
        }
        for node in spec {
            let name = node["name"].as_str().unwrap_or("?");
            if !fields.iter().any(|(n, _)| n == name) {
                let kind = node["type"].as_str().unwrap_or("?");
                self.push("missing_in_sdk", &join(path, name), format!("spec: {kind}"));
            }
        }
    }

    /// One field on both sides.
    fn node(&mut self, node: &Value, ty: &PyType, path: &str) {
        let spec_kind = node["type"].as_str().unwrap_or("?");
        let sdk_kind = ty.kind();
        if sdk_kind == "any" {
            return;
        }
        if spec_kind != sdk_kind {
            self.push(
                "type_mismatch",
                path,
                format!("SDK {sdk_kind}, spec {spec_kind}"),
            );
            return;
        }
        match ty {
            PyType::Class(c) => {
                // A free-form object in the spec (no fields) accepts whatever the SDK declares.
                if let Some(fields) = node["fields"].as_array() {
                    self.class(fields, c, path);
                }
            }
            PyType::List(inner) => self.node(&node["items"], inner, &format!("{path}[]")),
            _ => {}
        }
    }

    /// Parameter names on both sides.
    fn params(&mut self, spec: &[Value], sdk: &[String], prefix: &str) {
        for p in sdk {
            if !spec.iter().any(|f| f["name"] == p.as_str()) {
                self.push(
                    "param_missing_in_spec",
                    &join(prefix, p),
                    "SDK sends it".into(),
                );
            }
        }
        for f in spec {
            let name = f["name"].as_str().unwrap_or("?");
            if !sdk.iter().any(|p| p == name) {
                self.push(
                    "param_missing_in_sdk",
                    &join(prefix, name),
                    "spec has it".into(),
                );
            }
        }
    }
}

fn describe(ty: &PyType) -> String {
    match ty {
        PyType::List(inner) => format!("array of {}", describe(inner)),
        PyType::Class(c) => format!("object ({c})"),
        other => other.kind().to_owned(),
    }
}

/// The SDK file stem of an event type: `im.chat.updated_v1` -> `p2_im_chat_updated_v1`.
pub fn event_stem(event_type: &str) -> String {
    format!("p2_{}", event_type.replace('.', "_"))
}

fn operation(out: &mut Out<'_>, op: &Value, req: &Request) {
    let tokens: Vec<String> = {
        let mut t: Vec<String> = normalized::fields(&op["tokens"])
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        t.sort();
        t
    };
    if tokens != req.tokens {
        out.push(
            "tokens",
            "tokens",
            format!(
                "SDK [{}], spec [{}]",
                req.tokens.join(", "),
                tokens.join(", ")
            ),
        );
    }
    out.params(normalized::fields(&op["query"]), &req.query, "query");
    out.params(
        normalized::fields(&op["path_params"]),
        &req.path_params,
        "path",
    );
    let body = normalized::fields(&op["body"]);
    match &req.body {
        Some(class) => out.class(body, class, "body"),
        None if !body.is_empty() => {
            out.push("missing_in_sdk", "body", "the SDK sends no body".into())
        }
        None => {}
    }
    let response_class = req
        .file
        .strip_suffix("_request.py")
        .map(|stem| format!("{stem}_response"))
        .and_then(|stem| out.sdk.first_class.get(&stem))
        .and_then(|class| out.sdk.classes.get(class))
        .and_then(|fields| fields.iter().find(|(n, _)| n == "data"))
        .map(|(_, ty)| ty.clone());
    let response = normalized::fields(&op["response"]);
    match response_class {
        Some(PyType::Class(class)) => out.class(response, &class, "data"),
        _ if !response.is_empty() => {
            out.push(
                "missing_in_sdk",
                "data",
                "the SDK declares no response data".into(),
            );
        }
        _ => {}
    }
}

/// Compares `spec` (normalized) with `sdk`; drift matching an acknowledgement is listed apart.
pub fn compare(spec: &Value, sdk: &Sdk, acknowledged: &[Acknowledged]) -> Comparison {
    let mut cmp = Comparison::default();
    let mut drift = Vec::new();
    for op in normalized::items(spec, "operations") {
        let mut out = Out {
            sdk,
            item: op["id"].as_str().unwrap_or("?").to_owned(),
            drift: Vec::new(),
        };
        let req = sdk
            .requests
            .iter()
            .find(|r| r.method == op["method"] && r.uri == op["path"]);
        match req {
            Some(req) => {
                cmp.operations_matched += 1;
                operation(&mut out, op, req);
            }
            None => out.push(
                "unmatched",
                "",
                format!("the SDK has no request for {} {}", op["method"], op["path"]),
            ),
        }
        drift.extend(out.drift);
    }
    for ev in normalized::items(spec, "events") {
        let event_type = ev["event_type"].as_str().unwrap_or("?");
        let mut out = Out {
            sdk,
            item: event_type.to_owned(),
            drift: Vec::new(),
        };
        let stem = event_stem(event_type);
        match sdk.first_class.get(&stem) {
            Some(class) => {
                cmp.events_matched += 1;
                out.class(normalized::fields(&ev["fields"]), class, "event");
            }
            None => out.push("unmatched", "", format!("the SDK has no {stem}.py")),
        }
        drift.extend(out.drift);
    }
    for d in drift {
        let known = acknowledged
            .iter()
            .any(|a| a.kind == d.kind && a.item == d.item && a.path == d.path);
        if known {
            cmp.acknowledged.push(d);
        } else {
            cmp.drift.push(d);
        }
    }
    cmp
}
