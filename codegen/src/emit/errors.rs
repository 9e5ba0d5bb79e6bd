//! `ErrorCode`: every business code the spec documents, as an open enum.
//!
//! Shape:
//! ```text
//! #[non_exhaustive]
//! pub enum ErrorCode { InvalidRequestParameter, …, Unknown(i64) }
//! impl ErrorCode { pub const ALL; fn code(); fn meaning(); fn http_status(); fn is_retryable();
//!                  fn is_token_invalid(); fn is_user_token_invalid(); fn is_permission_denied();
//!                  fn needs_reauthorization() }
//! impl From<i64> for ErrorCode
//! pub static ERROR_CLASSES: rt::ErrorClasses = rt::ErrorClasses::new(&[(11232, rt::ErrorClass::RateLimited), …]);
//! ```
//!
//! `ERROR_CLASSES` is what the runtime reads (every operation's metadata points at it): a code's
//! `class`, else `Retryable` for a code marked `retryable`.

use super::{docs, ident, lit_i64, use_root};
use crate::ir::Api;
use crate::raw::ErrorClass;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// `generated/errors.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let variants = api.errors.iter().map(|e| {
        let v = ident(&e.name);
        let status = e
            .http_status
            .map(|s| format!(", HTTP {s}"))
            .unwrap_or_default();
        let retry = if e.retryable {
            "; retrying later can succeed"
        } else {
            ""
        };
        let doc = docs::paragraphs(&[format!(
            "`{}`{status}: {}{retry}.",
            e.code,
            e.meaning.trim_end_matches('.')
        )]);
        quote!(#doc #v,)
    });
    let all = api.errors.iter().map(|e| ident(&e.name));
    let code_arms = api.errors.iter().map(|e| {
        let (v, c) = (ident(&e.name), lit_i64(e.code));
        quote!(Self::#v => #c,)
    });
    let from_arms = api.errors.iter().map(|e| {
        let (v, c) = (ident(&e.name), lit_i64(e.code));
        quote!(#c => Self::#v,)
    });
    let meaning_arms = api.errors.iter().map(|e| {
        let (v, m) = (ident(&e.name), &e.meaning);
        quote!(Self::#v => Some(#m),)
    });
    let status_arms = api.errors.iter().filter_map(|e| {
        let v = ident(&e.name);
        e.http_status.map(|s| {
            let s = Literal::u16_unsuffixed(s);
            quote!(Self::#v => Some(#s),)
        })
    });
    let retryable: Vec<_> = api
        .errors
        .iter()
        .filter(|e| e.retryable)
        .map(|e| ident(&e.name))
        .collect();
    let is_retryable = if retryable.is_empty() {
        quote!(false)
    } else {
        quote!(matches!(self, #(Self::#retryable)|*))
    };
    let class_methods = CLASSES.iter().map(|(class, method, doc)| {
        let members: Vec<_> = api
            .errors
            .iter()
            .filter(|e| e.class == Some(*class))
            .map(|e| ident(&e.name))
            .collect();
        let method = ident(method);
        let body = if members.is_empty() {
            quote!(false)
        } else {
            quote!(matches!(self, #(Self::#members)|*))
        };
        quote! {
            #[doc = #doc]
            pub fn #method(self) -> bool {
                #body
            }
        }
    });
    let classes = api.errors.iter().filter_map(|e| {
        let class = match e.class {
            Some(class) => runtime_class(class),
            None if e.retryable => quote!(rt::ErrorClass::Retryable),
            None => return None,
        };
        let code = lit_i64(e.code);
        Some(quote!((#code, #class)))
    });
    quote! {
        #![doc = " Documented business error codes."]
        #header

        /// The class of every documented code the runtime reacts to, sorted by code.
        pub static ERROR_CLASSES: rt::ErrorClasses = rt::ErrorClasses::new(&[#(#classes),*]);

        /// A business error code (`code` of a failed response). The codes the spec documents are
        /// variants; any other code is kept in [`ErrorCode::Unknown`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
            /// A code this version of the client does not document.
            Unknown(i64),
        }

        impl ErrorCode {
            /// Every documented code, sorted by code.
            pub const ALL: &'static [ErrorCode] = &[#(Self::#all),*];

            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    #(#code_arms)*
                    Self::Unknown(code) => code,
                }
            }

            /// What the documentation says it means.
            pub fn meaning(self) -> Option<&'static str> {
                match self {
                    #(#meaning_arms)*
                    Self::Unknown(_) => None,
                }
            }

            /// The HTTP status the platform answers it with, where documented.
            pub fn http_status(self) -> Option<u16> {
                #[allow(clippy::match_single_binding)]
                match self {
                    #(#status_arms)*
                    _ => None,
                }
            }

            /// Whether trying again later can succeed.
            pub fn is_retryable(self) -> bool {
                #is_retryable
            }

            #(#class_methods)*
        }

        impl From<i64> for ErrorCode {
            fn from(code: i64) -> Self {
                match code {
                    #(#from_arms)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::fmt::Display for ErrorCode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.code())
            }
        }
    }
}

/// The runtime's name of a spec class.
fn runtime_class(class: ErrorClass) -> TokenStream {
    match class {
        ErrorClass::RateLimited => quote!(rt::ErrorClass::RateLimited),
        ErrorClass::TokenInvalid => quote!(rt::ErrorClass::TokenInvalid),
        ErrorClass::UserTokenInvalid => quote!(rt::ErrorClass::UserTokenInvalid),
        ErrorClass::PermissionDenied => quote!(rt::ErrorClass::PermissionDenied),
        ErrorClass::ReauthorizationNeeded => quote!(rt::ErrorClass::ReauthorizationNeeded),
    }
}

/// One predicate per error class: (class, method, doc). Emitted even when no code has the class,
/// so every family's `ErrorCode` has them all.
const CLASSES: [(ErrorClass, &str, &str); 5] = [
    (
        ErrorClass::RateLimited,
        "is_rate_limited",
        " Whether the platform throttled the call (wait and retry).",
    ),
    (
        ErrorClass::TokenInvalid,
        "is_token_invalid",
        " Whether the app's tenant or app access token was rejected (fetch a new one).",
    ),
    (
        ErrorClass::UserTokenInvalid,
        "is_user_token_invalid",
        " Whether a user access token was rejected or expired (refresh it).",
    ),
    (
        ErrorClass::PermissionDenied,
        "is_permission_denied",
        " Whether the app or token lacks a scope.",
    ),
    (
        ErrorClass::ReauthorizationNeeded,
        "needs_reauthorization",
        " Whether the user's refresh token can no longer be used (authorize again).",
    ),
];
