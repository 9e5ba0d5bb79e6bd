//! What the SDK says about some of its resources, arranged the way the spec is: operations with
//! their handles, parameters, body and response fields, the object types they reach, and the
//! events of those resources. Nothing here is invented: what the SDK cannot know is left for the
//! renderer to mark.

use crate::import_sdk::parse::{PyType, Request, Sdk};
use std::collections::{BTreeMap, BTreeSet};

/// A field as the SDK declares it.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: PyType,
}

/// What an operation answers.
#[derive(Debug, Clone)]
pub enum Response {
    /// `data` with these fields.
    Fields(Vec<Field>),
    /// No `data` (or an empty one).
    Empty,
    /// The response is the file itself (`IO[Any]` beside the file name).
    Download,
}

/// One SDK request, as a spec operation.
#[derive(Debug, Clone)]
pub struct Op {
    /// `<resource>.<method>`.
    pub id: String,
    /// The resource, which names the operations file.
    pub group: String,
    pub method: String,
    pub path: String,
    pub handle: String,
    /// Token types the spec knows (`tenant`, `user`).
    pub tokens: Vec<String>,
    /// Token types the SDK lists that the spec has no word for (`app`).
    pub other_tokens: Vec<String>,
    pub path_params: Vec<String>,
    pub query: Vec<Field>,
    pub body: Option<Vec<Field>>,
    pub response: Response,
    /// `Some(items field)` when the query and response have the cursor-pagination fields.
    pub pagination: Option<String>,
}

/// One event of the selected resources.
#[derive(Debug, Clone)]
pub struct Event {
    pub event_type: String,
    /// The type was guessed from the file name (the dispatcher did not name it).
    pub guessed: bool,
    pub fields: Vec<Field>,
}

/// The draft of a family.
#[derive(Debug, Default)]
pub struct Draft {
    pub family: String,
    pub sdk_version: String,
    /// Handle key -> its own path parameters, sorted by key (parents first).
    pub handles: BTreeMap<String, Vec<String>>,
    pub ops: Vec<Op>,
    /// SDK class name -> fields, for every class an operation or event reaches.
    pub types: BTreeMap<String, Vec<Field>>,
    /// Classes used as field types that declare no fields (drafted as `json`).
    pub opaque: BTreeSet<String>,
    pub events: Vec<Event>,
    /// Things the maintainer must look at that have no place in the YAML.
    pub warnings: Vec<String>,
}

/// Drafts `resources` of `sdk` as family `family`; an unknown resource is an error naming the known.
pub fn draft(sdk: &Sdk, family: &str, resources: &[String]) -> Result<Draft, String> {
    if sdk.resources.is_empty() {
        return Err("the package has no lark_oapi/api/im/v1/resource/*.py to scaffold from".into());
    }
    let mut d = Draft {
        family: family.to_owned(),
        sdk_version: sdk.version.clone(),
        ..Draft::default()
    };
    for resource in resources {
        let Some(methods) = sdk.resources.get(resource) else {
            let known: Vec<&str> = sdk.resources.keys().map(String::as_str).collect();
            return Err(format!(
                "lark-oapi has no resource `{resource}`; known: {}",
                known.join(", ")
            ));
        };
        for (method, class) in methods {
            let Some(req) = request_of(sdk, class) else {
                d.warnings.push(format!(
                    "{resource}.{method}: no request builder for {class}; left out"
                ));
                continue;
            };
            let op = operation(sdk, resource, method, req);
            add_handles(&mut d, &op);
            d.ops.push(op);
        }
    }
    events(sdk, resources, &mut d);
    let mut roots: Vec<PyType> = Vec::new();
    for op in &d.ops {
        roots.extend(op.query.iter().map(|f| f.ty.clone()));
        roots.extend(op.body.iter().flatten().map(|f| f.ty.clone()));
        if let Response::Fields(fields) = &op.response {
            roots.extend(fields.iter().map(|f| f.ty.clone()));
        }
    }
    for e in &d.events {
        roots.extend(e.fields.iter().map(|f| f.ty.clone()));
    }
    reach_types(sdk, roots, &mut d);
    Ok(d)
}

