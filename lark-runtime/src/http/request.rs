//! A request described, not yet sent: what generated builders produce and the transport consumes.
//!
//! Keeping the description separate from sending is what makes retries, tracing and other
//! transports cheap: they all work on an [`ApiRequest`].

use crate::http::Multipart;
use crate::meta::{KeyLocation, OperationMeta};
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;

/// Characters left as they are in a path segment or query value (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One call of one operation, fully described.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiRequest {
    /// The operation's static facts.
    pub meta: &'static OperationMeta,
    /// Path with variables filled in and escaped.
    pub path: String,
    /// Query parameters in order; arrays appear as repeated keys.
    pub query: Vec<(&'static str, String)>,
    /// JSON body, if the operation takes one. Shared, not copied, by every attempt of a retry.
    pub body: Option<Bytes>,
    /// Multipart body, for an upload (then `body` is `None`).
    pub form: Option<Multipart>,
}

impl ApiRequest {
    /// Describes a request. The body is taken without copying.
    pub fn new(
        meta: &'static OperationMeta,
        path: String,
        query: Vec<(&'static str, String)>,
        body: Option<Vec<u8>>,
    ) -> Self {
        Self {
            meta,
            path,
            query,
            body: body.map(Bytes::from),
            form: None,
        }
    }

    /// The request with a multipart body in place of any JSON body.
    pub fn with_form(mut self, form: Multipart) -> Self {
        self.body = None;
        self.form = Some(form);
        self
    }

    /// Whether the body can be sent more than once: always, except for a multipart body with a
    /// part read from a reader ([`FilePart::reader`](crate::http::FilePart::reader)), which is
    /// never retried.
    pub fn is_replayable(&self) -> bool {
        self.form.as_ref().map_or(true, Multipart::is_replayable)
    }

    /// Path and query string, escaped, e.g. `/open-apis/im/v1/chats?page_size=50`.
    pub fn path_and_query(&self) -> String {
        let mut out = String::with_capacity(self.path.len() + 16 * self.query.len());
        out.push_str(&self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            out.extend(utf8_percent_encode(v, UNRESERVED));
        }
        out
    }

    /// Whether the request carries its operation's idempotency key, non-empty: as a query
    /// parameter or as a top-level string field of the JSON body, as the spec says
    /// ([`OperationMeta::idempotency_key_in`]). An empty key de-duplicates nothing.
    pub fn carries_idempotency_key(&self) -> bool {
        self.idempotency_key().is_some_and(|k| !k.is_empty())
    }

    /// Adds a random idempotency key (a UUID v4) when the operation has one and the request does
    /// not carry it yet; otherwise returns the request as is. A key the caller set, whatever its
    /// value, is kept as given.
    ///
    /// A query key (`uuid` of `chat.create`) is appended to the query; a body key (`uuid` of
    /// `message.create`) is written into the JSON body object (`{}` when there was no body).
    /// Generated builders of operations with a body key call this in `to_request`, so such
    /// sends are always retry-safe; for a query key it is yours to call.
    ///
    /// The key is fixed in the described request, so every retry of one send carries the same
    /// one. Keep the request (or the key, [`idempotency_key`](Self::idempotency_key)) if you may
    /// send it again after a crash: a new key means a new chat.
    ///
    /// With the group-chat family's `chat.create` (a sketch; that crate's docs run it):
    ///
    /// ```text
    /// let req = client
    ///     .chats()
    ///     .create()
    ///     .body(ChatCreateBody::new().name("Incident 4711"))
    ///     .to_request()?
    ///     .with_auto_idempotency_key();
    /// println!("creating with uuid {:?}", req.idempotency_key());
    /// let created: ChatCreated = client.ctx().send(req).await?;
    /// ```
    pub fn with_auto_idempotency_key(mut self) -> Self {
        let Some(key) = self.meta.idempotency_key else {
            return self;
        };
        match self.meta.idempotency_key_in {
            KeyLocation::Query => {
                if self.query_value(key).is_none() {
                    self.query.push((key, random_uuid()));
                }
            }
            KeyLocation::Body => {
                if let Some(body) = body_with_field(self.body.as_deref(), key, &random_uuid()) {
                    self.body = Some(Bytes::from(body));
                }
            }
            // No spec names a path variable as idempotency key (the generator refuses it).
            KeyLocation::Path => {}
        }
        self
    }

    /// The idempotency key the request carries, if any. A body key is read from the JSON body
    /// (a value written with JSON escapes is not recognised, so such a request is not retried).
    pub fn idempotency_key(&self) -> Option<&str> {
        let key = self.meta.idempotency_key?;
        match self.meta.idempotency_key_in {
            KeyLocation::Query => self.query_value(key),
            KeyLocation::Body => body_string(self.body.as_deref()?, key),
            KeyLocation::Path => None,
        }
    }

    /// The value of a query parameter, if present (the first one for arrays).
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The top-level fields of a JSON object body, unparsed; `None` when the body is no JSON object.
fn body_fields(body: &[u8]) -> Option<HashMap<Cow<'_, str>, &RawValue>> {
    serde_json::from_slice(body).ok()
}

/// The top-level string field `key` of a JSON object body (a value written with JSON escapes is
/// not recognised).
pub(super) fn body_string<'a>(body: &'a [u8], key: &str) -> Option<&'a str> {
    body_fields(body)?
        .remove(key)
        .and_then(|raw| serde_json::from_str::<&str>(raw.get()).ok())
}

