//! Operations: method, path, inputs, and the body and response structs an operation declares
//! inline.

use super::access::{self, app_type, token_type};
use super::pagination::lower_pagination;
use super::path_template;
use super::symbols::{split_operation_id, OpDecl, ResponseShape, Symbols};
use super::types::lower_fields;
use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use crate::names;
use crate::raw::{RawIdempotency, RawOperation, RawRatePartition};

/// An operation and the structs it declares inline (its body and response data).
pub struct Lowered {
    pub op: Operation,
    pub structs: Vec<(StructId, StructDef)>,
}

/// Lowers one operation; `types` are the already lowered structs, for a `ref:` response.
/// `None` when the id is unusable.
pub fn lower_operation(
    decl: &OpDecl<'_>,
    symbols: &Symbols<'_>,
    types: &[Option<StructDef>],
    diags: &mut Diagnostics,
) -> Option<Lowered> {
    let (id, op, loc) = (decl.id, decl.op, &decl.loc);
    let Some((group, method_part)) = split_operation_id(id) else {
        diags.error(
            loc,
            format!("operation id `{id}` must be `<group>.<method>`"),
        );
        return None;
    };
    if decl.file != format!("operations/{group}.yaml") {
        diags.error(
            loc,
            format!("operation `{id}` belongs in operations/{group}.yaml"),
        );
    }
    let mut structs = Vec::new();
    let inline = |id_of: StructId, doc: String, fields: Vec<Field>, loc: Loc, form: bool| {
        let def = StructDef {
            name: symbols.struct_ref(id_of).name,
            doc: vec![doc],
            fields,
            keep_unknown: false,
            module: Module::Group(group.to_owned()),
            usage: Usage::default(),
            form,
            loc,
        };
        (id_of, def)
    };
    let body = op.body.as_ref().map(|b| {
        let struct_id = symbols.bodies[id];
        let fields = lower_fields(&b.fields, &loc.key("body").key("fields"), symbols, diags);
        let doc = format!("Request body of `{id}`: {}", op.summary);
        structs.push(inline(struct_id, doc, fields, loc.key("body"), b.multipart));
        Body {
            required: b.required,
            struct_name: symbols.struct_ref(struct_id),
            multipart: b.multipart,
        }
    });
    let rloc = loc.key("response");
    let (response, response_fields) = match ResponseShape::of(&op.response) {
        ResponseShape::Ref(r) => match symbols.type_ref(r) {
            Ok(r) => {
                let fields = types[r.id.0].as_ref().map(|t| t.fields.clone());
                (Response::Struct(r), fields)
            }
            Err(message) => {
                diags.error(&rloc.key("ref"), message);
                (Response::Empty, None)
            }
        },
        ResponseShape::Fields(fields) => {
            let struct_id = symbols.responses[id];
            let fields = lower_fields(fields, &rloc.key("fields"), symbols, diags);
            let doc = format!("Response data of `{id}`: {}", op.summary);
            structs.push(inline(struct_id, doc, fields.clone(), rloc.clone(), false));
            (
                Response::Struct(symbols.struct_ref(struct_id)),
                Some(fields),
            )
        }
        ResponseShape::Empty => (Response::Empty, None),
        ResponseShape::Download => {
            let max_bytes = op.response.max_bytes;
            if max_bytes == Some(0) {
                diags.error(
                    &rloc.key("max_bytes"),
                    "`max_bytes: 0` would refuse every download",
                );
            }
            (Response::Download { max_bytes }, None)
        }
        ResponseShape::Invalid => {
            diags.error(
                &rloc,
                "write exactly one of `ref`, `fields`, `empty: true` or `download: true`",
            );
            (Response::Empty, None)
        }
    };
    if op.response.max_bytes.is_some() && !op.response.download {
        diags.error(
            &rloc.key("max_bytes"),
            "`max_bytes` is the largest download: it needs `download: true`",
        );
    }
    let query = lower_fields(&op.query, &loc.key("query"), symbols, diags);
    let pagination = op.pagination.as_ref().and_then(|p| {
        lower_pagination(
            p,
            response_fields.as_deref(),
            &query,
            &loc.key("pagination"),
            diags,
        )
    });
    let handle = match symbols.handle_ref(&op.handle) {
        Ok(h) => Some(h),
        Err(message) => {
            diags.error(&loc.key("handle"), message);
            None
        }
    };
    let base = names::pascal(id);
    let operation = Operation {
        id: id.to_owned(),
        group: group.to_owned(),
        summary: op.summary.clone(),
        doc_url: op.doc_url.clone(),
        method: method(op, loc, diags),
        path: op.path.clone(),
        segments: path_template::parse(&op.path, &loc.key("path"), diags),
        handle,
        fn_name: op.name.clone().unwrap_or_else(|| names::snake(method_part)),
        request_name: format!("{base}Request"),
        meta_const: names::shouty(id),
        shape_static: format!("OP_{}", names::shouty(id)),
        tokens: tokens(op, loc, diags),
        scopes: op.scopes.clone(),
        no_scopes: op.no_scopes,
        field_scopes: op.field_scopes.clone(),
        app_types: access::parse_list(
            &op.app_types,
            &loc.key("app_types"),
            "app type",
            app_type,
            diags,
        ),
        rate_limit: op.rate_limit.clone(),
        path_params: lower_fields(&op.path_params, &loc.key("path_params"), symbols, diags),
        query,
        body,
        response,
        pagination,
        idempotency: op
            .idempotency
            .as_ref()
            .and_then(|i| idempotency(i, &loc.key("idempotency"), diags)),
        rate_partition: op
            .rate_partition
            .as_ref()
            .and_then(|p| rate_partition(p, &loc.key("rate_partition"), diags)),
        errors: op.errors.clone(),
        constraints: op.constraints.clone(),
        notes: op.notes.clone(),
        overview: access::overview(&op.overview),
        loc: loc.clone(),
    };
    Some(Lowered {
        op: operation,
        structs,
    })
}

