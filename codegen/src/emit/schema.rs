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
//! pub static EVENT_ENVELOPE_V2: rt::drift::Object = …;       // the built-in envelopes
//! pub static OPERATIONS: &[rt::drift::Operation] = &[rt::drift::Operation { id: "chat.get", data: &CHAT_DETAIL }, …];
//! pub static EVENTS: &[rt::drift::Event] = &[rt::drift::Event { event_type: "…", envelope: &EVENT_ENVELOPE_V2, body: &… }, …];
//! ```

use super::use_root;
use crate::envelope::{EVENT_V1_KEYS, EVENT_V2_HEADER_KEYS, EVENT_V2_KEYS};
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
        let data = match &op.response {
            Response::Struct(n) => static_ref(&n.name),
            Response::Empty => quote!(&rt::drift::Object::EMPTY),
        };
        quote!(rt::drift::Operation { id: #id, data: #data },)
    });
    let events = api.events.iter().map(|e| {
        let et = &e.event_type;
        let envelope = match e.schema {
            Schema::V2 => quote!(&EVENT_ENVELOPE_V2),
            Schema::V1 => quote!(&EVENT_ENVELOPE_V1),
        };
        let body = static_ref(&api.event_struct(e).name);
        quote!(rt::drift::Event { event_type: #et, envelope: #envelope, body: #body },)
    });
    let envelope_v2 = envelope(
        "EventEnvelopeV2",
        EVENT_V2_KEYS,
        Some(("header", "EVENT_HEADER_V2")),
    );
    let header_v2 = envelope("EventHeaderV2", EVENT_V2_HEADER_KEYS, None);
    let envelope_v1 = envelope("EventEnvelopeV1", EVENT_V1_KEYS, None);
    quote! {
        #![doc = " What the platform sends, as the spec describes it: field wire names and enum values of"]
        #![doc = " every response and event type, for noting spec drift at run time (`DriftLog`)."]
        #![doc = ""]
        #![doc = " Fields are sorted by wire name. An `any` field accepts every value (a scalar or a"]
        #![doc = " free-form object); `.array()` wraps a field's item in one list."]
        #header

        #(#objects)*

        #(#values)*

        /// A schema 2.0 callback (built in, not from the spec); `event` holds the event body.
        pub static EVENT_ENVELOPE_V2: rt::drift::Object = #envelope_v2;

        /// `header` of a schema 2.0 callback (built in).
        pub static EVENT_HEADER_V2: rt::drift::Object = #header_v2;

        /// A legacy schema 1.0 callback (built in); `event` holds the event body.
        pub static EVENT_ENVELOPE_V1: rt::drift::Object = #envelope_v1;

        /// The response `data` of every operation, sorted by id.
        pub static OPERATIONS: &[rt::drift::Operation] = &[#(#operations)*];

        /// The envelope and body of every event, sorted by event type.
        pub static EVENTS: &[rt::drift::Event] = &[#(#events)*];
    }
}

/// Structs and enums that responses and event bodies reach, in IR order.
fn reachable(api: &Api) -> (BTreeSet<StructId>, BTreeSet<EnumId>) {
    let mut todo: Vec<StructId> = api
        .operations
        .iter()
        .filter_map(|op| match &op.response {
            Response::Struct(n) => Some(n.id),
            Response::Empty => None,
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
        Ty::String | Ty::Integer | Ty::Boolean | Ty::Int64String | Ty::LenientString | Ty::Json => {
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

/// A built-in envelope: every key accepts any value, except `nested` (key, static name).
fn envelope(rust: &str, keys: &[&str], nested: Option<(&str, &str)>) -> TokenStream {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    let fields = keys.iter().map(|k| match nested {
        Some((key, target)) if key == *k => {
            let target = format_ident!("{target}");
            quote!(rt::drift::Field::object(#k, &#target))
        }
        _ => quote!(rt::drift::Field::any(#k)),
    });
    quote!(rt::drift::Object { name: #rust, fields: &[#(#fields),*] })
}

/// The emitted envelope structs carry exactly the keys the tables are made from.
#[cfg(test)]
mod tests {
    use crate::envelope::{EVENT_V1_KEYS, EVENT_V2_HEADER_KEYS, EVENT_V2_KEYS};
    use quote::ToTokens;

    /// Wire names of the fields of struct `name` in an emitted file.
    fn wire_fields(file: &syn::File, name: &str) -> Vec<String> {
        let s = file
            .items
            .iter()
            .find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name} is emitted"));
        s.fields
            .iter()
            .map(|f| {
                let rename = f.attrs.iter().find_map(|a| {
                    let text = a.meta.to_token_stream().to_string();
                    let at = text.find("rename = \"")? + "rename = \"".len();
                    Some(text[at..].split('"').next()?.to_owned())
                });
                rename.unwrap_or_else(|| f.ident.as_ref().expect("named field").to_string())
            })
            .collect()
    }

    #[test]
    fn the_envelope_tables_match_the_emitted_envelope_structs() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/legacy_event");
        let files = crate::read_spec_dir(&dir).expect("fixture readable");
        let api = crate::load_ir(&files).expect("fixture loads");
        let file: syn::File = syn::parse2(super::super::events::emit(&api)).expect("valid Rust");
        assert_eq!(wire_fields(&file, "EventEnvelopeV2"), EVENT_V2_KEYS);
        assert_eq!(wire_fields(&file, "EventHeaderV2"), EVENT_V2_HEADER_KEYS);
        assert_eq!(wire_fields(&file, "EventEnvelopeV1"), EVENT_V1_KEYS);
    }
}
