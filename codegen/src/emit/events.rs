//! Typed events: one struct per event body (emitted with the other structs) implementing the
//! runtime's `Event`, the family's event enum (one variant per event plus `Unknown`), and the
//! dispatcher's registration shorthands as extension traits. The envelopes are the runtime's.
//!
//! Shape:
//! ```text
//! impl rt::Event for ChatUpdatedV1 { const EVENT_TYPE = "im.chat.updated_v1"; type Envelope = EventEnvelopeV2<Self>; … }
//! #[non_exhaustive] pub enum ChatEvent { ChatUpdatedV1(Box<EventEnvelopeV2<ChatUpdatedV1>>), …, Unknown { event_type, raw } }
//! impl ChatEvent { pub fn from_json(&[u8]) -> Result<Self, rt::EventDecodeError>; pub fn from_raw(&rt::RawEvent); … }
//! pub trait ImChatEvents { fn on_chat_updated<H, Fut>(self, H) -> Self where H: rt::EventHandler<…>; … }
//! impl ImChatEvents for rt::DispatcherBuilder { … }   // and ImChatStateEvents<A> with state
//! ```

use super::structs::emit_struct;
use super::{docs, ident, use_root};
use crate::ir::{Api, Event, Module, Schema};
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/events.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let bodies = api
        .structs
        .iter()
        .filter(|s| s.module == Module::Events)
        .map(emit_struct);
    let variants = api.events.iter().map(|e| {
        let v = ident(&e.name);
        let doc = docs::paragraphs(&[format!("`{}`: {}", e.event_type, e.summary)]);
        let env = envelope(e.schema);
        quote!(#doc #v(Box<#env<#v>>),)
    });
    let decode_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        let et = &e.event_type;
        quote!(#et => Self::#v(rt::decode_event(json)?),)
    });
    let type_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        let et = &e.event_type;
        quote!(Self::#v(_) => #et,)
    });
    let meta_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        let m = ident(&e.meta_const);
        quote!(Self::#v(_) => Some(&meta::#m),)
    });
    let key_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        match e.schema {
            Schema::V2 => quote!(Self::#v(e) => Some(&e.header.event_id),),
            Schema::V1 => quote!(Self::#v(e) => Some(&e.uuid),),
        }
    });
    let ser_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        quote!(Self::#v(e) => rt::serde::Serialize::serialize(e, serializer),)
    });
    // The envelopes are the runtime's: imported for the ones this family's events use.
    let envelopes: std::collections::BTreeSet<_> =
        api.events.iter().map(|e| e.schema == Schema::V2).collect();
    let envelopes = envelopes.into_iter().map(|v2| {
        if v2 {
            quote!(EventEnvelopeV2)
        } else {
            quote!(EventEnvelopeV1)
        }
    });
    let envelope_imports = quote!(#[allow(unused_imports)] use rt::{#(#envelopes),*};);
    let enum_name = ident(&api.family.event_enum);
    let enum_doc = format!(
        " Every event of the {}, typed, plus [`{}::Unknown`] for any other event type.",
        api.title, api.family.event_enum
    );
    let impls = api.events.iter().map(|e| {
        let (v, env, et, m) = (
            ident(&e.name),
            envelope(e.schema),
            &e.event_type,
            ident(&e.meta_const),
        );
        quote! {
            impl rt::Event for #v {
                const EVENT_TYPE: &'static str = #et;
                type Envelope = #env<Self>;
                fn meta() -> &'static rt::EventMeta {
                    &meta::#m
                }
            }
        }
    });
    let shorthand_decls = api.events.iter().map(|e| shorthand(e, false, false));
    let shorthand_impls = api.events.iter().map(|e| shorthand(e, false, true));
    let state_decls = api.events.iter().map(|e| shorthand(e, true, false));
    let state_impls = api.events.iter().map(|e| shorthand(e, true, true));
    let events_trait = ident(&api.family.events_trait);
    let state_trait = ident(&api.family.state_events_trait);
    let events_doc = format!(
        " Registration shorthands for the events of the {}, on a dispatcher builder without state: `.on_chat_updated(h)` is `.on::<ChatUpdatedV1>(h)`.",
        api.title
    );
    quote! {
        #![doc = " Typed events: bodies, their `rt::Event` impls, the family's event enum, and the"]
        #![doc = " dispatcher's registration shorthands."]
        #header

        #envelope_imports

        #(#bodies)*

        #(#impls)*

        #[doc = #enum_doc]
        ///
        /// Envelopes are boxed: event bodies differ a lot in size.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #enum_name {
            #(#variants)*
            /// An event type this version of the client does not know; the body is kept.
            Unknown {
                /// Its event type.
                event_type: String,
                /// The whole callback body.
                raw: rt::serde_json::Value,
            },
        }

        impl #enum_name {
            /// Decodes a plaintext (already decrypted) callback body of either schema.
            pub fn from_json(json: &[u8]) -> Result<Self, rt::EventDecodeError> {
                let route = rt::peek_event(json)?;
                Ok(match route.event_type.as_str() {
                    #(#decode_arms)*
                    _ => Self::Unknown { raw: rt::decode_event(json)?, event_type: route.event_type },
                })
            }

            /// Decodes what a dispatcher's fallback received.
            pub fn from_raw(raw: &rt::RawEvent) -> Result<Self, rt::EventDecodeError> {
                Self::from_json(raw.json().get().as_bytes())
            }

            /// The event type, e.g. `im.chat.updated_v1`.
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Self::Unknown { event_type, .. } => event_type,
                }
            }

            /// The spec's facts about this event, if it is a known one.
            pub fn meta(&self) -> Option<&'static rt::EventMeta> {
                match self {
                    #(#meta_arms)*
                    Self::Unknown { .. } => None,
                }
            }

            /// The id to de-duplicate redeliveries on: `header.event_id` (2.0) or `uuid` (1.0).
            pub fn dedup_key(&self) -> Option<&str> {
                match self {
                    #(#key_arms)*
                    Self::Unknown { raw, .. } => raw
                        .pointer("/header/event_id")
                        .or_else(|| raw.pointer("/uuid"))
                        .and_then(|v| v.as_str()),
                }
            }
        }

        impl rt::serde::Serialize for #enum_name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Unknown { raw, .. } => rt::serde::Serialize::serialize(raw, serializer),
                }
            }
        }

        #[doc = #events_doc]
        pub trait #events_trait: Sized {
            #(#shorthand_decls)*
        }

        impl #events_trait for rt::DispatcherBuilder {
            #(#shorthand_impls)*
        }

        /// The same shorthands on a dispatcher builder with application state: handlers take
        /// `(State<A>, envelope)`.
        pub trait #state_trait<A>: Sized {
            #(#state_decls)*
        }

        impl<A: Clone + Send + Sync + 'static> #state_trait<A> for rt::DispatcherBuilder<rt::State<A>> {
            #(#state_impls)*
        }
    }
}

