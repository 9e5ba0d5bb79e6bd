//! An authenticated event payload and its routing facts.

use std::fmt;

use bytes::Bytes;

use super::envelope::{self, Envelope, Text};
use super::WebhookError;

/// What an accepted request or payload turned out to be.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Received {
    /// A `url_verification` request: answer HTTP 200 with `challenge_response_body(&challenge)`
    /// (feature `webhook`).
    Challenge {
        /// The value to echo back.
        challenge: String,
    },
    /// An event that passed every configured check. Answer HTTP 200 quickly (the platform waits
    /// 3 seconds), de-duplicate on [`VerifiedEvent::dedup_key`] and process it asynchronously.
    Event(VerifiedEvent),
}

/// Locates the routing facts of a parsed event payload whose text is `base`.
///
/// # Errors
///
/// [`WebhookError::UnsupportedSchema`], or a missing event type or id.
pub(crate) fn locate(env: Envelope<'_>, base: &str) -> Result<Facts, WebhookError> {
    let schema = match env.schema.as_str() {
        None => Schema::V1,
        Some("2.0") => Schema::V2,
        Some(_) => return Err(WebhookError::UnsupportedSchema),
    };
    match schema {
        Schema::V2 => {
            let header = env.header.0.unwrap_or_default();
            Facts::locate(
                schema,
                base,
                &header.event_type,
                &header.event_id,
                &header.tenant_key,
                &header.app_id,
            )
        }
        Schema::V1 => {
            let event = env.event.0.unwrap_or_default();
            Facts::locate(
                schema,
                base,
                &event.kind,
                &env.uuid,
                &event.tenant_key,
                &event.app_id,
            )
        }
    }
}

/// Reads a plaintext payload that arrived over a transport authenticated by other means (the
/// long connection): no secret, signature or timestamp applies, and the caller bounds the size.
///
/// # Errors
///
/// [`WebhookError`] when the payload is not a JSON object of either schema with an event type
/// and id.
pub(crate) fn receive_trusted(body: &[u8]) -> Result<Received, WebhookError> {
    let text = envelope::utf8(body)?;
    let env = envelope::parse(text)?;
    if env.kind.as_str() == Some("url_verification") {
        let challenge = env
            .challenge
            .into_string()
            .ok_or(WebhookError::MissingChallenge)?;
        return Ok(Received::Challenge { challenge });
    }
    let facts = locate(env, text)?;
    Ok(Received::Event(VerifiedEvent::new(
        bytes::Bytes::copy_from_slice(body),
        facts,
    )))
}

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

    /// Decodes the plaintext as event `E` (any family's generated event type).
    ///
    /// Never panics, whatever the plaintext holds.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`](crate::events::EventDecodeError), naming the JSON path, when the
    /// payload does not fit the typed form of `E`.
    pub fn decode<E: crate::events::Event>(
        &self,
    ) -> Result<E::Envelope, crate::events::EventDecodeError> {
        E::decode(&self.plaintext)
    }

    /// The event undecoded, as a dispatcher's fallback receives it.
    ///
    /// # Errors
    ///
    /// [`EventDecodeError`](crate::events::EventDecodeError) when the plaintext nests deeper
    /// than the JSON parser allows.
    pub fn to_raw(&self) -> Result<crate::events::RawEvent, crate::events::EventDecodeError> {
        crate::events::RawEvent::from_json(self.event_type(), self.dedup_key(), &self.plaintext)
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
