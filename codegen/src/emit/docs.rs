//! Doc comments from spec text: sanitized for rustdoc, split into `#[doc]` attributes.

use proc_macro2::TokenStream;
use quote::quote;

/// Escapes what rustdoc would read as links or HTML, and wraps bare URLs.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(' ') {
        let trimmed = word.trim_end();
        if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
            out.push('<');
            out.push_str(trimmed);
            out.push('>');
            out.push_str(&word[trimmed.len()..]);
            continue;
        }
        for c in word.chars() {
            match c {
                '[' => out.push_str("\\["),
                ']' => out.push_str("\\]"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '*' => out.push_str("\\*"),
                c => out.push(c),
            }
        }
    }
    out
}

/// `#[doc]` attributes for paragraphs; each paragraph is sanitized spec text.
pub fn paragraphs(paras: &[String]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for (i, p) in paras.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(sanitize(p));
    }
    raw_lines(&lines)
}

/// `#[doc]` attributes for lines already in Markdown (not sanitized).
pub fn raw_lines(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}
