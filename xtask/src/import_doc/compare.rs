//! Page versus one family's spec: drift (added, not on this page, changed), acknowledged
//! differences, items of other families, wrong doc links.

use super::offpage::OffPage;
use super::parse::{Page, Quirk};
use lark_codegen::ir::{Acknowledged, Api, AppType};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a page is compared with: one family's spec, the items it lists on only one side on
/// purpose, and the other families (a page item of theirs is not drift of this one).
pub struct Scope<'a> {
    pub family: &'a str,
    pub api: &'a Api,
    pub acknowledged: &'a [OffPage],
    pub others: &'a [(String, Api)],
}

impl<'a> Scope<'a> {
    /// The family alone: nothing acknowledged off the page, no other family.
    #[cfg(test)]
    pub fn own(family: &'a str, api: &'a Api) -> Self {
        Self {
            family,
            api,
            acknowledged: &[],
            others: &[],
        }
    }
}

/// An item of the page that another family's spec has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Elsewhere {
    pub item: String,
    pub key: String,
    pub family: String,
    pub id: String,
}

/// A difference between the page and the spec that the spec does not acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Drift {
    /// `added` (on the page, in no family's spec), `not_on_page` (in the family's spec, not on
    /// this page), `changed`, or `stale_acknowledgement` (an entry of
    /// `overview-acknowledged.yaml` that matches nothing).
    pub kind: String,
    /// `operation` or `event`.
    pub item: String,
    /// `METHOD /path` for operations, the event type for events.
    pub key: String,
    /// The spec's operation id, when the spec has the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What changed, e.g. `tokens: page [tenant], spec [tenant, user]`.
    pub details: String,
}

/// A difference the spec records on purpose (`overview.acknowledged`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcknowledgedDiff {
    pub item: String,
    pub key: String,
    pub id: String,
    pub what: String,
    pub page: serde_json::Value,
    pub spec: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Comparison {
    pub drift: Vec<Drift>,
    pub acknowledged: Vec<AcknowledgedDiff>,
    pub elsewhere: Vec<Elsewhere>,
    /// `wrong_doc_link` quirks (they need the spec to be seen).
    pub quirks: Vec<Quirk>,
}

/// One compared fact of one item.
struct Fact<'a> {
    what: &'static str,
    page: Vec<String>,
    spec: Vec<String>,
    acknowledged: Vec<&'a Acknowledged>,
}

struct Item<'a> {
    item: &'static str,
    key: String,
    id: String,
    facts: Vec<Fact<'a>>,
    page_doc: (String, usize),
    spec_doc: String,
    acks: &'a [Acknowledged],
}

fn app_types(types: &[AppType]) -> Vec<String> {
    types.iter().map(|t| t.as_str().to_owned()).collect()
}

fn set(v: &[String]) -> BTreeSet<&str> {
    v.iter().map(String::as_str).collect()
}

