//! Resource handles: an extension trait on the runtime's client with the root handles, then one
//! struct per handle key carrying its path variables.
//!
//! Shape:
//! ```text
//! pub trait ImChatApi<T> { fn chats(&self) -> ChatsHandle<T>; fn chat(&self, chat_id) -> ChatHandle<T>; }
//! impl<T> ImChatApi<T> for rt::Client<T> { … }
//! pub struct ChatMembersHandle<T = rt::Tenant> { ctx, chat_id }
//! ```
//! Operation methods are added to the handles by each group's file.

use super::{docs, ident, use_root};
use crate::ir::{Api, Handle, HandleId};
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/handles.rs`
pub fn emit(api: &Api) -> TokenStream {
    let header = use_root(1);
    let decls = api
        .handles
        .iter()
        .filter(|h| h.parent.is_none())
        .map(root_decl);
    let roots = api
        .handles
        .iter()
        .filter(|h| h.parent.is_none())
        .map(|h| accessor(h, quote!(), quote!(self.ctx().clone()), &[]));
    let handles = api
        .handles
        .iter()
        .enumerate()
        .map(|(i, h)| emit_handle(api, HandleId(i), h));
    let title = format!(
        " Entry points of the {}: the root handles, as methods of the runtime's client.",
        api.title
    );
    let api_trait = ident(&api.family.api_trait);
    quote! {
        #![doc = " Resource handles: where each operation is called from."]
        #header

        #[doc = #title]
        ///
        /// Implemented for [`Client`](rt::Client) with either token kind: the tenant token
        /// (`Client::builder`) or a user token (`Client::as_user`); operations the spec allows
        /// only with a tenant token do not exist on user-token handles.
        pub trait #api_trait<T: rt::TokenKind> {
            #(#decls)*
        }

        impl<T: rt::TokenKind> #api_trait<T> for rt::Client<T> {
            #(#roots)*
        }

        #(#handles)*
    }
}

/// The trait method declaring root handle `h`.
fn root_decl(h: &Handle) -> TokenStream {
    let name = ident(&h.accessor);
    let ty = ident(&h.struct_name);
    let doc = docs::paragraphs(std::slice::from_ref(&h.doc));
    let params = h.own_params.iter().map(|p| {
        let p = ident(p);
        quote!(#p: impl Into<String>)
    });
    quote! {
        #doc
        fn #name(&self, #(#params),*) -> #ty<T>;
    }
}

/// The method that makes handle `h` from its parent (whose path variables are `inherited`).
fn accessor(h: &Handle, vis: TokenStream, ctx: TokenStream, inherited: &[String]) -> TokenStream {
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
        #vis fn #name(&self, #(#params),*) -> #ty<T> {
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
        .map(|c| accessor(c, quote!(pub), quote!(self.ctx.clone()), &h.params));
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
