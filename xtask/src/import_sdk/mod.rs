//! `cargo xtask import-sdk <dir> [--json] [--check] [--write] [--family F | --spec DIR…]`:
//! field-level comparison of every family's spec (or the one named) with the official Python SDK
//! `lark-oapi`, unpacked at `<dir>` (CI: `pip download --no-deps lark-oapi==<version>` and unzip;
//! this command fetches nothing).
//!
//! Deliberate differences are acknowledged, with a reason, in each family's hand-written
//! `spec/<family>/catalog/sdk-acknowledged.yaml`; `--check` fails on any other drift of any family.
//! `--write` records the import (version, sha256 of the files read, per-item drift counts) in each
//! family's `spec/<family>/catalog/lark-oapi.yaml`, which `cargo xtask coverage` shows as the
//! "fields vs SDK" column.
//!
//! `--scaffold <family> <resources…>` drafts a new family's spec from the SDK instead ([`scaffold`]).

pub mod compare;
pub mod parse;
pub mod record;
pub mod scaffold;

use crate::{normalized, root};
use compare::{Acknowledged, Comparison};
use std::path::{Path, PathBuf};

const USAGE: &str = "usage: cargo xtask import-sdk <dir> [--json] [--check] [--write] [--family F | --spec DIR…]\n       cargo xtask import-sdk <dir> --scaffold <family> <resource>… [--out DIR] [--force]";

/// File of the hand-written acknowledgements, in `spec/catalog/`.
pub const ACKNOWLEDGED_FILE: &str = "sdk-acknowledged.yaml";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AcknowledgedFile {
    acknowledged: Vec<Acknowledged>,
}

/// The acknowledgements of the spec at `spec_dir` (none when the file is absent).
pub fn acknowledged(spec_dir: &Path) -> Result<Vec<Acknowledged>, String> {
    let path = spec_dir.join("catalog").join(ACKNOWLEDGED_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_yaml_ng::from_str::<AcknowledgedFile>(&text)
            .map(|f| f.acknowledged)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// One family compared with the SDK.
pub struct FamilyComparison {
    pub family: String,
    pub spec_dir: PathBuf,
    pub spec: serde_json::Value,
    pub cmp: Comparison,
}

/// Compares each spec in `spec_dirs` with `sdk`, with that spec's acknowledgements.
pub fn compare_families(
    spec_dirs: &[PathBuf],
    sdk: &parse::Sdk,
) -> Result<Vec<FamilyComparison>, String> {
    let mut out = Vec::new();
    for dir in spec_dirs {
        let spec = normalized::from_dir(dir)?;
        let cmp = compare::compare(&spec, sdk, &acknowledged(dir)?);
        out.push(FamilyComparison {
            family: spec["name"].as_str().unwrap_or("?").to_owned(),
            spec_dir: dir.clone(),
            spec,
            cmp,
        });
    }
    Ok(out)
}

/// `--check`: an error naming each family with unacknowledged differences, or none.
pub fn check(version: &str, families: &[FamilyComparison]) -> Result<(), String> {
    let failing: Vec<String> = families
        .iter()
        .filter(|f| !f.cmp.drift.is_empty())
        .map(|f| {
            format!(
                "{}: {} difference(s) between lark-oapi {version} and spec/{}: update the spec, or acknowledge each in spec/{}/catalog/{ACKNOWLEDGED_FILE} with a reason",
                f.family,
                f.cmp.drift.len(),
                f.family,
                f.family
            )
        })
        .collect();
    if failing.is_empty() {
        Ok(())
    } else {
        Err(failing.join("\n"))
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--scaffold") {
        return scaffold::run(args);
    }
    let [dir] = crate::positional(
        args,
        &["--json", "--check", "--write"],
        &["--spec", "--family"],
        USAGE,
    )?[..] else {
        return Err(USAGE.into());
    };
    let has = |f: &str| args.iter().any(|a| a == f);
    let spec_dirs = crate::spec_dirs(args)?;
    let sdk = parse::read(Path::new(dir)).map_err(|errors| {
        format!(
            "{} unreadable SDK file(s):\n  {}",
            errors.len(),
            errors.join("\n  ")
        )
    })?;
    let families = compare_families(&spec_dirs, &sdk)?;
    if has("--json") {
        let list: Vec<serde_json::Value> = families
            .iter()
            .map(|f| {
                serde_json::json!({
                    "family": f.family,
                    "operations_matched": f.cmp.operations_matched,
                    "events_matched": f.cmp.events_matched,
                    "drift": f.cmp.drift,
                    "acknowledged": f.cmp.acknowledged,
                })
            })
            .collect();
        let json = serde_json::json!({ "sdk_version": sdk.version, "families": list });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
        );
    } else {
        for f in &families {
            print!("{}", human(&f.family, &sdk.version, &f.spec, &f.cmp));
        }
    }
    if has("--write") {
        for f in &families {
            let catalog = f.spec_dir.join("catalog");
            let out = catalog.join(record::FILE);
            let text = record::Record::of(&sdk, &f.spec, &f.cmp).render()?;
            std::fs::create_dir_all(&catalog)
                .and_then(|()| std::fs::write(&out, text))
                .map_err(|e| format!("{}: {e}", out.display()))?;
            eprintln!(
                "wrote {}",
                out.strip_prefix(root()).unwrap_or(&out).display()
            );
        }
    }
    if has("--check") {
        check(&sdk.version, &families)?;
    }
    Ok(())
}

/// The plain-text summary.
fn human(family: &str, version: &str, spec: &serde_json::Value, cmp: &Comparison) -> String {
    let mut s = format!(
        "== {family}: lark-oapi {version}: {}/{} operations and {}/{} events matched\n",
        cmp.operations_matched,
        normalized::items(spec, "operations").len(),
        cmp.events_matched,
        normalized::items(spec, "events").len(),
    );
    for (title, list) in [("drift", &cmp.drift), ("acknowledged", &cmp.acknowledged)] {
        s.push_str(&format!("\n{title} ({}):\n", list.len()));
        for d in list {
            s.push_str(&format!(
                "  {} {} {}: {}\n",
                d.kind, d.item, d.path, d.details
            ));
        }
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
