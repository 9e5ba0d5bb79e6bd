//! An authenticated event payload and its routing facts.

use std::fmt;

use bytes::Bytes;

use super::envelope::Text;
use super::WebhookError;

/// Envelope version of an event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Schema {
    /// Legacy schema 1.0: no `schema` field; type in `event.type`, id in `uuid`, token at the
    /// top level.
    V1,
    /// Schema 2.0: `"schema":"2.0"`; type, id and token in `header`.
    V2,
}

/// Where a routing fact is: a byte range of the plaintext (the usual case, no copy) or, when the
/// JSON string held escapes, an unescaped copy.
#[derive(Clone)]
enum Slot {
    Span { start: usize, end: usize },
    Owned(Box<str>),
}

impl Slot {
    /// Locates a non-empty string field that was read from `base`, the plaintext the event will
    /// keep.
    fn locate(text: &Text<'_>, base: &str) -> Option<Self> {
        let s = text.as_str().filter(|s| !s.is_empty())?;
        if let Text::Borrowed(s) = text {
            let start = (s.as_ptr() as usize).checked_sub(base.as_ptr() as usize);
            if let Some(start) = start {
                let end = start + s.len();
                if end <= base.len() {
                    return Some(Self::Span { start, end });
                }
            }
        }
        Some(Self::Owned(s.into()))
    }
}

/// Routing facts of an event, located in its plaintext before the plaintext is moved into the
/// [`VerifiedEvent`].
#[derive(Clone)]
pub(crate) struct Facts {
    schema: Schema,
    event_type: Slot,
    dedup_key: Slot,
    tenant_key: Option<Slot>,
    app_id: Option<Slot>,
}

impl Facts {
    /// Locates the facts in `base`.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingEventType`] or [`WebhookError::MissingEventId`] when the field is
    /// absent, empty or not a string.
    pub(crate) fn locate(
        schema: Schema,
        base: &str,
        event_type: &Text<'_>,
        dedup_key: &Text<'_>,
        tenant_key: &Text<'_>,
        app_id: &Text<'_>,
    ) -> Result<Self, WebhookError> {
        Ok(Self {
            schema,
            event_type: Slot::locate(event_type, base).ok_or(WebhookError::MissingEventType)?,
            dedup_key: Slot::locate(dedup_key, base).ok_or(WebhookError::MissingEventId)?,
            tenant_key: Slot::locate(tenant_key, base),
            app_id: Slot::locate(app_id, base),
        })
    }
}

/// An event payload that passed every configured check (signature, timestamp window,
/// Verification Token), with the facts needed to route and de-duplicate it.
///
/// It keeps the decrypted plaintext JSON (a schema 1.0 or 2.0 envelope) for typed decoding;
/// routing facts are ranges of that plaintext, so building one costs no extra copies.
///
/// Its [`Debug`] output shows the routing facts and the plaintext size, never the plaintext:
/// the payload contains the Verification Token.
#[derive(Clone)]
pub struct VerifiedEvent {
    plaintext: Bytes,
    facts: Facts,
}

impl VerifiedEvent {
    /// Pairs `plaintext` with facts located in the very same bytes.
    pub(crate) fn new(plaintext: Bytes, facts: Facts) -> Self {
        Self { plaintext, facts }
    }

    fn text<'s>(&'s self, slot: &'s Slot) -> &'s str {
        match slot {
            // The range bounds a JSON string of the UTF-8-checked plaintext, so this never falls
            // back to the empty string.
            Slot::Span { start, end } => self
                .plaintext
                .get(*start..*end)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Slot::Owned(s) => s,
        }
    }

    /// The plaintext JSON payload (the whole envelope, `event` included), UTF-8.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// The plaintext as a cheaply clonable buffer, e.g. to hand it to a background task.
    pub fn plaintext_bytes(&self) -> Bytes {
        self.plaintext.clone()
    }

    /// Envelope version.
    pub fn schema(&self) -> Schema {
        self.facts.schema
    }

    /// Event type: `header.event_type` (schema 2.0, e.g. `im.chat.updated_v1`) or `event.type`
    /// (schema 1.0, e.g. `p2p_chat_create`). Never empty.
    pub fn event_type(&self) -> &str {
        self.text(&self.facts.event_type)
    }

    /// Key to de-duplicate redeliveries on: `header.event_id` (schema 2.0) or `uuid`
    /// (schema 1.0). Never empty. See [`DedupStore`](super::DedupStore).
    pub fn dedup_key(&self) -> &str {
        self.text(&self.facts.dedup_key)
    }

    /// Tenant the event belongs to (`header.tenant_key` or `event.tenant_key`), when present.
    pub fn tenant_key(&self) -> Option<&str> {
        self.facts.tenant_key.as_ref().map(|s| self.text(s))
    }

    /// App the event is addressed to (`header.app_id` or `event.app_id`), when present.
    pub fn app_id(&self) -> Option<&str> {
        self.facts.app_id.as_ref().map(|s| self.text(s))
    }

    /// Decodes the plaintext into the typed [`ChatEvent`](crate::events::ChatEvent): one of the known
    /// events, or [`ChatEvent::Unknown`](crate::events::ChatEvent::Unknown) keeping the event type and
    /// the raw JSON.
    ///
    /// Never panics, whatever the plaintext holds.
    ///
    /// ```
    /// use lark_im_chat::events::webhook::{Received, WebhookConfig, WebhookReceiver};
    /// use lark_im_chat::ChatEvent;
    ///
    /// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
    /// let body = br#"{"schema":"2.0","header":{"event_id":"e1","event_type":"im.chat.disbanded_v1","token":"vt"},"event":{"chat_id":"oc_1"}}"#;
    /// if let Ok(Received::Event(verified)) = receiver.receive(&http::HeaderMap::new(), body) {
    ///     match verified.decode()? {
    ///         ChatEvent::ChatDisbandedV1(e) => assert_eq!(e.event.chat_id.as_deref(), Some("oc_1")),
    ///         other => panic!("unexpected {}", other.event_type()),
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`](crate::events::EventDecodeError), naming the JSON path, when the payload of a
    /// known event type does not fit its typed form.
    pub fn decode(&self) -> Result<crate::events::ChatEvent, crate::events::EventDecodeError> {
        crate::events::ChatEvent::from_json(&self.plaintext)
    }
}

impl fmt::Debug for VerifiedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedEvent")
            .field("schema", &self.schema())
            .field("event_type", &self.event_type())
            .field("dedup_key", &self.dedup_key())
            .field("tenant_key", &self.tenant_key())
            .field("app_id", &self.app_id())
            .field("plaintext_len", &self.plaintext.len())
            .finish()
    }
}
