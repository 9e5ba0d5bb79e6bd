//! Reads the generated model files of the official Python SDK (`lark_oapi/api/im/v1/model/*.py`).
//!
//! The files are regular: each type declares its fields in a `_types = {"name": Type, …}` mapping,
//! and each `*_request.py` builder sets `http_method`, `uri` and `token_types` and names its query
//! (`add_query("name", …)` or `queries["name"]`) and path (`paths["name"]`) parameters. Statements
//! may be wrapped over several lines (the SDK is formatted), so the text is first joined into
//! logical lines by bracket depth. Anything inside a `_types` mapping, or a request builder, that
//! cannot be read is an error naming file and line: silently skipping it would hide drift.
//!
//! For the scaffolder (`import-sdk --scaffold`), two more sources are read when present: the
//! resource files beside the model folder (`resource/<resource>.py`, whose `def <method>(self,
//! request: <Request class>, …)` say which requests a resource has and under which method name),
//! and the event dispatcher (`lark_oapi/event/dispatcher_handler.py`, whose `"p2.<event type>"`
//! keys give each event file its dotted event type). Neither is part of the recorded hash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A field type as the SDK declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyType {
    Str,
    Int,
    Float,
    Bool,
    Any,
    /// `IO[Any]`: an uploaded or downloaded file.
    File,
    List(Box<PyType>),
    Dict(Box<PyType>),
    /// Another model class.
    Class(String),
}

impl PyType {
    /// The JSON kind, in the words the normalized spec uses.
    pub fn kind(&self) -> &'static str {
        match self {
            PyType::Str => "string",
            PyType::Int => "integer",
            PyType::Float => "number",
            PyType::Bool => "boolean",
            PyType::Any => "any",
            PyType::File => "file",
            PyType::List(_) => "array",
            PyType::Dict(_) | PyType::Class(_) => "object",
        }
    }
}

/// A request builder: what one SDK operation sends.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `get_chat_request.py`.
    pub file: String,
    pub method: String,
    pub uri: String,
    /// `tenant`, `user`, `app`.
    pub tokens: Vec<String>,
    pub query: Vec<String>,
    pub path_params: Vec<String>,
    /// The request body class, if any.
    pub body: Option<String>,
    /// The request class's own attributes (`self.page_size: Optional[int] = None`): query and
    /// path parameters with their types.
    pub params: Vec<(String, PyType)>,
}

/// What was read from the SDK.
#[derive(Debug, Default)]
pub struct Sdk {
    /// From `lark_oapi-<version>.dist-info/METADATA`, or `unknown`.
    pub version: String,
    /// Class name -> its `_types` fields, in file order.
    pub classes: BTreeMap<String, Vec<(String, PyType)>>,
    pub requests: Vec<Request>,
    /// File stems (`p2_im_chat_updated_v1`) -> the class the file declares first.
    pub first_class: BTreeMap<String, String>,
    /// Every file read, relative to the model folder, with its bytes (for the record's hash).
    pub files: Vec<(String, Vec<u8>)>,
    /// Resource (`message_reaction`, the file stem under `resource/`) -> (method, request class),
    /// in file order; empty when the package has no resource folder.
    pub resources: BTreeMap<String, Vec<(String, String)>>,
    /// Event file stem (`p2_im_message_reaction_created_v1`) -> event type
    /// (`im.message.reaction.created_v1`), from the dispatcher, for the events of the model folder.
    pub event_types: BTreeMap<String, String>,
}

/// An error naming file and line.
pub fn at(file: &str, line: usize, message: impl std::fmt::Display) -> String {
    format!("{file}:{line}: {message}")
}

/// The model folder of an unpacked package: `<dir>/lark_oapi/api/im/v1/model`, or `<dir>` itself
/// when it holds the `.py` files.
pub fn model_dir(dir: &Path) -> Result<PathBuf, String> {
    let nested = dir.join("lark_oapi/api/im/v1/model");
    if nested.is_dir() {
        Ok(nested)
    } else if has_py(dir) {
        Ok(dir.to_path_buf())
    } else {
        Err(format!(
            "{}: no lark_oapi/api/im/v1/model/*.py (give the folder an unpacked lark-oapi package is in)",
            dir.display()
        ))
    }
}

fn has_py(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "py"))
    })
}

