//! Maintainer tasks: `cargo xtask <task>`. Run without arguments for the list.

mod check;
mod codegen;
mod coverage;
mod decode;
mod import_doc;
mod import_sdk;
mod normalized;
mod spec_diff;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  check                                        everything CI runs: fmt, codegen --check, clippy, tests,
                                               docs, coverage --check (of the same test run)
  generate                                     main job: codegen, then coverage (runs the tests and
                                               writes reports/coverage.{md,json})
  codegen [--check] [--spec DIR] [--out DIR]   regenerate lark-im-chat/src/generated from spec/ (or check it is
                                               fresh); names the files written on stderr
          [--doc-examples text]                doc examples as text, as the proc-macro expands them
  spec-json [--spec DIR]                       print the normalized spec as JSON
  decode <operation-id|event-type> <file.json> [--strict] [--spec DIR]
                                               decode a response or event body with the generated
                                               types; name on stderr every field and enum value the
                                               spec does not know (--strict: fail on any)
  coverage [--check] [--format md|json] [--from-record] [--record DIR]
           [--spec DIR --generated DIR]… [--reports DIR]
                                               run the tests with the coverage record on, write
                                               reports/coverage.{md,json} for every family; gaps
                                               are listed (--check: fail naming each gap and drop)
  spec-diff [<git-rev>] [--family F] [--json] [--old DIR] [--new DIR]
                                               every family's spec at a revision (default HEAD)
                                               against the working tree, each change classified
                                               breaking, additive or docs, as Markdown fragments
  import-sdk <dir> [--json] [--check] [--write] [--family F | --spec DIR…]
                                               compare every family's spec field by field with the
                                               official Python SDK unpacked at <dir> (fetches nothing)
  import-sdk <dir> --scaffold <family> <resource>… [--out DIR] [--force]
                                               draft spec/<family>/ from those SDK resources, every
                                               unknown marked TODO (never overwrites without --force)
  import-doc <overview.md> [--family F] [--json] [--check] [--write] [--spec DIR]
                                               read a family's official overview page (family named
                                               or inferred), list its operations, events and quirks,
                                               and report drift from that family's spec only
";

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// A family of the workspace: its spec directory and where its crate's generated code lives,
/// relative to the root. Adding a family adds a line here (and a crate with `src/generated`).
#[derive(Debug, Clone, Copy)]
pub struct FamilyDirs {
    /// The family's name, as its `api.yaml` says.
    pub name: &'static str,
    /// Its spec directory.
    pub spec: &'static str,
    /// Its crate's generated code.
    pub generated: &'static str,
}

/// Every family, the default one (of tasks that take one spec) first.
pub const FAMILIES: &[FamilyDirs] = &[
    FamilyDirs {
        name: "im-chat",
        spec: "spec/im-chat",
        generated: "lark-im-chat/src/generated",
    },
    FamilyDirs {
        name: "im-message",
        spec: "spec/im-message",
        generated: "lark-im-message/src/generated",
    },
];

impl FamilyDirs {
    /// Its spec directory, absolute.
    pub fn spec_dir(&self) -> PathBuf {
        root().join(self.spec)
    }

    /// Its crate's generated code, absolute.
    pub fn generated_dir(&self) -> PathBuf {
        root().join(self.generated)
    }

    /// Its crate's package name (the first component of `generated`).
    pub fn package(&self) -> &'static str {
        self.generated.split('/').next().unwrap_or(self.generated)
    }
}

/// The family named `name` (`--family NAME`); an unknown name is an error listing the known ones.
pub fn family(name: &str) -> Result<&'static FamilyDirs, String> {
    FAMILIES.iter().find(|f| f.name == name).ok_or_else(|| {
        let known: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
        format!("unknown family {name:?} (known: {})", known.join(", "))
    })
}

/// The spec of the default family (tasks that read one spec, unless `--spec` names another).
pub fn spec_dir() -> PathBuf {
    root().join(FAMILIES[0].spec)
}

/// Where the default family's generated code lives (`cargo xtask codegen` writes it, coverage
/// reads it).
pub fn generated_dir() -> PathBuf {
    root().join(FAMILIES[0].generated)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check::run(&args[1..]),
        Some("codegen") => codegen::run(&args[1..]),
        Some("generate") => generate(&args[1..]),
        Some("spec-json") => codegen::spec_json(&args[1..]),
        Some("decode") => decode::run(&args[1..]),
        Some("import-doc") => import_doc::run(&args[1..]),
        Some("coverage") => coverage::run(&args[1..]),
        Some("spec-diff") => spec_diff::run(&args[1..]),
        Some("import-sdk") => import_sdk::run(&args[1..]),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask generate`: regenerate the client, then measure and write the coverage report.
fn generate(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!("generate takes no arguments (got {extra})"));
    }
    codegen::run(&[])?;
    coverage::run(&[])
}

/// `cargo` (the one running xtask, if any) in the workspace root.
pub fn cargo() -> std::process::Command {
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Where a child's stdout goes when ours must stay clean for a JSON document: our stderr.
pub fn stdout_to_stderr() -> std::process::Stdio {
    std::io::stderr().into()
}

/// The positional arguments of `args`, after checking every flag: `switches` stand alone,
/// `valued` take the next argument. An unknown flag is an error naming it, followed by `usage`.
pub fn positional<'a>(
    args: &'a [String],
    switches: &[&str],
    valued: &[&str],
    usage: &str,
) -> Result<Vec<&'a str>, String> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        if valued.contains(&a.as_str()) {
            iter.next();
        } else if a.starts_with("--") {
            if !switches.contains(&a.as_str()) {
                return Err(format!("unknown flag {a}\n{usage}"));
            }
        } else {
            out.push(a.as_str());
        }
    }
    Ok(out)
}

/// Every value of a repeated `--name VALUE` in `args`, in order.
pub fn flag_values(args: &[String], name: &str) -> Vec<PathBuf> {
    args.windows(2)
        .filter(|w| w[0] == name)
        .map(|w| PathBuf::from(&w[1]))
        .collect()
}

/// The spec directories a task that covers every family works on: each `--spec DIR` given
/// (repeatable), else the family `--family NAME`, else every family.
pub fn spec_dirs(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let given = flag_values(args, "--spec");
    match (given.is_empty(), flag_value(args, "--family")) {
        (false, Some(_)) => Err("give --family or --spec, not both".into()),
        (false, None) => Ok(given),
        (true, Some(name)) => Ok(vec![family(&name.display().to_string())?.spec_dir()]),
        (true, None) => Ok(FAMILIES.iter().map(FamilyDirs::spec_dir).collect()),
    }
}

/// Value of `--name VALUE` in `args`.
pub fn flag_value(args: &[String], name: &str) -> Option<PathBuf> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}
