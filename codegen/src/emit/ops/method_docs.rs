//! Docs of an operation method: summary, facts from the spec, link, and an example call.

use super::super::docs;
use super::positional;
use crate::ir::{Api, KeyLocation, Operation, Response, Ty};
use crate::json_text::json_text;
use crate::options::DocExamples;
use proc_macro2::TokenStream;

/// The method's doc comment.
pub fn method_docs(api: &Api, op: &Operation, examples: DocExamples) -> TokenStream {
    let tokens: Vec<&str> = op.tokens.iter().map(|t| t.as_str()).collect();
    let apps: Vec<&str> = op.app_types.iter().map(|a| a.as_str()).collect();
    let mut lines: Vec<String> = Vec::new();
    lines.push(format!("`{} {}`", op.method.as_str(), op.path));
    lines.push(String::new());
    lines.push(format!("- Access tokens: {}", tokens.join(", ")));
    if op.scopes.is_empty() {
        lines.push("- Scopes: none needed".to_owned());
    } else {
        let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
        lines.push(format!("- Scopes (any one): {}", scopes.join(", ")));
    }
    lines.push(format!("- App types: {}", apps.join(", ")));
    if let Some(r) = &op.rate_limit {
        lines.push(format!("- Rate limit: {}", docs::sanitize(r)));
    }
    if let Some(i) = &op.idempotency {
        let rule = i
            .rule
            .as_deref()
            .map(|r| format!(" ({})", docs::sanitize(r)))
            .unwrap_or_default();
        lines.push(match i.location {
            KeyLocation::Query => format!("- Idempotency key: query `{}`{rule}", i.key),
            KeyLocation::Body => format!(
                "- Idempotency key: body `{}`{rule}; a random UUID is filled in when unset, \
                 so retries of one send carry the same one",
                i.key
            ),
            KeyLocation::Path => format!("- Idempotency key: path `{}`{rule}", i.key),
        });
    }
    if let Some(p) = &op.rate_partition {
        lines.push(format!(
            "- Limit per value: {}/s per {} `{}` (budget `{}`), error {} beyond it; a \
             `LocalRateBudget` or `RedisRateBudget` paces such calls per value",
            p.per_second,
            p.location.as_str(),
            p.key,
            p.bucket,
            p.code
        ));
    }
    if let Some(p) = &op.pagination {
        let note = p
            .note
            .as_deref()
            .map(|n| format!(" {}", docs::sanitize(n)))
            .unwrap_or_default();
        lines.push(format!("- Paginated: see `pages()` and `items()`.{note}"));
    }
    if let Some(b) = op.body.as_ref().filter(|b| b.multipart) {
        let parts: Vec<String> = api
            .struct_def(b.struct_name.id)
            .fields
            .iter()
            .map(|f| match (&f.ty, f.limits.max_bytes) {
                (Ty::File, Some(max)) => format!("`{}` (file, 1 to {max} bytes)", f.wire),
                (Ty::File, None) => format!("`{}` (file, not empty)", f.wire),
                _ => format!("`{}`", f.wire),
            })
            .collect();
        lines.push(format!(
            "- Upload: `multipart/form-data` with the parts {}, in this order; sizes are \
             checked before anything is sent",
            parts.join(", ")
        ));
    }
    if let Response::Download { max_bytes } = &op.response {
        let max = max_bytes.map_or_else(
            || "`DEFAULT_MAX_DOWNLOAD`".to_owned(),
            |m| format!("{m} bytes"),
        );
        lines.push(format!(
            "- Download: the answer is the file, streamed (`Download`); at most {max} unless \
             `max_bytes` says otherwise"
        ));
    }
    lines.push(format!("- [Official documentation]({})", op.doc_url));
    let mut out = vec![docs::sanitize(&op.summary), String::new()];
    out.extend(lines);
    for c in op.constraints.iter().chain(&op.notes) {
        out.push(String::new());
        out.push(docs::sanitize(c));
    }
    out.push(String::new());
    out.push("# Example".into());
    out.push(String::new());
    out.extend(example_block(api, op, examples));
    docs::raw_lines(&out)
}

