//! Decoding event callbacks into the generated [`ChatEvent`](crate::events::ChatEvent).

use serde::de::DeserializeOwned;
use std::fmt;

/// Peak heap memory of dispatching one callback, verification to handler, as a multiple of the
/// request body: measured on maximum-size (1 MiB) bodies by `tests/events_decode_memory.rs`.
///
/// Typed decoding reads the plaintext once, straight into the event types (no JSON tree in
/// between). What remains is the size of the types themselves: realistic payloads need a few
/// times their size, and the worst shape, an array of empty objects (`[{},{},…]`, three bytes
/// each), needs a struct of about 120 bytes per element plus the growth of the `Vec` holding
/// them. Bound the body size ([`WebhookConfig::max_body_size`](crate::events::webhook::WebhookConfig::max_body_size))
/// with this multiple in mind.
pub const DECODE_MEMORY_MULTIPLE: usize = 64;

/// A callback body that could not be decoded; names the JSON path that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventDecodeError {
    /// JSON path of the failure, e.g. `event.operator_id.open_id`; empty at the top level.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for EventDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "cannot decode event: {}", self.message)
        } else {
            write!(
                f,
                "cannot decode event at `{}`: {}",
                self.path, self.message
            )
        }
    }
}

impl std::error::Error for EventDecodeError {}

/// Routing facts read from a callback before it is decoded.
#[doc(hidden)]
#[derive(Debug)]
pub struct Route {
    /// Event type: `header.event_type` (2.0) or `event.type` (1.0).
    pub event_type: String,
}

#[derive(serde::Deserialize)]
struct Peek<'a> {
    #[serde(default, borrow)]
    schema: Option<&'a str>,
    #[serde(default, borrow)]
    header: Option<PeekHeader<'a>>,
    #[serde(default, borrow)]
    event: Option<PeekEvent<'a>>,
    #[serde(default, rename = "type", borrow)]
    callback_type: Option<&'a str>,
}

#[derive(serde::Deserialize)]
struct PeekHeader<'a> {
    #[serde(default, borrow)]
    event_type: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct PeekEvent<'a> {
    #[serde(default, rename = "type", borrow)]
    event_type: Option<std::borrow::Cow<'a, str>>,
}

fn err(path: &str, message: impl Into<String>) -> EventDecodeError {
    EventDecodeError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Reads the event type of a plaintext callback of either schema.
#[doc(hidden)]
pub fn peek_event(json: &[u8]) -> Result<Route, EventDecodeError> {
    let peek: Peek<'_> = serde_json::from_slice(json).map_err(|e| err("", e.to_string()))?;
    if peek.callback_type == Some("url_verification") {
        return Err(err("type", "a url_verification challenge is not an event"));
    }
    let event_type = match (peek.schema, peek.header, peek.event) {
        (
            Some(_),
            Some(PeekHeader {
                event_type: Some(t),
            }),
            _,
        ) => t,
        (Some(_), _, _) => {
            return Err(err("header.event_type", "missing in a schema 2.0 callback"))
        }
        (
            None,
            _,
            Some(PeekEvent {
                event_type: Some(t),
            }),
        ) => t,
        (None, _, _) => return Err(err("event.type", "missing in a schema 1.0 callback")),
    };
    Ok(Route {
        event_type: event_type.into_owned(),
    })
}

/// Decodes a whole callback into `T`, naming the failing path on error.
#[doc(hidden)]
pub fn decode_event<T: DeserializeOwned>(json: &[u8]) -> Result<T, EventDecodeError> {
    serde_json::from_slice(json).map_err(|_| {
        let de = &mut serde_json::Deserializer::from_slice(json);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) => err(&e.path().to_string(), e.into_inner().to_string()),
            Ok(_) => err("", "inconsistent decode"),
        }
    })
}
