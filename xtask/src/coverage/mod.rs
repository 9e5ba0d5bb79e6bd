//! `cargo xtask coverage [--check] [--format md|json] [--from-record] [--record DIR]
//! [--spec DIR --generated DIR]… [--reports DIR]`.
//!
//! Measures, per family and per operation and event, whether the family's official page lists it,
//! the spec has it, the client is generated and documented, and the tests exercised it, with totals
//! per family and over all families; writes `reports/coverage.md` and `reports/coverage.json` (and
//! appends the Markdown to `$GITHUB_STEP_SUMMARY` when set).
//!
//! "Tested" is read from the record the tests write (crate `coverage-record`). By default this
//! command empties the record, runs `cargo test --workspace --all-features` with the record turned
//! on, and reads what that run recorded. `--from-record` reads the record of the last run that
//! `cargo xtask check` (or this command) started instead, without running the tests again.
//!
//! A gap (an operation or event of the spec that is not generated, documented or tested) is
//! measured as ✗ and listed; `--check` is the one place that fails on it, naming each item, and on
//! any drop below the checked-in report. `--spec` and `--generated` (given in pairs, repeatable) and
//! `--reports` point the command at other specs (the tests use fixture specs).

pub mod drops;
pub mod markdown;
pub mod record;
pub mod report;

use crate::import_doc::{catalog, load_spec};
use crate::{flag_value, flag_values, root};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const USAGE: &str =
    "usage: cargo xtask coverage [--check] [--format md|json] [--from-record] [--record DIR]
                             [--spec DIR --generated DIR]… [--reports DIR]";

/// (spec, generated code) of each family measured: the `--spec`/`--generated` pairs, else every
/// family of the workspace.
fn targets(args: &[String]) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let (specs, generated) = (
        flag_values(args, "--spec"),
        flag_values(args, "--generated"),
    );
    if specs.is_empty() && generated.is_empty() {
        return Ok(crate::FAMILIES
            .iter()
            .map(|f| (f.spec_dir(), f.generated_dir()))
            .collect());
    }
    if specs.len() != generated.len() {
        return Err(format!(
            "give one --generated for each --spec ({} --spec, {} --generated)\n{USAGE}",
            specs.len(),
            generated.len()
        ));
    }
    Ok(specs.into_iter().zip(generated).collect())
}

/// Runs the workspace tests with the record on (`dir` emptied first).
pub fn run_tests(dir: &Path) -> Result<(), String> {
    let env = record::start_run(dir)?;
    eprintln!(
        "==> tests (recording coverage in {}): cargo test --workspace --all-features",
        dir.display()
    );
    // The test runner's output goes to stderr: with --format json, stdout holds only the report.
    let status = crate::cargo()
        .stdout(crate::stdout_to_stderr())
        .args(["test", "--workspace", "--all-features"])
        .envs(env)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        record::finish_run(dir)
    } else {
        Err("tests failed: coverage not measured".into())
    }
}

fn read_gen(dir: &Path) -> Result<(BTreeMap<String, String>, String), String> {
    let mut ops = BTreeMap::new();
    let ops_dir = dir.join("ops");
    if let Ok(entries) = std::fs::read_dir(&ops_dir) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if let Some(stem) = path
                .file_stem()
                .filter(|_| path.extension().is_some_and(|e| e == "rs"))
            {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                ops.insert(stem.to_string_lossy().into_owned(), text);
            }
        }
    }
    let events = std::fs::read_to_string(dir.join("events.rs")).unwrap_or_default();
    Ok((ops, events))
}

/// Flags that take a value.
const VALUE_FLAGS: &[&str] = &["--format", "--record", "--spec", "--generated", "--reports"];