/// The key named by exactly one of `query:` and `body:`.
fn idempotency(i: &RawIdempotency, loc: &Loc, diags: &mut Diagnostics) -> Option<Idempotency> {
    let (key, location, at) = match (&i.query, &i.body) {
        (Some(q), None) => (q, KeyLocation::Query, "query"),
        (None, Some(b)) => (b, KeyLocation::Body, "body"),
        (Some(_), Some(_)) => {
            diags.error(
                &loc.key("body"),
                "idempotency names its key once: give `query:` or `body:`, not both",
            );
            return None;
        }
        (None, None) => {
            diags.error(
                loc,
                "idempotency needs its key: `query: <param>` or `body: <field>`",
            );
            return None;
        }
    };
    Some(Idempotency {
        key: key.clone(),
        location,
        window: i.window.clone(),
        rule: i.rule.clone(),
        loc: loc.key(at),
    })
}

/// The field named by exactly one of `query:`, `body:` and `path:`.
fn rate_partition(
    p: &RawRatePartition,
    loc: &Loc,
    diags: &mut Diagnostics,
) -> Option<RatePartition> {
    let named: Vec<(&String, KeyLocation, &str)> = [
        (&p.query, KeyLocation::Query, "query"),
        (&p.body, KeyLocation::Body, "body"),
        (&p.path, KeyLocation::Path, "path"),
    ]
    .into_iter()
    .filter_map(|(k, l, at)| k.as_ref().map(|k| (k, l, at)))
    .collect();
    let [(key, location, at)] = named[..] else {
        diags.error(
            loc,
            "rate_partition names its field once: `query: <param>`, `body: <field>` or `path: <variable>`",
        );
        return None;
    };
    if p.per_second == 0 {
        diags.error(&loc.key("per_second"), "per_second must be at least 1");
        return None;
    }
    Some(RatePartition {
        key: key.clone(),
        location,
        bucket: p.bucket.clone(),
        per_second: p.per_second,
        code: p.code,
        loc: loc.key(at),
    })
}

fn method(op: &RawOperation, loc: &Loc, diags: &mut Diagnostics) -> Method {
    match op.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        other => {
            diags.error(
                &loc.key("method"),
                format!("bad method `{other}`: use GET, POST, PUT, PATCH or DELETE"),
            );
            Method::Get
        }
    }
}

fn tokens(op: &RawOperation, loc: &Loc, diags: &mut Diagnostics) -> Vec<TokenType> {
    let tokens = access::parse_list(
        &op.tokens,
        &loc.key("tokens"),
        "token type",
        token_type,
        diags,
    );
    if tokens.is_empty() {
        diags.error(&loc.key("tokens"), "at least one token type is needed");
    }
    tokens
}
