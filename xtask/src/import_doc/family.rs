//! Which family a page is checked against: `--family NAME`, `--spec DIR`, or the family whose spec
//! has the most of the page's items (only when that is unambiguous).

use super::parse::Page;
use crate::FAMILIES;
use lark_codegen::ir::Api;
use std::path::PathBuf;

/// The family a page is checked against, and the others (an item of theirs on the page is not
/// drift of this one).
pub struct Target {
    pub name: String,
    pub spec_dir: PathBuf,
    pub api: Api,
    /// How the family was chosen, for the listing: `--family`, `--spec` or `inferred`.
    pub chosen_by: &'static str,
    pub others: Vec<(String, Api)>,
}

/// How many of the page's operations (`METHOD /path`) and events the spec has.
pub fn matches(page: &Page, api: &Api) -> usize {
    let ops = page
        .operations
        .iter()
        .filter(|p| {
            api.operations
                .iter()
                .any(|o| format!("{} {}", o.method.as_str(), o.path) == p.key())
        })
        .count();
    let events = page
        .events
        .iter()
        .filter(|p| api.events.iter().any(|e| e.event_type == p.event_type))
        .count();
    ops + events
}

/// The index of the family in `families` whose spec has the most of the page's items; an error
/// when none has any, or when two have the same most.
pub fn infer(page: &Page, families: &[(String, Api)]) -> Result<usize, String> {
    let counts: Vec<usize> = families.iter().map(|(_, api)| matches(page, api)).collect();
    let best = counts.iter().copied().max().unwrap_or(0);
    let winners: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] == best).collect();
    match winners[..] {
        [one] if best > 0 => Ok(one),
        _ => {
            let items = page.operations.len() + page.events.len();
            let shown: Vec<String> = families
                .iter()
                .zip(&counts)
                .map(|((name, _), n)| format!("{name}: {n}"))
                .collect();
            Err(format!(
                "cannot tell which family the page belongs to (of its {items} item(s), {}); name it with --family",
                shown.join(", ")
            ))
        }
    }
}

/// The target of `import-doc` for `args` (`--family`, `--spec`, else inferred from `page`).
pub fn resolve(args: &[String], page: &Page) -> Result<Target, String> {
    let spec = crate::flag_value(args, "--spec");
    let family = crate::flag_value(args, "--family").map(|f| f.display().to_string());
    let mut all = Vec::new();
    for f in FAMILIES {
        all.push((f.name.to_owned(), super::load_spec(&f.spec_dir())?));
    }
    let (name, spec_dir, api, chosen_by) = match (spec, family) {
        (Some(_), Some(_)) => return Err("give --family or --spec, not both".into()),
        (Some(dir), None) => {
            let api = super::load_spec(&dir)?;
            (api.name.clone(), dir, api, "--spec")
        }
        (None, Some(name)) => {
            let dirs = crate::family(&name)?;
            let at = all.iter().position(|(n, _)| *n == name).unwrap_or(0);
            (name, dirs.spec_dir(), all.remove(at).1, "--family")
        }
        (None, None) => {
            let at = infer(page, &all)?;
            let (name, api) = all.remove(at);
            let dir = crate::family(&name)?.spec_dir();
            (name, dir, api, "inferred")
        }
    };
    all.retain(|(n, _)| *n != name);
    Ok(Target {
        name,
        spec_dir,
        api,
        chosen_by,
        others: all,
    })
}
