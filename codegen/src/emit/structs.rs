//! Object types: shared types, request bodies, response data and event bodies.
//!
//! Shape of one struct:
//! ```text
//! #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
//! #[non_exhaustive]
//! pub struct I18nNames {
//!     #[serde(default, skip_serializing_if = "Option::is_none")]
//!     pub zh_cn: Option<String>,
//! }
//! impl I18nNames { pub fn new() -> Self; pub fn zh_cn(self, value: impl Into<String>) -> Self }
//! impl rt::Validate for I18nNames   // only for structs that are sent
//! ```
//!
//! A multipart body (`form`) has the same constructor, setters and validation, without serde:
//! its fields are text parts and `rt::FilePart`s, turned into a form by `to_request`.

use super::docs;
use super::{ident, rust_ty, use_root};
use crate::ir::{Api, Field, Module, StructDef, Ty};
use proc_macro2::TokenStream;
use quote::quote;

/// Every struct of `module`, as a file at `depth` below `generated/`.
pub fn emit_module(api: &Api, module: &Module, depth: usize) -> TokenStream {
    let header = use_root(depth);
    let items = api
        .structs
        .iter()
        .filter(|s| &s.module == module)
        .map(emit_struct);
    let doc = match module {
        Module::Types => " Object types shared by several operations and events.",
        _ => "",
    };
    quote! {
        #![doc = #doc]
        #header
        #(#items)*
    }
}

/// Items of one struct: definition, constructor and setters, validation.
pub fn emit_struct(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let doc = docs::paragraphs(&s.doc);
    let all_optional = s.fields.iter().all(|f| !f.required);
    let default = if all_optional {
        quote!(Default,)
    } else {
        quote!()
    };
    let fields = s.fields.iter().map(field_def);
    let extra = s.keep_unknown.then(|| {
        quote! {
            /// Fields this version of the spec does not name, kept as sent so that a round trip
            /// loses nothing.
            #[serde(flatten)]
            pub extra: rt::serde_json::Map<String, rt::serde_json::Value>,
        }
    });
    let ctor = constructor(s);
    let setters = s.fields.iter().filter(|f| !f.required).map(setter);
    let validate = s.usage.request.then(|| validate_impl(s));
    if s.form {
        let fields = s.fields.iter().map(form_field_def);
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                #ctor
                #(#setters)*
            }

            #validate
        };
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default rt::serde::Serialize, rt::serde::Deserialize)]
        #[serde(crate = "self::rt::serde")]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        impl #name {
            #ctor
            #(#setters)*
        }

        #validate
    }
}

