//! Decoding by name: the generated type of any operation's response, for tools such as
//! `cargo xtask decode`.

use super::{ident, use_root};
use crate::ir::{Api, Response};
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/decode.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let arms = api.operations.iter().map(|op| {
        let id = &op.id;
        let m = ident(&op.meta_const);
        let ty = match &op.response {
            Response::Struct(n) => {
                let n = ident(n);
                quote!(#n)
            }
            // A download's error answers are envelopes like any other.
            Response::Empty | Response::Download { .. } => quote!(rt::Empty),
        };
        quote!(#id => Some(rt::decode_response::<#ty>(meta::#m.id, 200, None, body).and_then(reencode)),)
    });
    quote! {
        #![doc = " Decoding by operation id, for tools."]
        #header

        fn reencode<T: rt::serde::Serialize>(data: T) -> rt::Result<rt::serde_json::Value> {
            rt::serde_json::to_value(data).map_err(|e| rt::Error::Config(e.to_string()))
        }

        /// Decodes a full response body (`{code, msg, data}`) of operation `id` with its generated
        /// type and returns the `data` it understood, re-encoded; `None` for an unknown id.
        pub fn decode_operation_response(id: &str, body: &[u8]) -> Option<rt::Result<rt::serde_json::Value>> {
            #[allow(clippy::match_single_binding)]
            match id {
                #(#arms)*
                _ => {
                    let _ = body;
                    None
                }
            }
        }
    }
}
