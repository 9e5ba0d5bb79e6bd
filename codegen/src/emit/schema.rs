//! The shape of what the platform sends, as static tables for noting spec drift at run time:
//! every object type reachable from a response or an event body with its fields' wire names,
//! every enum reachable from them with its wire values, and per operation and event type the
//! type to start from.
//!
//! Shape:
//! ```text
//! pub static CHAT_DETAIL: rt::drift::Object = rt::drift::Object { name: "ChatDetail", fields: &[
//!     rt::drift::Field::value("chat_mode", &CHAT_MODE),
//!     rt::drift::Field::object("i18n_names", &I18N_NAMES),
//!     rt::drift::Field::any("labels").array(), …] };        // sorted by wire name
//! pub static CHAT_MODE: rt::drift::Values = rt::drift::Values { name: "ChatMode", strings: &["group", …], integers: &[] };
//! pub static OP_CHAT_GET: rt::drift::Operation = rt::drift::Operation { id: "chat.get", data: &CHAT_DETAIL };
//! pub static EV_CHAT_UPDATED_V1: rt::drift::Event = rt::drift::Event {
//!     event_type: "im.chat.updated_v1", envelope: &rt::drift::EVENT_ENVELOPE_V2_SHAPE, body: &… };
//! pub static OPERATIONS: &[&rt::drift::Operation] = &[&OP_CHAT_GET, …];   // sorted by id
//! pub static EVENTS: &[&rt::drift::Event] = &[&EV_CHAT_UPDATED_V1, …];    // sorted by type
//! ```
//!
//! The envelopes' own shapes are the runtime's (they are not in the spec); the metadata statics
//! point at the per-operation and per-event shapes.

use super::{ident, use_root};
use crate::ir::{Api, EnumDef, EnumId, Response, Schema, StructDef, StructId, Ty, WireValue};
use crate::names::shouty;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// `generated/schema.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let (structs, enums) = reachable(api);
    let objects = structs.iter().map(|id| object(api.struct_def(*id)));
    let values = enums.iter().map(|id| values(api.enum_def(*id)));
    let operations = api.operations.iter().map(|op| {
        let id = &op.id;
        let name = ident(&op.shape_static);
        let doc = format!(" The response `data` of `{id}`.");
        let data = match &op.response {
            Response::Struct(n) => static_ref(&n.name),
            Response::Empty | Response::Download { .. } => quote!(&rt::drift::Object::EMPTY),
        };
        quote! {
            #[doc = #doc]
            pub static #name: rt::drift::Operation = rt::drift::Operation { id: #id, data: #data };
        }
    });
    let op_refs = api.operations.iter().map(|op| ident(&op.shape_static));
    let events = api.events.iter().map(|e| {
        let et = &e.event_type;
        let name = ident(&e.shape_static);
        let doc = format!(" The envelope and body of `{et}`.");
        let envelope = match e.schema {
            Schema::V2 => quote!(&rt::drift::EVENT_ENVELOPE_V2_SHAPE),
            Schema::V1 => quote!(&rt::drift::EVENT_ENVELOPE_V1_SHAPE),
        };
        let body = static_ref(&api.event_struct(e).name);
        quote! {
            #[doc = #doc]
            pub static #name: rt::drift::Event = rt::drift::Event { event_type: #et, envelope: #envelope, body: #body };
        }
    });
    let event_refs = api.events.iter().map(|e| ident(&e.shape_static));
    quote! {
        #![doc = " What the platform sends, as the spec describes it: field wire names and enum values of"]
        #![doc = " every response and event type, for noting spec drift at run time (`DriftLog`)."]
        #![doc = ""]
        #![doc = " Fields are sorted by wire name. An `any` field accepts every value (a scalar or a"]
        #![doc = " free-form object); `.array()` wraps a field's item in one list."]
        #header

        #(#objects)*

        #(#values)*

        #(#operations)*

        #(#events)*

        /// The response `data` of every operation, sorted by id.
        pub static OPERATIONS: &[&rt::drift::Operation] = &[#(&#op_refs),*];

        /// The envelope and body of every event, sorted by event type.
        pub static EVENTS: &[&rt::drift::Event] = &[#(&#event_refs),*];
    }
}

/// Structs and enums that responses and event bodies reach, in IR order.
fn reachable(api: &Api) -> (BTreeSet<StructId>, BTreeSet<EnumId>) {
    let mut todo: Vec<StructId> = api
        .operations
        .iter()
        .filter_map(|op| match &op.response {
            Response::Struct(n) => Some(n.id),
            Response::Empty | Response::Download { .. } => None,
        })
        .chain(api.events.iter().map(|e| e.body))
        .collect();
    let (mut structs, mut enums) = (BTreeSet::new(), BTreeSet::new());
    while let Some(id) = todo.pop() {
        if !structs.insert(id) {
            continue;
        }
        for field in &api.struct_def(id).fields {
            let mut ty = &field.ty;
            while let Ty::Array(inner) = ty {
                ty = inner;
            }
            match ty {
                Ty::Struct(n) => todo.push(n.id),
                Ty::Enum(n) => {
                    enums.insert(n.id);
                }
                _ => {}
            }
        }
    }
    (structs, enums)
}

/// `&NAME` of the static describing the type named `name`.
fn static_ref(name: &str) -> TokenStream {
    let name = format_ident!("{}", shouty(name));
    quote!(&#name)
}

fn object(s: &StructDef) -> TokenStream {
    let name = format_ident!("{}", shouty(&s.name));
    let rust = &s.name;
    let doc = format!(" Fields of [`{rust}`].");
    let mut fields: Vec<_> = s.fields.iter().collect();
    fields.sort_by(|a, b| a.wire.cmp(&b.wire));
    let fields = fields.iter().map(|f| field(&f.wire, &f.ty));
    quote! {
        #[doc = #doc]
        pub static #name: rt::drift::Object = rt::drift::Object {
            name: #rust,
            fields: &[#(#fields),*],
        };
    }
}

fn field(wire: &str, ty: &Ty) -> TokenStream {
    match ty {
        Ty::Array(inner) => {
            let inner = field(wire, inner);
            quote!(#inner.array())
        }
        Ty::Struct(n) => {
            let r = static_ref(&n.name);
            quote!(rt::drift::Field::object(#wire, #r))
        }
        Ty::Enum(n) => {
            let r = static_ref(&n.name);
            quote!(rt::drift::Field::value(#wire, #r))
        }
        Ty::String
        | Ty::Integer
        | Ty::Boolean
        | Ty::Int64String
        | Ty::LenientString
        | Ty::Json
        | Ty::File => {
            quote!(rt::drift::Field::any(#wire))
        }
    }
}

fn values(e: &EnumDef) -> TokenStream {
    let name = format_ident!("{}", shouty(&e.name));
    let rust = &e.name;
    let doc = format!(" Values of [`{rust}`].");
    let strings = e.variants.iter().filter_map(|v| match &v.value {
        WireValue::Str(s) => Some(s),
        WireValue::Int(_) => None,
    });
    let integers = e.variants.iter().filter_map(|v| match &v.value {
        WireValue::Int(i) => Some(super::lit_i64(*i)),
        WireValue::Str(_) => None,
    });
    quote! {
        #[doc = #doc]
        pub static #name: rt::drift::Values = rt::drift::Values {
            name: #rust,
            strings: &[#(#strings),*],
            integers: &[#(#integers),*],
        };
    }
}
