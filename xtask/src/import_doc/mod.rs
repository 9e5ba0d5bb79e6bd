//! `cargo xtask import-doc <overview.md> [--family F] [--json] [--check] [--write] [--spec DIR]`:
//! reads a family's official overview page, lists its operations and events, reports the page's
//! quirks, and compares it with that family's spec only (`--family`, `--spec`, or inferred from
//! the page): an item of another family is listed apart, a spec item the page lacks is *not on
//! this page*, and items on one side on purpose are acknowledged in
//! `spec/<family>/catalog/overview-acknowledged.yaml`.

pub mod catalog;
pub mod compare;
pub mod family;
pub mod offpage;
pub mod parse;
pub mod scan;

use crate::root;
use compare::{AcknowledgedDiff, Drift, Elsewhere, Scope};
use parse::{PageEvent, PageOperation, Quirk};
use serde::Serialize;
use std::path::Path;

/// What `--json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The family the page was compared with.
    pub family: String,
    pub operations: Vec<PageOperation>,
    pub events: Vec<PageEvent>,
    pub quirks: Vec<Quirk>,
    pub drift: Vec<Drift>,
    pub acknowledged: Vec<AcknowledgedDiff>,
    /// Items of the page that another family's spec has (not drift of this family).
    pub elsewhere: Vec<Elsewhere>,
}

/// Parses `text` and compares it with the spec of `scope`. Parse errors come back as
/// `line N: message` lines.
#[cfg(test)]
pub fn import(
    text: &str,
    scope: &Scope<'_>,
) -> Result<(parse::Page, Report), Vec<parse::ParseError>> {
    Ok(compared(parse::parse(text)?, scope))
}

/// A parsed page compared with the spec of `scope`.
pub fn compared(mut page: parse::Page, scope: &Scope<'_>) -> (parse::Page, Report) {
    let cmp = compare::compare(&page, scope);
    page.quirks.extend(cmp.quirks);
    page.quirks.sort();
    let report = Report {
        family: scope.family.to_owned(),
        operations: page.operations.clone(),
        events: page.events.clone(),
        quirks: page.quirks.clone(),
        drift: cmp.drift,
        acknowledged: cmp.acknowledged,
        elsewhere: cmp.elsewhere,
    };
    (page, report)
}

/// Loads the spec through the generator library.
pub fn load_spec(dir: &Path) -> Result<lark_codegen::ir::Api, String> {
    let files = lark_codegen::read_spec_dir(dir).map_err(|e| e.to_string())?;
    lark_codegen::load_ir(&files).map_err(|e| e.to_string())
}

const USAGE: &str = "usage: cargo xtask import-doc <overview.md> [--family F] [--json] [--check] [--write] [--spec DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let [file] = crate::positional(
        args,
        &["--json", "--check", "--write"],
        &["--spec", "--family"],
        USAGE,
    )?[..] else {
        return Err(USAGE.into());
    };
    let has = |f: &str| args.iter().any(|a| a == f);
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let page = parse::parse(&text).map_err(|errors| {
        let mut msg = format!("{file}: {} unreadable row(s):\n", errors.len());
        for e in errors {
            msg.push_str(&format!("{file}:{}: {}\n", e.line, e.message));
        }
        msg
    })?;
    let target = family::resolve(args, &page)?;
    let acknowledged = offpage::read(&target.spec_dir)?;
    let scope = Scope {
        family: &target.name,
        api: &target.api,
        acknowledged: &acknowledged,
        others: &target.others,
    };
    let (page, report) = compared(page, &scope);
    eprintln!("{file}: family {} ({})", target.name, target.chosen_by);

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
        let dir = target.spec_dir.join("catalog");
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
            "{} difference(s) between the page and spec/{family}: update the spec, acknowledge a differing fact in the item's `overview.acknowledged`, or an item on one side only in spec/{family}/catalog/{}",
            report.drift.len(),
            offpage::FILE,
            family = target.name,
        ));
    }
    Ok(())
}

/// The plain-text listing.
fn human(file: &str, r: &Report) -> String {
    let mut s = format!(
        "{file} (family {}): {} operations, {} events\n\noperations:\n",
        r.family,
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
        let what = match a.what.as_str() {
            "added" => format!("on the page ({}), not in spec/{}", a.page, r.family),
            "not_on_page" => "not on this page".to_owned(),
            _ => format!("{}: page {}, spec {}", a.what, a.page, a.spec),
        };
        let id = if a.id.is_empty() {
            String::new()
        } else {
            format!(" ({})", a.id)
        };
        s.push_str(&format!(
            "  {} {}{id} {what}: {}\n",
            a.item, a.key, a.reason
        ));
    }
    s.push_str(&format!("\nin other families ({}):\n", r.elsewhere.len()));
    for e in &r.elsewhere {
        s.push_str(&format!(
            "  {} {} ({}): in spec/{}\n",
            e.item, e.key, e.id, e.family
        ));
    }
    s
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_family;
