//! Reads a spec directory (or in-memory files) into the raw model.

use crate::diag::{Diagnostic, SourceMap};
use crate::raw::*;
use crate::yaml;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Everything read from the spec, still raw.
#[derive(Debug, Clone)]
pub struct RawSpec {
    pub api: Option<(String, ApiFile)>,
    pub handles: Option<(String, HandlesFile)>,
    pub enums: Option<(String, EnumsFile)>,
    pub types: Option<(String, TypesFile)>,
    pub errors: Option<(String, ErrorsFile)>,
    pub events: Option<(String, EventsFile)>,
    pub operations: Vec<(String, OperationsFile)>,
    /// SHA-256 over every file's name and bytes, for the generated files' header.
    pub hash: String,
}

/// Reads every `*.yaml` file below `dir` (except `catalog/`, which the doc importer owns).
pub fn read_dir(dir: &Path) -> Result<BTreeMap<String, String>, Diagnostic> {
    let mut files = BTreeMap::new();
    let io_err = |file: &str, e: std::io::Error| Diagnostic {
        file: file.to_owned(),
        line: None,
        path: String::new(),
        message: format!("cannot read: {e}"),
    };
    let mut walk = vec![dir.to_path_buf()];
    while let Some(d) = walk.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| io_err(&d.display().to_string(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_err(&d.display().to_string(), e))?;
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if rel != "catalog" {
                    walk.push(path);
                }
            } else if rel.ends_with(".yaml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io_err(&rel, e))?;
                files.insert(rel, text);
            }
        }
    }
    Ok(files)
}

/// Parses in-memory spec files (relative path -> text). Every file is parsed, and every problem
/// is returned, before anything is lowered.
pub fn parse(
    files: &BTreeMap<String, String>,
    map: &mut SourceMap,
) -> Result<RawSpec, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut spec = RawSpec {
        api: None,
        handles: None,
        enums: None,
        types: None,
        errors: None,
        events: None,
        operations: Vec::new(),
        hash: hash(files),
    };
    fn one<T: serde::de::DeserializeOwned>(
        file: &str,
        text: &str,
        map: &mut SourceMap,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<(String, T)> {
        match yaml::parse::<T>(file, text, map) {
            Ok(v) => Some((file.to_owned(), v)),
            Err(d) => {
                errors.push(d);
                None
            }
        }
    }
    for (file, text) in files {
        match file.as_str() {
            "api.yaml" => spec.api = one(file, text, map, &mut errors),
            "handles.yaml" => spec.handles = one(file, text, map, &mut errors),
            "enums.yaml" => spec.enums = one(file, text, map, &mut errors),
            "types.yaml" => spec.types = one(file, text, map, &mut errors),
            "errors.yaml" => spec.errors = one(file, text, map, &mut errors),
            "events.yaml" => spec.events = one(file, text, map, &mut errors),
            f if f.starts_with("operations/") => {
                if let Some(ops) = one(file, text, map, &mut errors) {
                    spec.operations.push(ops);
                }
            }
            _ => errors.push(Diagnostic {
                file: file.clone(),
                line: None,
                path: String::new(),
                message: "unexpected file: specs hold api, handles, enums, types, errors, events and operations/*.yaml"
                    .into(),
            }),
        }
    }
    if spec.api.is_none() && !files.contains_key("api.yaml") {
        errors.push(Diagnostic {
            file: "api.yaml".into(),
            line: None,
            path: String::new(),
            message: "missing: every spec needs api.yaml".into(),
        });
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

fn hash(files: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