/// The fenced example: a compiled `no_run` doctest with its hidden scaffolding, or the same call
/// as plain text.
fn example_block(api: &Api, op: &Operation, examples: DocExamples) -> Vec<String> {
    let call = example(api, op);
    match examples {
        DocExamples::Compiled => {
            let krate = &api.family.crate_name;
            let mut out = vec![
                "```no_run".to_owned(),
                format!("# use {krate}::prelude::*;"),
                format!(
                    "# async fn example(client: {krate}::Client) -> Result<(), {krate}::Error> {{"
                ),
            ];
            out.extend(call);
            out.extend(["# let _ = response;", "# Ok(())", "# }", "```"].map(String::from));
            out
        }
        DocExamples::Text => {
            let mut out = vec!["```text".to_owned()];
            out.extend(call);
            out.push("```".to_owned());
            out
        }
    }
}

/// Lines of an example call of `op`.
fn example(api: &Api, op: &Operation) -> Vec<String> {
    let mut chain = Vec::new();
    let mut cur = api.op_handle(op);
    while let Some(h) = cur {
        chain.push(h);
        cur = h.parent.as_ref().map(|p| api.handle(p.id));
    }
    chain.reverse();
    let mut lines = vec!["let response = client".to_owned()];
    for h in chain {
        let args: Vec<String> = h
            .own_params
            .iter()
            .map(|p| {
                let ex = op
                    .path_params
                    .iter()
                    .find(|f| &f.wire == p)
                    .and_then(|f| f.example.as_ref());
                format!("{:?}", ex.map_or_else(|| format!("{p}-example"), json_text))
            })
            .collect();
        lines.push(format!("    .{}({})", h.accessor, args.join(", ")));
    }
    let mut args: Vec<String> = positional(op)
        .iter()
        .map(|q| example_value(api, &q.ty, q.example.as_ref(), 0))
        .collect();
    if let Some(b) = op.body.as_ref().filter(|b| b.required) {
        args.push(example_value(
            api,
            &Ty::Struct(b.struct_name.clone()),
            None,
            0,
        ));
    }
    lines.push(format!("    .{}({})", op.fn_name, args.join(", ")));
    lines.push("    .send()".into());
    lines.push("    .await?;".into());
    lines
}

/// A Rust expression of type `ty` for examples.
fn example_value(api: &Api, ty: &Ty, example: Option<&serde_json::Value>, depth: usize) -> String {
    match ty {
        Ty::String | Ty::LenientString => format!(
            "{:?}",
            example.map_or_else(|| "example".to_owned(), json_text)
        ),
        Ty::Integer | Ty::Int64String => example
            .and_then(|e| json_text(e).parse::<i64>().ok())
            .unwrap_or(1)
            .to_string(),
        Ty::Boolean => "true".into(),
        Ty::Json => format!(
            "{}::runtime::rt::serde_json::json!({{}})",
            api.family.crate_name
        ),
        Ty::File => format!(
            "{}::runtime::http::FilePart::path(\"example.bin\")",
            api.family.crate_name
        ),
        Ty::Enum(n) => match api.enum_def(n.id).variants.first() {
            Some(v) => format!("{}::types::{n}::{}", api.family.crate_name, v.name),
            None => format!("{}::types::{n}::from(\"\")", api.family.crate_name),
        },
        Ty::Array(inner) if depth > 8 => {
            // A cycle through lists: stop with an empty one.
            format!(
                "std::iter::empty::<{}>()",
                example_type(&api.family.crate_name, inner)
            )
        }
        Ty::Array(inner) => {
            let item_example = example.and_then(|e| e.as_array()).and_then(|a| a.first());
            format!("[{}]", example_value(api, inner, item_example, depth + 1))
        }
        Ty::Struct(n) => {
            let args: Vec<String> = api
                .struct_def(n.id)
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| example_value(api, &f.ty, f.example.as_ref(), depth + 1))
                .collect();
            format!(
                "{}::types::{n}::new({})",
                api.family.crate_name,
                args.join(", ")
            )
        }
    }
}

/// The path of `ty` as examples write it.
fn example_type(krate: &str, ty: &Ty) -> String {
    match ty {
        Ty::String | Ty::LenientString => "String".into(),
        Ty::Integer | Ty::Int64String => "i64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Json => format!("{krate}::runtime::rt::serde_json::Value"),
        Ty::File => format!("{krate}::runtime::http::FilePart"),
        Ty::Struct(n) => format!("{krate}::types::{n}"),
        Ty::Enum(n) => format!("{krate}::types::{n}"),
        Ty::Array(inner) => format!("Vec<{}>", example_type(krate, inner)),
    }
}
