//! Pagination of a request builder: `pages()`/`items()`, `rt::Paginated`, and `rt::Page` for the
//! response (once per response type).

use super::super::{ident, rust_ty};
use crate::ir::{Api, Operation, Pagination, Response};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The pagination items of one operation.
pub struct Paging {
    /// `pages` and `items`, inside the builder's `impl`.
    pub methods: TokenStream,
    /// `impl rt::Paginated for` the builder, and `impl rt::Page for` the response if this
    /// operation is the first paginated one returning it.
    pub impls: TokenStream,
}

impl Paging {
    pub fn of(api: &Api, op: &Operation, p: &Pagination, req: &Ident, resp: &TokenStream) -> Self {
        let item = rust_ty(&p.item);
        let token_param = ident(&p.token_param_rust);
        let page_impl = first_pager_of_response(api, op).then(|| page_impl(p, resp, &item));
        let methods = quote! {
            /// Every page, in order, as a stream; ends after the page with `has_more: false` or at
            /// the first error.
            pub fn pages(self) -> impl rt::Stream<Item = rt::Result<#resp>> + Send {
                rt::pages(self)
            }

            /// Every item of every page, as a stream holding one page at a time; stop early with
            /// `StreamExt::take`.
            pub fn items(self) -> impl rt::Stream<Item = rt::Result<#item>> + Send {
                rt::items(self)
            }
        };
        let impls = quote! {
            impl<T: rt::TokenKind> rt::Paginated for #req<T> {
                type Token = T;
                type Page = #resp;

                fn ctx(&self) -> &rt::Ctx<T> {
                    &self.ctx
                }

                fn set_page_token(&mut self, token: Option<String>) {
                    self.#token_param = token;
                }

                fn to_request(&self) -> rt::Result<rt::ApiRequest> {
                    #req::to_request(self)
                }
            }

            #page_impl
        };
        Paging { methods, impls }
    }
}

/// `rt::Page` may be implemented once per response type: by its first paginated operation.
fn first_pager_of_response(api: &Api, op: &Operation) -> bool {
    let Response::Struct(mine) = &op.response else {
        return false;
    };
    api.operations
        .iter()
        .find(|o| {
            o.pagination.is_some()
                && matches!(&o.response, Response::Struct(theirs) if theirs.id == mine.id)
        })
        .is_some_and(|o| o.id == op.id)
}

fn page_impl(p: &Pagination, resp: &TokenStream, item: &TokenStream) -> TokenStream {
    let has_more = ident(&p.has_more_field_rust);
    let token = ident(&p.token_field_rust);
    let items = ident(&p.items_field_rust);
    quote! {
        impl rt::Page for #resp {
            type Item = #item;

            fn cursor(&self) -> (Option<bool>, Option<&str>) {
                (self.#has_more, self.#token.as_deref())
            }

            fn into_items(self) -> Vec<Self::Item> {
                self.#items.unwrap_or_default()
            }
        }
    }
}
