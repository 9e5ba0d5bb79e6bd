//! Invariants of the IR, checked all at once; emitters may rely on every one of them.

mod multipart;
mod names;
mod operations;

use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// Checks every invariant, recording each problem.
pub fn validate(api: &Api, diags: &mut Diagnostics) {
    names::check_names(api, diags);
    check_handles(api, diags);
    for op in &api.operations {
        operations::check_operation(api, op, diags);
    }
    check_cycles(api, diags);
    multipart::check_files(api, diags);
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

fn check_handles(api: &Api, diags: &mut Diagnostics) {
    // Accessors are methods on the parent (or the root): they must be unique there, and must not
    // shadow an operation method of the same handle.
    let mut methods: BTreeMap<Option<HandleId>, BTreeMap<&str, &Loc>> = BTreeMap::new();
    for h in &api.handles {
        let on = methods.entry(h.parent.as_ref().map(|p| p.id)).or_default();
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
        let Some(handle) = &op.handle else { continue };
        let on = methods.entry(Some(handle.id)).or_default();
        if let Some(prev) = on.insert(&op.fn_name, &op.loc) {
            diags.error(
                &op.loc,
                format!(
                    "method `{}` on handle `{handle}` is already taken by {}",
                    op.fn_name, prev.path
                ),
            );
        }
    }
}

/// A struct that contains itself without a list in between would have infinite size.
fn check_cycles(api: &Api, diags: &mut Diagnostics) {
    fn direct(ty: &Ty) -> Option<StructId> {
        match ty {
            Ty::Struct(n) => Some(n.id),
            _ => None,
        }
    }
    for (i, s) in api.structs.iter().enumerate() {
        let mut stack: Vec<StructId> = s.fields.iter().filter_map(|f| direct(&f.ty)).collect();
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == StructId(i) {
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
            let t = api.struct_def(n);
            stack.extend(t.fields.iter().filter_map(|f| direct(&f.ty)));
        }
    }
}
