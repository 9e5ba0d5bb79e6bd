//! `cargo xtask check`: everything CI runs, in order, stopping at the first failure.

use crate::root;
use std::process::Command;
use std::time::Instant;

/// One step of the check.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step { name: "format", args: &["fmt", "--all", "--", "--check"], env: &[] },
    Step { name: "generated code is fresh", args: &["run", "--quiet", "-p", "xtask", "--", "codegen", "--check"], env: &[] },
    Step {
        name: "clippy",
        args: &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"],
        env: &[],
    },
    Step { name: "tests", args: &["test", "--workspace", "--all-features"], env: &[] },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

/// Runs every step; the first failure ends the run with its name.
pub fn run(_args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    for step in STEPS {
        let t = Instant::now();
        eprintln!("==> {}: cargo {}", step.name, step.args.join(" "));
        let status = Command::new(&cargo)
            .current_dir(root())
            .args(step.args)
            .envs(step.env.iter().copied())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("check failed at step `{}`", step.name));
        }
        eprintln!("    {} ok in {:.1}s", step.name, t.elapsed().as_secs_f64());
    }
    eprintln!("all checks passed in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
