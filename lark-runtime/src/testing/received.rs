//! [`ReceivedRequest`]: what the mock platform recorded of one request, with decoders for
//! assertions (JSON, typed values, multipart parts).

use serde_json::Value;

/// One request the mock platform received.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The operation whose method and path template it fits (whether or not an answer is
    /// registered), or `auth.*` for token endpoints; `None` if it fits no operation known to
    /// the platform.
    pub operation: Option<&'static str>,
    /// Whether a scripted answer (or a token endpoint) served it; `false` got the 404.
    pub answered: bool,
    /// HTTP method.
    pub method: String,
    /// Path as sent (escaped).
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// `Authorization` header.
    pub authorization: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// Every header, names in lower case, in order (values that are not text are left out).
    pub headers: Vec<(String, String)>,
    /// Raw body.
    pub body: Vec<u8>,
}

/// One part of a `multipart/form-data` body ([`ReceivedRequest::multipart`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Part {
    /// The form field name (`name=` of `Content-Disposition`).
    pub name: String,
    /// `filename=` of `Content-Disposition`, for file parts.
    pub file_name: Option<String>,
    /// The part's `Content-Type`.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub bytes: Vec<u8>,
}

impl Part {
    /// The bytes as text (lossy), for form fields.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl ReceivedRequest {
    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body decoded into a typed value (e.g. the family's request body type).
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The parts of a `multipart/form-data` body, in order; `Err` says why the body is not
    /// one (another content type, no boundary, a malformed part).
    pub fn multipart(&self) -> Result<Vec<Part>, String> {
        let content_type = self.content_type.as_deref().unwrap_or_default();
        if !content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            return Err(format!("not multipart/form-data: {content_type:?}"));
        }
        let boundary = param(content_type, "boundary")
            .ok_or_else(|| format!("no boundary in {content_type:?}"))?;
        parse_multipart(&self.body, &boundary)
    }
}

/// A `key=value` (optionally quoted) parameter of a header value.
fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let start = find(body, &delimiter).ok_or("no boundary in the body")?;
    let mut rest = &body[start + delimiter.len()..];
    let mut next_delimiter = b"\r\n".to_vec();
    next_delimiter.extend_from_slice(&delimiter);
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("no line break after a boundary")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("a part without a blank line")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        rest = &rest[head_end + 4..];
        let end = find(rest, &next_delimiter).ok_or("a part without a closing boundary")?;
        let bytes = rest[..end].to_vec();
        rest = &rest[end + next_delimiter.len()..];
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            bytes,
        };
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = param(value, "name").ok_or("a part without a name")?;
                part.file_name = param(value, "filename");
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_read_with_names_files_and_bytes() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"image_type\"\r\n\r\nmessage\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a b.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x00\r\n--XyZ--\r\n";
        let req = ReceivedRequest {
            operation: None,
            answered: true,
            method: "POST".into(),
            path: "/".into(),
            query: Vec::new(),
            authorization: None,
            content_type: Some("multipart/form-data; boundary=\"XyZ\"".into()),
            headers: Vec::new(),
            body: body.to_vec(),
        };
        let parts = req.multipart().expect("multipart");
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].text().as_str()),
            ("image_type", "message")
        );
        assert_eq!(parts[1].file_name.as_deref(), Some("a b.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].bytes, b"\x89PNG\r\n\x00");
        let broken = ReceivedRequest {
            body: b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".to_vec(),
            ..req.clone()
        };
        assert!(broken.multipart().is_err());
        let json = ReceivedRequest {
            content_type: Some("application/json".into()),
            ..req
        };
        assert!(json.multipart().unwrap_err().contains("not multipart"));
    }
}
