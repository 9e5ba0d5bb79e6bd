//! Open enums: the known values plus `Unknown`, which keeps any other wire value.
//!
//! Shape:
//! ```text
//! #[non_exhaustive]
//! pub enum ChatType { Private, Public, Unknown(rt::UnknownValue) }
//! impl ChatType { pub fn as_str(&self) -> Cow<'_, str> }
//! impl From<&str> for ChatType            // infallible: unknown values are kept
//! impl Serialize/Deserialize/Display
//! ```

use super::{docs, ident, use_root};
use crate::ir::{Api, EnumDef, EnumRepr, WireValue};
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/enums.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let items = api.enums.iter().map(emit_enum);
    quote! {
        #![doc = " Open enums: unknown values from the platform are kept, never rejected."]
        #header
        #(#items)*
    }
}

fn emit_enum(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::paragraphs(&e.doc);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.name);
        let wire = match &v.value {
            WireValue::Str(s) => format!("`{s}`"),
            WireValue::Int(i) => format!("`{i}`"),
        };
        let d = docs::paragraphs(&[format!("{wire}: {}", v.doc)]);
        quote!(#d #vn,)
    });
    let str_arms = e.variants.iter().map(|v| {
        let vn = ident(&v.name);
        let s = match &v.value {
            WireValue::Str(s) => s.clone(),
            WireValue::Int(i) => i.to_string(),
        };
        quote!(Self::#vn => ::std::borrow::Cow::Borrowed(#s),)
    });
    let common = quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; kept as sent.
            Unknown(rt::UnknownValue),
        }

        impl #name {
            /// The wire value as a string.
            pub fn as_str(&self) -> ::std::borrow::Cow<'_, str> {
                match self {
                    #(#str_arms)*
                    Self::Unknown(v) => v.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.as_str())
            }
        }
    };
    let specific = match e.repr {
        EnumRepr::String => string_impls(e),
        EnumRepr::Integer => integer_impls(e),
    };
    quote!(#common #specific)
}

fn string_impls(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let from_arms = e.variants.iter().filter_map(|v| match &v.value {
        WireValue::Str(s) => {
            let vn = ident(&v.name);
            Some(quote!(#s => Self::#vn,))
        }
        WireValue::Int(_) => None,
    });
    quote! {
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::Unknown(rt::UnknownValue::from_str_value(other)),
                }
            }
        }

        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    Self::Unknown(v) => v.serialize_into(serializer),
                    known => serializer.serialize_str(&known.as_str()),
                }
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                rt::de_str_enum(deserializer)
            }
        }
    }
}

fn integer_impls(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let from_arms = e.variants.iter().filter_map(|v| match &v.value {
        WireValue::Int(i) => {
            let vn = ident(&v.name);
            let i = super::lit_i64(*i);
            Some(quote!(#i => Self::#vn,))
        }
        WireValue::Str(_) => None,
    });
    let to_arms = e.variants.iter().filter_map(|v| match &v.value {
        WireValue::Int(i) => {
            let vn = ident(&v.name);
            let i = super::lit_i64(*i);
            Some(quote!(Self::#vn => Some(#i),))
        }
        WireValue::Str(_) => None,
    });
    quote! {
        impl #name {
            /// The wire value as an integer (`None` for an unknown non-numeric value).
            pub fn as_i64(&self) -> Option<i64> {
                match self {
                    #(#to_arms)*
                    Self::Unknown(v) => v.as_i64(),
                }
            }
        }

        impl From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::Unknown(rt::UnknownValue::from_int_value(other)),
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value.trim().parse::<i64>() {
                    Ok(n) => Self::from(n),
                    Err(_) => Self::Unknown(rt::UnknownValue::from_str_value(value)),
                }
            }
        }

        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    Self::Unknown(v) => v.serialize_into(serializer),
                    known => serializer.serialize_i64(known.as_i64().unwrap_or_default()),
                }
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                rt::de_int_enum(deserializer)
            }
        }
    }
}
