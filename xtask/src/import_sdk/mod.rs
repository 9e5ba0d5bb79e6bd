//! `cargo xtask import-sdk <dir> [--json] [--check] [--write] [--spec DIR]`: field-level comparison
//! of the spec with the official Python SDK `lark-oapi`, unpacked at `<dir>` (CI: `pip download
//! --no-deps lark-oapi==<version>` and unzip; this command fetches nothing).
//!
//! Deliberate differences are acknowledged, with a reason, in the hand-written
//! `spec/catalog/sdk-acknowledged.yaml`; `--check` fails on any other drift. `--write` records the
//! import (version, sha256 of the files read, per-item drift counts) in
//! `spec/catalog/lark-oapi.yaml`, which `cargo xtask coverage` shows as the "fields vs SDK" column.
//!
//! `--scaffold <family> <resources…>` drafts a new family's spec from the SDK instead ([`scaffold`]).

pub mod compare;
pub mod parse;
pub mod record;
pub mod scaffold;

use crate::{flag_value, normalized, root};
use compare::{Acknowledged, Comparison};
use std::path::Path;

const USAGE: &str = "usage: cargo xtask import-sdk <dir> [--json] [--check] [--write] [--spec DIR]\n       cargo xtask import-sdk <dir> --scaffold <family> <resource>… [--out DIR] [--force]";

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

pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--scaffold") {
        return scaffold::run(args);
    }
    let [dir] = crate::positional(args, &["--json", "--check", "--write"], &["--spec"], USAGE)?[..]
    else {
        return Err(USAGE.into());
    };
    let has = |f: &str| args.iter().any(|a| a == f);
    let spec_dir = flag_value(args, "--spec").unwrap_or_else(crate::spec_dir);
    let spec = normalized::from_dir(&spec_dir)?;
    let sdk = parse::read(Path::new(dir)).map_err(|errors| {
        format!(
            "{} unreadable SDK file(s):\n  {}",
            errors.len(),
            errors.join("\n  ")
        )
    })?;
    let cmp = compare::compare(&spec, &sdk, &acknowledged(&spec_dir)?);
    if has("--json") {
        let json = serde_json::json!({
            "sdk_version": sdk.version,
            "operations_matched": cmp.operations_matched,
            "events_matched": cmp.events_matched,
            "drift": cmp.drift,
            "acknowledged": cmp.acknowledged,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", human(&sdk.version, &spec, &cmp));
    }
    if has("--write") {
        let out = spec_dir.join("catalog").join(record::FILE);
        let text = record::Record::of(&sdk, &spec, &cmp).render()?;
        std::fs::create_dir_all(spec_dir.join("catalog"))
            .and_then(|()| std::fs::write(&out, text))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "wrote {}",
            out.strip_prefix(root()).unwrap_or(&out).display()
        );
    }
    if has("--check") && !cmp.drift.is_empty() {
        return Err(format!(
            "{} difference(s) between lark-oapi {} and spec/: update the spec, or acknowledge each in spec/catalog/{ACKNOWLEDGED_FILE} with a reason",
            cmp.drift.len(),
            sdk.version
        ));
    }
    Ok(())
}

/// The plain-text summary.
fn human(version: &str, spec: &serde_json::Value, cmp: &Comparison) -> String {
    let mut s = format!(
        "lark-oapi {version}: {}/{} operations and {}/{} events matched\n",
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
    s
}

#[cfg(test)]
mod tests;
