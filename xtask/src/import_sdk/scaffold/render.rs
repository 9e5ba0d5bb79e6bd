//! The draft as spec YAML. What the SDK cannot know is marked one way everywhere: the placeholder
//! value `TODO` (`summary: TODO`, `doc: TODO`, `overview: {title: TODO, section: TODO}`) or an
//! empty list (`scopes: []`), each on a line carrying `# TODO(scaffold): …`, except field docs,
//! whose `doc: TODO` is the marker. `grep -rn TODO` lists them all; [`Rendered::todos`] counts
//! them per kind.

use super::draft::{Draft, Event, Field, Op, Response};
use crate::import_sdk::parse::PyType;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Kinds of TODO, as the summary names them.
pub const SUMMARY: &str = "summary";
pub const DOC_URL: &str = "doc_url";
pub const SCOPES: &str = "scopes";
pub const APP_TYPES: &str = "app_types";
pub const OVERVIEW: &str = "overview";
pub const DOC: &str = "doc";
pub const REQUIRED: &str = "required/limits";
pub const ERRORS: &str = "errors/rate_limit";
pub const TOKENS: &str = "tokens";
pub const WIRE: &str = "wire type";
pub const FILE: &str = "file transfer";
pub const EVENT_TYPE: &str = "event type";
pub const HANDLE: &str = "handle";
pub const TITLE: &str = "title";

/// The files of the draft (relative path -> YAML) and the TODOs they carry, per kind.
#[derive(Debug, Default)]
pub struct Rendered {
    pub files: BTreeMap<String, String>,
    pub todos: BTreeMap<&'static str, usize>,
}

impl Rendered {
    /// ` # TODO(scaffold): note`, counted under `kind`.
    fn todo(&mut self, kind: &'static str, note: &str) -> String {
        self.count(kind, 1);
        format!("  # TODO(scaffold): {note}")
    }

    fn count(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            *self.todos.entry(kind).or_default() += n;
        }
    }
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted.
pub fn scalar(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-:".contains(c))
        && !s.ends_with(':')
        && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
            .contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        serde_json::Value::String(s.to_owned()).to_string()
    }
}

fn header(d: &Draft, what: &str) -> String {
    format!(
        "# {what}, drafted by `cargo xtask import-sdk --scaffold {}` from lark-oapi {}.\n\
         # Names, paths and types are the SDK's; every TODO is for the maintainer (grep -rn TODO).\n\
         # Format: spec/README.md.\n",
        d.family, d.sdk_version
    )
}

/// Renders every file of `d`; `errors_source` is the text of an existing `errors.yaml` whose
/// classed (platform-wide) codes the stub copies.
pub fn render(d: &Draft, errors_source: &str) -> Result<Rendered, String> {
    let mut r = Rendered::default();
    let title = r.todo(TITLE, "what this family covers, one line");
    let api = format!(
        "{}name: {}\ntitle: TODO{title}\nbase_urls:\n  feishu: https://open.feishu.cn\n  lark: https://open.larksuite.com\n",
        header(d, "The API this spec describes"),
        scalar(&d.family)
    );
    r.files.insert("api.yaml".into(), api);
    let handles = handles(d, &mut r);
    r.files.insert("handles.yaml".into(), handles);
    let types = types(d, &mut r);
    r.files.insert("types.yaml".into(), types);
    let errors = errors(d, errors_source, &mut r)?;
    r.files.insert("errors.yaml".into(), errors);
    let events = events(d, &mut r);
    r.files.insert("events.yaml".into(), events);
    let groups: BTreeSet<&str> = d.ops.iter().map(|o| o.group.as_str()).collect();
    for group in groups {
        let mut text = header(d, &format!("Operations of the `{group}` group"));
        text.push_str("operations:\n");
        for op in d.ops.iter().filter(|o| o.group == group) {
            operation(op, &d.opaque, &mut r, &mut text);
        }
        r.files.insert(format!("operations/{group}.yaml"), text);
    }
    Ok(r)
}

fn handles(d: &Draft, r: &mut Rendered) -> String {
    let mut s = header(d, "Resource handles of the client");
    for w in &d.warnings {
        let note = r.todo(HANDLE, w);
        s.push_str(note.trim_start());
        s.push('\n');
    }
    s.push_str("handles:\n");
    for (key, params) in &d.handles {
        let params = if params.is_empty() {
            String::new()
        } else {
            format!("params: [{}], ", params.join(", "))
        };
        let note = r.todo(DOC, "what the handle stands for");
        let _ = writeln!(s, "  {}: {{{params}doc: TODO}}{note}", scalar(key));
    }
    s
}