/// `body` with `"field":"value"` added as the first field of its JSON object; `None` (leave the
/// body as it is) when the object already has that field or the body is not a JSON object. No
/// body becomes `{"field":"value"}`.
fn body_with_field(body: Option<&[u8]>, field: &str, value: &str) -> Option<Vec<u8>> {
    let body = body.unwrap_or(b"{}");
    if body_fields(body)?.contains_key(field) {
        return None;
    }
    // A JSON object: `{`, then optional whitespace, then `}` or its first field.
    let open = body.iter().position(|b| *b == b'{')?;
    let rest = &body[open + 1..];
    let empty = rest
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'}');
    let pair = format!(
        "{}:{}{}",
        serde_json::Value::from(field),
        serde_json::Value::from(value),
        if empty { "" } else { "," }
    );
    let mut out = Vec::with_capacity(body.len() + pair.len());
    out.extend_from_slice(&body[..=open]);
    out.extend_from_slice(pair.as_bytes());
    out.extend_from_slice(rest);
    Some(out)
}

/// A random UUID v4, e.g. `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
fn random_uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Appends one path variable, escaped as a single segment (`/`, `?`, `#` included).
pub fn push_segment(path: &mut String, value: &str) {
    path.extend(utf8_percent_encode(value, UNRESERVED));
}

/// Query parameters under construction.
#[derive(Debug, Default)]
pub struct Query(Vec<(&'static str, String)>);

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds `key=value`.
    pub fn push(&mut self, key: &'static str, value: impl Display) {
        self.0.push((key, value.to_string()));
    }

    /// Adds `key=value` when the value is set.
    pub fn push_opt<V: Display>(&mut self, key: &'static str, value: Option<V>) {
        if let Some(v) = value {
            self.push(key, v);
        }
    }

    /// Adds one `key=value` per item (the platform's array convention).
    pub fn push_all<V: Display>(&mut self, key: &'static str, values: impl IntoIterator<Item = V>) {
        for v in values {
            self.push(key, v);
        }
    }

    /// The parameters in order.
    pub fn into_vec(self) -> Vec<(&'static str, String)> {
        self.0
    }
}

/// Serializes a request body.
pub fn json_body<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, crate::Error> {
    serde_json::to_vec(body)
        .map_err(|e| crate::Error::validation("body", format!("cannot be serialized: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{body_fields, body_with_field};

    fn added(body: Option<&str>) -> Option<String> {
        body_with_field(body.map(str::as_bytes), "uuid", "k-1")
            .map(|b| String::from_utf8(b).expect("utf-8"))
    }

    #[test]
    fn a_body_key_is_added_once_and_a_given_one_is_kept() {
        assert_eq!(added(None).as_deref(), Some(r#"{"uuid":"k-1"}"#));
        assert_eq!(
            added(Some(" { } ")).as_deref(),
            Some(r#" {"uuid":"k-1" } "#)
        );
        assert_eq!(
            added(Some(r#"{"a":1}"#)).as_deref(),
            Some(r#"{"uuid":"k-1","a":1}"#)
        );
        assert_eq!(added(Some(r#"{"uuid":"mine"}"#)), None);
        assert_eq!(added(Some(r#"{"uuid":null}"#)), None);
        assert_eq!(added(Some("[1]")), None);
        let body = added(Some(r#"{"a":"x"}"#)).expect("added");
        let fields = body_fields(body.as_bytes()).expect("an object");
        assert_eq!(fields["uuid"].get(), r#""k-1""#);
    }
}