/// The request builder whose file declares `class` first.
fn request_of<'a>(sdk: &'a Sdk, class: &str) -> Option<&'a Request> {
    sdk.requests.iter().find(|r| {
        let stem = r.file.strip_suffix(".py").unwrap_or(&r.file);
        sdk.first_class.get(stem).is_some_and(|c| c == class)
    })
}

/// The fields of class `class`, or none.
fn fields_of(sdk: &Sdk, class: &str) -> Vec<Field> {
    sdk.classes
        .get(class)
        .into_iter()
        .flatten()
        .map(|(name, ty)| Field {
            name: name.clone(),
            ty: ty.clone(),
        })
        .collect()
}

fn operation(sdk: &Sdk, resource: &str, method: &str, req: &Request) -> Op {
    let (tokens, other_tokens) = req
        .tokens
        .iter()
        .cloned()
        .partition(|t| t == "tenant" || t == "user");
    let typed = |name: &str| Field {
        name: name.to_owned(),
        ty: req
            .params
            .iter()
            .find(|(n, _)| n == name)
            .map_or(PyType::Str, |(_, t)| t.clone()),
    };
    let query: Vec<Field> = req.query.iter().map(|q| typed(q)).collect();
    let response = response(sdk, req);
    let pagination = match &response {
        Response::Fields(fields) => pagination(&query, fields),
        _ => None,
    };
    Op {
        id: format!("{resource}.{method}"),
        group: resource.to_owned(),
        method: req.method.clone(),
        path: req.uri.clone(),
        handle: handle_chain(&req.uri, resource)
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join("."),
        tokens,
        other_tokens,
        path_params: path_vars(&req.uri),
        query,
        body: req.body.as_deref().map(|b| fields_of(sdk, b)),
        response,
        pagination,
    }
}

/// The response of a request: its `data` class, or the file it downloads.
fn response(sdk: &Sdk, req: &Request) -> Response {
    let fields = req
        .file
        .strip_suffix("_request.py")
        .and_then(|stem| sdk.first_class.get(&format!("{stem}_response")))
        .and_then(|class| sdk.classes.get(class));
    let Some(fields) = fields else {
        return Response::Empty;
    };
    if fields.iter().any(|(_, t)| *t == PyType::File) {
        return Response::Download;
    }
    match fields.iter().find(|(n, _)| n == "data") {
        Some((_, PyType::Class(c))) => {
            let data = fields_of(sdk, c);
            if data.is_empty() {
                Response::Empty
            } else {
                Response::Fields(data)
            }
        }
        _ => Response::Empty,
    }
}

/// The items field when the operation pages with `page_token`/`page_size` and answers
/// `has_more`, `page_token` and one list.
fn pagination(query: &[Field], response: &[Field]) -> Option<String> {
    let has = |fields: &[Field], name: &str, ty: &PyType| {
        fields.iter().any(|f| f.name == name && f.ty == *ty)
    };
    let paged = has(query, "page_token", &PyType::Str)
        && query.iter().any(|f| f.name == "page_size")
        && has(response, "has_more", &PyType::Bool)
        && has(response, "page_token", &PyType::Str);
    let lists: Vec<&Field> = response
        .iter()
        .filter(|f| matches!(f.ty, PyType::List(_)))
        .collect();
    match (paged, lists.iter().find(|f| f.name == "items"), &lists[..]) {
        (false, _, _) => None,
        (true, Some(items), _) => Some(items.name.clone()),
        (true, None, [only]) => Some(only.name.clone()),
        _ => None,
    }
}

/// `:name` variables of a path, in order.
pub fn path_vars(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix(':'))
        .map(str::to_owned)
        .collect()
}

/// `messages` -> `message`, `replies` -> `reply`; other words unchanged.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = word.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_owned()
    } else {
        word.to_owned()
    }
}