fn types(d: &Draft, r: &mut Rendered) -> String {
    let mut s = header(d, "Shared object types (the SDK's model classes)");
    if d.types.is_empty() {
        s.push_str("types: {}\n");
        return s;
    }
    s.push_str("types:\n");
    for (name, fields) in &d.types {
        let note = r.todo(DOC, "one line on the type");
        let _ = writeln!(s, "  {}:\n    doc: TODO{note}", scalar(name));
        fields_block(fields, 4, false, &d.opaque, r, &mut s);
    }
    s
}

/// `fields:` at `indent`, one flow mapping per field.
fn fields_block(
    fields: &[Field],
    indent: usize,
    request: bool,
    opaque: &BTreeSet<String>,
    r: &mut Rendered,
    s: &mut String,
) {
    let pad = " ".repeat(indent);
    if fields.is_empty() {
        let _ = writeln!(s, "{pad}fields: {{}}");
        return;
    }
    let _ = writeln!(s, "{pad}fields:");
    field_lines(fields, indent + 2, request, opaque, r, s);
}

/// One line per field; request fields get one note for the block (required flags and limits).
fn field_lines(
    fields: &[Field],
    indent: usize,
    request: bool,
    opaque: &BTreeSet<String>,
    r: &mut Rendered,
    s: &mut String,
) {
    let pad = " ".repeat(indent);
    if request && !fields.is_empty() {
        r.count(REQUIRED, fields.len() - 1);
        let note = r.todo(
            REQUIRED,
            "required flags and limits below are unknown to the SDK",
        );
        let _ = writeln!(s, "{pad}{}", note.trim_start());
    }
    for f in fields {
        r.count(DOC, 1);
        let (ty, why) = spec_type(&f.ty, request, opaque);
        let note = match why {
            Some((kind, why)) => r.todo(kind, &why),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "{pad}{}: {{type: {}, doc: TODO}}{note}",
            scalar(&f.name),
            scalar(&ty)
        );
    }
}

