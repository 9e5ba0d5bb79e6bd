//! Constructors of the generated event envelopes, so that tests and simulators outside this
//! crate can build typed events (the envelopes are `#[non_exhaustive]`).

use crate::auth::Secret;
use crate::events::dispatch::DispatchEvent;
use crate::generated::events::{EventEnvelopeV1, EventEnvelopeV2, EventHeaderV2};
use std::time::{SystemTime, UNIX_EPOCH};

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

impl<E: DispatchEvent<Envelope = EventEnvelopeV2<E>>> EventEnvelopeV2<E> {
    /// A schema 2.0 envelope around `event`, with id `event_id` and the event type of `E`.
    ///
    /// ```
    /// use lark_im_chat::events::{ChatDisbandedV1, EventEnvelopeV2};
    ///
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
