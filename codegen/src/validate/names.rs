//! Names: every Rust name the IR assigns is a usable identifier, and no two items (or two members
//! of one item) share one.

use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use crate::names::{is_identifier, pascal};
use std::collections::BTreeMap;

/// Type names the generated code defines itself.
pub const RESERVED_NAMES: &[&str] = &[
    "Api",
    "ChatEvent",
    "EventHeaderV2",
    "EventEnvelopeV2",
    "EventEnvelopeV1",
];

/// Every name check.
pub fn check_names(api: &Api, diags: &mut Diagnostics) {
    check_collisions(api, diags);
    for e in &api.enums {
        if !is_pascal(&e.name) {
            diags.error(
                &e.loc,
                format!(
                    "enum name `{}` must be a PascalCase Rust identifier",
                    e.name
                ),
            );
        }
        check_variants(e, diags);
    }
    for s in &api.structs {
        if s.module == Module::Types && !is_pascal(&s.name) {
            diags.error(
                &s.loc,
                format!(
                    "type name `{}` must be a PascalCase Rust identifier",
                    s.name
                ),
            );
        }
        check_fields(&s.fields, diags);
    }
    for op in &api.operations {
        check_fields(&op.path_params, diags);
        check_fields(&op.query, diags);
        if !is_identifier(&op.fn_name) {
            diags.error(
                &op.loc,
                format!(
                    "method name `{}` is not a usable Rust identifier: set `name`",
                    op.fn_name
                ),
            );
        }
    }
    for h in &api.handles {
        if !is_identifier(&h.accessor) {
            diags.error(
                &h.loc,
                format!("accessor `{}` is not a usable Rust identifier", h.accessor),
            );
        }
    }
    for e in &api.events {
        if !is_identifier(&e.name) {
            diags.error(
                &e.loc,
                format!("event type `{}` has no usable Rust name", e.event_type),
            );
        }
    }
    check_error_names(api, diags);
}

fn is_pascal(name: &str) -> bool {
    is_identifier(name) && pascal(name) == name
}

fn check_collisions(api: &Api, diags: &mut Diagnostics) {
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

/// Field names are identifiers and distinct within their struct (or parameter list).
fn check_fields(fields: &[Field], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &Field> = BTreeMap::new();
    for f in fields {
        if !is_identifier(&f.rust) {
            if f.rust_given {
                diags.error(
                    &f.loc.key("rust_name"),
                    format!("`{}` is not a usable Rust identifier", f.rust),
                );
            } else {
                diags.error(
                    &f.loc,
                    format!(
                        "field `{}` has no usable Rust name: set `rust_name`",
                        f.wire
                    ),
                );
            }
        } else if let Some(prev) = seen.get(f.rust.as_str()) {
            diags.error(
                &f.loc,
                format!(
                    "field name clash: `{}` and `{}` both become `{}`; set `rust_name`",
                    f.wire, prev.wire, f.rust
                ),
            );
        } else {
            seen.insert(&f.rust, f);
        }
    }
}

/// Variant names are identifiers, distinct, and not the reserved `Unknown`; values distinct.
fn check_variants(e: &EnumDef, diags: &mut Diagnostics) {
    let mut kept: Vec<&Variant> = Vec::new();
    for v in &e.variants {
        let problem = if !is_identifier(&v.name) {
            Some(format!(
                "value `{}` has no usable Rust name: add `name:`",
                v.source
            ))
        } else if v.name == "Unknown" {
            Some("variant name `Unknown` is reserved for values the client does not know".into())
        } else if let Some(prev) = kept.iter().find(|p| p.name == v.name) {
            Some(format!(
                "enum name clash: `{}` and {:?} both become variant `{}`",
                v.source, prev.value, v.name
            ))
        } else if kept.iter().any(|p| p.value == v.value) {
            Some(format!("duplicate enum value {:?}", v.value))
        } else {
            None
        };
        match problem {
            Some(message) => diags.error(&v.loc, message),
            None => kept.push(v),
        }
    }
}

/// Error codes become variants of the generated `ErrorCode`.
fn check_error_names(api: &Api, diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, i64> = BTreeMap::new();
    for e in &api.errors {
        if !is_identifier(&e.name) || e.name == "Unknown" {
            diags.error(
                &e.loc.key("name"),
                format!("`{}` is not a usable variant name", e.source),
            );
        } else if let Some(other) = seen.insert(&e.name, e.code) {
            diags.error(
                &e.loc.key("name"),
                format!(
                    "error name clash: codes {other} and {} both become `{}`",
                    e.code, e.name
                ),
            );
        }
    }
}
