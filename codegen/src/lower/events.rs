//! Events: metadata, and the body struct each event declares.

use super::access::{self, app_type};
use super::symbols::Symbols;
use super::types::lower_fields;
use crate::diag::{Diagnostics, Loc};
use crate::ir::{Event, Module, Schema, StructDef, Usage};
use crate::names;
use crate::raw::RawEvent;

/// One event and its body struct.
pub fn lower_event(
    event_type: &str,
    e: &RawEvent,
    loc: &Loc,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> (Event, StructDef) {
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
    let body = symbols.struct_ref(symbols.events[event_type]);
    let def = StructDef {
        name: body.name.clone(),
        doc: vec![format!("Body of the `{event_type}` event: {}", e.summary)],
        fields: lower_fields(&e.fields, &loc.key("fields"), symbols, diags),
        keep_unknown: false,
        module: Module::Events,
        usage: Usage::default(),
        form: false,
        loc: loc.key("fields"),
    };
    let event = Event {
        event_type: event_type.to_owned(),
        meta_const: names::shouty(&body.name),
        shape_static: format!("EV_{}", names::shouty(&body.name)),
        handler_name: names::handler_name(event_type),
        callback: e.callback,
        body: body.id,
        name: body.name,
        schema,
        summary: e.summary.clone(),
        doc_url: e.doc_url.clone(),
        scopes: e.scopes.clone(),
        app_types: access::parse_list(
            &e.app_types,
            &loc.key("app_types"),
            "app type",
            app_type,
            diags,
        ),
        notes: e.notes.clone(),
        overview: access::overview(&e.overview),
        loc: loc.clone(),
    };
    (event, def)
}
