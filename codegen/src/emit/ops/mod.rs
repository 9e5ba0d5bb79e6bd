//! One file per operation group: its bodies and responses, a request builder per operation, and
//! the operation methods on the handles.
//!
//! Shape for `chat_members.get`:
//! ```text
//! impl<T: rt::TokenKind> ChatMembers<T> { pub fn get(&self) -> ChatMembersGetRequest<T> }
//! pub struct ChatMembersGetRequest<T> { ctx, chat_id, member_id_type: Option<_>, page_size: Option<i64>, … }
//! impl<T> ChatMembersGetRequest<T> {
//!     pub fn page_size(self, value: i64) -> Self;           // one setter per optional input
//!     pub fn to_request(&self) -> rt::Result<rt::ApiRequest>; // validate + describe
//!     pub async fn send(self) -> rt::Result<ChatMembersGetResponse>;
//!     pub fn pages(self) / items(self)                        // paginated operations only
//! }
//! ```
//! Tenant-only operations carry `where T: rt::TenantOnly`, so a user-token handle cannot call them.

mod builder;
mod method_docs;
mod paging;

use super::{ident, structs, use_root};
use crate::ir::{Api, Field, Module, Operation, Response, TokenType};
use crate::options::DocExamples;
use builder::Builder;
use paging::Paging;
use proc_macro2::TokenStream;
use quote::quote;

/// `generated/ops/<group>.rs`
pub fn emit_group(api: &Api, group: &str, examples: DocExamples) -> TokenStream {
    let header = use_root(2);
    let module = Module::Group(group.to_owned());
    let structs = api
        .structs
        .iter()
        .filter(|s| s.module == module)
        .map(structs::emit_struct);
    let ops = api
        .operations
        .iter()
        .filter(|o| o.group == group)
        .map(|o| emit_operation(api, o, examples));
    let doc = format!(" Operations of the `{group}` group.");
    quote! {
        #![doc = #doc]
        #header
        #(#structs)*
        #(#ops)*
    }
}

fn response_ty(op: &Operation) -> TokenStream {
    match &op.response {
        Response::Struct(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Response::Empty => quote!(rt::Empty),
        Response::Download { .. } => quote!(rt::Download),
    }
}

/// Inputs the caller must give: required query parameters, then a required body.
fn positional(op: &Operation) -> Vec<&Field> {
    op.query.iter().filter(|q| q.required).collect()
}

/// The items of one operation: its method on the handle, its request builder, and (when
/// paginated) the paging impls. Each part is computed by a named fragment; the `quote!` below
/// reads like the generated code.
fn emit_operation(api: &Api, op: &Operation, examples: DocExamples) -> TokenStream {
    let handle = api.op_handle(op);
    let handle_name = handle.map_or("Api", |h| h.struct_name.as_str());
    let form = op
        .body
        .as_ref()
        .filter(|b| b.multipart)
        .map(|b| api.struct_def(b.struct_name.id).fields.as_slice());
    let builder = Builder::new(op, handle.map_or(&[][..], |h| &h.params), form);
    let req = ident(&op.request_name);
    let resp = response_ty(op);
    let handle_method = handle_method(api, op, &builder, examples);
    let fields = builder.fields();
    let setters = builder.setters();
    let to_request = builder.to_request();
    let send = send_method(op, &resp);
    let paging = op
        .pagination
        .as_ref()
        .map(|p| Paging::of(api, op, p, &req, &resp));
    let (page_methods, page_impls) = match paging {
        Some(p) => (Some(p.methods), Some(p.impls)),
        None => (None, None),
    };
    let req_doc = format!(
        " Request of `{}`: {} Made by [`{handle_name}::{}`].",
        op.id, op.summary, op.fn_name
    );

    quote! {
        #handle_method

        #[doc = #req_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #req<T: rt::TokenKind = rt::Tenant> {
            ctx: rt::Ctx<T>,
            #fields
        }

        impl<T: rt::TokenKind> #req<T> {
            #setters
            #to_request

            #send

            #page_methods
        }

        #page_impls
    }
}

/// `send`: the decoded `data`, or for a download the file as a stream.
fn send_method(op: &Operation, resp: &TokenStream) -> TokenStream {
    match &op.response {
        Response::Download { .. } => quote! {
            /// Sends the request; the answer is the file, to be read from the returned
            /// `Download` (at most `max_bytes` bytes), whose body is not read yet.
            pub async fn send(self) -> rt::Result<rt::Download> {
                let request = self.to_request()?;
                self.ctx.download(request, self.max_bytes).await
            }
        },
        _ => quote! {
            /// Sends the request and decodes the response `data`.
            pub async fn send(self) -> rt::Result<#resp> {
                let request = self.to_request()?;
                self.ctx.send(request).await
            }
        },
    }
}

/// The method on the handle that starts a request; tenant-only (or user-only) operations are
/// bounded to that token kind, so the other kind's handle cannot call them.
fn handle_method(
    api: &Api,
    op: &Operation,
    builder: &Builder<'_>,
    examples: DocExamples,
) -> TokenStream {
    let handle_ty = ident(api.op_handle(op).map_or("Api", |h| h.struct_name.as_str()));
    // A bound, not a concrete `impl Handle<Tenant>`: calling the method on the other kind's
    // handle then fails with the bound trait's `on_unimplemented` message, naming the reason.
    let bound = match op.tokens.as_slice() {
        [TokenType::Tenant] => quote!(where T: rt::TenantOnly),
        [TokenType::User] => quote!(where T: rt::UserOnly),
        _ => quote!(),
    };
    let doc = method_docs::method_docs(api, op, examples);
    let fn_name = ident(&op.fn_name);
    let req = ident(&op.request_name);
    let params = builder.positional_params();
    let init = builder.initializers();
    quote! {
        impl<T: rt::TokenKind> #handle_ty<T> {
            #doc
            pub fn #fn_name(&self, #params) -> #req<T> #bound {
                #req {
                    ctx: self.ctx.clone(),
                    #init
                }
            }
        }
    }
}