/// The package version from the wheel's metadata beside `lark_oapi/`.
pub fn version(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return "unknown".into();
    };
    let mut dist: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".dist-info"))
        })
        .collect();
    dist.sort();
    dist.iter()
        .filter_map(|d| std::fs::read_to_string(d.join("METADATA")).ok())
        .find_map(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Version:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Reads every `*.py` of the model folder of the package unpacked at `dir`.
pub fn read(dir: &Path) -> Result<Sdk, Vec<String>> {
    let model = model_dir(dir).map_err(|e| vec![e])?;
    let mut sdk = Sdk {
        version: version(dir),
        ..Sdk::default()
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&model)
        .map_err(|e| vec![format!("{}: {e}", model.display())])?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    names.sort();
    let mut errors = Vec::new();
    for path in names {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = file(&mut sdk, &name, &text) {
            errors.push(e);
        }
        sdk.files.push((name, bytes));
    }
    if let Some(resource) = model.parent().map(|p| p.join("resource")) {
        if let Err(e) = resources(&mut sdk, &resource) {
            errors.push(e);
        }
    }
    event_types(&mut sdk, dir);
    if errors.is_empty() {
        Ok(sdk)
    } else {
        Err(errors)
    }
}

/// Reads `resource/*.py` (if the folder exists): the public methods taking a request.
fn resources(sdk: &mut Sdk, folder: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    for path in paths {
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        if stem.starts_with("__") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut methods = Vec::new();
        for (_, l) in logical_lines(&text) {
            // `async def a<method>` are the same requests again.
            let Some((method, params)) = l.strip_prefix("def ").and_then(|r| r.split_once('('))
            else {
                continue;
            };
            let request = params
                .strip_prefix("self, request: ")
                .map(|r| r.split([',', ')']).next().unwrap_or(r).trim());
            if let Some(request) = request {
                methods.push((method.trim().to_owned(), request.to_owned()));
            }
        }
        sdk.resources.insert(stem, methods);
    }
    Ok(())
}

/// Reads the dotted event types of the dispatcher, keyed by the stem of their model file.
fn event_types(sdk: &mut Sdk, dir: &Path) {
    let path = dir.join("lark_oapi/event/dispatcher_handler.py");
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for piece in text.split("\"p2.").skip(1) {
        let Some(event_type) = piece.split('"').next() else {
            continue;
        };
        let stem = format!("p2_{}", event_type.replace('.', "_"));
        if sdk.first_class.contains_key(&stem) {
            sdk.event_types.insert(stem, event_type.to_owned());
        }
    }
}

/// Physical lines joined while brackets are open: (first line number, text with runs of
/// whitespace collapsed). Brackets inside string literals do not count.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut depth: i32 = 0;
    for (i, line) in text.lines().enumerate() {
        let code = line.split_once(" #").map_or(line, |(c, _)| c);
        if current.is_empty() {
            start = i + 1;
        } else {
            current.push(' ');
        }
        current.push_str(code.trim());
        let mut quote = None;
        for c in code.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '(' | '[' | '{') => depth += 1,
                (None, ')' | ']' | '}') => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            depth = 0;
            let joined = current.split_whitespace().collect::<Vec<_>>().join(" ");
            // `( "a" )` and `{ X, }`: drop the padding formatting adds inside brackets.
            let joined = joined
                .replace("( ", "(")
                .replace(" )", ")")
                .replace("{ ", "{")
                .replace(" }", "}")
                .replace(",)", ")")
                .replace(",}", "}");
            out.push((start, joined));
            current.clear();
        }
    }
    out
}

/// The one string literal in `s`.
fn string_literal(s: &str) -> Option<String> {
    let start = s.find('"')?;
    let end = s[start + 1..].find('"')?;
    Some(s[start + 1..start + 1 + end].to_owned())
}

/// Parses a `_types` value.
pub fn py_type(s: &str) -> Option<PyType> {
    let s = s.trim();
    let inner = |prefix: &str| s.strip_prefix(prefix).and_then(|r| r.strip_suffix(']'));
    Some(match s {
        "str" => PyType::Str,
        "int" => PyType::Int,
        "float" => PyType::Float,
        "bool" => PyType::Bool,
        "Any" | "object" => PyType::Any,
        "IO[Any]" => PyType::File,
        _ if s.starts_with("List[") => PyType::List(Box::new(py_type(inner("List[")?)?)),
        _ if s.starts_with("Dict[") => {
            let (_, value) = inner("Dict[")?.split_once(',')?;
            PyType::Dict(Box::new(py_type(value)?))
        }
        _ if s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            PyType::Class(s.to_owned())
        }
        _ => return None,
    })
}

