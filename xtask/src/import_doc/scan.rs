//! A small tag scanner over the page text: tags (with their byte offsets and attributes) and the
//! text between them. HTML comments are skipped; a `<` that does not start a tag is text.

/// A tag found by the scanner.
pub struct Tag<'a> {
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
    pub closing: bool,
    pub attrs: &'a str,
}

impl Tag<'_> {
    pub fn attr(&self, name: &str) -> Option<String> {
        attr(self.attrs, name)
    }
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = rest[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let quote = v.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let body = &v[1..];
                    return body.find(quote).map(|end| body[..end].to_owned());
                }
                let end = v.find(|c: char| c.is_whitespace()).unwrap_or(v.len());
                return Some(v[..end].to_owned());
            }
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// The next tag at or after `from` (comments skipped).
pub fn next_tag(text: &str, mut from: usize) -> Option<Tag<'_>> {
    let bytes = text.as_bytes();
    while let Some(rel) = text.get(from..)?.find('<') {
        let start = from + rel;
        if text[start..].starts_with("<!--") {
            from = text[start..]
                .find("-->")
                .map_or(text.len(), |e| start + e + 3);
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_len = text[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(text.len() - name_start);
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            from = start + 1;
            continue;
        }
        // Find the closing `>`, skipping quoted attribute values.
        let mut quote = None;
        let mut end = None;
        for (i, c) in text[name_start + name_len..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(name_start + name_len + i + 1);
                    break;
                }
                (None, '<') => break,
                _ => {}
            }
        }
        let Some(end) = end else {
            from = start + 1;
            continue;
        };
        return Some(Tag {
            start,
            end,
            name: &text[name_start..name_start + name_len],
            closing,
            attrs: text[name_start + name_len..end - 1].trim_end_matches('/'),
        });
    }
    None
}

/// Text with every tag removed.
pub fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    while let Some(tag) = next_tag(text, at) {
        out.push_str(&text[at..tag.start]);
        at = tag.end;
    }
    out.push_str(&text[at..]);
    out
}
