//! Problems found in a spec, each with the file, the YAML path and the line.

mod source_map;

pub use source_map::SourceMap;

use std::fmt;

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// File, relative to the spec directory.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// YAML path, e.g. `operations["chat.create"].query.uuid`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a spec; nothing is generated while there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The problems, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the spec has {} problem(s):", self.diagnostics.len())?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// A place in the spec: file and YAML path. Lines are looked up when a problem is reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    /// File, relative to the spec directory.
    pub file: String,
    /// YAML path.
    pub path: String,
}

impl Loc {
    /// A location in `file` at `path`.
    pub fn new(file: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            path: path.into(),
        }
    }

    /// The location of a mapping key below this one.
    pub fn key(&self, key: &str) -> Self {
        Self {
            file: self.file.clone(),
            path: join_key(&self.path, key),
        }
    }
}

/// Appends a mapping key to a YAML path, quoting keys that are not plain words.
pub fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Appends a sequence index to a YAML path.
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Collects problems while a stage runs, so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    found: Vec<(Loc, String)>,
}

impl Diagnostics {
    /// Records a problem at `loc`.
    pub fn error(&mut self, loc: &Loc, message: impl Into<String>) {
        self.found.push((loc.clone(), message.into()));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Resolves lines and returns the problems, sorted.
    pub fn finish(self, lines: &SourceMap) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .found
            .into_iter()
            .map(|(loc, message)| Diagnostic {
                line: lines.line(&loc),
                file: loc.file,
                path: loc.path,
                message,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}
