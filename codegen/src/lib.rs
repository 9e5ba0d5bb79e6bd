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
pub mod load;
mod lower;
mod names;
pub mod output;
mod raw;
mod render;
pub mod spec_json;
mod validate;
mod yaml;

pub use diag::{Diagnostic, SpecError};
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
    let mut map = yaml::SourceMap::default();
    let raw = load::parse(files, &mut map).map_err(|mut diagnostics| {
        diagnostics.sort();
        SpecError { diagnostics }
    })?;
    let mut diags = diag::Diagnostics::default();
    let api = lower::lower(&raw, &mut diags);
    validate::validate(&api, &mut diags);
    if diags.is_empty() {
        Ok(api)
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

/// Runs the whole pipeline on a spec held in memory.
pub fn generate(files: &BTreeMap<String, String>) -> Result<Generated, SpecError> {
    let api = load_ir(files)?;
    let mut map = yaml::SourceMap::default();
    let hash = load::parse(files, &mut map)
        .map(|r| r.hash)
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for file in emit::emit(&api) {
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
