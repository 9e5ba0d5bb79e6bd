//! Invariants of one operation: path variables, handle chain, builder member names, and the facts
//! every operation must state.

use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use std::collections::BTreeMap;

pub fn check_operation(api: &Api, op: &Operation, diags: &mut Diagnostics) {
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
    for v in &vars {
        if !crate::names::is_identifier(v) {
            diags.error(
                &op.loc.key("path"),
                format!("path variable `:{v}` is not a usable name"),
            );
        }
    }
    // An unknown handle was reported when lowering.
    if let Some(h) = api.op_handle(op) {
        {
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
        check_idempotency(api, op, i, diags);
    }
    if let Some(p) = &op.rate_partition {
        check_rate_partition(api, op, p, diags);
    }
    match (op.scopes.is_empty(), op.no_scopes) {
        (true, false) => diags.error(
            &op.loc.key("scopes"),
            "an operation needs at least one scope, or `no_scopes: true` when the platform documents none",
        ),
        (false, true) => diags.error(
            &op.loc.key("no_scopes"),
            "`no_scopes: true` says the platform needs no scope, but `scopes` lists some",
        ),
        _ => {}
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

/// The key names a string query parameter or a string field of the body.
fn check_idempotency(api: &Api, op: &Operation, i: &Idempotency, diags: &mut Diagnostics) {
    check_string_field(
        api,
        op,
        "idempotency key",
        &i.key,
        i.location,
        &i.loc,
        diags,
    );
}

/// The field is a string at its place; the code is one of the operation's errors.
fn check_rate_partition(api: &Api, op: &Operation, p: &RatePartition, diags: &mut Diagnostics) {
    check_string_field(
        api,
        op,
        "rate_partition field",
        &p.key,
        p.location,
        &p.loc,
        diags,
    );
    if !op.errors.contains(&p.code) {
        diags.error(
            &p.loc,
            format!(
                "rate_partition code {} is not in the operation's `errors`",
                p.code
            ),
        );
    }
}

/// `key` names a field of type `string` at `location` (query, body or path).
fn check_string_field(
    api: &Api,
    op: &Operation,
    what_key: &str,
    key: &str,
    location: KeyLocation,
    loc: &Loc,
    diags: &mut Diagnostics,
) {
    let fields: &[Field] = match location {
        KeyLocation::Query => &op.query,
        KeyLocation::Path => &op.path_params,
        KeyLocation::Body => match &op.body {
            Some(b) if b.multipart => {
                diags.error(
                    loc,
                    format!(
                        "{what_key} `{key}` in the body needs a JSON body, not a multipart one"
                    ),
                );
                return;
            }
            Some(b) => &api.struct_def(b.struct_name.id).fields,
            None => {
                diags.error(
                    loc,
                    format!("{what_key} `{key}` is a body field, but the operation has no body"),
                );
                return;
            }
        },
    };
    let what = match location {
        KeyLocation::Query => "query parameter",
        KeyLocation::Body => "body field",
        KeyLocation::Path => "path variable",
    };
    match fields.iter().find(|f| f.wire == key) {
        None => diags.error(
            loc,
            crate::suggest::with_suggestion(
                format!("{what_key} `{key}` is not a {what}"),
                key,
                fields.iter().map(|f| f.wire.as_str()),
            ),
        ),
        Some(f) if f.ty != Ty::String => diags.error(
            loc,
            format!("{what_key} `{key}` must be a {what} of type `string`"),
        ),
        Some(_) => {}
    }
}

/// The request builder holds the handle's path variables, `ctx`, `body`, and methods `send`,
/// `to_request` (and `pages`/`items` when paginated) next to one field and setter per query
/// parameter: every one of those names must be distinct.
fn check_builder_names(api: &Api, op: &Operation, diags: &mut Diagnostics) {
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    if let Some(h) = api.op_handle(op) {
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
    if matches!(op.response, Response::Download { .. }) {
        taken.insert("max_bytes".into(), "the download's size limit");
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