/// The spec type of an SDK type, and why it needs a look (kind, note) when it does.
fn spec_type(
    ty: &PyType,
    request: bool,
    opaque: &BTreeSet<String>,
) -> (String, Option<(&'static str, String)>) {
    match ty {
        PyType::Str => ("string".into(), None),
        PyType::Bool => ("boolean".into(), None),
        PyType::Any => ("json".into(), None),
        PyType::Int if request => ("integer".into(), None),
        PyType::Int => (
            "integer".into(),
            Some((
                WIRE,
                "int in the SDK; if the platform sends a string, int64_string".into(),
            )),
        ),
        PyType::Float => (
            "json".into(),
            Some((
                WIRE,
                "a float in the SDK; the spec has no number type".into(),
            )),
        ),
        PyType::File => (
            "string".into(),
            Some((FILE, "a file (IO[Any]): a multipart part, not JSON".into())),
        ),
        PyType::Dict(_) => (
            "json".into(),
            Some((WIRE, "a map in the SDK (Dict[str, …])".into())),
        ),
        PyType::Class(c) if opaque.contains(c) => (
            "json".into(),
            Some((WIRE, format!("the SDK declares no fields for {c}"))),
        ),
        PyType::Class(c) => (c.clone(), None),
        PyType::List(inner) => {
            let (t, why) = spec_type(inner, request, opaque);
            (format!("[{t}]"), why)
        }
    }
}

/// summary, doc_url, scopes, app_types: the lines every operation and event starts with.
fn access_lines(r: &mut Rendered, s: &mut String, what: &str) {
    let notes = [
        r.todo(SUMMARY, &format!("one English sentence on the {what}")),
        r.todo(DOC_URL, "the official reference page, https://…"),
    ];
    let _ = writeln!(
        s,
        "    summary: TODO{}\n    doc_url: TODO{}",
        notes[0], notes[1]
    );
}

fn scope_lines(r: &mut Rendered, s: &mut String, need_one: bool) {
    let scopes = r.todo(
        SCOPES,
        if need_one {
            "any one of which is enough; at least one"
        } else {
            "any one of which is enough"
        },
    );
    let apps = r.todo(APP_TYPES, "custom and/or store");
    let _ = writeln!(s, "    scopes: []{scopes}\n    app_types: []{apps}");
}

fn overview_line(r: &mut Rendered, s: &mut String) {
    let note = r.todo(OVERVIEW, "as on the official overview page");
    let _ = writeln!(s, "    overview: {{title: TODO, section: TODO}}{note}");
}

fn operation(op: &Op, opaque: &BTreeSet<String>, r: &mut Rendered, s: &mut String) {
    let _ = writeln!(s, "  {}:", scalar(&op.id));
    access_lines(r, s, "operation");
    let _ = writeln!(
        s,
        "    method: {}\n    path: {}\n    handle: {}",
        op.method,
        scalar(&op.path),
        scalar(&op.handle)
    );
    let tokens = if op.other_tokens.is_empty() && !op.tokens.is_empty() {
        String::new()
    } else {
        r.todo(
            TOKENS,
            &format!(
                "the SDK also lists [{}]; the spec knows tenant and user",
                op.other_tokens.join(", ")
            ),
        )
    };
    let _ = writeln!(s, "    tokens: [{}]{tokens}", op.tokens.join(", "));
    scope_lines(r, s, true);
    let note = r.todo(ERRORS, "rate_limit, errors (business codes), constraints");
    let _ = writeln!(s, "    {}", note.trim_start());
    if !op.path_params.is_empty() {
        let _ = writeln!(s, "    path_params:");
        for p in &op.path_params {
            r.count(DOC, 1);
            let _ = writeln!(
                s,
                "      {}: {{type: string, required: true, doc: TODO}}",
                scalar(p)
            );
        }
    }
    if !op.query.is_empty() {
        let _ = writeln!(s, "    query:");
        field_lines(&op.query, 6, true, opaque, r, s);
    }
    if let Some(body) = &op.body {
        let note = r.todo(REQUIRED, "whether a body must be sent");
        let _ = writeln!(s, "    body:\n      required: false{note}");
        fields_block(body, 6, true, opaque, r, s);
    }
    match &op.response {
        Response::Fields(fields) => {
            let _ = writeln!(s, "    response:");
            fields_block(fields, 6, false, opaque, r, s);
        }
        Response::Empty => {
            let _ = writeln!(s, "    response: {{empty: true}}");
        }
        Response::Download => {
            let note = r.todo(FILE, "the response is the file itself (a download)");
            let _ = writeln!(s, "    response: {{empty: true}}{note}");
        }
    }
    match op.pagination.as_deref() {
        Some("items") => s.push_str("    pagination: {}\n"),
        Some(items) => {
            let _ = writeln!(s, "    pagination: {{items_field: {}}}", scalar(items));
        }
        None => {}
    }
    overview_line(r, s);
}

fn events(d: &Draft, r: &mut Rendered) -> String {
    let mut s = header(d, "Events, keyed by event type");
    if d.events.is_empty() {
        s.push_str("events: {}\n");
        return s;
    }
    s.push_str("events:\n");
    for e in &d.events {
        event(e, &d.opaque, r, &mut s);
    }
    s
}

fn event(e: &Event, opaque: &BTreeSet<String>, r: &mut Rendered, s: &mut String) {
    let note = if e.guessed {
        r.todo(EVENT_TYPE, "guessed from the SDK's file name")
    } else {
        String::new()
    };
    let _ = writeln!(s, "  {}:{note}", scalar(&e.event_type));
    access_lines(r, s, "event");
    s.push_str("    schema: \"2.0\"\n");
    scope_lines(r, s, false);
    fields_block(&e.fields, 4, false, opaque, r, s);
    overview_line(r, s);
}

/// The error stub: the classed codes of `source` (the runtime reacts to them), and a TODO for the
/// family's own codes.
fn errors(d: &Draft, source: &str, r: &mut Rendered) -> Result<String, String> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(source).map_err(|e| e.to_string())?;
    let mut s = header(d, "Error codes");
    s.push_str("# Platform-wide codes with a `class`, copied from spec/im-chat/errors.yaml.\n");
    let note = r.todo(ERRORS, "the family's own business codes, and `common`");
    let _ = writeln!(s, "{}\nerrors:", note.trim_start());
    let entries = doc
        .get("errors")
        .and_then(|e| e.as_mapping())
        .ok_or("errors.yaml has no `errors` mapping")?;
    for (code, e) in entries {
        if e.get("class").is_none() {
            continue;
        }
        let code = code.as_i64().ok_or("an error code is not an integer")?;
        let text = |k: &str| e.get(k).and_then(|v| v.as_str()).map(scalar);
        let mut parts = vec![format!("name: {}", text("name").unwrap_or_default())];
        if let Some(h) = e.get("http_status").and_then(|v| v.as_u64()) {
            parts.push(format!("http_status: {h}"));
        }
        parts.push(format!("meaning: {}", text("meaning").unwrap_or_default()));
        if e.get("retryable").and_then(|v| v.as_bool()) == Some(true) {
            parts.push("retryable: true".into());
        }
        parts.push(format!("class: {}", text("class").unwrap_or_default()));
        let _ = writeln!(s, "  {code}: {{{}}}", parts.join(", "));
    }
    s.push_str("common: []\n");
    Ok(s)
}
