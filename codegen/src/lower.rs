//! Raw model -> IR: resolve references, assign every Rust name, compute facts.
//! Problems are collected, not returned early, so one run reports all of them.

use crate::diag::{join_key, Diagnostics, Loc};
use crate::ir::*;
use crate::load::RawSpec;
use crate::names;
use crate::raw::{self, Map, RawField};
use std::collections::{BTreeMap, BTreeSet};

/// Names the spec declared, for resolving field types.
struct Names {
    enums: BTreeSet<String>,
    types: BTreeSet<String>,
}

impl Names {
    fn parse_ty(&self, s: &str) -> Result<Ty, String> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return Ok(Ty::Array(Box::new(self.parse_ty(inner)?)));
        }
        Ok(match s {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "boolean" => Ty::Boolean,
            "int64_string" | "unix_seconds_string" | "unix_millis_string" => Ty::Int64String,
            "lenient_string" => Ty::LenientString,
            "json" => Ty::Json,
            name if self.enums.contains(name) => Ty::Enum(name.to_owned()),
            name if self.types.contains(name) => Ty::Struct(name.to_owned()),
            "object" | "array" => {
                return Err(format!(
                    "`{s}` needs a name: declare the type in types.yaml or write `[T]`"
                ))
            }
            other => return Err(format!("unknown type `{other}`")),
        })
    }
}

