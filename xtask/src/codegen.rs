//! `codegen` and `spec-json`.

use crate::{flag_value, root};
use lark_codegen::Mode;

/// `cargo xtask codegen [--check] [--spec DIR] [--out DIR] [--doc-examples text]`: regenerate,
/// or fail naming every stale file. `--doc-examples text` writes what the proc-macro front end
/// expands (examples as text, not compiled).
pub fn run(args: &[String]) -> Result<(), String> {
    let one = (flag_value(args, "--spec"), flag_value(args, "--out"));
    if one.0.is_some() || one.1.is_some() {
        let spec = one.0.unwrap_or_else(crate::spec_dir);
        let out = one.1.unwrap_or_else(crate::generated_dir);
        return run_one(args, &spec, &out);
    }
    // Every family; a failure of one is reported after the others ran.
    let mut failures = Vec::new();
    for family in crate::FAMILIES {
        eprintln!("{}: {} -> {}", family.name, family.spec, family.generated);
        let (spec, out) = (root().join(family.spec), root().join(family.generated));
        if let Err(e) = run_one(args, &spec, &out) {
            failures.push(format!("{}: {e}", family.name));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Generates one spec into one directory.
fn run_one(args: &[String], spec: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let (spec, out) = (spec.to_path_buf(), out.to_path_buf());
    let mode = if args.iter().any(|a| a == "--check") {
        Mode::Check
    } else {
        Mode::Write
    };
    let options = match flag_value(args, "--doc-examples") {
        None => lark_codegen::GenerateOptions::default(),
        Some(v) if v.as_os_str() == "text" => {
            lark_codegen::GenerateOptions::default().doc_examples(lark_codegen::DocExamples::Text)
        }
        Some(v) => {
            return Err(format!(
                "--doc-examples {}: only `text` is known",
                v.display()
            ))
        }
    };
    let generated = lark_codegen::generate_dir_with(&spec, &options).map_err(|e| e.to_string())?;
    let report = lark_codegen::sync(&out, &generated.files, mode)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let show = |p: &std::path::PathBuf| p.strip_prefix(root()).unwrap_or(p).display().to_string();
    match mode {
        Mode::Check if !report.is_fresh() => {
            let mut msg = String::from(
                "generated code is stale; run `cargo xtask codegen` and commit the result:\n",
            );
            for p in &report.changed {
                msg.push_str(&format!("  changed: {}\n", show(p)));
            }
            for p in &report.missing {
                msg.push_str(&format!("  missing: {}\n", show(p)));
            }
            for p in &report.stale {
                msg.push_str(&format!("  no longer generated: {}\n", show(p)));
            }
            Err(msg)
        }
        Mode::Check => {
            println!("generated code is fresh ({} files)", generated.files.len());
            Ok(())
        }
        Mode::Write => {
            // Say which files changed, so a maintainer knows what to review and commit.
            for p in report.changed.iter().chain(&report.missing) {
                eprintln!("  wrote {}", show(p));
            }
            for p in &report.stale {
                eprintln!("  removed {}", show(p));
            }
            let n = report.changed.len() + report.missing.len();
            eprintln!(
                "{} files generated: {n} written, {} removed, {} unchanged",
                generated.files.len(),
                report.stale.len(),
                generated.files.len() - n
            );
            Ok(())
        }
    }
}

/// `cargo xtask spec-json`: the normalized spec for other tools.
pub fn spec_json(args: &[String]) -> Result<(), String> {
    let spec = flag_value(args, "--spec").unwrap_or_else(crate::spec_dir);
    let files = lark_codegen::read_spec_dir(&spec).map_err(|e| e.to_string())?;
    let api = lark_codegen::load_ir(&files).map_err(|e| e.to_string())?;
    let json = lark_codegen::spec_json::to_json(&api);
    println!(
        "{}",
        serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
    );
    Ok(())
}
