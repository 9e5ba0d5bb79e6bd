//! A request described, not yet sent: what generated builders produce and the transport consumes.
//!
//! Keeping the description separate from sending is what makes retries, tracing and other
//! transports cheap: they all work on an [`ApiRequest`].

use crate::meta::OperationMeta;
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
    /// JSON body, if the operation takes one.
    pub body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// Describes a request.
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
            body,
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

    /// The value of a query parameter, if present (the first one for arrays).
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
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
