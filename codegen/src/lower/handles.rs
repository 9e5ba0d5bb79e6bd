//! Handles: the chain of resource accessors from the root, and the path variables each adds.

use super::symbols::Symbols;
use crate::diag::{join_key, Diagnostics, Loc};
use crate::ir::Handle;
use crate::names;
use crate::raw::{Map, RawHandle};

/// Every handle of `handles.yaml`, in key order (parents before children).
pub fn lower_handles(
    file: &str,
    handles: &Map<RawHandle>,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> Vec<Handle> {
    let mut out: Vec<Handle> = handles
        .iter()
        .map(|(key, h)| lower_handle(file, key, h, handles, symbols, diags))
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn lower_handle(
    file: &str,
    key: &str,
    h: &RawHandle,
    handles: &Map<RawHandle>,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> Handle {
    let loc = Loc::new(file, join_key("handles", key));
    let (parent_key, last) = match key.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, key),
    };
    let parent = parent_key.and_then(|p| match symbols.handle_ref(p) {
        Ok(r) => Some(r),
        Err(_) => {
            diags.error(&loc, format!("parent handle `{p}` is not declared"));
            None
        }
    });
    // Params along the chain: the root's first, then each child's, then this handle's own.
    let mut chain = Vec::new();
    let mut cur = Some(key);
    while let Some(k) = cur {
        chain.push(k);
        cur = k.rsplit_once('.').map(|(p, _)| p);
    }
    let params = chain
        .iter()
        .rev()
        .filter_map(|k| handles.get(*k))
        .flat_map(|h| h.params.iter().cloned())
        .collect();
    Handle {
        key: key.to_owned(),
        struct_name: format!("{}Handle", names::pascal(key)),
        accessor: h.accessor.clone().unwrap_or_else(|| names::snake(last)),
        parent,
        own_params: h.params.clone(),
        params,
        doc: h.doc.clone(),
        loc,
    }
}
