//! `cargo xtask check`: everything CI runs, in order, stopping at the first failure.
//!
//! The test step runs with the coverage record on (emptied just before), and the last step,
//! `coverage --check --from-record`, reads what that very test step recorded.

use std::time::Instant;

/// One step of the check.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// Runs with a fresh coverage record (see `coverage::record`).
    records: bool,
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
        records: false,
    },
    Step {
        name: "generated code is fresh",
        args: &["run", "--quiet", "-p", "xtask", "--", "codegen", "--check"],
        env: &[],
        records: false,
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
        records: false,
    },
    Step {
        name: "tests",
        args: &["test", "--workspace", "--all-features"],
        env: &[],
        records: true,
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
        records: false,
    },
    // docs.rs builds with every feature, a downstream `cargo doc` with none (not even the
    // default `webhook`): both must be clean.
    Step {
        name: "docs without features",
        args: &[
            "doc",
            "-p",
            "lark-runtime",
            "-p",
            "lark-im-chat",
            "--no-deps",
            "--no-default-features",
        ],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
        records: false,
    },
    Step {
        name: "coverage is complete and not below the checked-in report",
        args: &[
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--",
            "coverage",
            "--check",
            "--from-record",
        ],
        env: &[],
        records: false,
    },
];

/// Runs every step; the first failure ends the run with its name.
pub fn run(_args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    for step in STEPS {
        let t = Instant::now();
        eprintln!("==> {}: cargo {}", step.name, step.args.join(" "));
        let record_env = if step.records {
            crate::coverage::record::start_run(&crate::coverage::record::default_dir())?
        } else {
            Vec::new()
        };
        // Child output goes to stderr, like our progress lines: stdout stays for results.
        let status = crate::cargo()
            .stdout(crate::stdout_to_stderr())
            .args(step.args)
            .envs(step.env.iter().copied())
            .envs(record_env)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("check failed at step `{}`", step.name));
        }
        if step.records {
            crate::coverage::record::finish_run(&crate::coverage::record::default_dir())?;
        }
        eprintln!("    {} ok in {:.1}s", step.name, t.elapsed().as_secs_f64());
    }
    eprintln!(
        "all checks passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
