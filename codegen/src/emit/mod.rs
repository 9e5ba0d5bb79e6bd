//! IR -> one `TokenStream` per output file. Pure functions of the IR: no naming, no I/O.

mod decode;
mod docs;
mod enums;
mod errors;
mod events;
mod handles;
mod meta;
mod ops;
mod schema;
mod structs;

use crate::ir::{Api, Module, Ty};
use crate::options::GenerateOptions;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// One output file: path relative to `src/generated/`, and its items.
#[derive(Debug)]
pub struct EmittedFile {
    pub path: String,
    pub tokens: TokenStream,
    /// One-line description for the file header.
    pub what: &'static str,
}

/// Every generated file, in a stable order.
pub fn emit(api: &Api, options: &GenerateOptions) -> Vec<EmittedFile> {
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = api.operations.iter().map(|o| o.group.as_str()).collect();
        g.dedup();
        g
    };
    let mut files = vec![
        EmittedFile {
            path: "mod.rs".into(),
            tokens: root_module(api, options),
            what: "module tree and re-exports",
        },
        EmittedFile {
            path: "enums.rs".into(),
            tokens: enums::emit(api),
            what: "open enums",
        },
        EmittedFile {
            path: "shared.rs".into(),
            tokens: structs::emit_module(api, &Module::Types, 1),
            what: "shared object types",
        },
        EmittedFile {
            path: "handles.rs".into(),
            tokens: handles::emit(api),
            what: "resource handles",
        },
        EmittedFile {
            path: "meta.rs".into(),
            tokens: meta::emit(api),
            what: "operation and event metadata",
        },
        EmittedFile {
            path: "errors.rs".into(),
            tokens: errors::emit(api),
            what: "documented error codes",
        },
        EmittedFile {
            path: "events.rs".into(),
            tokens: events::emit(api),
            what: "typed events and envelopes",
        },
        EmittedFile {
            path: "decode.rs".into(),
            tokens: decode::emit(api),
            what: "decoding by operation id",
        },
        EmittedFile {
            path: "schema.rs".into(),
            tokens: schema::emit(api),
            what: "response and event shapes for drift checks",
        },
        EmittedFile {
            path: "api.rs".into(),
            tokens: api_module(api),
            what: "the public entry points, handles and request builders",
        },
        EmittedFile {
            path: "types.rs".into(),
            tokens: types_module(api),
            what: "the public data types",
        },
        EmittedFile {
            path: "prelude.rs".into(),
            tokens: prelude_module(api),
            what: "the extension traits to have in scope",
        },
        EmittedFile {
            path: "ops/mod.rs".into(),
            tokens: ops_module(&groups),
            what: "operation groups",
        },
    ];
    for g in groups {
        files.push(EmittedFile {
            path: format!("ops/{g}.rs"),
            tokens: ops::emit_group(api, g, options.doc_examples),
            what: "operations",
        });
    }
    files
}

/// `mod.rs`: the one import of the runtime (`<runtime>::rt`, which every other file reaches
/// through its glob import of this module), private modules with one private glob import of
/// each, so every file names the others' items plainly, and the curated public surface: `api`
/// (handles, request builders), `types` (every data type), `events`, `meta`, `ErrorCode`,
/// `ERROR_CLASSES`, `FAMILY`, and `prelude` (the extension traits).
fn root_module(api: &Api, options: &GenerateOptions) -> TokenStream {
    let title = format!(" Generated client for {}.", api.title);
    // Validated by the front end that set it; a path that does not parse falls back to the
    // default rather than panicking.
    let runtime: syn::Path = syn::parse_str(&options.runtime_path)
        .or_else(|_| syn::parse_str(crate::options::DEFAULT_RUNTIME_PATH))
        .unwrap_or_else(|_| syn::parse_quote!(rt_path_unavailable));
    quote! {
        #![doc = #title]
        #[allow(unused_imports)]
        pub(crate) use #runtime::rt;

        mod decode;
        mod enums;
        mod errors;
        pub mod events;
        mod handles;
        pub mod meta;
        mod ops;
        #[doc(hidden)]
        pub mod schema;
        mod shared;

        #[allow(unused_imports)]
        use {enums::*, events::*, handles::*, ops::*, shared::*};

        pub mod api;
        pub mod prelude;
        pub mod types;

        pub use errors::{ErrorCode, ERROR_CLASSES};
        pub use meta::FAMILY;
    }
}

/// `api.rs`: the client's extension trait, the resource handles and the request builders.
fn api_module(api: &Api) -> TokenStream {
    let builders = api.operations.iter().map(|o| ident(&o.request_name));
    quote! {
        #![doc = " The entry points (the client's extension trait), the resource handles and the"]
        #![doc = " request builders."]
        pub use super::decode::decode_operation_response;
        pub use super::handles::*;
        pub use super::ops::{#(#builders),*};
    }
}

/// `types.rs`: every data type.
fn types_module(api: &Api) -> TokenStream {
    let mut data_in_ops: Vec<&str> = api
        .structs
        .iter()
        .filter(|s| matches!(s.module, Module::Group(_)))
        .map(|s| s.name.as_str())
        .collect();
    data_in_ops.sort_unstable();
    let data_in_ops = data_in_ops.into_iter().map(ident);
    quote! {
        #![doc = " Every data type: shared objects, enums, request bodies and response data."]
        pub use super::enums::*;
        pub use super::shared::*;
        pub use super::ops::{#(#data_in_ops),*};
    }
}

/// `prelude.rs`: the extension traits.
fn prelude_module(api: &Api) -> TokenStream {
    let api_trait = ident(&api.family.api_trait);
    let events_trait = ident(&api.family.events_trait);
    let state_trait = ident(&api.family.state_events_trait);
    quote! {
        #![doc = " The extension traits to have in scope: `use <crate>::prelude::*;` gives the client"]
        #![doc = " this family's operations and the dispatcher builder its event shorthands."]
        pub use super::events::{#events_trait, #state_trait};
        pub use super::handles::#api_trait;
    }
}

fn ops_module(groups: &[&str]) -> TokenStream {
    let mods = groups.iter().map(|g| ident(g));
    let uses = groups.iter().map(|g| ident(g));
    quote! {
        #![doc = " One module per operation group."]
        #(mod #mods;)*
        #(pub use #uses::*;)*
    }
}

/// An identifier from an IR name (already validated).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Glob import of the generated root, for a file at `depth` below `generated/`.
pub(crate) fn use_root(depth: usize) -> TokenStream {
    let supers = (0..depth).map(|_| format_ident!("super"));
    quote! {
        #[allow(unused_imports)]
        use #(#supers)::*::*;
    }
}

/// The Rust type of a value of `ty` (without `Option`).
pub(crate) fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::LenientString => quote!(String),
        Ty::Integer | Ty::Int64String => quote!(i64),
        Ty::Boolean => quote!(bool),
        Ty::Json => quote!(rt::serde_json::Value),
        Ty::File => quote!(rt::FilePart),
        Ty::Struct(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Ty::Enum(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Ty::Array(inner) => {
            let inner = rust_ty(inner);
            quote!(Vec<#inner>)
        }
    }
}

/// An integer literal without a type suffix (`5`, not `5i64`).
pub(crate) fn lit_i64(v: i64) -> proc_macro2::Literal {
    proc_macro2::Literal::i64_unsuffixed(v)
}

/// A `usize` literal without a type suffix.
pub(crate) fn lit_usize(v: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(v)
}
