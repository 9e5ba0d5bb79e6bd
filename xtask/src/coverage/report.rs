//! The coverage report: what is measured per operation and event, its Markdown and JSON forms, and
//! the comparison with the checked-in report.

use super::record::{match_template, Record};
use lark_codegen::ir::Api;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize)]
pub struct OperationRow {
    /// The spec id; `METHOD /path` for an operation only the page lists.
    pub id: String,
    pub method: String,
    pub path: String,
    pub in_doc: bool,
    pub in_spec: bool,
    pub generated: bool,
    pub e2e_tested: bool,
    pub documented: bool,
    /// No unacknowledged difference from the official Python SDK (only when an import is recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk_fields: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub event_type: String,
    pub in_doc: bool,
    pub in_spec: bool,
    pub generated: bool,
    pub decode_tested: bool,
    /// As for operations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk_fields: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub operations: Vec<OperationRow>,
    pub events: Vec<EventRow>,
    /// `operations` and `events`, each `{total, <column>: count}`.
    pub totals: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Inputs of a measurement.
pub struct Sources<'a> {
    pub api: &'a Api,
    /// `METHOD /path` and event types the official page lists (spec/catalog/).
    pub doc_ops: &'a BTreeSet<String>,
    pub doc_events: &'a BTreeSet<String>,
    /// `lark-im-chat/src/generated/ops/<group>.rs` texts by group, and `generated/events.rs`.
    pub gen_ops: &'a BTreeMap<String, String>,
    pub gen_events: &'a str,
    pub record: &'a Record,
    /// The recorded `import-sdk` (`spec/catalog/lark-oapi.yaml`), if any.
    pub sdk: Option<&'a crate::import_sdk::record::Record>,
}

/// The doc block above the method of `op` in its generated file, and the line after it.
fn doc_block<'t>(text: &'t str, method_line: &str) -> Option<(Vec<&'t str>, &'t str)> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim() == method_line)?;
    let is_doc = |l: &&str| l.trim_start().starts_with("///");
    let start = lines[..at]
        .iter()
        .rposition(|l| !is_doc(l))
        .map_or(0, |i| i + 1);
    let end = at + lines[at..].iter().position(|l| !is_doc(l))?;
    Some((lines[start..end].to_vec(), lines[end]))
}

/// Whether the generated event decoder routes `event_type` to its variant `name`.
fn decodes(text: &str, event_type: &str, name: &str) -> bool {
    let arm = format!("\"{event_type}\" =>");
    text.match_indices(&arm).any(|(at, _)| {
        text[at + arm.len()..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == '{')
            .starts_with(&format!("Self::{name}(rt::decode_event"))
    })
}

