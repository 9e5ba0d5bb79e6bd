//! Rust names for spec names. Lowering assigns names with these (the IR owns every name);
//! `validate` checks them with [`is_identifier`].

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `s` is a plain Rust identifier (not a keyword).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
        && s != "_"
}

/// snake_case, with a trailing `_` on keywords (`type` -> `type_`).
pub fn snake(s: &str) -> String {
    let out = s.to_snake_case();
    if KEYWORDS.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    }
}

/// PascalCase over `.`, `_`, `-` and spaces.
pub fn pascal(s: &str) -> String {
    s.replace(['.', '-', ' '], "_").to_pascal_case()
}

/// SHOUTY_SNAKE_CASE for constants.
pub fn shouty(s: &str) -> String {
    s.replace(['.', '-', ' '], "_").to_shouty_snake_case()
}

/// Struct name of an event body: the event type without its `im.` prefix, in PascalCase.
pub fn event_name(event_type: &str) -> String {
    pascal(event_type.strip_prefix("im.").unwrap_or(event_type))
}

/// Registration method of an event's handler: `on_` and the event type without `im.` and without
/// its version suffix (`im.chat.updated_v1` -> `on_chat_updated`).
pub fn handler_name(event_type: &str) -> String {
    let base = event_type.strip_prefix("im.").unwrap_or(event_type);
    let base = match base.rsplit_once("_v") {
        Some((head, version))
            if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit()) =>
        {
            head
        }
        _ => base,
    };
    format!("on_{}", snake(&base.replace('.', "_")))
}