/// One registration shorthand: declared in the trait, or defined in its impl.
fn shorthand(e: &Event, with_state: bool, body: bool) -> TokenStream {
    let (v, env, et, method) = (
        ident(&e.name),
        envelope(e.schema),
        &e.event_type,
        ident(&e.handler_name),
    );
    let envelope_name = if e.schema == Schema::V2 {
        "EventEnvelopeV2"
    } else {
        "EventEnvelopeV1"
    };
    let doc = if e.callback {
        format!(
            " Registers the handler of `{et}` callbacks, which receives the decoded `{envelope_name}<{}>` and returns the answer (any `Serialize` response; a failure or a late handler is answered `{{}}` in time). Shorthand for `on_callback::<{}>`; a second handler makes `build` fail.",
            e.name, e.name
        )
    } else {
        format!(
            " Registers the handler of `{et}` events, which receives the decoded `{envelope_name}<{}>`. Shorthand for `on::<{}>`; a second handler for the same event type makes `build` fail.",
            e.name, e.name
        )
    };
    let handler = match (e.callback, with_state) {
        (false, true) => quote!(impl rt::StateHandler<A, #env<#v>>),
        (false, false) => quote!(impl rt::EventHandler<#env<#v>>),
        (true, true) => quote!(impl rt::StateCallbackHandler<A, #env<#v>>),
        (true, false) => quote!(impl rt::CallbackHandler<#env<#v>>),
    };
    let register = if e.callback {
        quote!(on_callback)
    } else {
        quote!(on)
    };
    if body {
        quote! {
            fn #method(self, handler: #handler) -> Self {
                self.#register::<#v>(handler)
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            fn #method(self, handler: #handler) -> Self;
        }
    }
}

fn envelope(schema: Schema) -> TokenStream {
    match schema {
        Schema::V2 => quote!(EventEnvelopeV2),
        Schema::V1 => quote!(EventEnvelopeV1),
    }
}
