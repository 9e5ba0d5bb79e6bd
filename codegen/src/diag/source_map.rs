//! Lines of YAML paths, per spec file: filled while the spec is parsed, read when problems are
//! reported, so that problems found after parsing still point at a line.

use super::Loc;
use std::collections::HashMap;

/// Lines of YAML paths, per file.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: HashMap<String, HashMap<String, usize>>,
}

impl SourceMap {
    /// The line of `loc`, or of its nearest ancestor that has one.
    pub fn line(&self, loc: &Loc) -> Option<usize> {
        let lines = self.files.get(&loc.file)?;
        let mut path = loc.path.as_str();
        loop {
            if let Some(line) = lines.get(path) {
                return Some(*line);
            }
            path = parent(path)?;
        }
    }

    /// Records the lines of one file (YAML path -> line).
    pub(crate) fn insert(&mut self, file: &str, lines: HashMap<String, usize>) {
        self.files.insert(file.to_owned(), lines);
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = if path.ends_with(']') {
        path.rfind('[')
    } else {
        path.rfind(['.', '['])
    };
    Some(cut.map_or("", |i| &path[..i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_paths() {
        assert_eq!(parent("a[\"c.d\"][1].y"), Some("a[\"c.d\"][1]"));
        assert_eq!(parent("a[\"c.d\"][1]"), Some("a[\"c.d\"]"));
        assert_eq!(parent("a[\"c.d\"]"), Some("a"));
        assert_eq!(parent("a"), Some(""));
    }
}
