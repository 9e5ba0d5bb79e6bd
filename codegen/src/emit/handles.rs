//! Resource handles: `Api` at the root, then one struct per handle key carrying its path variables.
//!
//! Shape:
//! ```text
//! pub struct Api<T = rt::Tenant> { ctx }
//! impl<T> Api<T> { pub fn chats(&self) -> Chats<T>; pub fn chat(&self, chat_id) -> Chat<T> }
//! pub struct ChatMembers<T = rt::Tenant> { ctx, chat_id }
//! ```
//! Operation methods are added to the handles by each group's file.

use super::{docs, ident, use_root};
use crate::ir::{Api, Handle, HandleId};
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/handles.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let roots = api
        .handles
        .iter()
        .filter(|h| h.parent.is_none())
        .map(|h| accessor(h, quote!(self.ctx.clone()), &[]));
    let handles = api
        .handles
        .iter()
        .enumerate()
        .map(|(i, h)| emit_handle(api, HandleId(i), h));
    let title = format!(
        " Entry point of the {} API; `T` is the kind of access token sent.",
        api.title
    );
    quote! {
        #![doc = " Resource handles: where each operation is called from."]
        #header

        #[doc = #title]
        ///
        /// Made by [`Client`](::lark_im_chat::Client) (tenant token) or
        /// [`Client::as_user`](::lark_im_chat::Client::as_user) (user token).
        #[derive(Debug, Clone)]
        pub struct Api<T: rt::TokenKind = rt::Tenant> {
            pub(crate) ctx: rt::Ctx<T>,
        }

        impl<T: rt::TokenKind> Api<T> {
            /// Handles over a client context.
            pub fn new(ctx: rt::Ctx<T>) -> Self {
                Self { ctx }
            }

            /// The client context the handles send with.
            pub fn ctx(&self) -> &rt::Ctx<T> {
                &self.ctx
            }

            #(#roots)*
        }

        #(#handles)*
    }
}

/// The method that makes handle `h` from its parent (whose path variables are `inherited`).
fn accessor(h: &Handle, ctx: TokenStream, inherited: &[String]) -> TokenStream {
    let name = ident(&h.accessor);
    let ty = ident(&h.struct_name);
    let doc = docs::paragraphs(std::slice::from_ref(&h.doc));
    let params = h.own_params.iter().map(|p| {
        let p = ident(p);
        quote!(#p: impl Into<String>)
    });
    let inherited_inits = inherited.iter().map(|p| {
        let p = ident(p);
        quote!(#p: self.#p.clone(),)
    });
    let own_inits = h.own_params.iter().map(|p| {
        let p = ident(p);
        quote!(#p: #p.into(),)
    });
    quote! {
        #doc
        pub fn #name(&self, #(#params),*) -> #ty<T> {
            #ty { ctx: #ctx, #(#inherited_inits)* #(#own_inits)* }
        }
    }
}

fn emit_handle(api: &Api, id: HandleId, h: &Handle) -> TokenStream {
    let ty = ident(&h.struct_name);
    let doc = docs::paragraphs(std::slice::from_ref(&h.doc));
    let fields = h.params.iter().map(|p| {
        let p = ident(p);
        quote!(pub(crate) #p: String,)
    });
    let getters = h.params.iter().map(|p| {
        let name = ident(p);
        let d = format!(" The `{p}` this handle addresses.");
        quote! {
            #[doc = #d]
            pub fn #name(&self) -> &str {
                &self.#name
            }
        }
    });
    let children = api
        .handles
        .iter()
        .filter(|c| c.parent.as_ref().is_some_and(|p| p.id == id))
        .map(|c| accessor(c, quote!(self.ctx.clone()), &h.params));
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #ty<T: rt::TokenKind = rt::Tenant> {
            pub(crate) ctx: rt::Ctx<T>,
            #(#fields)*
        }

        impl<T: rt::TokenKind> #ty<T> {
            #(#getters)*
            #(#children)*
        }
    }
}
