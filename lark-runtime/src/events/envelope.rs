//! The callback envelopes every family's events arrive in (schema 2.0 `{schema, header, event}`
//! and legacy 1.0 `{ts, uuid, token, type, event}`), their wire keys and drift shapes (the one
//! place they are written), and constructors so that tests and simulators can build typed
//! events (the envelopes are `#[non_exhaustive]`).

use crate::auth::Secret;
use crate::drift::shape::{Field, Object};
use crate::events::Event;
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// Keys of a schema 2.0 callback.
pub const EVENT_V2_KEYS: &[&str] = &["schema", "header", "event"];

/// Keys of the `header` of a schema 2.0 callback.
pub const EVENT_V2_HEADER_KEYS: &[&str] = &[
    "event_id",
    "event_type",
    "create_time",
    "token",
    "app_id",
    "tenant_key",
];

/// Keys of a legacy schema 1.0 callback.
pub const EVENT_V1_KEYS: &[&str] = &["ts", "uuid", "token", "type", "event"];

/// Drift shape of [`EventHeaderV2`] (fields sorted by wire name).
pub static EVENT_HEADER_V2_SHAPE: Object = Object {
    name: "EventHeaderV2",
    fields: &[
        Field::any("app_id"),
        Field::any("create_time"),
        Field::any("event_id"),
        Field::any("event_type"),
        Field::any("tenant_key"),
        Field::any("token"),
    ],
};

/// Drift shape of [`EventEnvelopeV2`]; `event` holds the event's own shape.
pub static EVENT_ENVELOPE_V2_SHAPE: Object = Object {
    name: "EventEnvelopeV2",
    fields: &[
        Field::any("event"),
        Field::object("header", &EVENT_HEADER_V2_SHAPE),
        Field::any("schema"),
    ],
};

/// Drift shape of [`EventEnvelopeV1`]; `event` holds the event's own shape.
pub static EVENT_ENVELOPE_V1_SHAPE: Object = Object {
    name: "EventEnvelopeV1",
    fields: &[
        Field::any("event"),
        Field::any("token"),
        Field::any("ts"),
        Field::any("type"),
        Field::any("uuid"),
    ],
};

/// Header of a schema 2.0 callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventHeaderV2 {
    /// Unique id of this event; redeliveries repeat it.
    pub event_id: String,
    /// Event type, e.g. `im.chat.updated_v1`.
    pub event_type: String,
    /// When the event happened, as the platform sent it (a string of digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// The app's verification token; never shown in `Debug` output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// App id, `cli_` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Tenant where the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_key: Option<String>,
}

/// A schema 2.0 callback: `{schema, header, event}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventEnvelopeV2<E> {
    /// Always `"2.0"`.
    pub schema: String,
    /// Routing facts.
    pub header: EventHeaderV2,
    /// The event body.
    pub event: E,
}

/// A legacy schema 1.0 callback: `{ts, uuid, token, type, event}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventEnvelopeV1<E> {
    /// Send time, Unix seconds with a fraction, as a string.
    pub ts: String,
    /// Unique id of this event; redeliveries repeat it.
    pub uuid: String,
    /// The app's verification token; never shown in `Debug` output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// `event_callback`.
    #[serde(rename = "type")]
    pub callback_type: String,
    /// The event body; its `type` names the event.
    pub event: E,
}

impl EventHeaderV2 {
    /// A header with the event id and type; the other fields unset.
    pub fn new(event_id: impl Into<String>, event_type: impl Into<String>) -> Self {
        Self {
            event_id: event_id.into(),
            event_type: event_type.into(),
            create_time: None,
            token: None,
            app_id: None,
            tenant_key: None,
        }
    }

    /// Sets `create_time` (Unix milliseconds, as the platform sends it).
    #[must_use]
    pub fn create_time(mut self, millis: u64) -> Self {
        self.create_time = Some(millis.to_string());
        self
    }

    /// Sets the Verification Token carried by the event.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }

    /// Sets the app id (`cli_…`).
    #[must_use]
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Sets the tenant key.
    #[must_use]
    pub fn tenant_key(mut self, tenant_key: impl Into<String>) -> Self {
        self.tenant_key = Some(tenant_key.into());
        self
    }
}

impl<E> EventEnvelopeV2<E> {
    /// A schema 2.0 envelope around `event`.
    pub fn new(header: EventHeaderV2, event: E) -> Self {
        Self {
            schema: "2.0".to_owned(),
            header,
            event,
        }
    }
}

impl<E: Event<Envelope = EventEnvelopeV2<E>>> EventEnvelopeV2<E> {
    /// A schema 2.0 envelope around `event`, with id `event_id` and the event type of `E`.
    ///
    /// With a family's event (here the group-chat family's, as a sketch):
    ///
    /// ```text
    /// let envelope = EventEnvelopeV2::of("ev_1", ChatDisbandedV1::new().chat_id("oc_1"));
    /// assert_eq!(envelope.header.event_type, "im.chat.disbanded_v1");
    /// ```
    pub fn of(event_id: impl Into<String>, event: E) -> Self {
        Self::new(EventHeaderV2::new(event_id, E::EVENT_TYPE), event)
    }

    /// Sets the header's app id.
    #[must_use]
    pub fn with_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.header.app_id = Some(app_id.into());
        self
    }
}

impl<E> EventEnvelopeV1<E> {
    /// A schema 1.0 envelope (`"type":"event_callback"`) around `event`, with id `uuid`,
    /// sent now.
    pub fn new(uuid: impl Into<String>, event: E) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            ts: format!("{}.{:06}", now.as_secs(), now.subsec_micros()),
            uuid: uuid.into(),
            token: None,
            callback_type: "event_callback".to_owned(),
            event,
        }
    }

    /// Sets the Verification Token carried by the event.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_keys(shape: &Object) -> Vec<&'static str> {
        let mut keys: Vec<_> = shape.fields.iter().map(|f| f.wire).collect();
        keys.sort_unstable();
        keys
    }

    fn sorted(keys: &[&'static str]) -> Vec<&'static str> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn shapes_keys_and_structs_agree() {
        assert_eq!(wire_keys(&EVENT_ENVELOPE_V2_SHAPE), sorted(EVENT_V2_KEYS));
        assert_eq!(
            wire_keys(&EVENT_HEADER_V2_SHAPE),
            sorted(EVENT_V2_HEADER_KEYS)
        );
        assert_eq!(wire_keys(&EVENT_ENVELOPE_V1_SHAPE), sorted(EVENT_V1_KEYS));
        let v2 = EventEnvelopeV2::new(
            EventHeaderV2::new("e", "t")
                .create_time(1)
                .token("vt")
                .app_id("cli_1")
                .tenant_key("tk"),
            serde_json::json!({}),
        );
        let json = serde_json::to_value(&v2).expect("json");
        let object = json.as_object().expect("object");
        assert!(
            object.len() == EVENT_V2_KEYS.len()
                && EVENT_V2_KEYS.iter().all(|k| object.contains_key(*k))
        );
        let header = json["header"].as_object().expect("header");
        assert!(EVENT_V2_HEADER_KEYS.iter().all(|k| header.contains_key(*k)));
        let v1 = EventEnvelopeV1::new("u", serde_json::json!({})).token("vt");
        let json = serde_json::to_value(&v1).expect("json");
        let object = json.as_object().expect("object");
        assert!(
            object.len() == EVENT_V1_KEYS.len()
                && EVENT_V1_KEYS.iter().all(|k| object.contains_key(*k))
        );
    }
}