pub fn measure(src: &Sources<'_>) -> Result<Coverage, String> {
    let api = src.api;
    // ✓ when the recorded import found no difference the spec does not acknowledge.
    let sdk_fields = |id: &str| {
        src.sdk
            .map(|r| r.items.get(id).is_some_and(|status| status.drift == 0))
    };
    let known: BTreeSet<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    if let Some(bad) = src
        .record
        .operations
        .iter()
        .find(|id| !known.contains(id.as_str()))
    {
        return Err(format!(
            "the test record names operation {bad:?}, which is not in spec/"
        ));
    }
    let known_events: BTreeSet<&str> = api.events.iter().map(|e| e.event_type.as_str()).collect();
    if let Some(bad) = src
        .record
        .events
        .iter()
        .find(|e| !known_events.contains(e.as_str()))
    {
        return Err(format!(
            "the test record names event {bad:?}, which is not in spec/"
        ));
    }
    // Requests test servers received, mapped to the most specific matching operation.
    let mut sent: BTreeSet<&str> = src.record.operations.iter().map(String::as_str).collect();
    for (method, path) in &src.record.requests {
        let best = api
            .operations
            .iter()
            .filter(|o| o.method.as_str() == method)
            .filter_map(|o| match_template(&o.path, path).map(|n| (n, o.id.as_str())))
            .max();
        if let Some((_, id)) = best {
            sent.insert(id);
        }
    }

    let mut operations = Vec::new();
    for op in &api.operations {
        let key = format!("{} {}", op.method.as_str(), op.path);
        let block = src
            .gen_ops
            .get(&op.group)
            .and_then(|text| doc_block(text, &format!("/// `{key}`")));
        let generated = block
            .as_ref()
            .is_some_and(|(_, item)| item.contains(&format!("pub fn {}(", op.fn_name)));
        let documented = generated
            && block.as_ref().is_some_and(|(doc, _)| {
                let text = doc.join("\n");
                doc.first()
                    .is_some_and(|l| l.trim() == format!("/// {}", op.summary))
                    && text.contains(&format!("[Official documentation]({})", op.doc_url))
                    && text.contains("/// # Example")
                    && text.contains("/// ```")
            });
        operations.push(OperationRow {
            id: op.id.clone(),
            method: op.method.as_str().into(),
            path: op.path.clone(),
            in_doc: src.doc_ops.contains(&key),
            in_spec: true,
            generated,
            e2e_tested: sent.contains(op.id.as_str()),
            documented,
            sdk_fields: sdk_fields(&op.id),
        });
    }
    let spec_keys: BTreeSet<String> = api
        .operations
        .iter()
        .map(|o| format!("{} {}", o.method.as_str(), o.path))
        .collect();
    for key in src.doc_ops.difference(&spec_keys) {
        let (method, path) = key.split_once(' ').unwrap_or((key.as_str(), ""));
        operations.push(OperationRow {
            id: key.clone(),
            method: method.into(),
            path: path.into(),
            in_doc: true,
            in_spec: false,
            generated: false,
            e2e_tested: false,
            documented: false,
            sdk_fields: None,
        });
    }
    operations.sort_by(|a, b| (!a.in_spec, &a.id).cmp(&(!b.in_spec, &b.id)));

    let mut events: Vec<EventRow> = api
        .events
        .iter()
        .map(|e| EventRow {
            event_type: e.event_type.clone(),
            in_doc: src.doc_events.contains(&e.event_type),
            in_spec: true,
            generated: decodes(src.gen_events, &e.event_type, &e.name),
            decode_tested: src.record.events.contains(&e.event_type),
            sdk_fields: sdk_fields(&e.event_type),
        })
        .collect();
    for ev in src
        .doc_events
        .iter()
        .filter(|e| !known_events.contains(e.as_str()))
    {
        events.push(EventRow {
            event_type: ev.clone(),
            in_doc: true,
            in_spec: false,
            generated: false,
            decode_tested: false,
            sdk_fields: None,
        });
    }
    events.sort_by(|a, b| (!a.in_spec, &a.event_type).cmp(&(!b.in_spec, &b.event_type)));

    let count = |f: &dyn Fn(usize) -> bool, n: usize| (0..n).filter(|&i| f(i)).count();
    let o = &operations;
    let mut op_totals = BTreeMap::new();
    op_totals.insert("total".into(), o.len());
    op_totals.insert("in_doc".into(), count(&|i| o[i].in_doc, o.len()));
    op_totals.insert("in_spec".into(), count(&|i| o[i].in_spec, o.len()));
    op_totals.insert("generated".into(), count(&|i| o[i].generated, o.len()));
    op_totals.insert("e2e_tested".into(), count(&|i| o[i].e2e_tested, o.len()));
    op_totals.insert("documented".into(), count(&|i| o[i].documented, o.len()));
    if src.sdk.is_some() {
        let n = count(&|i| o[i].sdk_fields == Some(true), o.len());
        op_totals.insert("sdk_fields".into(), n);
    }
    let e = &events;
    let mut ev_totals = BTreeMap::new();
    ev_totals.insert("total".into(), e.len());
    ev_totals.insert("in_doc".into(), count(&|i| e[i].in_doc, e.len()));
    ev_totals.insert("in_spec".into(), count(&|i| e[i].in_spec, e.len()));
    ev_totals.insert("generated".into(), count(&|i| e[i].generated, e.len()));
    ev_totals.insert(
        "decode_tested".into(),
        count(&|i| e[i].decode_tested, e.len()),
    );
    if src.sdk.is_some() {
        let n = count(&|i| e[i].sdk_fields == Some(true), e.len());
        ev_totals.insert("sdk_fields".into(), n);
    }
    let mut totals = BTreeMap::new();
    totals.insert("operations".into(), op_totals);
    totals.insert("events".into(), ev_totals);
    Ok(Coverage {
        operations,
        events,
        totals,
    })
}

fn mark(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}