/// Lowers the raw spec. The IR is returned even when problems were found, so validation can
/// report more of them; callers must not emit from it unless `diags` is empty.
pub fn lower(raw: &RawSpec, diags: &mut Diagnostics) -> Api {
    let mut api = Api {
        name: String::new(),
        title: String::new(),
        base_urls: Vec::new(),
        enums: Vec::new(),
        structs: Vec::new(),
        handles: Vec::new(),
        operations: Vec::new(),
        events: Vec::new(),
        errors: Vec::new(),
        common_errors: Vec::new(),
    };
    if let Some((_, file)) = &raw.api {
        api.name = file.name.clone();
        api.title = file.title.clone();
        api.base_urls = file
            .base_urls
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    let names = Names {
        enums: raw
            .enums
            .iter()
            .flat_map(|(_, f)| f.enums.keys().cloned())
            .collect(),
        types: raw
            .types
            .iter()
            .flat_map(|(_, f)| f.types.keys().cloned())
            .collect(),
    };

    if let Some((file, enums)) = &raw.enums {
        for (name, e) in &enums.enums {
            let loc = Loc::new(file, join_key("enums", name));
            api.enums.push(lower_enum(name, e, &loc, diags));
        }
    }
    if let Some((file, types)) = &raw.types {
        for (name, t) in &types.types {
            let loc = Loc::new(file, join_key("types", name));
            if !names::is_identifier(name) || names::pascal(name) != *name {
                diags.error(
                    &loc,
                    format!("type name `{name}` must be a PascalCase Rust identifier"),
                );
            }
            let mut doc = vec![t.doc.clone()];
            doc.extend(t.note.iter().cloned());
            doc.extend(t.constraints.iter().cloned());
            api.structs.push(StructDef {
                name: name.clone(),
                doc,
                fields: lower_fields(&t.fields, &loc.key("fields"), &names, diags),
                module: Module::Types,
                usage: Usage::default(),
                loc,
            });
        }
    }
    if let Some((file, handles)) = &raw.handles {
        lower_handles(file, &handles.handles, &mut api, diags);
    }
    if let Some((file, errors)) = &raw.errors {
        let mut seen: BTreeMap<String, i64> = BTreeMap::new();
        for (code, e) in &errors.errors {
            let loc = Loc::new(file, format!("errors.{code}"));
            let name = names::pascal(&e.name);
            if !names::is_identifier(&name) || name == "Unknown" {
                diags.error(
                    &loc.key("name"),
                    format!("`{}` is not a usable variant name", e.name),
                );
            } else if let Some(other) = seen.insert(name.clone(), *code) {
                diags.error(
                    &loc.key("name"),
                    format!("error name clash: codes {other} and {code} both become `{name}`"),
                );
            }
            api.errors.push(ErrorCode {
                code: *code,
                name,
                http_status: e.http_status,
                meaning: e.meaning.clone(),
                retryable: e.retryable,
            });
        }
        for (i, code) in errors.common.iter().enumerate() {
            if !errors.errors.contains_key(code) {
                diags.error(
                    &Loc::new(file, format!("common[{i}]")),
                    format!("error code {code} is not in `errors`"),
                );
            }
        }
        api.common_errors = errors.common.clone();
    }

    let mut seen_ops: BTreeMap<String, Loc> = BTreeMap::new();
    for (file, ops) in &raw.operations {
        for (id, op) in &ops.operations {
            let loc = Loc::new(file, join_key("operations", id));
            if let Some(first) = seen_ops.get(id) {
                diags.error(
                    &loc,
                    format!("duplicate operation id `{id}` (first in {})", first.file),
                );
                continue;
            }
            seen_ops.insert(id.clone(), loc.clone());
            if let Some(op) = lower_operation(id, op, file, &loc, &names, &mut api, diags) {
                api.operations.push(op);
            }
        }
    }
    if let Some((file, events)) = &raw.events {
        for (event_type, e) in &events.events {
            let loc = Loc::new(file, join_key("events", event_type));
            lower_event(event_type, e, &loc, &names, &mut api, diags);
        }
    }

    resolve_pagination(&mut api, diags);
    mark_usage(&mut api);
    api.enums.sort_by(|a, b| a.name.cmp(&b.name));
    api.structs.sort_by(|a, b| a.name.cmp(&b.name));
    api.handles.sort_by(|a, b| a.key.cmp(&b.key));
    api.operations.sort_by(|a, b| a.id.cmp(&b.id));
    api.events.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    api.errors.sort_by_key(|e| e.code);
    api
}

fn lower_enum(name: &str, e: &raw::RawEnum, loc: &Loc, diags: &mut Diagnostics) -> EnumDef {
    if !names::is_identifier(name) || names::pascal(name) != name {
        diags.error(
            loc,
            format!("enum name `{name}` must be a PascalCase Rust identifier"),
        );
    }
    let repr = match e.repr.as_str() {
        "string" => EnumRepr::String,
        "integer" => EnumRepr::Integer,
        other => {
            diags.error(
                &loc.key("type"),
                format!("enum type must be `string` or `integer`, not `{other}`"),
            );
            EnumRepr::String
        }
    };
    let mut variants: Vec<Variant> = Vec::new();
    for (i, v) in e.values.iter().enumerate() {
        let vloc = Loc::new(&loc.file, format!("{}.values[{i}]", loc.path));
        let value = match (repr, &v.value) {
            (EnumRepr::String, serde_json::Value::String(s)) => WireValue::Str(s.clone()),
            (EnumRepr::Integer, serde_json::Value::Number(n)) if n.is_i64() => {
                WireValue::Int(n.as_i64().unwrap_or_default())
            }
            (_, other) => {
                diags.error(
                    &vloc.key("value"),
                    format!("value {other} does not match the enum type `{}`", e.repr),
                );
                continue;
            }
        };
        let base = match (&v.name, &value) {
            (Some(n), _) => n.clone(),
            (None, WireValue::Str(s)) => s.clone(),
            (None, WireValue::Int(i)) => i.to_string(),
        };
        let rust = names::pascal(&base);
        if !names::is_identifier(&rust) {
            diags.error(
                &vloc,
                format!("value `{base}` has no usable Rust name: add `name:`"),
            );
            continue;
        }
        if rust == "Unknown" {
            diags.error(
                &vloc,
                "variant name `Unknown` is reserved for values the client does not know",
            );
            continue;
        }
        if let Some(prev) = variants.iter().find(|p| p.name == rust) {
            diags.error(
                &vloc,
                format!(
                    "enum name clash: `{base}` and {:?} both become variant `{rust}`",
                    prev.value
                ),
            );
            continue;
        }
        if variants.iter().any(|p| p.value == value) {
            diags.error(&vloc, format!("duplicate enum value {value:?}"));
            continue;
        }
        variants.push(Variant {
            name: rust,
            value,
            doc: v.doc.clone(),
        });
    }
    let mut doc = vec![e.doc.clone()];
    doc.extend(e.note.iter().cloned());
    if let Some(d) = &e.default {
        doc.push(format!("Platform default: `{}`.", json_text(d)));
    }
    EnumDef {
        name: name.to_owned(),
        doc,
        repr,
        variants,
        loc: loc.clone(),
    }
}

pub(crate) fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn lower_fields(
    fields: &Map<RawField>,
    loc: &Loc,
    names: &Names,
    diags: &mut Diagnostics,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for (wire, f) in fields {
        let floc = loc.key(wire);
        let field = lower_field(wire, f, &floc, names, diags);
        if let Some(prev) = out.iter().find(|p| p.rust == field.rust) {
            diags.error(
                &floc,
                format!(
                    "field name clash: `{wire}` and `{}` both become `{}`; set `rust_name`",
                    prev.wire, field.rust
                ),
            );
            continue;
        }
        out.push(field);
    }
    out
}

fn lower_field(
    wire: &str,
    f: &RawField,
    loc: &Loc,
    names: &Names,
    diags: &mut Diagnostics,
) -> Field {
    let ty = names.parse_ty(&f.ty).unwrap_or_else(|msg| {
        diags.error(&loc.key("type"), msg);
        Ty::Json
    });
    let rust = match &f.rust_name {
        Some(n) if names::is_identifier(n) => n.clone(),
        Some(n) => {
            diags.error(
                &loc.key("rust_name"),
                format!("`{n}` is not a usable Rust identifier"),
            );
            names::snake(wire)
        }
        None => names::snake(wire),
    };
    if !names::is_identifier(&rust) {
        diags.error(
            loc,
            format!("field `{wire}` has no usable Rust name: set `rust_name`"),
        );
    }
    let limits = Limits {
        min: f.min,
        max: f.max,
        min_length: f.min_length,
        max_length: f.max_length,
        min_items: f.min_items,
        max_items: f.max_items,
    };
    let base = match &ty {
        Ty::Array(inner) => inner.as_ref(),
        other => other,
    };
    let is_array = matches!(ty, Ty::Array(_));
    if (limits.min.is_some() || limits.max.is_some())
        && !matches!(base, Ty::Integer | Ty::Int64String)
    {
        diags.error(loc, "`min`/`max` apply to integers only");
    }
    if (limits.min_length.is_some() || limits.max_length.is_some())
        && !matches!(base, Ty::String | Ty::LenientString)
    {
        diags.error(loc, "`min_length`/`max_length` apply to strings only");
    }
    if (limits.min_items.is_some() || limits.max_items.is_some()) && !is_array {
        diags.error(loc, "`min_items`/`max_items` apply to arrays only");
    }
    let mut doc = vec![f.doc.clone()];
    doc.extend(f.constraint.iter().cloned());
    doc.extend(f.note.iter().cloned());
    if let Some(d) = &f.default {
        doc.push(format!("Platform default: `{}`.", json_text(d)));
    }
    if let Some(c) = &f.constant {
        doc.push(format!("Always `{}`.", json_text(c)));
    }
    if let Some(s) = &f.field_scope {
        doc.push(format!("Seeing `user_id` values needs the `{s}` scope."));
    }
    if f.sdk_only {
        doc.push(
            "Only in the official SDKs' types, not in the public docs: may be absent or change."
                .into(),
        );
    }
    Field {
        wire: wire.to_owned(),
        rust,
        ty,
        required: f.required && !f.sdk_only,
        doc,
        limits,
        default: f.default.clone(),
        example: f.example.clone(),
        constant: f.constant.clone(),
        sdk_only: f.sdk_only,
        loc: loc.clone(),
    }
}

fn lower_handles(
    file: &str,
    handles: &Map<raw::RawHandle>,
    api: &mut Api,
    diags: &mut Diagnostics,
) {
    for (key, h) in handles {
        let loc = Loc::new(file, join_key("handles", key));
        let (parent, last) = match key.rsplit_once('.') {
            Some((p, l)) => (Some(p.to_owned()), l),
            None => (None, key.as_str()),
        };
        if let Some(p) = &parent {
            if !handles.contains_key(p) {
                diags.error(&loc, format!("parent handle `{p}` is not declared"));
            }
        }
        let accessor = h.accessor.clone().unwrap_or_else(|| names::snake(last));
        if !names::is_identifier(&accessor) {
            diags.error(
                &loc,
                format!("accessor `{accessor}` is not a usable Rust identifier"),
            );
        }
        // Params along the chain: the parent's first, then this handle's own.
        let mut params = Vec::new();
        let mut chain = Vec::new();
        let mut cur = Some(key.as_str());
        while let Some(k) = cur {
            chain.push(k);
            cur = k.rsplit_once('.').map(|(p, _)| p);
        }
        for k in chain.iter().rev() {
            if let Some(h) = handles.get(*k) {
                params.extend(h.params.iter().cloned());
            }
        }
        api.handles.push(Handle {
            key: key.clone(),
            struct_name: format!("{}Handle", names::pascal(key)),
            accessor,
            parent,
            own_params: h.params.clone(),
            params,
            doc: h.doc.clone(),
            loc,
        });
    }
}

fn parse_list<T>(
    items: &[String],
    loc: &Loc,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    diags: &mut Diagnostics,
) -> Vec<T>
where
    T: Ord,
{
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        match parse(s) {
            Some(v) => out.push(v),
            None => diags.error(
                &Loc::new(&loc.file, format!("{}[{i}]", loc.path)),
                format!("unknown {what} `{s}`"),
            ),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn token_type(s: &str) -> Option<TokenType> {
    match s {
        "tenant" => Some(TokenType::Tenant),
        "user" => Some(TokenType::User),
        _ => None,
    }
}

fn app_type(s: &str) -> Option<AppType> {
    match s {
        "custom" => Some(AppType::Custom),
        "store" => Some(AppType::Store),
        _ => None,
    }
}

fn lower_overview(o: &raw::RawOverview) -> Overview {
    Overview {
        title: o.title.clone(),
        section: o.section.clone(),
        acknowledged: o
            .acknowledged
            .iter()
            .map(|a| Acknowledged {
                what: a.what.clone(),
                page: a.page.clone(),
                reason: a.reason.clone(),
            })
            .collect(),
    }
}

fn parse_path(path: &str, loc: &Loc, diags: &mut Diagnostics) -> Vec<Segment> {
    if !path.starts_with("/open-apis/") {
        diags.error(loc, format!("path `{path}` must start with `/open-apis/`"));
    }
    let mut segments = Vec::new();
    let mut lit = String::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            lit.push('/');
        }
        if let Some(var) = part.strip_prefix(':') {
            if !names::is_identifier(var) {
                diags.error(loc, format!("path variable `:{var}` is not a usable name"));
            }
            segments.push(Segment::Lit(std::mem::take(&mut lit)));
            segments.push(Segment::Var(var.to_owned()));
        } else {
            lit.push_str(part);
        }
    }
    if !lit.is_empty() {
        segments.push(Segment::Lit(lit));
    }
    segments.retain(|s| !matches!(s, Segment::Lit(l) if l.is_empty()));
    segments
}

fn lower_operation(
    id: &str,
    op: &raw::RawOperation,
    file: &str,
    loc: &Loc,
    names: &Names,
    api: &mut Api,
    diags: &mut Diagnostics,
) -> Option<Operation> {
    let Some((group, method_part)) = id.split_once('.') else {
        diags.error(
            loc,
            format!("operation id `{id}` must be `<group>.<method>`"),
        );
        return None;
    };
    if file != format!("operations/{group}.yaml") {
        diags.error(
            loc,
            format!("operation `{id}` belongs in operations/{group}.yaml"),
        );
    }
    let method = match op.method.as_str() {
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
    };
    let fn_name = op.name.clone().unwrap_or_else(|| names::snake(method_part));
    if !names::is_identifier(&fn_name) {
        diags.error(
            loc,
            format!("method name `{fn_name}` is not a usable Rust identifier: set `name`"),
        );
    }
    let base = names::pascal(id);
    let tokens = parse_list(
        &op.tokens,
        &loc.key("tokens"),
        "token type",
        token_type,
        diags,
    );
    if tokens.is_empty() {
        diags.error(&loc.key("tokens"), "at least one token type is needed");
    }
    let app_types = parse_list(
        &op.app_types,
        &loc.key("app_types"),
        "app type",
        app_type,
        diags,
    );
    let body = op.body.as_ref().map(|b| {
        let struct_name = format!("{base}Body");
        api.structs.push(StructDef {
            name: struct_name.clone(),
            doc: vec![format!("Request body of `{id}`: {}", op.summary)],
            fields: lower_fields(&b.fields, &loc.key("body").key("fields"), names, diags),
            module: Module::Group(group.to_owned()),
            usage: Usage::default(),
            loc: loc.key("body"),
        });
        Body {
            required: b.required,
            struct_name,
        }
    });
    let rloc = loc.key("response");
    let response = match (
        &op.response.reference,
        &op.response.fields,
        op.response.empty,
    ) {
        (Some(r), None, false) => {
            if names.types.contains(r) {
                Response::Struct(r.clone())
            } else {
                diags.error(&rloc.key("ref"), format!("unknown type `{r}`"));
                Response::Empty
            }
        }
        (None, Some(fields), false) => {
            let struct_name = format!("{base}Response");
            api.structs.push(StructDef {
                name: struct_name.clone(),
                doc: vec![format!("Response data of `{id}`: {}", op.summary)],
                fields: lower_fields(fields, &rloc.key("fields"), names, diags),
                module: Module::Group(group.to_owned()),
                usage: Usage::default(),
                loc: rloc.clone(),
            });
            Response::Struct(struct_name)
        }
        (None, None, true) => Response::Empty,
        _ => {
            diags.error(
                &rloc,
                "write exactly one of `ref`, `fields` or `empty: true`",
            );
            Response::Empty
        }
    };
    let pagination = op.pagination.as_ref().map(|p| {
        let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
        Pagination {
            token_param: or(&p.token_param, "page_token"),
            size_param: or(&p.size_param, "page_size"),
            token_field: or(&p.token_field, "page_token"),
            has_more_field: or(&p.has_more_field, "has_more"),
            items_field: or(&p.items_field, "items"),
            token_field_rust: String::new(),
            has_more_field_rust: String::new(),
            items_field_rust: String::new(),
            token_param_rust: String::new(),
            item: Ty::Json,
            note: p.note.clone(),
        }
    });
    Some(Operation {
        id: id.to_owned(),
        group: group.to_owned(),
        summary: op.summary.clone(),
        doc_url: op.doc_url.clone(),
        method,
        path: op.path.clone(),
        segments: parse_path(&op.path, &loc.key("path"), diags),
        handle: op.handle.clone(),
        fn_name,
        request_name: format!("{base}Request"),
        meta_const: names::shouty(id),
        tokens,
        scopes: op.scopes.clone(),
        field_scopes: op.field_scopes.clone(),
        app_types,
        rate_limit: op.rate_limit.clone(),
        path_params: lower_fields(&op.path_params, &loc.key("path_params"), names, diags),
        query: lower_fields(&op.query, &loc.key("query"), names, diags),
        body,
        response,
        pagination,
        idempotency: op.idempotency.as_ref().map(|i| Idempotency {
            query: i.query.clone(),
            window: i.window.clone(),
            rule: i.rule.clone(),
        }),
        errors: op.errors.clone(),
        constraints: op.constraints.clone(),
        notes: op.notes.clone(),
        overview: lower_overview(&op.overview),
        loc: loc.clone(),
    })
}

fn lower_event(
    event_type: &str,
    e: &raw::RawEvent,
    loc: &Loc,
    names: &Names,
    api: &mut Api,
    diags: &mut Diagnostics,
) {
    let schema = match e.schema.as_str() {
        "2.0" => Schema::V2,
        "1.0" => Schema::V1,
        other => {
            diags.error(
                &loc.key("schema"),
                format!("schema must be \"2.0\" or \"1.0\", not {other:?}"),
            );
            Schema::V2
        }
    };
    let name = names::event_name(event_type);
    if !names::is_identifier(&name) {
        diags.error(
            loc,
            format!("event type `{event_type}` has no usable Rust name"),
        );
    }
    api.structs.push(StructDef {
        name: name.clone(),
        doc: vec![format!("Body of the `{event_type}` event: {}", e.summary)],
        fields: lower_fields(&e.fields, &loc.key("fields"), names, diags),
        module: Module::Events,
        usage: Usage::default(),
        loc: loc.key("fields"),
    });
    api.events.push(Event {
        event_type: event_type.to_owned(),
        meta_const: names::shouty(&name),
        handler_name: names::handler_name(event_type),
        name,
        schema,
        summary: e.summary.clone(),
        doc_url: e.doc_url.clone(),
        scopes: e.scopes.clone(),
        app_types: parse_list(
            &e.app_types,
            &loc.key("app_types"),
            "app type",
            app_type,
            diags,
        ),
        notes: e.notes.clone(),
        overview: lower_overview(&e.overview),
        loc: loc.clone(),
    });
}

/// Fills in the Rust names and item type of each paginated operation from its response.
fn resolve_pagination(api: &mut Api, diags: &mut Diagnostics) {
    let structs = api.structs.clone();
    for op in &mut api.operations {
        let Some(p) = &mut op.pagination else {
            continue;
        };
        let ploc = op.loc.key("pagination");
        let Response::Struct(name) = &op.response else {
            diags.error(&ploc, "a paginated operation needs a response with fields");
            continue;
        };
        let Some(resp) = structs.iter().find(|s| &s.name == name) else {
            continue;
        };
        let field = |wire: &str| resp.fields.iter().find(|f| f.wire == wire);
        match field(&p.items_field) {
            Some(Field {
                ty: Ty::Array(item),
                rust,
                ..
            }) => {
                p.item = (**item).clone();
                p.items_field_rust = rust.clone();
            }
            _ => diags.error(
                &ploc,
                format!(
                    "response has no array field `{}` to page through",
                    p.items_field
                ),
            ),
        }
        match field(&p.has_more_field) {
            Some(f) if f.ty == Ty::Boolean => p.has_more_field_rust = f.rust.clone(),
            _ => diags.error(
                &ploc,
                format!("response has no boolean field `{}`", p.has_more_field),
            ),
        }
        match field(&p.token_field) {
            Some(f) if f.ty == Ty::String => p.token_field_rust = f.rust.clone(),
            _ => diags.error(
                &ploc,
                format!("response has no string field `{}`", p.token_field),
            ),
        }
        match op.query.iter().find(|q| q.wire == p.token_param) {
            Some(q) if q.ty == Ty::String => p.token_param_rust = q.rust.clone(),
            _ => diags.error(
                &ploc,
                format!("query has no string parameter `{}`", p.token_param),
            ),
        }
        if !op.query.iter().any(|q| q.wire == p.size_param) {
            diags.error(&ploc, format!("query has no parameter `{}`", p.size_param));
        }
    }
}

/// Marks which structs are sent and which received, following references.
fn mark_usage(api: &mut Api) {
    let mut request: Vec<String> = Vec::new();
    let mut response: Vec<String> = Vec::new();
    for op in &api.operations {
        if let Some(b) = &op.body {
            request.push(b.struct_name.clone());
        }
        if let Response::Struct(r) = &op.response {
            response.push(r.clone());
        }
    }
    response.extend(api.events.iter().map(|e| e.name.clone()));
    let closure = |roots: Vec<String>, structs: &[StructDef]| {
        let mut seen = BTreeSet::new();
        let mut stack = roots;
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(s) = structs.iter().find(|s| s.name == n) {
                for f in &s.fields {
                    if let Some(inner) = struct_ref(&f.ty) {
                        stack.push(inner.to_owned());
                    }
                }
            }
        }
        seen
    };
    let req = closure(request, &api.structs);
    let resp = closure(response, &api.structs);
    for s in &mut api.structs {
        s.usage = Usage {
            request: req.contains(&s.name),
            response: resp.contains(&s.name),
        };
    }
}

/// The struct a type refers to, through arrays.
pub(crate) fn struct_ref(ty: &Ty) -> Option<&str> {
    match ty {
        Ty::Struct(n) => Some(n),
        Ty::Array(inner) => struct_ref(inner),
        _ => None,
    }
}