/// The handle chain of an operation of `resource` at `path` (after `/open-apis/<module>/<version>`),
/// each with the path variable it adds: a literal followed by a variable is one item (`message`
/// with `message_id`), a literal alone a collection (`messages`, `reactions`). A last bare literal
/// that is not the resource's own collection is an action (`reply`, `forward`, `read_users`): the
/// operation sits on its parent.
pub fn handle_chain(path: &str, resource: &str) -> Vec<(String, Option<String>)> {
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .skip(3)
        .filter(|s| !s.is_empty())
        .collect();
    let mut chain: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i];
        let next = segments.get(i + 1).and_then(|s| s.strip_prefix(':'));
        if let Some(var) = seg.strip_prefix(':') {
            // Two variables in a row: the second has no literal of its own.
            chain.push((var.to_owned(), Some(var.to_owned())));
            i += 1;
        } else if let Some(var) = next {
            chain.push((singular(seg), Some(var.to_owned())));
            i += 2;
        } else {
            chain.push((seg.to_owned(), None));
            i += 1;
        }
    }
    let own = singular(resource.rsplit('_').next().unwrap_or(resource));
    if chain.len() > 1 && matches!(chain.last(), Some((last, None)) if singular(last) != own) {
        chain.pop();
    }
    chain
}

/// Declares the handles along `op`'s chain.
fn add_handles(d: &mut Draft, op: &Op) {
    let mut key = String::new();
    for (name, var) in handle_chain(&op.path, &op.group) {
        if !key.is_empty() {
            key.push('.');
        }
        key.push_str(&name);
        let params: Vec<String> = var.into_iter().collect();
        match d.handles.get(&key) {
            Some(have) if *have != params => d.warnings.push(format!(
                "{}: handle `{key}` takes {params:?} here but {have:?} elsewhere; split it by hand",
                op.id
            )),
            Some(_) => {}
            None => {
                d.handles.insert(key.clone(), params);
            }
        }
    }
}

/// The events of the model folder that belong to `resources`.
fn events(sdk: &Sdk, resources: &[String], d: &mut Draft) {
    for (stem, class) in &sdk.first_class {
        let Some(rest) = stem.strip_prefix("p2_im_") else {
            continue;
        };
        let (event_type, guessed) = match sdk.event_types.get(stem) {
            Some(t) => (t.clone(), false),
            None => {
                // The longest resource the file name starts with.
                let Some(r) = sdk
                    .resources
                    .keys()
                    .filter(|r| rest.starts_with(&format!("{r}_")))
                    .max_by_key(|r| r.len())
                else {
                    continue;
                };
                let action = &rest[r.len() + 1..];
                (format!("im.{}.{action}", r.replace('_', ".")), true)
            }
        };
        // `im.message.reaction.created_v1` belongs to `message_reaction`.
        let parts: Vec<&str> = event_type.split('.').collect();
        let resource = parts[1..parts.len().saturating_sub(1)].join("_");
        if resources.contains(&resource) {
            d.events.push(Event {
                event_type,
                guessed,
                fields: fields_of(sdk, class),
            });
        }
    }
    d.events.sort_by(|a, b| a.event_type.cmp(&b.event_type));
}

/// Every class reachable from `roots`, into `d.types` (or `d.opaque` when it has no fields).
fn reach_types(sdk: &Sdk, mut roots: Vec<PyType>, d: &mut Draft) {
    while let Some(ty) = roots.pop() {
        match ty {
            PyType::List(inner) | PyType::Dict(inner) => roots.push(*inner),
            PyType::Class(c) => {
                if d.types.contains_key(&c) || d.opaque.contains(&c) {
                    continue;
                }
                let fields = fields_of(sdk, &c);
                if sdk.classes.contains_key(&c) {
                    roots.extend(fields.iter().map(|f| f.ty.clone()));
                    d.types.insert(c, fields);
                } else {
                    d.opaque.insert(c);
                }
            }
            _ => {}
        }
    }
}
