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
    let known_events: BTreeSet<&str> = api.events.iter().map(|e| e.event_type.as_str()).collect();
    // Requests test servers received, mapped to the most specific matching operation.
    // Ids of other families are theirs (`validate` checks that each belongs to one).
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

/// One family's coverage.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyCoverage {
    pub family: String,
    #[serde(flatten)]
    pub coverage: Coverage,
}

/// The report of every family: each family's rows and totals, and the totals over all of them.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub families: Vec<FamilyCoverage>,
    /// `operations` and `events` over every family, each `{total, <column>: count}`.
    pub totals: BTreeMap<String, BTreeMap<String, usize>>,
}

/// The report of `families`, with the totals summed over them.
pub fn combine(families: Vec<FamilyCoverage>) -> Report {
    let mut totals: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for f in &families {
        for (group, cols) in &f.coverage.totals {
            let sum = totals.entry(group.clone()).or_default();
            for (col, n) in cols {
                *sum.entry(col.clone()).or_default() += n;
            }
        }
    }
    Report { families, totals }
}

/// An error when the record names an operation or event that no family's spec has (a test
/// recording a typo would otherwise count for nothing, silently).
pub fn validate(record: &Record, apis: &[&Api]) -> Result<(), String> {
    let op = |id: &str| apis.iter().any(|a| a.operations.iter().any(|o| o.id == id));
    if let Some(bad) = record.operations.iter().find(|id| !op(id)) {
        return Err(format!(
            "the test record names operation {bad:?}, which is in no family's spec"
        ));
    }
    let ev = |t: &str| {
        apis.iter()
            .any(|a| a.events.iter().any(|e| e.event_type == t))
    };
    if let Some(bad) = record.events.iter().find(|t| !ev(t)) {
        return Err(format!(
            "the test record names event {bad:?}, which is in no family's spec"
        ));
    }
    Ok(())
}

/// Every gap of every family, each line starting with the family.
pub fn report_gaps(r: &Report) -> Vec<String> {
    r.families
        .iter()
        .flat_map(|f| {
            gaps(&f.coverage)
                .into_iter()
                .map(move |g| format!("{}: {g}", f.family))
        })
        .collect()
}
