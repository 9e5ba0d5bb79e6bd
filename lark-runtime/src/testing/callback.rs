//! Signed, optionally encrypted event callbacks, as the platform would send them to a
//! [`WebhookConfig`]: one line in a test instead of hand-made crypto.

use crate::events::webhook::{
    compute_signature, WebhookConfig, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use http::{HeaderMap, HeaderValue};
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// Event type of card action callbacks (a button clicked, a form submitted).
pub const CARD_ACTION_TRIGGER: &str = "card.action.trigger";

/// Nonce of callbacks built by [`Callback`] unless [`Callback::nonce`] sets another.
pub const CALLBACK_NONCE: &str = "lark-runtime-testing";

/// Builds the `(headers, body)` of a callback that a receiver with `config` accepts:
/// the Verification Token put into the payload, the payload encrypted and signed when the
/// config has an Encrypt Key, the timestamp in Unix seconds (now, unless set).
///
/// ```
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
/// use lark_runtime::events::{EventEnvelopeV2, EventHeaderV2};
/// use lark_runtime::testing::Callback;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WebhookConfig::builder().verification_token("vt").encrypt_key("ek").build()?;
/// // Typed events of a family serialize the same way (`EventEnvelopeV2::of(id, body)`).
/// let event = EventEnvelopeV2::new(
///     EventHeaderV2::new("ev_1", "im.chat.disbanded_v1"),
///     serde_json::json!({"chat_id": "oc_1"}),
/// );
/// let (headers, body) = Callback::new(&config).event(&event);
///
/// let webhook = Dispatcher::builder()
///     .fallback(|e| async move {
///         assert_eq!(e.to_value()?["event"]["chat_id"], "oc_1");
///         Ok(())
///     })
///     .build()?
///     .with_webhook(WebhookReceiver::new(config));
/// assert!(webhook.dispatch(&headers, &body).await.is_success());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Callback<'a> {
    config: &'a WebhookConfig,
    timestamp: Option<u64>,
    nonce: String,
    iv: Option<[u8; 16]>,
}

impl<'a> Callback<'a> {
    /// A callback for a receiver configured with `config`.
    pub fn new(config: &'a WebhookConfig) -> Self {
        Self {
            config,
            timestamp: None,
            nonce: CALLBACK_NONCE.to_owned(),
            iv: None,
        }
    }

    /// Sets `X-Lark-Request-Timestamp`, in Unix seconds (default: now).
    pub fn timestamp(mut self, unix_secs: u64) -> Self {
        self.timestamp = Some(unix_secs);
        self
    }

    /// Sets `X-Lark-Request-Nonce` (default [`CALLBACK_NONCE`]).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = nonce.into();
        self
    }

    /// Encrypts with this IV instead of a random one, for reproducible bodies.
    pub fn iv(mut self, iv: [u8; 16]) -> Self {
        self.iv = Some(iv);
        self
    }

    /// The callback of `event`: a typed envelope ([`EventEnvelopeV2`](crate::events::EventEnvelopeV2),
    /// [`EventEnvelopeV1`](crate::events::EventEnvelopeV1), a family's event enum) or any
    /// JSON value such as a fixture. The configured Verification Token replaces the payload's
    /// (`header.token` when the payload has a `schema`, the top-level `token` otherwise).
    ///
    /// # Panics
    ///
    /// When `event` does not serialize to a JSON object: a mistake in the test.
    pub fn event(&self, event: &impl serde::Serialize) -> (HeaderMap, Vec<u8>) {
        let mut value = match serde_json::to_value(event) {
            Ok(value @ Value::Object(_)) => value,
            Ok(other) => panic!("a callback payload is a JSON object, not {other}"),
            Err(e) => panic!("the callback payload does not serialize: {e}"),
        };
        if let Some(token) = self.config.verification_token() {
            let token = Value::String(token.expose().to_owned());
            if value.get("schema").is_some() {
                value["header"]["token"] = token;
            } else {
                value["token"] = token;
            }
        }
        let plaintext = serde_json::to_vec(&value).unwrap_or_default();
        self.payload(&plaintext)
    }

    /// A schema 2.0 envelope (`{schema, header: {event_id, event_type, create_time}, event}`)
    /// around any body: a message event from the family's typed value (`im.message.receive_v1`),
    /// a card callback as JSON, a fixture. Push it on a long connection, or pass it to
    /// [`event`](Self::event).
    ///
    /// # Panics
    ///
    /// When `body` does not serialize: a mistake in the test.
    pub fn envelope(event_id: &str, event_type: &str, body: &impl serde::Serialize) -> Value {
        let body = match serde_json::to_value(body) {
            Ok(body) => body,
            Err(e) => panic!("the event body does not serialize: {e}"),
        };
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        serde_json::json!({
            "schema": "2.0",
            "header": {
                "event_id": event_id,
                "event_type": event_type,
                "create_time": millis.to_string(),
            },
            "event": body,
        })
    }

    /// The callback of an event of `event_type` whose body is `body` (typed or JSON), in a
    /// schema 2.0 envelope with id `event_id`: verified, signed and encrypted as
    /// [`event`](Self::event) does.
    pub fn event_of(
        &self,
        event_id: &str,
        event_type: &str,
        body: &impl serde::Serialize,
    ) -> (HeaderMap, Vec<u8>) {
        self.event(&Self::envelope(event_id, event_type, body))
    }

    /// The callback of a card action ([`CARD_ACTION_TRIGGER`]) whose body (`operator`,
    /// `action`, `context`, …) is `body`, as JSON for now: signed and encrypted like events.
    pub fn card_action(
        &self,
        event_id: &str,
        body: &impl serde::Serialize,
    ) -> (HeaderMap, Vec<u8>) {
        self.event_of(event_id, CARD_ACTION_TRIGGER, body)
    }

    /// The callback of a plaintext payload taken as is (nothing inserted): encrypted and
    /// signed when the config has an Encrypt Key, sent as it is otherwise.
    pub fn payload(&self, plaintext: &[u8]) -> (HeaderMap, Vec<u8>) {
        let Some(key) = self.config.encrypt_key() else {
            return (HeaderMap::new(), plaintext.to_vec());
        };
        let encrypted = match self.iv {
            Some(iv) => key.encrypt_with_iv(plaintext, iv),
            None => key.encrypt(plaintext),
        };
        let body =
            serde_json::to_vec(&serde_json::json!({ "encrypt": encrypted })).unwrap_or_default();
        (self.sign(&body), body)
    }

    /// The signature headers of `body`, taken as is, with the config's Encrypt Key (none
    /// without a key): for requests a test shapes by hand, e.g. a tampered body.
    pub fn sign(&self, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let Some(key) = self.config.encrypt_key() else {
            return headers;
        };
        let timestamp = self
            .timestamp
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            })
            .to_string();
        let signature = compute_signature(&timestamp, &self.nonce, key, body);
        for (name, value) in [
            (TIMESTAMP_HEADER, timestamp.as_str()),
            (NONCE_HEADER, self.nonce.as_str()),
            (SIGNATURE_HEADER, signature.as_str()),
        ] {
            // A nonce that is no header value is a mistake in the test; it is left out.
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        headers
    }
}
