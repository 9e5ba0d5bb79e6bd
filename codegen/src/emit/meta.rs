//! Metadata statics: one per operation and event, the tables over them, and the family.
//!
//! Shape:
//! ```text
//! pub static CHAT_GET: rt::OperationMeta = rt::OperationMeta::new("chat.get", …, &ERROR_CLASSES, &schema::OP_CHAT_GET);
//! pub static OPERATIONS: &[&rt::OperationMeta] = &[&CHAT_CREATE, …];
//! pub static CHAT_UPDATED_V1: rt::EventMeta = rt::EventMeta::new("im.chat.updated_v1", …, &schema::EV_CHAT_UPDATED_V1);
//! pub static EVENTS: &[&rt::EventMeta] = &[…];
//! pub static FAMILY: rt::Family = rt::Family::new("im-chat", "…", OPERATIONS, EVENTS, &ERROR_CLASSES);
//! ```

use super::{ident, use_root};
use crate::ir::{Api, AppType, KeyLocation, Method, Schema, TokenType};
use proc_macro2::TokenStream;
use quote::quote;

fn method(m: Method) -> TokenStream {
    match m {
        Method::Get => quote!(rt::HttpMethod::Get),
        Method::Post => quote!(rt::HttpMethod::Post),
        Method::Put => quote!(rt::HttpMethod::Put),
        Method::Patch => quote!(rt::HttpMethod::Patch),
        Method::Delete => quote!(rt::HttpMethod::Delete),
    }
}

fn tokens(t: &[TokenType]) -> TokenStream {
    let t = t.iter().map(|t| match t {
        TokenType::Tenant => quote!(rt::TokenType::Tenant),
        TokenType::User => quote!(rt::TokenType::User),
    });
    quote!(&[#(#t),*])
}

fn app_types(a: &[AppType]) -> TokenStream {
    let a = a.iter().map(|a| match a {
        AppType::Custom => quote!(rt::AppType::Custom),
        AppType::Store => quote!(rt::AppType::Store),
    });
    quote!(&[#(#a),*])
}

/// `generated/meta.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let ops = api.operations.iter().map(|op| {
        let name = ident(&op.meta_const);
        let doc = format!(" Metadata of `{}`.", op.id);
        let (id, summary, path, doc_url) = (&op.id, &op.summary, &op.path, &op.doc_url);
        let m = method(op.method);
        let t = tokens(&op.tokens);
        let scopes = &op.scopes;
        let field_scopes = &op.field_scopes;
        let a = app_types(&op.app_types);
        let idem = match &op.idempotency {
            Some(i) => {
                let key = &i.key;
                let at = match i.location {
                    KeyLocation::Query => quote!(rt::KeyLocation::Query),
                    KeyLocation::Body => quote!(rt::KeyLocation::Body),
                    KeyLocation::Path => quote!(rt::KeyLocation::Path),
                };
                quote!(Some(#key), #at)
            }
            None => quote!(None, rt::KeyLocation::Query),
        };
        let paginated = op.pagination.is_some();
        let errors = op.errors.iter().map(|e| super::lit_i64(*e));
        let shape = ident(&op.shape_static);
        let partition = op.rate_partition.as_ref().map(|p| {
            let at = match p.location {
                KeyLocation::Query => quote!(rt::KeyLocation::Query),
                KeyLocation::Body => quote!(rt::KeyLocation::Body),
                KeyLocation::Path => quote!(rt::KeyLocation::Path),
            };
            let (key, bucket, per_second) = (&p.key, &p.bucket, p.per_second);
            let code = super::lit_i64(p.code);
            quote!(.with_rate_partition(rt::RatePartition::new(#at, #key, #bucket, #per_second, #code)))
        });
        quote! {
            #[doc = #doc]
            pub static #name: rt::OperationMeta = rt::OperationMeta::new(
                #id, #summary, #m, #path, #t, &[#(#scopes),*], &[#(#field_scopes),*], #a, #doc_url, #idem, #paginated, &[#(#errors),*],
                &ERROR_CLASSES, &schema::#shape,
            )#partition;
        }
    });
    let op_refs = api.operations.iter().map(|op| ident(&op.meta_const));
    let events = api.events.iter().map(|e| {
        let name = ident(&e.meta_const);
        let doc = format!(" Metadata of the `{}` event.", e.event_type);
        let (et, summary, doc_url) = (&e.event_type, &e.summary, &e.doc_url);
        let schema = match e.schema {
            Schema::V2 => quote!(rt::EventSchema::V2),
            Schema::V1 => quote!(rt::EventSchema::V1),
        };
        let scopes = &e.scopes;
        let a = app_types(&e.app_types);
        let shape = ident(&e.shape_static);
        quote! {
            #[doc = #doc]
            pub static #name: rt::EventMeta = rt::EventMeta::new(#et, #summary, #schema, &[#(#scopes),*], #a, #doc_url, &schema::#shape);
        }
    });
    let event_refs = api.events.iter().map(|e| ident(&e.meta_const));
    let common = api.common_errors.iter().map(|e| super::lit_i64(*e));
    let (family, title) = (&api.name, &api.title);
    quote! {
        #![doc = " What the spec says about each operation and event, for the runtime, docs and reports."]
        #header

        #(#ops)*

        /// Every operation, sorted by id.
        pub static OPERATIONS: &[&rt::OperationMeta] = &[#(&#op_refs),*];

        #(#events)*

        /// Every event, sorted by event type.
        pub static EVENTS: &[&rt::EventMeta] = &[#(&#event_refs),*];


        /// Codes nearly every operation can return.
        pub static COMMON_ERROR_CODES: &[i64] = &[#(#common),*];

        /// This family: its operations, events and error classes, for tools that work across
        /// families (scope checks, the mock platform, coverage).
        pub static FAMILY: rt::Family = rt::Family::new(#family, #title, OPERATIONS, EVENTS, &ERROR_CLASSES);
    }
}
