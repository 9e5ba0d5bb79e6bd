//! Invariants of the IR, checked all at once; emitters may rely on every one of them.

use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// Type names the generated code defines itself.
pub const RESERVED_NAMES: &[&str] = &[
    "Api",
    "ChatEvent",
    "EventHeaderV2",
    "EventEnvelopeV2",
    "EventEnvelopeV1",
];

/// Checks every invariant, recording each problem.
pub fn validate(api: &Api, diags: &mut Diagnostics) {
    check_names(api, diags);
    check_handles(api, diags);
    for op in &api.operations {
        check_operation(api, op, diags);
    }
    check_cycles(api, diags);
    let known: BTreeSet<i64> = api.errors.iter().map(|e| e.code).collect();
    for op in &api.operations {
        for (i, code) in op.errors.iter().enumerate() {
            if !known.contains(code) {
                diags.error(
                    &Loc::new(&op.loc.file, format!("{}.errors[{i}]", op.loc.path)),
                    format!("error code {code} is not in errors.yaml"),
                );
            }
        }
    }
    for e in &api.events {
        if !e.doc_url.starts_with("https://") {
            diags.error(&e.loc.key("doc_url"), "doc_url must be an https:// link");
        }
    }
}

fn check_names(api: &Api, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, (&Loc, &str)> = BTreeMap::new();
    let mut entries: Vec<(&str, &Loc, &str)> = Vec::new();
    for e in &api.enums {
        entries.push((&e.name, &e.loc, "enum"));
    }
    for s in &api.structs {
        entries.push((&s.name, &s.loc, "struct"));
    }
    for h in &api.handles {
        entries.push((&h.struct_name, &h.loc, "handle"));
    }
    for op in &api.operations {
        entries.push((&op.request_name, &op.loc, "request builder"));
    }
    for (name, loc, what) in entries {
        if RESERVED_NAMES.contains(&name) {
            diags.error(
                loc,
                format!("name collision: {what} `{name}` is a name the generator reserves"),
            );
        } else if let Some((first, first_what)) = seen.get(name) {
            diags.error(
                loc,
                format!(
                    "name collision: {what} `{name}` is also the name of the {first_what} at {}",
                    first.path
                ),
            );
        } else {
            seen.insert(name, (loc, what));
        }
    }
}

fn check_handles(api: &Api, diags: &mut Diagnostics) {
    // Accessors are methods on the parent (or the root): they must be unique there, and must not
    // shadow an operation method of the same handle.
    let mut methods: BTreeMap<Option<&str>, BTreeMap<&str, &Loc>> = BTreeMap::new();
    for h in &api.handles {
        let on = methods.entry(h.parent.as_deref()).or_default();
        if on.insert(&h.accessor, &h.loc).is_some() {
            diags.error(
                &h.loc,
                format!(
                    "accessor `{}` is defined twice on the same handle",
                    h.accessor
                ),
            );
        }
    }
    for op in &api.operations {
        let on = methods.entry(Some(op.handle.as_str())).or_default();
        if let Some(prev) = on.insert(&op.fn_name, &op.loc) {
            diags.error(
                &op.loc,
                format!(
                    "method `{}` on handle `{}` is already taken by {}",
                    op.fn_name, op.handle, prev.path
                ),
            );
        }
    }
}

