//! The one module that touches YAML: strict deserialization with locations.
//!
//! serde_yaml_ng reads the file into the raw model (unknown keys rejected); saphyr-parser's event
//! stream gives the line of every YAML path, so problems found later still point at a line.

use crate::diag::{join_index, join_key, Diagnostic, Loc, SourceMap};
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Parses one file into `T`, recording its lines in `map`.
pub fn parse<T: DeserializeOwned>(
    file: &str,
    text: &str,
    map: &mut SourceMap,
) -> Result<T, Diagnostic> {
    let lines = index_lines(text).map_err(|(line, message)| Diagnostic {
        file: file.to_owned(),
        line: Some(line),
        path: String::new(),
        message: format!("invalid YAML: {message}"),
    })?;
    map.insert(file, lines);
    let de = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = yaml_path(e.path());
        let inner = e.into_inner();
        let line = inner
            .location()
            .map(|l| l.line())
            .or_else(|| map.line(&Loc::new(file, path.clone())));
        Diagnostic {
            file: file.to_owned(),
            line,
            path,
            message: strip_location(&inner.to_string()),
        }
    })
}

/// serde_yaml_ng prefixes its own path and appends "at line N column M"; both are reported
/// separately, so only the message itself is kept.
fn strip_location(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    match message.split_once(": ") {
        Some((prefix, rest)) if !prefix.contains(' ') => rest.to_owned(),
        _ => message.to_owned(),
    }
}

fn yaml_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out = match seg {
            Segment::Seq { index } => join_index(&out, *index),
            Segment::Map { key } => join_key(&out, key),
            Segment::Enum { variant } => join_key(&out, variant),
            Segment::Unknown => out,
        };
    }
    out
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

/// Maps every YAML path of a document to the line where its value (or key) starts.
fn index_lines(text: &str) -> Result<HashMap<String, usize>, (usize, String)> {
    let mut lines = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    for event in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| (e.marker().line(), e.info().to_owned()))?;
        let line = span.start.line();
        use saphyr_parser::Event;
        // The path of the node this event starts, if it starts one.
        let node_path = |stack: &mut Vec<Frame>| -> Option<String> {
            match stack.last_mut() {
                None => Some(String::new()),
                Some(Frame::Seq { path, next }) => {
                    let p = join_index(path, *next);
                    *next += 1;
                    Some(p)
                }
                Some(Frame::Map { path, key }) => key.take().map(|k| join_key(path, &k)),
            }
        };
        match event {
            Event::Scalar(value, ..) => {
                let is_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                if is_key {
                    if let Some(Frame::Map { path, key }) = stack.last_mut() {
                        lines.entry(join_key(path, &value)).or_insert(line);
                        *key = Some(value.into_owned());
                    }
                } else if let Some(p) = node_path(&mut stack) {
                    lines.entry(p).or_insert(line);
                }
            }
            Event::MappingStart(..) => {
                let p = node_path(&mut stack).unwrap_or_default();
                lines.entry(p.clone()).or_insert(line);
                stack.push(Frame::Map { path: p, key: None });
            }
            Event::SequenceStart(..) => {
                let p = node_path(&mut stack).unwrap_or_default();
                lines.entry(p.clone()).or_insert(line);
                stack.push(Frame::Seq { path: p, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            Event::Alias(_) => {
                node_path(&mut stack);
            }
            _ => {}
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_nested_paths() {
        let text = "a:\n  b: 1\n  \"c.d\":\n    - x\n    - {y: 2}\n";
        let lines = index_lines(text).unwrap();
        assert_eq!(lines["a"], 1);
        assert_eq!(lines["a.b"], 2);
        assert_eq!(lines["a[\"c.d\"]"], 3);
        assert_eq!(lines["a[\"c.d\"][1].y"], 5);
    }
}