fn show(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

fn ack_values(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        serde_json::Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// Doc URLs compare without fragment and trailing slash.
fn same_doc(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.split('#').next().unwrap_or(s);
        s.trim_end_matches('/').to_owned()
    };
    norm(a) == norm(b)
}

/// The id of the item `key` in `api`, if it has it.
fn id_in(api: &Api, item: &str, key: &str) -> Option<String> {
    if item == "operation" {
        api.operations
            .iter()
            .find(|o| format!("{} {}", o.method.as_str(), o.path) == key)
            .map(|o| o.id.clone())
    } else {
        api.events
            .iter()
            .find(|e| e.event_type == key)
            .map(|e| e.event_type.clone())
    }
}

/// An item on only one side: another family's, acknowledged, or drift.
fn one_sided(
    scope: &Scope<'_>,
    used: &mut BTreeSet<usize>,
    out: &mut Comparison,
    drift: Drift,
    title: &str,
) {
    if drift.kind == "added" {
        let found = scope
            .others
            .iter()
            .find_map(|(family, api)| Some((family, id_in(api, &drift.item, &drift.key)?)));
        if let Some((family, id)) = found {
            out.elsewhere.push(Elsewhere {
                item: drift.item,
                key: drift.key,
                family: family.clone(),
                id,
            });
            return;
        }
    }
    let ack = scope
        .acknowledged
        .iter()
        .position(|a| a.kind == drift.kind && a.item == drift.item && a.key == drift.key);
    match ack {
        Some(i) => {
            used.insert(i);
            let (page, spec) = if drift.kind == "added" {
                (serde_json::json!(title), serde_json::Value::Null)
            } else {
                (serde_json::Value::Null, serde_json::json!(drift.id))
            };
            out.acknowledged.push(AcknowledgedDiff {
                item: drift.item,
                key: drift.key,
                id: drift.id.unwrap_or_default(),
                what: drift.kind,
                page,
                spec,
                reason: scope.acknowledged[i].reason.clone(),
            });
        }
        None => out.drift.push(drift),
    }
}

/// Compares a parsed page with the spec of `scope`.
pub fn compare(page: &Page, scope: &Scope<'_>) -> Comparison {
    let api = scope.api;
    let spec = format!("spec/{}", scope.family);
    let mut out = Comparison::default();
    let mut used = BTreeSet::new();
    let mut items = Vec::new();

    for op in &page.operations {
        let key = op.key();
        match api
            .operations
            .iter()
            .find(|s| format!("{} {}", s.method.as_str(), s.path) == key)
        {
            None => {
                let drift = Drift {
                    kind: "added".into(),
                    item: "operation".into(),
                    key,
                    id: None,
                    details: format!(
                        "on the page (line {}, {}), not in {spec}",
                        op.line, op.title
                    ),
                };
                one_sided(scope, &mut used, &mut out, drift, &op.title);
            }
            Some(s) => {
                let acks = &s.overview.acknowledged;
                let fact = |what, page: &[String], spec: Vec<String>| Fact {
                    what,
                    page: page.to_vec(),
                    spec,
                    acknowledged: acks.iter().filter(|a| a.what == what).collect(),
                };
                items.push(Item {
                    item: "operation",
                    key,
                    id: s.id.clone(),
                    facts: vec![
                        fact(
                            "tokens",
                            &op.tokens,
                            s.tokens.iter().map(|t| t.as_str().to_owned()).collect(),
                        ),
                        fact("scopes", &op.scopes, s.scopes.clone()),
                        fact("app_types", &op.app_types, app_types(&s.app_types)),
                    ],
                    page_doc: (op.doc.clone(), op.doc_line),
                    spec_doc: s.doc_url.clone(),
                    acks,
                });
            }
        }
    }
    for s in &api.operations {
        let key = format!("{} {}", s.method.as_str(), s.path);
        if !page.operations.iter().any(|o| o.key() == key) {
            let drift = Drift {
                kind: "not_on_page".into(),
                item: "operation".into(),
                key,
                id: Some(s.id.clone()),
                details: format!("{} is in {spec} but not on this page", s.id),
            };
            one_sided(scope, &mut used, &mut out, drift, "");
        }
    }

    for ev in &page.events {
        match api.events.iter().find(|s| s.event_type == ev.event_type) {
            None => {
                let drift = Drift {
                    kind: "added".into(),
                    item: "event".into(),
                    key: ev.event_type.clone(),
                    id: None,
                    details: format!(
                        "on the page (line {}, {}), not in {spec}",
                        ev.line, ev.title
                    ),
                };
                one_sided(scope, &mut used, &mut out, drift, &ev.title);
            }
            Some(s) => {
                let acks = &s.overview.acknowledged;
                let fact = |what, page: &[String], spec: Vec<String>| Fact {
                    what,
                    page: page.to_vec(),
                    spec,
                    acknowledged: acks.iter().filter(|a| a.what == what).collect(),
                };
                items.push(Item {
                    item: "event",
                    key: ev.event_type.clone(),
                    id: s.event_type.clone(),
                    facts: vec![
                        fact("scopes", &ev.scopes, s.scopes.clone()),
                        fact("app_types", &ev.app_types, app_types(&s.app_types)),
                    ],
                    page_doc: (ev.doc.clone(), ev.doc_line),
                    spec_doc: s.doc_url.clone(),
                    acks,
                });
            }
        }
    }
    for s in &api.events {
        if !page.events.iter().any(|e| e.event_type == s.event_type) {
            let drift = Drift {
                kind: "not_on_page".into(),
                item: "event".into(),
                key: s.event_type.clone(),
                id: Some(s.event_type.clone()),
                details: format!("{} is in {spec} but not on this page", s.event_type),
            };
            one_sided(scope, &mut used, &mut out, drift, "");
        }
    }
    for (i, a) in scope.acknowledged.iter().enumerate() {
        if !used.contains(&i) {
            out.drift.push(Drift {
                kind: "stale_acknowledgement".into(),
                item: a.item.clone(),
                key: a.key.clone(),
                id: None,
                details: format!(
                    "{spec}/catalog/{} acknowledges it as `{}`, which it no longer is; drop the entry",
                    super::offpage::FILE,
                    a.kind
                ),
            });
        }
    }

    for item in items {
        compare_item(&item, &mut out);
    }
    out.drift
        .sort_by(|a, b| (&a.item, &a.key, &a.kind).cmp(&(&b.item, &b.key, &b.kind)));
    out.acknowledged
        .sort_by(|a, b| (&a.item, &a.key, &a.what).cmp(&(&b.item, &b.key, &b.what)));
    out.elsewhere.sort();
    out.quirks.sort();
    out
}

fn compare_item(item: &Item<'_>, out: &mut Comparison) {
    let mut changes = Vec::new();
    for fact in &item.facts {
        let differs = set(&fact.page) != set(&fact.spec);
        let ack = fact.acknowledged.first();
        match (differs, ack) {
            (false, None) => {}
            (false, Some(a)) => changes.push(format!(
                "{}: acknowledged difference (page {}) is gone, page and spec agree on {}; drop the acknowledgement",
                fact.what,
                show(&ack_values(&a.page)),
                show(&fact.spec)
            )),
            (true, Some(a)) if set(&ack_values(&a.page)) == set(&fact.page) => {
                out.acknowledged.push(AcknowledgedDiff {
                    item: item.item.into(),
                    key: item.key.clone(),
                    id: item.id.clone(),
                    what: fact.what.into(),
                    page: serde_json::json!(fact.page),
                    spec: serde_json::json!(fact.spec),
                    reason: a.reason.clone(),
                })
            }
            (true, Some(a)) => changes.push(format!(
                "{}: page {}, spec {} (the acknowledged page value {} is out of date)",
                fact.what,
                show(&fact.page),
                show(&fact.spec),
                show(&ack_values(&a.page))
            )),
            (true, None) => changes.push(format!(
                "{}: page {}, spec {}",
                fact.what,
                show(&fact.page),
                show(&fact.spec)
            )),
        }
    }
    if !changes.is_empty() {
        out.drift.push(Drift {
            kind: "changed".into(),
            item: item.item.into(),
            key: item.key.clone(),
            id: Some(item.id.clone()),
            details: changes.join("; "),
        });
    }

    let (page_doc, line) = &item.page_doc;
    if !same_doc(page_doc, &item.spec_doc) {
        match item.acks.iter().find(|a| a.what == "doc_url") {
            Some(a)
                if ack_values(&a.page)
                    .first()
                    .is_some_and(|p| same_doc(p, page_doc)) =>
            {
                out.acknowledged.push(AcknowledgedDiff {
                    item: item.item.into(),
                    key: item.key.clone(),
                    id: item.id.clone(),
                    what: "doc_url".into(),
                    page: serde_json::json!(page_doc),
                    spec: serde_json::json!(item.spec_doc),
                    reason: a.reason.clone(),
                })
            }
            _ => out.quirks.push(Quirk {
                line: *line,
                kind: "wrong_doc_link".into(),
                text: format!(
                    "{} links to {page_doc}; its page is {}",
                    item.key, item.spec_doc
                ),
            }),
        }
    }
}
