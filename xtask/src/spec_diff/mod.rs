//! `cargo xtask spec-diff [<git-rev>] [--family F] [--json] [--old DIR] [--new DIR]`: every
//! family's spec (or the one named) at a revision (default `HEAD`) against the working tree, item
//! by item, each change classified `breaking`, `additive` or `docs` for the generated Rust API (see
//! [`compare`]); a family the revision does not have yet is all additive. Prints a Markdown
//! changelog fragment per family, or with `--json` one JSON document for tools. `--old`/`--new`
//! compare two spec folders instead (the tests use fixture pairs).

pub mod compare;

use crate::{flag_value, normalized, root};
use compare::{Change, Class};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const USAGE: &str =
    "usage: cargo xtask spec-diff [<git-rev>] [--family F] [--json] [--old DIR] [--new DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let rev = match crate::positional(args, &["--json"], &["--old", "--new", "--family"], USAGE)?[..]
    {
        [] => None,
        [rev] => Some(rev),
        _ => return Err(USAGE.into()),
    };
    if flag_value(args, "--old").is_none() && flag_value(args, "--new").is_none() {
        return families(args, rev.unwrap_or("HEAD"));
    }
    let (old, from) = match (flag_value(args, "--old"), rev) {
        (Some(_), Some(_)) => return Err(format!("give a revision or --old, not both\n{USAGE}")),
        (Some(dir), None) => (normalized::from_dir(&dir)?, dir.display().to_string()),
        (None, rev) => {
            let rev = rev.unwrap_or("HEAD");
            let files = spec_at(&root(), rev)?;
            (normalized::from_files(&files)?, rev.to_owned())
        }
    };
    let (new, to) = match flag_value(args, "--new") {
        Some(dir) => (normalized::from_dir(&dir)?, dir.display().to_string()),
        None => (
            normalized::from_dir(&crate::spec_dir())?,
            "working tree".to_owned(),
        ),
    };
    let changes = compare::diff(&old, &new);
    if args.iter().any(|a| a == "--json") {
        let json = serde_json::json!({
            "from": from,
            "to": to,
            "counts": counts(&changes),
            "changes": changes,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", markdown(&from, &to, &changes));
    }
    Ok(())
}

/// Every family (or `--family F`) at `rev` against the working tree.
fn families(args: &[String], rev: &str) -> Result<(), String> {
    let selected: Vec<&crate::FamilyDirs> = match flag_value(args, "--family") {
        Some(name) => vec![crate::family(&name.display().to_string())?],
        None => crate::FAMILIES.iter().collect(),
    };
    let mut diffs = Vec::new();
    for family in selected {
        let old = family_at(&root(), rev, family)?;
        let new = normalized::from_dir(&family.spec_dir())?;
        diffs.push((family.name, compare::diff(&old, &new)));
    }
    let to = "working tree";
    if args.iter().any(|a| a == "--json") {
        let list: Vec<serde_json::Value> = diffs
            .iter()
            .map(|(family, changes)| {
                serde_json::json!({"family": family, "counts": counts(changes), "changes": changes})
            })
            .collect();
        let json = serde_json::json!({ "from": rev, "to": to, "families": list });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
        );
    } else {
        let fragments: Vec<String> = diffs
            .iter()
            .map(|(family, changes)| markdown(&format!("{family}: {rev}"), to, changes))
            .collect();
        print!("{}", fragments.join("\n"));
    }
    Ok(())
}

/// The normalized spec of `family` at `rev`; a family the revision does not have is empty (its
/// items are all additive). The first family falls back to `spec/` itself (see [`spec_at`]).
pub fn family_at(
    repo: &Path,
    rev: &str,
    family: &crate::FamilyDirs,
) -> Result<serde_json::Value, String> {
    let files = if family.name == crate::FAMILIES[0].name {
        spec_at(repo, rev)?
    } else {
        spec_files_at(repo, rev, &format!("{}/", family.spec))?
    };
    if files.is_empty() {
        Ok(serde_json::json!({"name": family.name, "operations": [], "events": []}))
    } else {
        normalized::from_files(&files)
    }
}

/// The default family's spec files (relative to its directory, without `catalog/`) at `rev` of
/// the repository at `repo`: in `spec/<family>/`, or in `spec/` itself at revisions from before
/// the workspace had one spec directory per family.
pub fn spec_at(repo: &Path, rev: &str) -> Result<BTreeMap<String, String>, String> {
    let family = format!("{}/", crate::FAMILIES[0].spec);
    match spec_files_at(repo, rev, &family)? {
        files if !files.is_empty() => Ok(files),
        _ => spec_files_at(repo, rev, "spec/")?
            .into_iter()
            .filter(|(rel, _)| !rel.contains('/') || rel.starts_with("operations/"))
            .map(Ok)
            .collect::<Result<BTreeMap<_, _>, String>>()
            .and_then(|files| {
                if files.is_empty() {
                    Err(format!(
                        "no spec files at {rev} (neither {family} nor spec/)"
                    ))
                } else {
                    Ok(files)
                }
            }),
    }
}

/// The `.yaml` files below `dir` (with its trailing `/`) at `rev`, catalog left out.
fn spec_files_at(repo: &Path, rev: &str, dir: &str) -> Result<BTreeMap<String, String>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .current_dir(repo)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| format!("git {}: {e}", args.join(" ")))
    };
    let list = git(&["ls-tree", "-r", "--name-only", rev, "--", dir])?;
    let mut files = BTreeMap::new();
    for path in list.lines() {
        let Some(rel) = path.strip_prefix(dir) else {
            continue;
        };
        if rel.ends_with(".yaml") && !rel.starts_with("catalog/") {
            files.insert(rel.to_owned(), git(&["show", &format!("{rev}:{path}")])?);
        }
    }
    Ok(files)
}

fn counts(changes: &[Change]) -> BTreeMap<&'static str, usize> {
    [Class::Breaking, Class::Additive, Class::Docs]
        .into_iter()
        .map(|class| {
            let n = changes.iter().filter(|c| c.class == class).count();
            (class.as_str(), n)
        })
        .collect()
}

/// The changelog fragment: one section per class that has changes.
pub fn markdown(from: &str, to: &str, changes: &[Change]) -> String {
    let mut s = format!("## Spec changes ({from} → {to})\n\n");
    if changes.is_empty() {
        s.push_str("No changes to operations or events.\n");
        return s;
    }
    for (class, title) in [
        (Class::Breaking, "Breaking"),
        (Class::Additive, "Additive"),
        (Class::Docs, "Documentation"),
    ] {
        let of: Vec<&Change> = changes.iter().filter(|c| c.class == class).collect();
        if of.is_empty() {
            continue;
        }
        s.push_str(&format!("### {title}\n\n"));
        for c in of {
            if c.path.is_empty() {
                s.push_str(&format!("- `{}`: {}\n", c.item, c.change));
            } else {
                s.push_str(&format!("- `{}` `{}`: {}\n", c.item, c.path, c.change));
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests;