/// `with = …` module for types whose wire form differs from their Rust form.
fn with_module(ty: &Ty, required: bool) -> Option<String> {
    let (base, list) = match ty {
        Ty::Array(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let module = match base {
        Ty::Int64String => "int64_string",
        Ty::LenientString => "lenient_string",
        _ => return None,
    };
    let kind = match (required, list) {
        (true, false) => "required",
        (false, false) => "optional",
        (true, true) => "vec",
        (false, true) => "opt_vec",
    };
    Some(format!("self::rt::wire::{module}::{kind}"))
}

fn field_def(f: &Field) -> TokenStream {
    let name = ident(&f.rust);
    let doc = docs::paragraphs(&f.doc);
    let ty = rust_ty(&f.ty);
    let rename = (f.wire != f.rust).then(|| {
        let wire = &f.wire;
        quote!(rename = #wire,)
    });
    let with = with_module(&f.ty, f.required).map(|m| quote!(with = #m,));
    if f.required {
        let attr = (rename.is_some() || with.is_some()).then(|| quote!(#[serde(#rename #with)]));
        quote! {
            #doc
            #attr
            pub #name: #ty,
        }
    } else {
        quote! {
            #doc
            #[serde(#rename #with default, skip_serializing_if = "Option::is_none")]
            pub #name: Option<#ty>,
        }
    }
}

/// A field of a multipart body: a part, no serde attributes.
fn form_field_def(f: &Field) -> TokenStream {
    let name = ident(&f.rust);
    let doc = docs::paragraphs(&f.doc);
    let ty = rust_ty(&f.ty);
    let ty = if f.required { ty } else { quote!(Option<#ty>) };
    quote! {
        #doc
        pub #name: #ty,
    }
}

/// Parameter type and conversion for a value of `ty` passed by a caller.
pub fn param(ty: &Ty) -> (TokenStream, TokenStream) {
    match ty {
        Ty::String | Ty::LenientString => (quote!(impl Into<String>), quote!(.into())),
        Ty::Enum(n) => {
            let n = ident(n);
            (quote!(impl Into<#n>), quote!(.into()))
        }
        Ty::Array(inner) => {
            let inner_ty = rust_ty(inner);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner_ty>>),
                quote!(.into_iter().map(Into::into).collect()),
            )
        }
        other => (rust_ty(other), quote!()),
    }
}

fn constructor(s: &StructDef) -> TokenStream {
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let n = ident(&f.rust);
        let (ty, _) = param(&f.ty);
        quote!(#n: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.rust);
        if f.required {
            let (_, conv) = param(&f.ty);
            if conv.is_empty() {
                quote!(#n)
            } else {
                quote!(#n: #n #conv)
            }
        } else {
            quote!(#n: None)
        }
    });
    let doc = if required.is_empty() {
        " A value with every field unset; fill it with the setters.".to_owned()
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.rust)).collect();
        format!(
            " A value with its required fields ({}); the others are set with the setters.",
            names.join(", ")
        )
    };
    let extra = s.keep_unknown.then(|| quote!(, extra: Default::default()));
    quote! {
        #[doc = #doc]
        #[allow(clippy::new_without_default)]
        pub fn new(#(#params),*) -> Self {
            Self { #(#inits),* #extra }
        }
    }
}

fn setter(f: &Field) -> TokenStream {
    let n = ident(&f.rust);
    let (ty, conv) = param(&f.ty);
    let doc = format!(" Sets `{}`.", f.wire);
    quote! {
        #[doc = #doc]
        pub fn #n(mut self, value: #ty) -> Self {
            self.#n = Some(value #conv);
            self
        }
    }
}

/// Checks of one field's limits and of the structs inside it.
pub fn field_checks(f: &Field, value: TokenStream, at: TokenStream) -> TokenStream {
    let wire = &f.wire;
    let l = &f.limits;
    let opt_u = |v: Option<u64>| match v {
        Some(v) => {
            let v = super::lit_usize(v as usize);
            quote!(Some(#v))
        }
        None => quote!(None),
    };
    let opt_i = |v: Option<i64>| match v {
        Some(v) => {
            let v = super::lit_i64(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    };
    let mut checks = Vec::new();
    if l.min_length.is_some() || l.max_length.is_some() {
        let (min, max) = (opt_u(l.min_length), opt_u(l.max_length));
        checks.push(quote!(rt::validate::length(#at, #wire, v, #min, #max)?;));
    }
    if l.min.is_some() || l.max.is_some() {
        let (min, max) = (opt_i(l.min), opt_i(l.max));
        checks.push(quote!(rt::validate::range(#at, #wire, *v, #min, #max)?;));
    }
    if l.min_items.is_some() || l.max_items.is_some() {
        let (min, max) = (opt_u(l.min_items), opt_u(l.max_items));
        checks.push(quote!(rt::validate::items(#at, #wire, v.len(), #min, #max)?;));
    }
    if f.ty.struct_ref().is_some() {
        checks.push(quote!(rt::Validate::validate(v, &rt::validate::join(#at, #wire))?;));
    }
    if checks.is_empty() {
        return quote!();
    }
    if f.required {
        quote! {{ let v = &#value; #(#checks)* }}
    } else {
        quote! { if let Some(v) = &#value { #(#checks)* } }
    }
}

fn validate_impl(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let checks: Vec<TokenStream> = s
        .fields
        .iter()
        .map(|f| {
            let n = ident(&f.rust);
            field_checks(f, quote!(self.#n), quote!(at))
        })
        .filter(|t| !t.is_empty())
        .collect();
    let unused = checks.is_empty().then(|| quote!(let _ = at;));
    quote! {
        impl rt::Validate for #name {
            fn validate(&self, at: &str) -> rt::Result<()> {
                #unused
                #(#checks)*
                Ok(())
            }
        }
    }
}
