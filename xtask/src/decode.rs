//! `cargo xtask decode <operation-id|event-type> <file.json> [--strict]`.
//!
//! Runs the `decode` example of the family whose spec has the operation or event: it names on
//! stderr, one per line, every JSON path of the sample the spec does not have and every enum
//! value it does not list (`unknown field: data.items[].brand_new`, `unknown value:
//! data.chat_mode = "galaxy_mode"`) with the runtime's drift walker over the family's generated
//! shapes (the one walker there is), then decodes the sample with the generated types and
//! prints what they understood on stdout. `--strict` fails when anything is unknown.
//!
//! xtask itself depends on no family crate, or a broken generated client could not be
//! regenerated: the example runs in a child process.

use crate::{flag_value, root, FAMILIES};

const USAGE: &str =
    "usage: cargo xtask decode <operation-id|event-type> <file.json> [--strict] [--spec DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let [what, file] = crate::positional(args, &["--strict"], &["--spec"], USAGE)?[..] else {
        return Err(USAGE.into());
    };
    let package = family_of(what, flag_value(args, "--spec"))?;
    let file = std::path::absolute(file).map_err(|e| format!("{file}: {e}"))?;
    let mut command = crate::cargo();
    command
        .args([
            "run",
            "--quiet",
            "-p",
            &package,
            "--example",
            "decode",
            "--",
        ])
        .arg(what)
        .arg(&file);
    if args.iter().any(|a| a == "--strict") {
        command.arg("--strict");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(String::new())
    }
}

/// The crate of the family whose spec (`--spec`, else every family's) has `what`.
fn family_of(what: &str, spec: Option<std::path::PathBuf>) -> Result<String, String> {
    let crate_of = |generated: &str| generated.split('/').next().unwrap_or(generated).to_owned();
    for family in FAMILIES {
        let dir = root().join(family.spec);
        if spec.as_ref().is_some_and(|s| *s != dir) {
            continue;
        }
        let normalized = crate::normalized::from_dir(&dir)?;
        if crate::normalized::operation(&normalized, what).is_some()
            || crate::normalized::event(&normalized, what).is_some()
        {
            return Ok(crate_of(family.generated));
        }
    }
    Err(format!(
        "`{what}` is neither an operation id nor an event type of any family's spec"
    ))
}
