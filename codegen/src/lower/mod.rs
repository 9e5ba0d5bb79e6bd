//! Raw model -> IR: resolve references to ids, assign every Rust name, compute facts.
//!
//! One pass declares every struct, enum and handle ([`symbols`]), so references resolve on first
//! sight; then each part of the spec is lowered by the module named for it. Problems are
//! collected, not returned early, so one run reports all of them; names are checked afterwards,
//! in `validate`.

mod access;
mod errors;
mod events;
mod handles;
mod operations;
mod pagination;
mod path_template;
mod symbols;
mod types;

use crate::diag::{join_key, Diagnostics, Loc};
use crate::ir::*;
use crate::load::RawSpec;
use std::collections::BTreeSet;
use symbols::Symbols;

/// Lowers the raw spec. The IR is returned even when problems were found, so validation can
/// report more of them; callers must not emit from it unless `diags` is empty.
pub fn lower(raw: &RawSpec, diags: &mut Diagnostics) -> Api {
    let symbols = Symbols::declare(raw, diags);
    let mut api = Api {
        name: String::new(),
        title: String::new(),
        base_urls: Vec::new(),
        family: FamilyNames::default(),
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
        api.family = family_names(file);
        api.base_urls = file
            .base_urls
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    if let Some((file, f)) = &raw.enums {
        api.enums = f
            .enums
            .iter()
            .map(|(name, e)| {
                let loc = Loc::new(file, join_key("enums", name));
                types::lower_enum(name, e, &loc, diags)
            })
            .collect();
        api.enums.sort_by(|a, b| a.name.cmp(&b.name));
    }
    if let Some((file, f)) = &raw.handles {
        api.handles = handles::lower_handles(file, &f.handles, &symbols, diags);
    }
    if let Some((file, f)) = &raw.errors {
        (api.errors, api.common_errors) = errors::lower_errors(file, f, diags);
    }

    // Each struct goes to the slot its id names.
    let mut structs: Vec<Option<StructDef>> = vec![None; symbols.struct_names.len()];
    if let Some((file, f)) = &raw.types {
        for (name, t) in &f.types {
            let loc = Loc::new(file, join_key("types", name));
            let def = types::lower_type(name, t, loc, &symbols, diags);
            structs[symbols.types[name].0] = Some(def);
        }
    }
    for decl in &symbols.operations {
        if let Some(lowered) = operations::lower_operation(decl, &symbols, &structs, diags) {
            for (id, def) in lowered.structs {
                structs[id.0] = Some(def);
            }
            api.operations.push(lowered.op);
        }
    }
    if let Some((file, f)) = &raw.events {
        for (event_type, e) in &f.events {
            let loc = Loc::new(file, join_key("events", event_type));
            let (event, def) = events::lower_event(event_type, e, &loc, &symbols, diags);
            structs[event.body.0] = Some(def);
            api.events.push(event);
        }
    }
    // Every declared struct was lowered: declaration and lowering walk the same operations with
    // the same rules (`split_operation_id`, `ResponseShape`).
    debug_assert!(structs.iter().all(Option::is_some));
    api.structs = structs.into_iter().flatten().collect();
    mark_usage(&mut api);
    api.operations.sort_by(|a, b| a.id.cmp(&b.id));
    api.events.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    api
}

/// Marks which structs are sent and which received, following references.
fn mark_usage(api: &mut Api) {
    let mut request: Vec<StructId> = Vec::new();
    let mut response: Vec<StructId> = Vec::new();
    for op in &api.operations {
        if let Some(b) = &op.body {
            request.push(b.struct_name.id);
        }
        if let Response::Struct(r) = &op.response {
            response.push(r.id);
        }
    }
    response.extend(api.events.iter().map(|e| e.body));
    let closure = |roots: Vec<StructId>| {
        let mut seen = BTreeSet::new();
        let mut stack = roots;
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                let fields = &api.struct_def(id).fields;
                stack.extend(
                    fields
                        .iter()
                        .filter_map(|f| f.ty.struct_ref())
                        .map(|r| r.id),
                );
            }
        }
        seen
    };
    let (req, resp) = (closure(request), closure(response));
    for (i, s) in api.structs.iter_mut().enumerate() {
        s.usage = Usage {
            request: req.contains(&StructId(i)),
            response: resp.contains(&StructId(i)),
        };
    }
}

/// The family's own Rust names, from its name (`im-chat` → `ImChatApi`, …) unless the spec sets
/// them.
fn family_names(file: &crate::raw::ApiFile) -> FamilyNames {
    use heck::{ToSnakeCase as _, ToUpperCamelCase as _};
    let camel = file.name.to_upper_camel_case();
    FamilyNames {
        crate_name: file
            .crate_name
            .clone()
            .unwrap_or_else(|| format!("lark_{}", file.name.to_snake_case())),
        api_trait: format!("{camel}Api"),
        events_trait: format!("{camel}Events"),
        state_events_trait: format!("{camel}StateEvents"),
        event_enum: file
            .event_enum
            .clone()
            .unwrap_or_else(|| format!("{camel}Event")),
    }
}
