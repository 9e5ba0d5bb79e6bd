//! Decoding event callbacks into a family's generated event types, within a memory bound.

use serde::de::DeserializeOwned;
use std::fmt;

/// Peak heap memory of dispatching one callback larger than [`DENSE_PAYLOAD_CHECK_FROM`],
/// verification to handler, as a multiple of the request body: measured on maximum-size
/// (1 MiB) bodies by `tests/events_decode_memory.rs`. Smaller callbacks stay under this
/// multiple of [`DENSE_PAYLOAD_CHECK_FROM`].
///
/// Typed decoding reads the plaintext once, straight into the event types (no JSON tree in
/// between). What costs memory is the size of the types themselves: realistic payloads need
/// about twice their size, but an object of two bytes (`{}`) becomes a struct of about 120
/// bytes, in a `Vec` that grows by doubling, so a body made of empty objects would need 61
/// times its size. Hence the density check: a payload larger than [`DENSE_PAYLOAD_CHECK_FROM`]
/// with more than one JSON object or array per [`MIN_BYTES_PER_CONTAINER`] bytes is not
/// decoded (an [`EventDecodeError`]); no event the platform sends comes close.
pub const DECODE_MEMORY_MULTIPLE: usize = 16;

/// Payloads from this size on are checked for density before typed decoding (64 KiB).
pub const DENSE_PAYLOAD_CHECK_FROM: usize = 64 * 1024;

/// Fewest bytes per JSON object or array a payload larger than [`DENSE_PAYLOAD_CHECK_FROM`]
/// may average.
pub const MIN_BYTES_PER_CONTAINER: usize = 16;

/// Refuses a large payload whose objects and arrays are too dense to decode within
/// [`DECODE_MEMORY_MULTIPLE`]; one pass over the bytes, strings skipped.
fn check_density(json: &[u8]) -> Result<(), EventDecodeError> {
    if json.len() < DENSE_PAYLOAD_CHECK_FROM {
        return Ok(());
    }
    let mut containers = 0usize;
    outside_strings(json, |byte| {
        if matches!(byte, b'{' | b'[') {
            containers += 1;
        }
        true
    });
    let allowed = json.len() / MIN_BYTES_PER_CONTAINER;
    if containers > allowed {
        return Err(err(
            "",
            format!(
                "{containers} JSON objects and arrays in {} bytes, more than one per \
                 {MIN_BYTES_PER_CONTAINER} bytes: not decoded, to bound memory",
                json.len()
            ),
        ));
    }
    Ok(())
}

/// Calls `visit` with every byte of JSON `text` that is not inside a string (so brackets in
/// string values never count), until it returns `false`. One pass, no allocation: the
/// memory-bound checks of event payloads are built on it.
pub(crate) fn outside_strings(text: &[u8], mut visit: impl FnMut(u8) -> bool) {
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if !visit(byte) {
            return;
        }
    }
}

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

impl EventDecodeError {
    /// An error at `path` (empty: the top level).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

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
    check_density(json)?;
    serde_json::from_slice(json).map_err(|_| {
        let de = &mut serde_json::Deserializer::from_slice(json);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) => err(&e.path().to_string(), e.into_inner().to_string()),
            Ok(_) => err("", "inconsistent decode"),
        }
    })
}
