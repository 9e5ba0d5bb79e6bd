//! Proc-macro front end over `lark-codegen`.
//!
//! [`generate!`] runs the same pipeline as `cargo xtask codegen` on a spec directory and expands
//! to the generated module tree in place, so a crate can build a client from its own spec without
//! checking generated files in.

use lark_codegen::{DocExamples, GenerateOptions, Generated};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::{AttrStyle, Attribute, Item, ItemMod, LitStr};

/// Expands a spec directory into a whole family, in place: operations as an extension trait on
/// the runtime's `Client`, typed events implementing `lark_runtime::events::Event` (registrable
/// on any dispatcher with `.on::<E>(…)` or the generated shorthands), metadata, error
/// classes and drift shapes.
///
/// The first argument is the spec directory, relative to the invoking crate's
/// `CARGO_MANIFEST_DIR` (the directory of its `Cargo.toml`). The optional second one,
/// `runtime = "::path"`, names the runtime crate the code refers to (default `::lark_runtime`,
/// so the invoking crate depends on `lark-runtime`; a crate that reaches it only through a
/// family crate can write `runtime = "::lark_im_chat::runtime"`). The macro runs the same
/// pipeline on the spec as `cargo xtask codegen --doc-examples text` does, and expands to:
///
/// - the items of the generated `mod.rs` (its inner `#![doc]` attributes dropped), with every
///   `mod x;` replaced by an inline `mod x { … }` holding the generated `x.rs` or `x/mod.rs`,
///   recursively; the tokens are parsed from the rendered files, so they are exactly the text
///   `cargo xtask codegen` would write;
/// - `pub const GENERATED_FILES: &[(&str, &str)]`: every generated file as
///   `(path relative to src/generated/, text)`, sorted by path;
/// - one `const _: &str = include_str!("…");` per spec file, so that cargo rebuilds the invoking
///   crate when a spec file changes.
///
/// A spec file *added* to the directory is no input of the build until something else changes:
/// give the invoking crate a build script that watches the directory,
/// `println!("cargo:rerun-if-changed=spec");` in `build.rs`, and cargo rebuilds on additions
/// too (the workspace's `tests/extend-by-spec` does).
///
/// The generated doc examples are ```` ```text ```` blocks ([`DocExamples::Text`]): compiled
/// examples would name a family crate the invoking crate may not have.
///
/// A spec with problems expands to a `compile_error!` holding every problem, each with its file,
/// line and YAML path.
///
/// # Example
///
/// The spec of this example is `codegen/macros/example-spec`: one operation, `chat.list`, whose
/// method is named `list_mine`.
///
/// ```
/// mod chat_client {
///     lark_codegen_macros::generate!("example-spec");
/// }
/// use chat_client::prelude::*;
///
/// # fn main() -> Result<(), lark_runtime::Error> {
/// let client = lark_runtime::Client::builder("cli_a1b2c3", "app-secret").build()?;
/// let request = client.chats().list_mine().page_size(20).to_request()?;
/// assert_eq!(request.path_and_query(), "/open-apis/im/v1/chats?page_size=20");
/// for (path, text) in chat_client::GENERATED_FILES {
///     println!("{path}: {} bytes", text.len());
/// }
/// # Ok(()) }
/// ```
#[proc_macro]
pub fn generate(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let args = syn::parse_macro_input!(input as Args);
    expand(&args.spec, args.runtime.as_ref()).into()
}

/// `"spec-dir"` or `"spec-dir", runtime = "::path::to::runtime"`.
struct Args {
    spec: LitStr,
    runtime: Option<LitStr>,
}

impl syn::parse::Parse for Args {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let spec: LitStr = input.parse()?;
        let mut runtime = None;
        if input.parse::<Option<syn::Token![,]>>()?.is_some() && !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "runtime" {
                return Err(syn::Error::new(
                    key.span(),
                    "generate!: the only option is `runtime = \"::path::to::runtime\"`",
                ));
            }
            input.parse::<syn::Token![=]>()?;
            let path: LitStr = input.parse()?;
            if syn::parse_str::<syn::Path>(&path.value()).is_err() {
                return Err(syn::Error::new(
                    path.span(),
                    "generate!: `runtime` must be a Rust path, e.g. \"::lark_runtime\"",
                ));
            }
            runtime = Some(path);
            let _ = input.parse::<Option<syn::Token![,]>>()?;
        }
        Ok(Self { spec, runtime })
    }
}

