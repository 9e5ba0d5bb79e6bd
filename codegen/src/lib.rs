//! The generator behind `lark-im-chat`.
//!
//! ```text
//! spec/*.yaml --load--> raw model --lower--> IR --validate--> IR --emit--> tokens --render--> files
//! ```
//! [`generate`] runs the whole pipeline in memory; `cargo xtask codegen` and the
//! `lark-codegen-macros` front end both call it, so they give the same text for the same spec.
//! A spec with problems generates nothing: every problem is reported with file, YAML path and line.

pub mod diag;
mod emit;
pub mod ir;
mod json_text;
pub mod load;
mod lower;
mod names;
mod options;
pub mod output;
mod raw;
mod render;
pub mod spec_json;
mod suggest;
mod validate;
mod yaml;

pub use diag::{Diagnostic, SpecError};
pub use options::{DocExamples, GenerateOptions, DEFAULT_RUNTIME_PATH};
pub use output::{sync, Mode, SyncReport};

use std::collections::BTreeMap;
use std::path::Path;

/// The generated files, relative to `src/generated/`, and the spec's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Relative path -> formatted Rust text.
    pub files: BTreeMap<String, String>,
    /// SHA-256 of the spec files.
    pub spec_hash: String,
}

/// Loads, lowers and validates a spec held in memory (relative path -> YAML text).
pub fn load_ir(files: &BTreeMap<String, String>) -> Result<ir::Api, SpecError> {
    load(files).map(|(api, _)| api)
}

/// The validated IR and the spec's hash, from one read of the files.
fn load(files: &BTreeMap<String, String>) -> Result<(ir::Api, String), SpecError> {
    let mut map = diag::SourceMap::default();
    let raw = load::parse(files, &mut map).map_err(|mut diagnostics| {
        diagnostics.sort();
        SpecError { diagnostics }
    })?;
    let mut diags = diag::Diagnostics::default();
    let api = lower::lower(&raw, &mut diags);
    validate::validate(&api, &mut diags);
    if diags.is_empty() {
        Ok((api, raw.hash))
    } else {
        Err(SpecError {
            diagnostics: diags.finish(&map),
        })
    }
}

/// Reads a spec directory into memory.
pub fn read_spec_dir(dir: &Path) -> Result<BTreeMap<String, String>, SpecError> {
    load::read_dir(dir).map_err(|d| SpecError {
        diagnostics: vec![d],
    })
}

/// Runs the whole pipeline on a spec held in memory, with default options (what
/// `cargo xtask codegen` writes).
pub fn generate(files: &BTreeMap<String, String>) -> Result<Generated, SpecError> {
    generate_with(files, &GenerateOptions::default())
}

/// Runs the whole pipeline on a spec held in memory.
pub fn generate_with(
    files: &BTreeMap<String, String>,
    options: &GenerateOptions,
) -> Result<Generated, SpecError> {
    let (api, hash) = load(files)?;
    let mut out = BTreeMap::new();
    for file in emit::emit(&api, options) {
        let with_hash = (file.path == "mod.rs").then_some(hash.as_str());
        let text =
            render::render(file.tokens, file.what, with_hash).map_err(|message| SpecError {
                diagnostics: vec![Diagnostic {
                    file: file.path.clone(),
                    line: None,
                    path: String::new(),
                    message,
                }],
            })?;
        out.insert(file.path, text);
    }
    Ok(Generated {
        files: out,
        spec_hash: hash,
    })
}

/// Runs the whole pipeline on a spec directory.
pub fn generate_dir(dir: &Path) -> Result<Generated, SpecError> {
    generate(&read_spec_dir(dir)?)
}

/// Runs the whole pipeline on a spec directory, with `options`.
pub fn generate_dir_with(dir: &Path, options: &GenerateOptions) -> Result<Generated, SpecError> {
    generate_with(&read_spec_dir(dir)?, options)
}
