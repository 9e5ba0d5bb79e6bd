//! `cargo xtask decode <operation-id|event-type> <file.json> [--strict] [--spec DIR]`.
//!
//! Names on stderr, one per line, every JSON path of the sample the spec does not have and every
//! enum value it does not list (`unknown field: data.items[].brand_new`, `unknown value:
//! data.chat_mode = "galaxy_mode"`), then decodes the sample with the generated types and prints
//! what they understood on stdout. `--strict` fails when anything is unknown.

pub mod unknown;

use crate::flag_value;

const USAGE: &str =
    "usage: cargo xtask decode <operation-id|event-type> <file.json> [--strict] [--spec DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let [what, file] = crate::positional(args, &["--strict"], &["--spec"], USAGE)?[..] else {
        return Err(USAGE.into());
    };
    let spec_dir = flag_value(args, "--spec").unwrap_or_else(crate::spec_dir);
    let spec = crate::normalized::from_dir(&spec_dir)?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let sample: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
    let found = unknown::unknowns(&spec, what, &sample)?;
    for u in &found {
        eprintln!("{u}");
    }
    typed(what, file)?;
    if args.iter().any(|a| a == "--strict") && !found.is_empty() {
        return Err(format!(
            "{} thing(s) in {file} the spec does not know (--strict)",
            found.len()
        ));
    }
    Ok(())
}

/// Runs the `decode` example of lark-im-chat: xtask itself must not depend on the client, or a
/// broken generated client could not be regenerated.
fn typed(what: &str, file: &str) -> Result<(), String> {
    let file = std::path::absolute(file).map_err(|e| format!("{file}: {e}"))?;
    let status = crate::cargo()
        .args([
            "run",
            "--quiet",
            "-p",
            "lark-im-chat",
            "--example",
            "decode",
            "--",
        ])
        .arg(what)
        .arg(&file)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(String::new())
    }
}

#[cfg(test)]
mod tests;
