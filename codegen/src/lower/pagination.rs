//! Pagination facts of an operation, read off its response struct and query parameters.

use crate::diag::{Diagnostics, Loc};
use crate::ir::{Field, Pagination, Ty};
use crate::raw::RawPagination;

/// The pagination of an operation whose response has `response` fields (`None` when it has no
/// response struct). Every key must name a field of the right type; otherwise the problems are
/// reported and the operation is treated as not paginated.
pub fn lower_pagination(
    p: &RawPagination,
    response: Option<&[Field]>,
    query: &[Field],
    loc: &Loc,
    diags: &mut Diagnostics,
) -> Option<Pagination> {
    let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
    let token_param = or(&p.token_param, "page_token");
    let size_param = or(&p.size_param, "page_size");
    let token_field = or(&p.token_field, "page_token");
    let has_more_field = or(&p.has_more_field, "has_more");
    let items_field = or(&p.items_field, "items");

    let Some(fields) = response else {
        diags.error(loc, "a paginated operation needs a response with fields");
        return None;
    };
    let field = |wire: &str| fields.iter().find(|f| f.wire == wire);
    let items = match field(&items_field) {
        Some(Field {
            ty: Ty::Array(item),
            rust,
            ..
        }) => Some(((**item).clone(), rust.clone())),
        _ => {
            diags.error(
                loc,
                format!("response has no array field `{items_field}` to page through"),
            );
            None
        }
    };
    let has_more = typed(field(&has_more_field), &Ty::Boolean).or_else(|| {
        diags.error(
            loc,
            format!("response has no boolean field `{has_more_field}`"),
        );
        None
    });
    let token = typed(field(&token_field), &Ty::String).or_else(|| {
        diags.error(loc, format!("response has no string field `{token_field}`"));
        None
    });
    let param = typed(query.iter().find(|q| q.wire == token_param), &Ty::String).or_else(|| {
        diags.error(
            loc,
            format!("query has no string parameter `{token_param}`"),
        );
        None
    });
    if !query.iter().any(|q| q.wire == size_param) {
        diags.error(loc, format!("query has no parameter `{size_param}`"));
    }
    let ((item, items_field_rust), has_more_field_rust, token_field_rust, token_param_rust) =
        (items?, has_more?, token?, param?);
    Some(Pagination {
        token_param,
        size_param,
        token_field,
        has_more_field,
        items_field,
        token_field_rust,
        has_more_field_rust,
        items_field_rust,
        token_param_rust,
        item,
        note: p.note.clone(),
    })
}

/// The Rust name of `field` if it has type `ty`.
fn typed(field: Option<&Field>, ty: &Ty) -> Option<String> {
    field.filter(|f| f.ty == *ty).map(|f| f.rust.clone())
}