/// Splits `a, b[c, d], e` at top-level commas.
fn top_level_split(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Reads one file into `sdk`.
fn file(sdk: &mut Sdk, name: &str, text: &str) -> Result<(), String> {
    let stem = name.strip_suffix(".py").unwrap_or(name);
    let is_request = stem.ends_with("_request");
    let mut class: Option<String> = None;
    let mut request = Request {
        file: name.to_owned(),
        ..Request::default()
    };
    for (line, l) in logical_lines(text) {
        if let Some(rest) = l.strip_prefix("class ") {
            let end = rest.find(['(', ':']).unwrap_or(rest.len());
            let c = rest[..end].trim().to_owned();
            sdk.first_class
                .entry(stem.to_owned())
                .or_insert_with(|| c.clone());
            class = Some(c);
        } else if let Some(body) = l
            .strip_prefix("_types = {")
            .and_then(|b| b.strip_suffix('}'))
        {
            let Some(c) = &class else {
                return Err(at(name, line, "_types outside a class"));
            };
            let mut fields = Vec::new();
            for entry in top_level_split(body) {
                let parsed = entry
                    .split_once(':')
                    .and_then(|(k, t)| Some((string_literal(k)?, py_type(t)?)));
                let Some(field) = parsed else {
                    let entry = entry.trim();
                    // The physical line the entry is on (a mapping spans several).
                    let on = text
                        .lines()
                        .enumerate()
                        .skip(line - 1)
                        .find(|(_, l)| l.contains(entry))
                        .map_or(line, |(i, _)| i + 1);
                    return Err(at(
                        name,
                        on,
                        format!("cannot read the _types entry {entry:?}"),
                    ));
                };
                fields.push(field);
            }
            sdk.classes.insert(c.clone(), fields);
        } else if l.starts_with("_types") {
            return Err(at(name, line, format!("cannot read {l:?}")));
        } else if is_request {
            request_statement(&mut request, name, line, &l)?;
        }
    }
    if is_request {
        if request.method.is_empty() || request.uri.is_empty() {
            return Err(at(name, 1, "a request builder without http_method or uri"));
        }
        sdk.requests.push(request);
    }
    Ok(())
}

/// One statement of a request file.
fn request_statement(r: &mut Request, name: &str, line: usize, l: &str) -> Result<(), String> {
    let bad = |what: &str| at(name, line, format!("cannot read the {what} in {l:?}"));
    if let Some((_, m)) = l.split_once(".http_method = HttpMethod.") {
        r.method = m.trim().to_owned();
    } else if let Some((_, uri)) = l.split_once(".uri = ") {
        r.uri = string_literal(uri).ok_or_else(|| bad("uri"))?;
    } else if let Some((_, set)) = l.split_once(".token_types = ") {
        let inner = set
            .trim()
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .ok_or_else(|| bad("token types"))?;
        for t in top_level_split(inner) {
            let kind = t
                .trim()
                .strip_prefix("AccessTokenType.")
                .ok_or_else(|| bad("token types"))?;
            r.tokens.push(kind.to_ascii_lowercase());
        }
        r.tokens.sort();
    } else if let Some((_, q)) = l
        .split_once(".add_query(")
        .or_else(|| l.split_once(".queries["))
    {
        let q = string_literal(q).ok_or_else(|| bad("query parameter"))?;
        if !r.query.contains(&q) {
            r.query.push(q);
        }
    } else if let Some((_, p)) = l.split_once(".paths[") {
        let p = string_literal(p).ok_or_else(|| bad("path parameter"))?;
        if !r.path_params.contains(&p) {
            r.path_params.push(p);
        }
    } else if let Some(t) = l.strip_prefix("self.request_body: Optional[") {
        let end = t.find(']').ok_or_else(|| bad("request body type"))?;
        r.body = Some(t[..end].to_owned());
    } else if let Some((name, t)) = l
        .strip_prefix("self.")
        .and_then(|a| a.split_once(": Optional["))
        .and_then(|(n, t)| Some((n, t.strip_suffix("] = None")?)))
    {
        let ty = py_type(t).ok_or_else(|| bad("parameter type"))?;
        r.params.push((name.to_owned(), ty));
    }
    Ok(())
}
