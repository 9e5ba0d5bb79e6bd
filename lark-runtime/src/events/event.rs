//! What a family's generated event types implement, and what an event of a type no handler
//! takes arrives as.

use super::decode::{decode_event, outside_strings, EventDecodeError};
use crate::meta::EventMeta;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::fmt;

/// An event body type of some family: its wire type, the envelope it arrives in, and its
/// metadata. Implemented by generated code (each event body of a family crate);
/// a [`Dispatcher`](super::dispatch::Dispatcher) routes an event to the handler registered
/// for its type with [`DispatcherBuilder::on`](super::dispatch::DispatcherBuilder::on).
///
/// ```
/// use lark_runtime::events::{Event, EventEnvelopeV2};
/// use lark_runtime::meta::{EventMeta, EventSchema};
/// use lark_runtime::drift::shape;
///
/// #[derive(serde::Deserialize)]
/// struct NotePinned { note_id: Option<String> }
///
/// static BODY: shape::Object = shape::Object { name: "NotePinned", fields: &[shape::Field::any("note_id")] };
/// static SHAPE: shape::Event = shape::Event {
///     event_type: "note.pinned_v1",
///     envelope: &lark_runtime::events::EVENT_ENVELOPE_V2_SHAPE,
///     body: &BODY,
/// };
/// static META: EventMeta = EventMeta::new("note.pinned_v1", "A note was pinned.", EventSchema::V2, &[], &[], "", &SHAPE);
///
/// impl Event for NotePinned {
///     const EVENT_TYPE: &'static str = "note.pinned_v1";
///     type Envelope = EventEnvelopeV2<Self>;
///     fn meta() -> &'static EventMeta { &META }
/// }
/// assert_eq!(NotePinned::meta().event_type, NotePinned::EVENT_TYPE);
/// ```
pub trait Event: Send + Sync + 'static {
    /// The event type on the wire, e.g. `im.chat.updated_v1`.
    const EVENT_TYPE: &'static str;

    /// What handlers receive: [`EventEnvelopeV2`](super::EventEnvelopeV2)`<Self>` for schema
    /// 2.0 events, [`EventEnvelopeV1`](super::EventEnvelopeV1)`<Self>` for legacy ones.
    type Envelope: DeserializeOwned + Send + 'static;

    /// What the spec says about the event (scopes, docs, shape for drift notes).
    fn meta() -> &'static EventMeta;

    /// Decodes a whole callback body (plaintext JSON) of this type.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`] naming the JSON path that does not fit.
    fn decode(json: &[u8]) -> Result<Self::Envelope, EventDecodeError> {
        decode_event(json)
    }
}

/// An event as it arrived, undecoded: what a dispatcher's fallback receives for event types no
/// handler takes (a family's generated event enum decodes it further, e.g.
/// `ChatEvent::from_raw` of the group-chat family).
#[derive(Clone)]
pub struct RawEvent {
    event_type: String,
    event_id: String,
    json: Box<RawValue>,
}

impl RawEvent {
    /// An event of `event_type` with id `event_id` and this whole callback body.
    pub fn new(
        event_type: impl Into<String>,
        event_id: impl Into<String>,
        json: Box<RawValue>,
    ) -> Self {
        Self {
            event_type: event_type.into(),
            event_id: event_id.into(),
            json,
        }
    }

    /// Parses a whole callback body (plaintext JSON), keeping its text.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`] when the body is not JSON (or nests deeper than the parser allows).
    pub fn from_json(
        event_type: impl Into<String>,
        event_id: impl Into<String>,
        json: &[u8],
    ) -> Result<Self, EventDecodeError> {
        let json: Box<RawValue> =
            serde_json::from_slice(json).map_err(|e| EventDecodeError::new("", e.to_string()))?;
        // Reading JSON text does not limit its nesting; a tree (`to_value`, a family's enum)
        // does: keep the promise that a held body can be read as one.
        if nests_deeper_than_a_tree_can(json.get()) {
            return Err(EventDecodeError::new(
                "",
                format!("nested deeper than {MAX_TREE_DEPTH} levels"),
            ));
        }
        Ok(Self::new(event_type, event_id, json))
    }

    /// The event type, e.g. `im.chat.updated_v1`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The event id (`header.event_id`, or `uuid` of a legacy callback).
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// The whole callback body as JSON text.
    pub fn json(&self) -> &RawValue {
        &self.json
    }

    /// The whole callback body as a JSON tree.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`] when the body nests deeper than the parser allows.
    pub fn to_value(&self) -> Result<serde_json::Value, EventDecodeError> {
        serde_json::from_str(self.json.get()).map_err(|e| EventDecodeError::new("", e.to_string()))
    }

    /// Decodes the body as event `E`, whatever type it announced.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`] naming the JSON path that does not fit.
    pub fn decode<E: Event>(&self) -> Result<E::Envelope, EventDecodeError> {
        E::decode(self.json.get().as_bytes())
    }
}

impl fmt::Debug for RawEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold personal data and the Verification Token: only its size.
        f.debug_struct("RawEvent")
            .field("event_type", &self.event_type)
            .field("event_id", &self.event_id)
            .field("json_len", &self.json.get().len())
            .finish()
    }
}

/// Levels of nesting serde_json reads into a tree (its recursion limit is 128: the 128th
/// level is refused).
const MAX_TREE_DEPTH: usize = 127;

/// Whether valid JSON `text` nests arrays or objects deeper than [`MAX_TREE_DEPTH`].
fn nests_deeper_than_a_tree_can(text: &str) -> bool {
    let (mut depth, mut deeper) = (0usize, false);
    outside_strings(text.as_bytes(), |byte| {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                deeper = depth > MAX_TREE_DEPTH;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        !deeper
    });
    deeper
}

#[cfg(test)]
mod tests {
    use super::RawEvent;

    fn nested(depth: usize) -> String {
        format!(
            r#"{{"s":"[{{\\\"","d":{}{}}}"#,
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    }

    #[test]
    fn a_raw_event_holds_exactly_what_a_json_tree_can() {
        for depth in [1, 2, 126, 127, 128, 129, 1_000] {
            let text = nested(depth);
            let tree = serde_json::from_str::<serde_json::Value>(&text);
            let raw = RawEvent::from_json("t", "e", text.as_bytes());
            assert_eq!(raw.is_ok(), tree.is_ok(), "depth {depth}: {tree:?}");
            if let Ok(raw) = raw {
                assert!(raw.to_value().is_ok());
            }
        }
        assert!(serde_json::from_str::<serde_json::Value>(&nested(127)).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&nested(128)).is_err());
    }
}