pub fn run(args: &[String]) -> Result<(), String> {
    let has = |f: &str| args.iter().any(|a| a == f);
    let format = flag_value(args, "--format").map(|f| f.display().to_string());
    if !matches!(format.as_deref(), None | Some("md" | "json")) {
        return Err(USAGE.into());
    }
    for (i, a) in args.iter().enumerate() {
        let value_of_flag = i > 0 && VALUE_FLAGS.contains(&args[i - 1].as_str());
        if !value_of_flag
            && !VALUE_FLAGS.contains(&a.as_str())
            && !matches!(a.as_str(), "--check" | "--from-record")
        {
            return Err(format!("unknown argument {a}\n{USAGE}"));
        }
    }
    let dir = flag_value(args, "--record").unwrap_or_else(record::default_dir);
    let reports = flag_value(args, "--reports").unwrap_or_else(|| root().join("reports"));
    let mut families = Vec::new();
    for (spec_dir, gen_dir) in targets(args)? {
        families.push((load_spec(&spec_dir)?, spec_dir, gen_dir));
    }
    if !has("--from-record") {
        run_tests(&dir)?;
    }
    let rec = record::read(&dir)?;
    if rec.foreign > 0 {
        eprintln!(
            "note: ignored {} record line(s) left by another run in {}",
            rec.foreign,
            dir.display()
        );
    }
    let apis: Vec<&lark_codegen::ir::Api> = families.iter().map(|(api, _, _)| api).collect();
    report::validate(&rec, &apis)?;
    let mut measured = Vec::new();
    for (api, spec_dir, gen_dir) in &families {
        let (doc_ops, doc_events) = catalog::read_keys(&spec_dir.join("catalog"))?;
        let (gen_ops, gen_events) = read_gen(gen_dir)?;
        let sdk = crate::import_sdk::record::Record::read(&spec_dir.join("catalog"))?;
        let coverage = report::measure(&report::Sources {
            api,
            doc_ops: &doc_ops,
            doc_events: &doc_events,
            gen_ops: &gen_ops,
            gen_events: &gen_events,
            record: &rec,
            sdk: sdk.as_ref(),
        })?;
        measured.push(report::FamilyCoverage {
            family: api.name.clone(),
            coverage,
        });
    }
    let coverage = report::combine(measured);
    let json = serde_json::to_value(&coverage).map_err(|e| e.to_string())?;
    let json_text = serde_json::to_string_pretty(&coverage).map_err(|e| e.to_string())? + "\n";
    let md = markdown::markdown(&coverage);
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .and_then(|mut f| f.write_all(format!("{md}\n").as_bytes()))
            .map_err(|e| format!("$GITHUB_STEP_SUMMARY: {e}"))?;
    }
    match format.as_deref() {
        Some("json") => print!("{json_text}"),
        Some(_) => print!("{md}"),
        None => print!("{}", summary_line(&coverage)),
    }

    let gaps = report::report_gaps(&coverage);
    if has("--check") {
        check(&reports, &json, &gaps)
    } else {
        std::fs::create_dir_all(&reports).map_err(|e| format!("{}: {e}", reports.display()))?;
        for (name, text) in [("coverage.md", &md), ("coverage.json", &json_text)] {
            let path = reports.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let shown = reports.strip_prefix(root()).unwrap_or(&reports).display();
        eprintln!("wrote {shown}/coverage.md and {shown}/coverage.json");
        if !gaps.is_empty() {
            eprintln!(
                "{} gap(s) (`coverage --check` fails on them):\n  {}",
                gaps.len(),
                gaps.join("\n  ")
            );
        }
        Ok(())
    }
}

/// `--check`: the one completeness gate. Fails naming every item of the spec that is not
/// generated, documented or tested, and every drop below the checked-in report.
fn check(reports: &Path, now: &serde_json::Value, gaps: &[String]) -> Result<(), String> {
    let path = reports.join("coverage.json");
    let before: serde_json::Value = std::fs::read_to_string(&path)
        .map_err(|e| {
            format!(
                "{}: {e} (run `cargo xtask coverage` and commit reports/)",
                path.display()
            )
        })
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("{}: {e}", path.display())))?;
    let drops = drops::drops(&before, now);
    let mut failures = Vec::new();
    if !gaps.is_empty() {
        failures.push(format!(
            "{} item(s) of the spec are not fully covered:\n  {}\n(add the missing test: an e2e case in the family crate's tests/e2e_*.rs file that owns the group (its tests/e2e_support/mod.rs names the files), an event fixture in its tests/fixtures/events/)",
            gaps.len(),
            gaps.join("\n  ")
        ));
    }
    if !drops.is_empty() {
        failures.push(format!(
            "coverage dropped below {}:\n  {}\n(if that is intended, run `cargo xtask coverage` and commit reports/)",
            path.display(),
            drops.join("\n  ")
        ));
    }
    if !failures.is_empty() {
        return Err(failures.join("\n"));
    }
    if &before != now {
        eprintln!("coverage rose above reports/coverage.json: run `cargo xtask coverage` and commit reports/");
    }
    eprintln!("coverage is complete and not below reports/coverage.json");
    Ok(())
}

fn summary_line(c: &report::Report) -> String {
    let mut s = String::new();
    let all = c
        .families
        .iter()
        .map(|f| (f.family.as_str(), &f.coverage.totals))
        .chain([("all families", &c.totals)]);
    for (name, totals) in all {
        for (group, cols) in totals {
            let total = cols.get("total").copied().unwrap_or(0);
            let parts: Vec<String> = cols
                .iter()
                .filter(|(k, _)| *k != "total")
                .map(|(k, n)| format!("{} {n}/{total}", k.replace('_', " ")))
                .collect();
            s.push_str(&format!("{name} {group}: {}\n", parts.join(", ")));
        }
    }
    s
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_families;
