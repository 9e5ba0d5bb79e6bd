//! Fragments of a request builder: its fields, the handle method's parameters and initializers,
//! the setters, and `to_request` (a JSON body, or a multipart form built part by part; a
//! download's size limit is one more field and setter).

use super::super::structs::{field_checks, param};
use super::super::{docs, ident, lit_usize, rust_ty};
use super::positional;
use crate::ir::{Field, KeyLocation, Operation, Response, Segment, Ty};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// What a builder holds: the handle's path variables, the query parameters, and the body.
pub struct Builder<'a> {
    op: &'a Operation,
    path: Vec<Ident>,
    /// The body type, and whether the caller must give it.
    body: Option<(Ident, bool)>,
    /// The fields of a multipart body, in part order.
    form: Option<&'a [Field]>,
    /// A download's default size limit (`None`: the runtime's default).
    download: Option<Option<u64>>,
}

impl<'a> Builder<'a> {
    pub fn new(op: &'a Operation, handle_params: &[String], form: Option<&'a [Field]>) -> Self {
        Builder {
            op,
            path: handle_params.iter().map(|p| ident(p)).collect(),
            body: op
                .body
                .as_ref()
                .map(|b| (ident(&b.struct_name), b.required)),
            form,
            download: match op.response {
                Response::Download { max_bytes } => Some(max_bytes),
                _ => None,
            },
        }
    }