fn expand(lit: &LitStr, runtime: Option<&LitStr>) -> TokenStream {
    let manifest_dir = match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            return error(
                lit.span(),
                "generate!: CARGO_MANIFEST_DIR is not set; run the build through cargo",
            )
        }
    };
    let dir = manifest_dir.join(lit.value());
    let spec_files = match lark_codegen::read_spec_dir(&dir) {
        Ok(files) => files,
        Err(e) => {
            return error(
                lit.span(),
                &format!(
                    "generate!({:?}): cannot read the spec in {}: {e}",
                    lit.value(),
                    dir.display()
                ),
            )
        }
    };
    // Emitted even when the spec has problems, so that fixing the spec triggers a rebuild.
    let tracked = track(&dir, &spec_files);
    let mut options = GenerateOptions::default().doc_examples(DocExamples::Text);
    if let Some(runtime) = runtime {
        options = options.runtime_path(runtime.value());
    }
    let generated = match lark_codegen::generate_with(&spec_files, &options) {
        Ok(generated) => generated,
        Err(e) => {
            let message = format!("generate!({:?}): {e}", lit.value());
            let err = error(lit.span(), &message);
            return quote!(#tracked #err);
        }
    };
    match module_tree(&generated) {
        Ok(items) => {
            let files = generated
                .files
                .iter()
                .map(|(path, text)| quote!((#path, #text)));
            quote! {
                #(#items)*

                /// Every generated file: path relative to `src/generated/`, and its text.
                pub const GENERATED_FILES: &[(&str, &str)] = &[#(#files),*];

                #tracked
            }
        }
        Err(message) => {
            let err = error(
                lit.span(),
                &format!("generate!({:?}): {message}", lit.value()),
            );
            quote!(#tracked #err)
        }
    }
}

/// `const _: &str = include_str!(…);` for every spec file.
fn track(dir: &Path, files: &BTreeMap<String, String>) -> TokenStream {
    let consts = files.keys().map(|rel| {
        let path = dir.join(rel).display().to_string();
        quote!(
            const _: &str = include_str!(#path);
        )
    });
    quote!(#(#consts)*)
}

fn error(span: Span, message: &str) -> TokenStream {
    syn::Error::new(span, message).to_compile_error()
}

/// The items of `mod.rs`, with every `mod x;` inlined.
fn module_tree(generated: &Generated) -> Result<Vec<Item>, String> {
    let (inner, items) = load_module(&generated.files, "mod.rs")?;
    if let Some(attr) = inner.iter().find(|a| !a.path().is_ident("doc")) {
        return Err(format!(
            "mod.rs has the inner attribute `{}`, which cannot be expanded in place",
            quote!(#attr)
        ));
    }
    Ok(items)
}

/// Parses `path` and inlines its `mod x;` declarations; returns its inner attributes and items.
fn load_module(
    files: &BTreeMap<String, String>,
    path: &str,
) -> Result<(Vec<Attribute>, Vec<Item>), String> {
    let text = files
        .get(path)
        .ok_or_else(|| format!("the generator produced no `{path}`"))?;
    let file =
        syn::parse_file(text).map_err(|e| format!("generated `{path}` does not parse: {e}"))?;
    // Children of `a/mod.rs` live in `a/`; children of `a/b.rs` in `a/b/`.
    let child_dir = match path.strip_suffix("mod.rs") {
        Some(dir) => dir.to_owned(),
        None => format!("{}/", path.trim_end_matches(".rs")),
    };
    let mut items = Vec::with_capacity(file.items.len());
    for item in file.items {
        match item {
            Item::Mod(m) if m.content.is_none() => {
                items.push(Item::Mod(inline(files, &child_dir, m)?))
            }
            other => items.push(other),
        }
    }
    Ok((file.attrs, items))
}

/// `mod x;` -> `mod x { <inner attributes and items of x.rs or x/mod.rs> }`.
fn inline(files: &BTreeMap<String, String>, dir: &str, mut m: ItemMod) -> Result<ItemMod, String> {
    let name = m.ident.to_string();
    let flat = format!("{dir}{name}.rs");
    let nested = format!("{dir}{name}/mod.rs");
    let path = if files.contains_key(&flat) {
        flat
    } else if files.contains_key(&nested) {
        nested
    } else {
        return Err(format!(
            "`mod {name};` declared, but the generator produced neither `{flat}` nor `{nested}`"
        ));
    };
    let (inner, items) = load_module(files, &path)?;
    // syn prints inner attributes of an inline module inside its braces.
    m.attrs.extend(inner.into_iter().map(|mut a| {
        a.style = AttrStyle::Inner(Default::default());
        a
    }));
    m.content = Some((Default::default(), items));
    m.semi = None;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expands `generate!(<path>)` as rustc would, with paths relative to this crate.
    fn expand_str(path: &str) -> String {
        expand(&LitStr::new(path, Span::call_site()), None).to_string()
    }

    #[test]
    fn expands_a_fixture_into_inline_modules() {
        let out = expand_str("../../tests/fixtures/pagination");
        let (items, rest) = out
            .split_once("pub const GENERATED_FILES")
            .expect("GENERATED_FILES is emitted");
        assert!(!out.contains("compile_error"));
        assert!(items.contains("mod ops {"));
        assert!(items.contains("mod chat_members {"));
        // The inner docs of submodules stay inner attributes; mod.rs's are dropped.
        assert!(items.contains("# ! [doc = \" One module per operation group.\"]"));
        assert!(!items.contains("Generated client for"));
        assert!(rest.contains("(\"ops/chat_members.rs\" , \"// @generated"));
        assert!(rest.contains("include_str !"));
        assert!(rest.contains("operations/chat.yaml\")"));
        // Doc examples are text: they would not compile against another crate's client.
        assert!(items.contains("```text"), "{items}");
        assert!(!items.contains("no_run"), "{items}");
    }

    #[test]
    fn a_bad_spec_is_a_compile_error_with_every_problem() {
        let out = expand_str("../../tests/fixtures/invalid_spec");
        assert!(out.contains("compile_error !"), "{out}");
        assert!(out.contains("the spec has 2 problem(s)"), "{out}");
        assert!(out.contains("operations/chat.yaml:8:"), "{out}");
        assert!(out.contains("types.yaml:6:"), "{out}");
        // Still tracked, so that fixing the spec rebuilds.
        assert!(out.contains("include_str !"), "{out}");
        assert!(!out.contains("GENERATED_FILES"), "{out}");
    }

    #[test]
    fn a_missing_directory_is_a_compile_error() {
        let out = expand_str("no/such/spec");
        assert!(out.contains("compile_error !"), "{out}");
        assert!(out.contains("cannot read the spec"), "{out}");
    }
}