/// The Markdown report: deterministic (sorted, no timestamps) so it diffs cleanly in review.
pub fn markdown(c: &Coverage) -> String {
    let t = |group: &str, col: &str| {
        let total = c.totals[group]["total"];
        match c.totals[group].get(col) {
            Some(&n) => format!("{n}/{total}"),
            None => "–".into(),
        }
    };
    // The SDK column is there only when an import is recorded.
    let sdk = c.totals["operations"].contains_key("sdk_fields");
    let (head, rule) = if sdk {
        (" fields vs SDK |", " :-: |")
    } else {
        ("", "")
    };
    let cell = |v: Option<bool>| v.map_or_else(String::new, |b| format!(" {} |", mark(b)));
    let mut s = String::from(
        "# Coverage\n\n\
         Written by `cargo xtask coverage`; do not edit. *In doc*: listed on the official overview page\n\
         (`spec/<family>/catalog/`, from `cargo xtask import-doc --write`). *Generated*: the method or event decoder is in\n\
         the family crate's `src/generated/`. *Documented*: its docs carry the summary, the official link and an example.\n\
         *E2E tested* / *decode tested*: measured: the tests of the run that wrote this report sent the\n\
         operation over HTTP to a test server, or decoded the event (`coverage-record`).\n",
    );
    if sdk {
        s.push_str(
            "*Fields vs SDK*: no difference from the official Python SDK that the spec does not acknowledge\n\
             (`spec/<family>/catalog/lark-oapi.yaml`, from `cargo xtask import-sdk --write`).\n",
        );
    }
    s.push_str(&format!(
        "\n| | total | in doc | in spec | generated | e2e tested | decode tested | documented |{head}\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |{}\n",
        rule.replace(":-:", "---:")
    ));
    for group in ["operations", "events"] {
        let extra = if sdk {
            format!(" {} |", t(group, "sdk_fields"))
        } else {
            String::new()
        };
        s.push_str(&format!(
            "| {group} | {} | {} | {} | {} | {} | {} | {} |{extra}\n",
            c.totals[group]["total"],
            t(group, "in_doc"),
            t(group, "in_spec"),
            t(group, "generated"),
            t(group, "e2e_tested"),
            t(group, "decode_tested"),
            t(group, "documented"),
        ));
    }
    s.push_str(&format!("\n## Operations\n\n| operation | request | in doc | in spec | generated | e2e tested | documented |{head}\n| --- | --- | :-: | :-: | :-: | :-: | :-: |{rule}\n"));
    for o in &c.operations {
        s.push_str(&format!(
            "| `{}` | `{} {}` | {} | {} | {} | {} | {} |{}\n",
            o.id,
            o.method,
            o.path,
            mark(o.in_doc),
            mark(o.in_spec),
            mark(o.generated),
            mark(o.e2e_tested),
            mark(o.documented),
            cell(o.sdk_fields),
        ));
    }
    s.push_str(&format!("\n## Events\n\n| event type | in doc | in spec | generated | decode tested |{head}\n| --- | :-: | :-: | :-: | :-: |{rule}\n"));
    for e in &c.events {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |{}\n",
            e.event_type,
            mark(e.in_doc),
            mark(e.in_spec),
            mark(e.generated),
            mark(e.decode_tested),
            cell(e.sdk_fields),
        ));
    }
    s
}

/// Every item of the spec that is not fully covered, one line each naming the item and what it
/// lacks (`operation chat.pin: not e2e tested`). Items only the official page lists are import-doc's
/// concern (its `--check`), not a coverage gap.
pub fn gaps(c: &Coverage) -> Vec<String> {
    let mut out = Vec::new();
    let mut note = |item: String, missing: Vec<&str>| {
        if !missing.is_empty() {
            out.push(format!("{item}: not {}", missing.join(", not ")));
        }
    };
    for o in c.operations.iter().filter(|o| o.in_spec) {
        let missing = [
            (o.generated, "generated"),
            (o.documented, "documented"),
            (o.e2e_tested, "e2e tested"),
        ];
        note(
            format!("operation {}", o.id),
            missing.iter().filter(|m| !m.0).map(|m| m.1).collect(),
        );
    }
    for e in c.events.iter().filter(|e| e.in_spec) {
        let missing = [
            (e.generated, "generated"),
            (e.decode_tested, "decode tested"),
        ];
        note(
            format!("event {}", e.event_type),
            missing.iter().filter(|m| !m.0).map(|m| m.1).collect(),
        );
    }
    out
}

/// Every way `now` covers less than `before` (the checked-in `reports/coverage.json`): a total
/// that went down, an item that went away, a ✓ that became ✗.
pub fn drops(before: &serde_json::Value, now: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(groups) = before["totals"].as_object() {
        for (group, cols) in groups {
            for (col, was) in cols.as_object().into_iter().flatten() {
                let (was, is) = (
                    was.as_u64().unwrap_or(0),
                    now["totals"][group][col].as_u64().unwrap_or(0),
                );
                if is < was {
                    out.push(format!("{group} {col}: {is}, was {was}"));
                }
            }
        }
    }
    for (group, key) in [("operations", "id"), ("events", "event_type")] {
        let items = now[group].as_array().cloned().unwrap_or_default();
        for old in before[group].as_array().into_iter().flatten() {
            let name = old[key].as_str().unwrap_or("?");
            let Some(new) = items.iter().find(|n| n[key] == old[key]) else {
                out.push(format!("{group}: {name} is gone from the report"));
                continue;
            };
            for (col, was) in old.as_object().into_iter().flatten() {
                if was == &serde_json::Value::Bool(true)
                    && new[col] != serde_json::Value::Bool(true)
                {
                    out.push(format!("{name}: no longer {}", col.replace('_', " ")));
                }
            }
        }
    }
    out
}
