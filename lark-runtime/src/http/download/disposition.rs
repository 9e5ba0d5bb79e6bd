//! The file name of a `Content-Disposition` header: `filename*=UTF-8''…` (RFC 6266 / 8187,
//! percent-encoded) wins over `filename="…"`.

use percent_encoding::percent_decode_str;

/// The file name the header gives, if any. Never fails: a malformed header gives `None`.
pub(crate) fn file_name(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(header).into_iter().skip(1) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename" => plain = Some(unquote(value.trim())),
            "filename*" => extended = decode_extended(value.trim()),
            _ => {}
        }
    }
    extended.or(plain).filter(|n| !n.is_empty())
}

/// Splits on `;` outside quoted strings.
fn split_params(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

/// A token as is, or a quoted string without its quotes and escapes.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"') else {
        return value.to_owned();
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// `charset'language'percent-encoded`: UTF-8 decoded strictly, ISO-8859-1 byte by byte.
fn decode_extended(value: &str) -> Option<String> {
    let mut it = value.splitn(3, '\'');
    let (charset, _language, encoded) = (it.next()?, it.next()?, it.next()?);
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" => String::from_utf8(bytes).ok(),
        "iso-8859-1" => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn extended_wins_and_quotes_are_undone() {
        assert_eq!(
            file_name(r#"attachment; filename="a b.pdf""#).as_deref(),
            Some("a b.pdf")
        );
        assert_eq!(
            file_name("attachment; filename=plain.txt").as_deref(),
            Some("plain.txt")
        );
        assert_eq!(
            file_name(
                r#"attachment; filename="fallback.txt"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"#
            )
            .as_deref(),
            Some("报告.pdf")
        );
        assert_eq!(
            file_name(r#"attachment; filename="x\"y;z.txt""#).as_deref(),
            Some(r#"x"y;z.txt"#)
        );
        assert_eq!(
            file_name("attachment; FILENAME*=iso-8859-1'en'%A3.txt").as_deref(),
            Some("£.txt")
        );
        assert_eq!(file_name("inline"), None);
        assert_eq!(file_name("attachment; filename*=UTF-8''%FF"), None);
        assert_eq!(file_name("attachment; filename=\"\""), None);
    }
}