fn check_operation(api: &Api, op: &Operation, diags: &mut Diagnostics) {
    let vars: Vec<&str> = op
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Var(v) => Some(v.as_str()),
            Segment::Lit(_) => None,
        })
        .collect();
    let declared: Vec<&str> = op.path_params.iter().map(|p| p.wire.as_str()).collect();
    for v in &vars {
        if !declared.contains(v) {
            diags.error(
                &op.loc.key("path"),
                format!("undeclared path variable `:{v}`: declare it in path_params"),
            );
        }
    }
    for p in &op.path_params {
        if !vars.contains(&p.wire.as_str()) {
            diags.error(
                &p.loc,
                format!(
                    "unused path variable `{}`: the path has no `:{}`",
                    p.wire, p.wire
                ),
            );
        }
        if p.ty != Ty::String {
            diags.error(&p.loc.key("type"), "path variables are strings");
        }
    }
    match api.handle(&op.handle) {
        None => diags.error(
            &op.loc.key("handle"),
            format!("unknown handle `{}`", op.handle),
        ),
        Some(h) => {
            let mut want: Vec<&str> = h.params.iter().map(String::as_str).collect();
            let mut have = vars.clone();
            want.sort_unstable();
            have.sort_unstable();
            if want != have {
                diags.error(
                    &op.loc.key("handle"),
                    format!(
                        "handle `{}` supplies path variables {:?} but the path has {:?}",
                        h.key, h.params, vars
                    ),
                );
            }
        }
    }
    check_builder_names(api, op, diags);
    if let Some(i) = &op.idempotency {
        if !op.query.iter().any(|q| q.wire == i.query) {
            diags.error(
                &op.loc.key("idempotency"),
                format!("idempotency key `{}` is not a query parameter", i.query),
            );
        }
    }
    if op.scopes.is_empty() {
        diags.error(
            &op.loc.key("scopes"),
            "an operation needs at least one scope",
        );
    }
    if op.app_types.is_empty() {
        diags.error(
            &op.loc.key("app_types"),
            "an operation needs at least one app type",
        );
    }
    if !op.doc_url.starts_with("https://") {
        diags.error(&op.loc.key("doc_url"), "doc_url must be an https:// link");
    }
    if op.method == Method::Get && op.body.is_some() {
        diags.error(&op.loc.key("body"), "GET requests carry no body");
    }
    for q in &op.query {
        if matches!(&q.ty, Ty::Struct(_) | Ty::Json)
            || matches!(&q.ty, Ty::Array(i) if matches!(**i, Ty::Struct(_) | Ty::Json | Ty::Array(_)))
        {
            diags.error(
                &q.loc.key("type"),
                "query parameters are scalars or arrays of scalars",
            );
        }
    }
}

/// A struct that contains itself without a list in between would have infinite size.
fn check_cycles(api: &Api, diags: &mut Diagnostics) {
    fn direct(ty: &Ty) -> Option<&str> {
        match ty {
            Ty::Struct(n) => Some(n),
            _ => None,
        }
    }
    for s in &api.structs {
        let mut stack: Vec<&str> = s.fields.iter().filter_map(|f| direct(&f.ty)).collect();
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == s.name {
                diags.error(
                    &s.loc,
                    format!(
                        "`{}` contains itself; put the recursion inside a list",
                        s.name
                    ),
                );
                break;
            }
            if !seen.insert(n) {
                continue;
            }
            if let Some(t) = api.struct_def(n) {
                stack.extend(t.fields.iter().filter_map(|f| direct(&f.ty)));
            }
        }
    }
}

/// The request builder holds the handle's path variables, `ctx`, `body`, and methods `send`,
/// `to_request` (and `pages`/`items` when paginated) next to one field and setter per query
/// parameter: every one of those names must be distinct.
fn check_builder_names(api: &Api, op: &Operation, diags: &mut Diagnostics) {
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    if let Some(h) = api.handle(&op.handle) {
        for p in &h.params {
            taken.insert(p.clone(), "a path variable of the handle");
        }
    }
    for (name, what) in [
        ("ctx", "the builder's client context"),
        ("send", "a builder method"),
        ("to_request", "a builder method"),
    ] {
        taken.insert(name.to_owned(), what);
    }
    if op.body.is_some() {
        taken.insert("body".into(), "the builder's body");
    }
    if op.pagination.is_some() {
        taken.insert("pages".into(), "a builder method");
        taken.insert("items".into(), "a builder method");
    }
    for q in &op.query {
        if let Some(what) = taken.get(&q.rust) {
            diags.error(
                &q.loc,
                format!("name collision: query parameter `{}` becomes `{}`, which is {what}; set `rust_name`", q.wire, q.rust),
            );
        } else {
            taken.insert(q.rust.clone(), "another query parameter");
        }
    }
}
