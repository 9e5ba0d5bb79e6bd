//! The Markdown form of the report: deterministic (sorted, no timestamps) so it diffs cleanly in
//! review. One totals table (each family, then all of them), then one section per family.

use super::report::{Coverage, Report};

fn mark(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}

/// `n/total` of a column of `totals[group]`, or `–` when the column does not apply.
fn ratio(
    totals: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    group: &str,
    col: &str,
) -> String {
    let Some(cols) = totals.get(group) else {
        return "–".into();
    };
    let total = cols.get("total").copied().unwrap_or(0);
    match cols.get(col) {
        Some(&n) => format!("{n}/{total}"),
        None => "–".into(),
    }
}

const COLUMNS: [&str; 6] = [
    "in_doc",
    "in_spec",
    "generated",
    "e2e_tested",
    "decode_tested",
    "documented",
];

/// The whole report.
pub fn markdown(r: &Report) -> String {
    // The SDK column is there only when an import is recorded.
    let sdk = r
        .totals
        .get("operations")
        .is_some_and(|t| t.contains_key("sdk_fields"));
    let (head, rule) = if sdk {
        (" fields vs SDK |", " :-: |")
    } else {
        ("", "")
    };
    let mut s = String::from(
        "# Coverage\n\n\
         Written by `cargo xtask coverage`; do not edit. *In doc*: listed on the family's official overview page\n\
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
    let rows = r
        .families
        .iter()
        .map(|f| (f.family.as_str(), &f.coverage.totals))
        .chain([("all families", &r.totals)]);
    for (name, totals) in rows {
        for group in ["operations", "events"] {
            let total = totals.get(group).and_then(|t| t.get("total")).copied();
            let mut cells: Vec<String> = COLUMNS.iter().map(|c| ratio(totals, group, c)).collect();
            if sdk {
                cells.push(ratio(totals, group, "sdk_fields"));
            }
            s.push_str(&format!(
                "| {name} {group} | {} | {} |\n",
                total.unwrap_or(0),
                cells.join(" | ")
            ));
        }
    }
    for f in &r.families {
        s.push_str(&format!("\n## {}\n", f.family));
        family(&mut s, &f.coverage, head, rule);
    }
    s
}

/// One family's operation and event tables.
fn family(s: &mut String, c: &Coverage, head: &str, rule: &str) {
    let cell = |v: Option<bool>| v.map_or_else(String::new, |b| format!(" {} |", mark(b)));
    s.push_str(&format!("\n### Operations\n\n| operation | request | in doc | in spec | generated | e2e tested | documented |{head}\n| --- | --- | :-: | :-: | :-: | :-: | :-: |{rule}\n"));
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
    s.push_str(&format!("\n### Events\n\n| event type | in doc | in spec | generated | decode tested |{head}\n| --- | :-: | :-: | :-: | :-: |{rule}\n"));
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
}
