//! Typed events: the built-in envelopes, one struct per event body (emitted with the other
//! structs), and `ChatEvent`, one variant per event plus `Unknown`.
//!
//! Shape:
//! ```text
//! pub struct EventEnvelopeV2<E> { schema, header: EventHeaderV2, event: E }
//! pub struct EventEnvelopeV1<E> { ts, uuid, token, callback_type, event: E }
//! #[non_exhaustive] pub enum ChatEvent { ChatUpdatedV1(EventEnvelopeV2<ChatUpdatedV1>), …, Unknown { event_type, raw } }
//! impl ChatEvent { pub fn from_json(&[u8]) -> Result<Self, rt::EventDecodeError>; … }
//! ```

use super::structs::emit_struct;
use super::{docs, ident, use_root};
use crate::ir::{Api, Module, Schema};
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
    let table = api.events.iter().enumerate().map(|(slot, e)| {
        let (v, env, et, handler) = (
            ident(&e.name),
            envelope(e.schema),
            &e.event_type,
            ident(&e.handler_name),
        );
        let slot = super::lit_usize(slot);
        quote!(#slot => #v, #env, #et, #handler;)
    });
    let ser_arms = api.events.iter().map(|e| {
        let v = ident(&e.name);
        quote!(Self::#v(e) => rt::serde::Serialize::serialize(e, serializer),)
    });
    quote! {
        #![doc = " Typed events with their envelopes."]
        #header

        /// Header of a schema 2.0 callback.
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize, rt::serde::Deserialize)]
        #[serde(crate = "::lark_im_chat::rt::serde")]
        #[non_exhaustive]
        pub struct EventHeaderV2 {
            /// Unique id of this event; redeliveries repeat it.
            pub event_id: String,
            /// Event type, e.g. `im.chat.updated_v1`.
            pub event_type: String,
            /// When the event happened, as the platform sent it (a string of digits).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub create_time: Option<String>,
            /// The app's verification token; never shown in `Debug` output.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub token: Option<rt::Secret>,
            /// App id, `cli_` prefix.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub app_id: Option<String>,
            /// Tenant where the event happened.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub tenant_key: Option<String>,
        }

        /// A schema 2.0 callback: `{schema, header, event}`.
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize, rt::serde::Deserialize)]
        #[serde(crate = "::lark_im_chat::rt::serde")]
        #[non_exhaustive]
        pub struct EventEnvelopeV2<E> {
            /// Always `"2.0"`.
            pub schema: String,
            /// Routing facts.
            pub header: EventHeaderV2,
            /// The event body.
            pub event: E,
        }

        /// A legacy schema 1.0 callback: `{ts, uuid, token, type, event}`.
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize, rt::serde::Deserialize)]
        #[serde(crate = "::lark_im_chat::rt::serde")]
        #[non_exhaustive]
        pub struct EventEnvelopeV1<E> {
            /// Send time, Unix seconds with a fraction, as a string.
            pub ts: String,
            /// Unique id of this event; redeliveries repeat it.
            pub uuid: String,
            /// The app's verification token; never shown in `Debug` output.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub token: Option<rt::Secret>,
            /// `event_callback`.
            #[serde(rename = "type")]
            pub callback_type: String,
            /// The event body; its `type` names the event.
            pub event: E,
        }

        #(#bodies)*

        /// Every event of the spec, typed, plus [`ChatEvent::Unknown`] for any other event type.
        ///
        /// Envelopes are boxed: event bodies differ a lot in size.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ChatEvent {
            #(#variants)*
            /// An event type this version of the client does not know; the body is kept.
            Unknown {
                /// Its event type.
                event_type: String,
                /// The whole callback body.
                raw: rt::serde_json::Value,
            },
        }

        impl ChatEvent {
            /// Decodes a plaintext (already decrypted) callback body of either schema.
            pub fn from_json(json: &[u8]) -> Result<Self, rt::EventDecodeError> {
                let route = rt::peek_event(json)?;
                Ok(match route.event_type.as_str() {
                    #(#decode_arms)*
                    _ => Self::Unknown { raw: rt::decode_event(json)?, event_type: route.event_type },
                })
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

        /// Calls `$callback!` with one line per typed event, in `ChatEvent` order:
        /// `slot => Body, Envelope, "event.type", registration_method;`. The runtime's dispatcher
        /// builds its handler table from it, so the table never lists events by hand.
        #[doc(hidden)]
        macro_rules! for_each_chat_event {
            ($callback:ident) => {
                $callback! { #(#table)* }
            };
        }

        #[allow(unused_imports)]
        pub(crate) use for_each_chat_event;

        impl rt::serde::Serialize for ChatEvent {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Unknown { raw, .. } => rt::serde::Serialize::serialize(raw, serializer),
                }
            }
        }
    }
}

fn envelope(schema: Schema) -> TokenStream {
    match schema {
        Schema::V2 => quote!(EventEnvelopeV2),
        Schema::V1 => quote!(EventEnvelopeV1),
    }
}
