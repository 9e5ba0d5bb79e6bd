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
//! Tenant-only operations go in `impl Handle<rt::Tenant>`, so a user-token handle lacks them.

use super::structs::{self, field_checks, param};
use super::{docs, ident, rust_ty, use_root};
use crate::ir::{Api, Field, Module, Operation, Response, Segment, TokenType, Ty};
use crate::lower::json_text;
use proc_macro2::TokenStream;
use quote::quote;

/// `gen/ops/<group>.rs`
pub fn emit_group(api: &Api, group: &str) -> TokenStream {
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
        .map(|o| emit_operation(api, o));
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
    }
}

/// Inputs the caller must give: required query parameters, then a required body.
fn positional(op: &Operation) -> Vec<&Field> {
    op.query.iter().filter(|q| q.required).collect()
}

fn emit_operation(api: &Api, op: &Operation) -> TokenStream {
    let req = ident(&op.request_name);
    let handle = api.handle(&op.handle);
    let handle_ty = ident(handle.map_or("Api", |h| h.struct_name.as_str()));
    let handle_params: Vec<String> = handle.map(|h| h.params.clone()).unwrap_or_default();
    let fn_name = ident(&op.fn_name);
    let resp = response_ty(op);
    let meta = ident(&op.meta_const);

    let body_ty = op.body.as_ref().map(|b| ident(&b.struct_name));
    let body_required = op.body.as_ref().is_some_and(|b| b.required);

    // Builder fields.
    let path_fields = handle_params.iter().map(|p| {
        let p = ident(p);
        quote!(#p: String,)
    });
    let query_fields = op.query.iter().map(|q| {
        let n = ident(&q.rust);
        let ty = rust_ty(&q.ty);
        if q.required {
            quote!(#n: #ty,)
        } else {
            quote!(#n: Option<#ty>,)
        }
    });
    let body_field = body_ty.as_ref().map(|b| {
        if body_required {
            quote!(body: #b,)
        } else {
            quote!(body: Option<#b>,)
        }
    });

    // The handle method.
    let pos = positional(op);
    let mut params: Vec<TokenStream> = pos
        .iter()
        .map(|q| {
            let n = ident(&q.rust);
            let (ty, _) = param(&q.ty);
            quote!(#n: #ty)
        })
        .collect();
    if let (Some(b), true) = (&body_ty, body_required) {
        params.push(quote!(body: #b));
    }
    let init_path = handle_params.iter().map(|p| {
        let p = ident(p);
        quote!(#p: self.#p.clone(),)
    });
    let init_query = op.query.iter().map(|q| {
        let n = ident(&q.rust);
        if q.required {
            let (_, conv) = param(&q.ty);
            if conv.is_empty() {
                quote!(#n,)
            } else {
                quote!(#n: #n #conv,)
            }
        } else {
            quote!(#n: None,)
        }
    });
    let init_body = body_ty.as_ref().map(|_| {
        if body_required {
            quote!(body,)
        } else {
            quote!(body: None,)
        }
    });
    let method_doc = method_docs(api, op);
    let impl_head = match op.tokens.as_slice() {
        [TokenType::Tenant] => quote!(impl #handle_ty<rt::Tenant>),
        [TokenType::User] => quote!(impl #handle_ty<rt::User>),
        _ => quote!(impl<T: rt::TokenKind> #handle_ty<T>),
    };
    let ret_t = match op.tokens.as_slice() {
        [TokenType::Tenant] => quote!(rt::Tenant),
        [TokenType::User] => quote!(rt::User),
        _ => quote!(T),
    };

    // Setters for optional inputs.
    let setters = op.query.iter().filter(|q| !q.required).map(|q| {
        let n = ident(&q.rust);
        let (ty, conv) = param(&q.ty);
        let doc = docs::paragraphs(&q.doc);
        quote! {
            #doc
            pub fn #n(mut self, value: #ty) -> Self {
                self.#n = Some(value #conv);
                self
            }
        }
    });
    let body_setter = match (&body_ty, body_required) {
        (Some(b), false) => Some(quote! {
            /// Sets the request body (sent as `{}` when unset).
            pub fn body(mut self, body: #b) -> Self {
                self.body = Some(body);
                self
            }
        }),
        _ => None,
    };

    // to_request
    let query_checks = op.query.iter().map(|q| {
        let n = ident(&q.rust);
        field_checks(q, quote!(self.#n), quote!("query"))
    });
    let path_capacity = super::lit_usize(op.path.len() + 24);
    let path_pushes = op.segments.iter().map(|s| match s {
        Segment::Lit(l) => quote!(path.push_str(#l);),
        Segment::Var(v) => {
            let v = ident(v);
            quote!(rt::push_segment(&mut path, &self.#v);)
        }
    });
    let query_pushes = op.query.iter().map(|q| {
        let n = ident(&q.rust);
        let wire = &q.wire;
        match (&q.ty, q.required) {
            (Ty::Array(_), true) => quote!(query.push_all(#wire, self.#n.iter());),
            (Ty::Array(_), false) => quote!(query.push_all(#wire, self.#n.iter().flatten());),
            (_, true) => quote!(query.push(#wire, &self.#n);),
            (_, false) => quote!(query.push_opt(#wire, self.#n.as_ref());),
        }
    });
    let (body_check, body_expr) = match (&body_ty, body_required) {
        (None, _) => (quote!(), quote!(None)),
        (Some(_), true) => (
            quote!(rt::Validate::validate(&self.body, "body")?;),
            quote!(Some(rt::json_body(&self.body)?)),
        ),
        (Some(_), false) => (
            quote!(rt::Validate::validate(&self.body, "body")?;),
            quote!(Some(match &self.body {
                Some(body) => rt::json_body(body)?,
                None => b"{}".to_vec(),
            })),
        ),
    };
    let query_decl = if op.query.is_empty() {
        quote!(let query = rt::Query::new();)
    } else {
        quote!(let mut query = rt::Query::new();)
    };

    let pagination = op.pagination.as_ref().map(|p| {
        let item = rust_ty(&p.item);
        let token_param = ident(&p.token_param_rust);
        let first_user = api
            .operations
            .iter()
            .find(|o| o.pagination.is_some() && matches!((&o.response, &op.response), (Response::Struct(a), Response::Struct(b)) if a == b))
            .is_some_and(|o| o.id == op.id);
        let page_impl = first_user.then(|| {
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
        });
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
        let paginated = quote! {
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
        (methods, paginated)
    });
    let (page_methods, page_impls) = match pagination {
        Some((m, i)) => (Some(m), Some(i)),
        None => (None, None),
    };
    let req_doc = format!(
        " Request of `{}`: {} Made by [`{}::{}`].",
        op.id,
        op.summary,
        op_handle_name(api, op),
        op.fn_name
    );

    quote! {
        #impl_head {
            #method_doc
            pub fn #fn_name(&self, #(#params),*) -> #req<#ret_t> {
                #req {
                    ctx: self.ctx.clone(),
                    #(#init_path)*
                    #(#init_query)*
                    #init_body
                }
            }
        }

        #[doc = #req_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #req<T: rt::TokenKind = rt::Tenant> {
            ctx: rt::Ctx<T>,
            #(#path_fields)*
            #(#query_fields)*
            #body_field
        }

        impl<T: rt::TokenKind> #req<T> {
            #(#setters)*
            #body_setter

            /// Checks the declared limits and describes the HTTP request, without sending it.
            pub fn to_request(&self) -> rt::Result<rt::ApiRequest> {
                #(#query_checks)*
                #body_check
                let mut path = String::with_capacity(#path_capacity);
                #(#path_pushes)*
                #query_decl
                #(#query_pushes)*
                Ok(rt::ApiRequest::new(&meta::#meta, path, query.into_vec(), #body_expr))
            }

            /// Sends the request and decodes the response `data`.
            pub async fn send(self) -> rt::Result<#resp> {
                let request = self.to_request()?;
                self.ctx.send(request).await
            }

            #page_methods
        }

        #page_impls
    }
}

fn op_handle_name(api: &Api, op: &Operation) -> String {
    api.handle(&op.handle)
        .map_or_else(|| "Api".to_owned(), |h| h.struct_name.clone())
}

/// Docs of an operation method: summary, facts from the spec, link, and a compiling example.
fn method_docs(api: &Api, op: &Operation) -> TokenStream {
    let tokens: Vec<&str> = op.tokens.iter().map(|t| t.as_str()).collect();
    let apps: Vec<&str> = op.app_types.iter().map(|a| a.as_str()).collect();
    let mut lines: Vec<String> = Vec::new();
    lines.push(format!("`{} {}`", op.method.as_str(), op.path));
    lines.push(String::new());
    lines.push(format!("- Access tokens: {}", tokens.join(", ")));
    let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
    lines.push(format!("- Scopes (any one): {}", scopes.join(", ")));
    lines.push(format!("- App types: {}", apps.join(", ")));
    if let Some(r) = &op.rate_limit {
        lines.push(format!("- Rate limit: {}", docs::sanitize(r)));
    }
    if let Some(i) = &op.idempotency {
        let rule = i.rule.as_deref().map(docs::sanitize).unwrap_or_default();
        lines.push(format!("- Idempotency key: query `{}` ({rule})", i.query));
    }
    if let Some(p) = &op.pagination {
        let note = p
            .note
            .as_deref()
            .map(|n| format!(" {}", docs::sanitize(n)))
            .unwrap_or_default();
        lines.push(format!("- Paginated: see `pages()` and `items()`.{note}"));
    }
    lines.push(format!("- [Official documentation]({})", op.doc_url));
    let mut out = vec![docs::sanitize(&op.summary), String::new()];
    out.extend(lines);
    for c in op.constraints.iter().chain(&op.notes) {
        out.push(String::new());
        out.push(docs::sanitize(c));
    }
    out.push(String::new());
    out.push("# Example".into());
    out.push(String::new());
    out.push("```no_run".into());
    out.push(
        "# async fn example(client: lark_im_chat::Client) -> Result<(), lark_im_chat::Error> {"
            .into(),
    );
    out.extend(example(api, op));
    out.push("# Ok(())".into());
    out.push("# }".into());
    out.push("```".into());
    docs::raw_lines(&out)
}

/// Lines of an example call of `op`.
fn example(api: &Api, op: &Operation) -> Vec<String> {
    let mut chain = Vec::new();
    let mut cur = api.handle(&op.handle);
    while let Some(h) = cur {
        chain.push(h);
        cur = h.parent.as_deref().and_then(|p| api.handle(p));
    }
    chain.reverse();
    let mut lines = vec!["let response = client".to_owned()];
    for h in chain {
        let args: Vec<String> = h
            .own_params
            .iter()
            .map(|p| {
                let ex = op
                    .path_params
                    .iter()
                    .find(|f| &f.wire == p)
                    .and_then(|f| f.example.as_ref());
                format!("{:?}", ex.map_or_else(|| format!("{p}-example"), json_text))
            })
            .collect();
        lines.push(format!("    .{}({})", h.accessor, args.join(", ")));
    }
    let mut args: Vec<String> = positional(op)
        .iter()
        .map(|q| example_value(api, &q.ty, q.example.as_ref(), 0))
        .collect();
    if let Some(b) = op.body.as_ref().filter(|b| b.required) {
        args.push(example_value(
            api,
            &Ty::Struct(b.struct_name.clone()),
            None,
            0,
        ));
    }
    lines.push(format!("    .{}({})", op.fn_name, args.join(", ")));
    lines.push("    .send()".into());
    lines.push("    .await?;".into());
    lines.push("# let _ = response;".into());
    lines
}

/// A Rust expression of type `ty` for examples.
fn example_value(api: &Api, ty: &Ty, example: Option<&serde_json::Value>, depth: usize) -> String {
    match ty {
        Ty::String | Ty::LenientString => format!(
            "{:?}",
            example.map_or_else(|| "example".to_owned(), json_text)
        ),
        Ty::Integer | Ty::Int64String => example
            .and_then(|e| json_text(e).parse::<i64>().ok())
            .unwrap_or(1)
            .to_string(),
        Ty::Boolean => "true".into(),
        Ty::Json => "lark_im_chat::rt::serde_json::json!({})".into(),
        Ty::Enum(n) => match api.enum_def(n).and_then(|e| e.variants.first()) {
            Some(v) => format!("lark_im_chat::types::{n}::{}", v.name),
            None => format!("lark_im_chat::types::{n}::from(\"\")"),
        },
        Ty::Array(inner) if depth > 8 => {
            // A cycle through lists: stop with an empty one.
            format!("std::iter::empty::<{}>()", example_type(inner))
        }
        Ty::Array(inner) => {
            let item_example = example.and_then(|e| e.as_array()).and_then(|a| a.first());
            format!("[{}]", example_value(api, inner, item_example, depth + 1))
        }
        Ty::Struct(n) => {
            let args: Vec<String> = api
                .struct_def(n)
                .map(|s| {
                    s.fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| example_value(api, &f.ty, f.example.as_ref(), depth + 1))
                        .collect()
                })
                .unwrap_or_default();
            format!("lark_im_chat::types::{n}::new({})", args.join(", "))
        }
    }
}

/// The path of `ty` as examples write it.
fn example_type(ty: &Ty) -> String {
    match ty {
        Ty::String | Ty::LenientString => "String".into(),
        Ty::Integer | Ty::Int64String => "i64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Json => "lark_im_chat::rt::serde_json::Value".into(),
        Ty::Struct(n) | Ty::Enum(n) => format!("lark_im_chat::types::{n}"),
        Ty::Array(inner) => format!("Vec<{}>", example_type(inner)),
    }
}
