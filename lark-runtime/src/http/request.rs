//! A request described, not yet sent: what generated builders produce and the transport consumes.
//!
//! Keeping the description separate from sending is what makes retries, tracing and other
//! transports cheap: they all work on an [`ApiRequest`].

use crate::meta::OperationMeta;
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
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
        }
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

    /// Whether the request carries its operation's idempotency key.
    pub fn carries_idempotency_key(&self) -> bool {
        self.meta
            .idempotency_key
            .is_some_and(|key| self.query.iter().any(|(k, _)| *k == key))
    }

    /// Adds a random idempotency key (a UUID v4) when the operation has one (`uuid` of
    /// `chat.create`) and the request does not carry it yet; otherwise returns the request as is.
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
        if let Some(key) = self.meta.idempotency_key {
            if !self.carries_idempotency_key() {
                self.query.push((key, random_uuid()));
            }
        }
        self
    }

    /// The idempotency key the request carries, if any.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.meta.idempotency_key.and_then(|k| self.query_value(k))
    }

    /// The value of a query parameter, if present (the first one for arrays).
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
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