    /// `chat_id: String, page_size: Option<i64>, body: Option<Body>,`
    pub fn fields(&self) -> TokenStream {
        let path = self.path.iter().map(|p| quote!(#p: String,));
        let query = self.op.query.iter().map(|q| {
            let n = ident(&q.rust);
            let ty = rust_ty(&q.ty);
            if q.required {
                quote!(#n: #ty,)
            } else {
                quote!(#n: Option<#ty>,)
            }
        });
        let body = self.body.as_ref().map(|(b, required)| {
            if *required {
                quote!(body: #b,)
            } else {
                quote!(body: Option<#b>,)
            }
        });
        let download = self.download.map(|_| quote!(max_bytes: u64,));
        quote!(#(#path)* #(#query)* #body #download)
    }

    /// Parameters of the handle method: required query parameters, then a required body.
    pub fn positional_params(&self) -> TokenStream {
        let mut params: Vec<TokenStream> = positional(self.op)
            .iter()
            .map(|q| {
                let n = ident(&q.rust);
                let (ty, _) = param(&q.ty);
                quote!(#n: #ty)
            })
            .collect();
        if let Some((b, true)) = &self.body {
            params.push(quote!(body: #b));
        }
        quote!(#(#params),*)
    }

    /// Field initializers of the handle method: path variables from the handle, positional
    /// inputs converted, everything else unset.
    pub fn initializers(&self) -> TokenStream {
        let path = self.path.iter().map(|p| quote!(#p: self.#p.clone(),));
        let query = self.op.query.iter().map(|q| {
            let n = ident(&q.rust);
            if !q.required {
                return quote!(#n: None,);
            }
            match param(&q.ty) {
                (_, conv) if conv.is_empty() => quote!(#n,),
                (_, conv) => quote!(#n: #n #conv,),
            }
        });
        let body = self.body.as_ref().map(|(_, required)| {
            if *required {
                quote!(body,)
            } else {
                quote!(body: None,)
            }
        });
        let download = self.download.map(|max| match max {
            Some(m) => {
                let m = proc_macro2::Literal::u64_unsuffixed(m);
                quote!(max_bytes: #m,)
            }
            None => quote!(max_bytes: rt::DEFAULT_MAX_DOWNLOAD,),
        });
        quote!(#(#path)* #(#query)* #body #download)
    }

    /// One setter per optional input.
    pub fn setters(&self) -> TokenStream {
        let query = self.op.query.iter().filter(|q| !q.required).map(setter);
        let body = match &self.body {
            Some((b, false)) => Some(quote! {
                /// Sets the request body (sent as `{}` when unset).
                pub fn body(mut self, body: #b) -> Self {
                    self.body = Some(body);
                    self
                }
            }),
            _ => None,
        };
        let download = self.download.map(|_| {
            quote! {
                /// The most bytes the download may have; more (declared or received) is
                /// `Error::DownloadTooLarge`.
                pub fn max_bytes(mut self, max_bytes: u64) -> Self {
                    self.max_bytes = max_bytes;
                    self
                }
            }
        });
        quote!(#(#query)* #body #download)
    }

    /// `to_request`: checks the declared limits, then describes the HTTP request.
    pub fn to_request(&self) -> TokenStream {
        let op = self.op;
        let meta = ident(&op.meta_const);
        let query_checks = op.query.iter().map(|q| {
            let n = ident(&q.rust);
            field_checks(q, quote!(self.#n), quote!("query"))
        });
        let (body_check, body_expr) = self.body_parts();
        let path_capacity = lit_usize(op.path.len() + 24);
        let path_pushes = op.segments.iter().map(path_push);
        let query_decl = if op.query.is_empty() {
            quote!(let query = rt::Query::new();)
        } else {
            quote!(let mut query = rt::Query::new();)
        };
        let query_pushes = op.query.iter().map(query_push);
        // A body key is filled in here, once per description, so every attempt of one send
        // carries the same value.
        let mut new = quote!(rt::ApiRequest::new(&meta::#meta, path, query.into_vec(), #body_expr));
        let form = self.form.map(|fields| {
            let parts = fields.iter().map(form_part);
            new = quote!(#new.with_form(form));
            quote! {
                let mut form = rt::Multipart::new();
                #(#parts)*
            }
        });
        let described = match &op.idempotency {
            Some(i) if i.location == KeyLocation::Body => quote! {
                let request = #new;
                Ok(request.with_auto_idempotency_key())
            },
            _ => quote!(Ok(#new)),
        };
        quote! {
            /// Checks the declared limits and describes the HTTP request, without sending it.
            pub fn to_request(&self) -> rt::Result<rt::ApiRequest> {
                #(#query_checks)*
                #body_check
                let mut path = String::with_capacity(#path_capacity);
                #(#path_pushes)*
                #query_decl
                #(#query_pushes)*
                #form
                #described
            }
        }
    }

    /// The body's validation, and the expression of the bytes sent (`{}` for an unset optional
    /// body).
    fn body_parts(&self) -> (TokenStream, TokenStream) {
        match &self.body {
            None => (quote!(), quote!(None)),
            // Sent as the form built in `to_request`.
            Some(_) if self.form.is_some() => (
                quote!(rt::Validate::validate(&self.body, "body")?;),
                quote!(None),
            ),
            Some((_, true)) => (
                quote!(rt::Validate::validate(&self.body, "body")?;),
                quote!(Some(rt::json_body(&self.body)?)),
            ),
            Some((_, false)) => (
                quote!(rt::Validate::validate(&self.body, "body")?;),
                quote!(Some(match &self.body {
                    Some(body) => rt::json_body(body)?,
                    None => b"{}".to_vec(),
                })),
            ),
        }
    }
}

fn setter(q: &Field) -> TokenStream {
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
}

/// One part of a multipart body, in spec order: text parts by `Display`, file parts with their
/// size limit.
fn form_part(f: &Field) -> TokenStream {
    let n = ident(&f.rust);
    let wire = &f.wire;
    let max = match f.limits.max_bytes {
        Some(m) => {
            let m = proc_macro2::Literal::u64_unsuffixed(m);
            quote!(Some(#m))
        }
        None => quote!(None),
    };
    match (&f.ty, f.required) {
        (Ty::File, true) => quote!(form.file(#wire, &self.body.#n, #max);),
        (Ty::File, false) => quote!(form.file_opt(#wire, self.body.#n.as_ref(), #max);),
        (_, true) => quote!(form.text(#wire, &self.body.#n);),
        (_, false) => quote!(form.text_opt(#wire, self.body.#n.as_ref());),
    }
}

fn path_push(s: &Segment) -> TokenStream {
    match s {
        Segment::Lit(l) => quote!(path.push_str(#l);),
        Segment::Var(v) => {
            let v = ident(v);
            quote!(rt::push_segment(&mut path, &self.#v);)
        }
    }
}

fn query_push(q: &Field) -> TokenStream {
    let n = ident(&q.rust);
    let wire = &q.wire;
    match (&q.ty, q.required) {
        (Ty::Array(_), true) => quote!(query.push_all(#wire, self.#n.iter());),
        (Ty::Array(_), false) => quote!(query.push_all(#wire, self.#n.iter().flatten());),
        (_, true) => quote!(query.push(#wire, &self.#n);),
        (_, false) => quote!(query.push_opt(#wire, self.#n.as_ref());),
    }
}
