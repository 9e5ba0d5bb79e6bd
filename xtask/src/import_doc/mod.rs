//! `cargo xtask import-doc <overview.md> [--json] [--check] [--write] [--spec DIR]`: reads the
//! official group-chat overview page, lists its operations and events, reports the page's quirks,
//! and compares it with spec/.

pub mod catalog;
pub mod compare;
pub mod parse;
pub mod scan;

use crate::{flag_value, root};
use compare::{AcknowledgedDiff, Drift};
use parse::{PageEvent, PageOperation, Quirk};
use serde::Serialize;
use std::path::Path;

/// What `--json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    pub operations: Vec<PageOperation>,
    pub events: Vec<PageEvent>,
    pub quirks: Vec<Quirk>,
    pub drift: Vec<Drift>,
    pub acknowledged: Vec<AcknowledgedDiff>,
}

/// Parses `text` and compares it with `api`. Parse errors come back as `line N: message` lines.
pub fn import(
    text: &str,
    api: &lark_codegen::ir::Api,
) -> Result<(parse::Page, Report), Vec<parse::ParseError>> {
    let mut page = parse::parse(text)?;
    let cmp = compare::compare(&page, api);
    page.quirks.extend(cmp.quirks);
    page.quirks.sort();
    let report = Report {
        operations: page.operations.clone(),
        events: page.events.clone(),
        quirks: page.quirks.clone(),
        drift: cmp.drift,
        acknowledged: cmp.acknowledged,
    };
    Ok((page, report))
}

/// Loads the spec through the generator library.
pub fn load_spec(dir: &Path) -> Result<lark_codegen::ir::Api, String> {
    let files = lark_codegen::read_spec_dir(dir).map_err(|e| e.to_string())?;
    lark_codegen::load_ir(&files).map_err(|e| e.to_string())
}

const USAGE: &str =
    "usage: cargo xtask import-doc <overview.md> [--json] [--check] [--write] [--spec DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let [file] =
        crate::positional(args, &["--json", "--check", "--write"], &["--spec"], USAGE)?[..]
    else {
        return Err(USAGE.into());
    };
    let has = |f: &str| args.iter().any(|a| a == f);
    let spec_dir = flag_value(args, "--spec").unwrap_or_else(crate::spec_dir);
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let api = load_spec(&spec_dir)?;
    let (page, report) = import(&text, &api).map_err(|errors| {
        let mut msg = format!("{file}: {} unreadable row(s):\n", errors.len());
        for e in errors {
            msg.push_str(&format!("{file}:{}: {}\n", e.line, e.message));
        }
        msg
    })?;

    if has("--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", human(file, &report));
    }
    if has("--write") {
        let name = Path::new(file).file_name().map_or_else(
            || "overview.md".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        let stem = name.strip_suffix(".md").unwrap_or(&name);
        let dir = spec_dir.join("catalog");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let out = dir.join(format!("{stem}.yaml"));
        std::fs::write(&out, catalog::render(&page, &text, &name))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "wrote {}",
            out.strip_prefix(root()).unwrap_or(&out).display()
        );
    }
    if has("--check") && !report.drift.is_empty() {
        return Err(format!(
            "{} difference(s) between the page and spec/: update the spec, or acknowledge the difference in its `overview.acknowledged`",
            report.drift.len()
        ));
    }
    Ok(())
}

/// The plain-text listing.
fn human(file: &str, r: &Report) -> String {
    let mut s = format!(
        "{file}: {} operations, {} events\n\noperations:\n",
        r.operations.len(),
        r.events.len()
    );
    for o in &r.operations {
        s.push_str(&format!(
            "  {:<6} {:<62} {}  tokens [{}]  scopes [{}]  apps [{}]  {}\n",
            o.method,
            o.path,
            o.title,
            o.tokens.join(", "),
            o.scopes.join(", "),
            o.app_types.join(", "),
            o.doc
        ));
    }
    s.push_str("\nevents:\n");
    for e in &r.events {
        s.push_str(&format!(
            "  {:<46} {}  scopes [{}]  apps [{}]  {}\n",
            e.event_type,
            e.title,
            e.scopes.join(", "),
            e.app_types.join(", "),
            e.doc
        ));
    }
    s.push_str(&format!("\nquirks ({}):\n", r.quirks.len()));
    for q in &r.quirks {
        s.push_str(&format!("  line {}: {}: {}\n", q.line, q.kind, q.text));
    }
    s.push_str(&format!("\ndrift ({}):\n", r.drift.len()));
    for d in &r.drift {
        s.push_str(&format!(
            "  {} {} {}: {}\n",
            d.kind, d.item, d.key, d.details
        ));
    }
    s.push_str(&format!("\nacknowledged ({}):\n", r.acknowledged.len()));
    for a in &r.acknowledged {
        s.push_str(&format!(
            "  {} {} ({}) {}: page {}, spec {}: {}\n",
            a.item, a.key, a.id, a.what, a.page, a.spec, a.reason
        ));
    }
    s
}

#[cfg(test)]
mod tests;
