//! The normalized spec as JSON, for other tools (`cargo xtask spec-json`).

use crate::ir::{Api, Field, Response, Ty};
use serde_json::{json, Value};

fn node(api: &Api, name: &str, ty: &Ty, required: bool, depth: usize) -> Value {
    let mut n = json!({ "name": name, "type": ty.json_type(), "required": required });
    match ty {
        Ty::Enum(e) => {
            let def = api.enum_def(e.id);
            let values: Vec<Value> = def
                .variants
                .iter()
                .map(|v| match &v.value {
                    crate::ir::WireValue::Str(s) => json!(s),
                    crate::ir::WireValue::Int(i) => json!(i),
                })
                .collect();
            n["enum"] = json!(values);
            if def.repr == crate::ir::EnumRepr::Integer {
                n["type"] = json!("integer");
            }
        }
        Ty::Struct(s) if depth < 16 => {
            let fields = fields(api, &api.struct_def(s.id).fields, depth + 1);
            n["fields"] = json!(fields);
        }
        Ty::Array(inner) => n["items"] = node(api, "items", inner, true, depth + 1),
        _ => {}
    }
    n
}

fn fields(api: &Api, fs: &[Field], depth: usize) -> Vec<Value> {
    fs.iter()
        .map(|f| node(api, &f.wire, &f.ty, f.required, depth))
        .collect()
}

/// `{operations[], events[]}` as documented in `spec/README.md`.
pub fn to_json(api: &Api) -> Value {
    let operations: Vec<Value> = api
        .operations
        .iter()
        .map(|op| {
            let response = match &op.response {
                Response::Struct(s) => fields(api, &api.struct_def(s.id).fields, 0),
                Response::Empty | Response::Download { .. } => Vec::new(),
            };
            let body = op
                .body
                .as_ref()
                .map(|b| fields(api, &api.struct_def(b.struct_name.id).fields, 0))
                .unwrap_or_default();
            let mut out = json!({
                "id": op.id,
                "method": op.method.as_str(),
                "path": op.path,
                "summary": op.summary,
                "doc_url": op.doc_url,
                "tokens": op.tokens.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "scopes": op.scopes,
                "app_types": op.app_types.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "paginated": op.pagination.is_some(),
                "idempotency_key": op.idempotency.as_ref().map(|i| i.key.clone()),
                "idempotency_key_in": op.idempotency.as_ref().map(|i| i.location.as_str()),
                "rate_partition": op.rate_partition.as_ref().map(|p| json!({
                    "in": p.location.as_str(), "key": p.key, "bucket": p.bucket,
                    "per_second": p.per_second, "code": p.code,
                })),
                "path_params": fields(api, &op.path_params, 0),
                "query": fields(api, &op.query, 0),
                "body": body,
                "response": response,
            });
            // Only where they apply, so other operations read as before.
            if op.body.as_ref().is_some_and(|b| b.multipart) {
                out["body_multipart"] = json!(true);
            }
            if let Response::Download { max_bytes } = &op.response {
                out["download"] = json!({ "max_bytes": max_bytes });
            }
            out
        })
        .collect();
    let events: Vec<Value> = api
        .events
        .iter()
        .map(|e| {
            let body = fields(api, &api.event_struct(e).fields, 0);
            json!({
                "event_type": e.event_type,
                "schema": e.schema.as_str(),
                "summary": e.summary,
                "doc_url": e.doc_url,
                "scopes": e.scopes,
                "app_types": e.app_types.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "fields": body,
            })
        })
        .collect();
    json!({ "name": api.name, "operations": operations, "events": events })
}
