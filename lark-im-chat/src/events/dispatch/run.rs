//! Running one callback through verification, decoding, de-duplication and its handler.

use super::outcome::{EventInfo, HandlerPanicked, Outcome};
use super::table::{registered, slot_of, EVENT_COUNT};
use super::{Erased, HandlerError};
use crate::events::webhook::{DedupOutcome, DedupStore, Received, VerifiedEvent, WebhookReceiver};
use crate::generated::events::ChatEvent;
use bytes::Bytes;
use futures::FutureExt as _;
use http::{HeaderMap, StatusCode};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::SystemTime;

/// Runs event callbacks of one app through verification, typed decoding, de-duplication and
/// the registered handlers, and tells what to answer.
///
/// Cheap to clone (the handlers are shared), `Send + Sync`: build it once and share it between
/// request tasks.
///
/// # Example
///
/// ```
/// use lark_im_chat::events::dispatch::Dispatcher;
/// use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
/// use lark_im_chat::ChatEvent;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WebhookConfig::builder()
///     .verification_token("verification-token")
///     // .encrypt_key("encrypt-key") // recommended: encrypted, signed callbacks
///     .build()?;
///
/// let dispatcher = Dispatcher::builder(WebhookReceiver::new(config))
///     .on_chat_updated(|e| async move {
///         println!("chat {:?} changed: {:?}", e.event.chat_id, e.event.after_change);
///         Ok(())
///     })
///     .on_chat_member_user_added(|e| async move {
///         let users = e.event.users.unwrap_or_default();
///         println!("{} users joined {:?}", users.len(), e.event.chat_id);
///         Ok(())
///     })
///     .fallback(|event: ChatEvent| async move {
///         println!("unhandled {} event", event.event_type());
///         Ok(())
///     })
///     .build()?; // fails if an event type got two handlers
///
/// // In the HTTP server, for every POST to the callback URL:
/// let headers = http::HeaderMap::new();
/// let body = br#"{"schema":"2.0","header":{"event_id":"5e3702a8","event_type":"im.chat.updated_v1","token":"verification-token"},"event":{"chat_id":"oc_a0553eda9014c201e6969b478895c230"}}"#;
/// let (status, response_body) = dispatcher.dispatch(&headers, body).await.into_response();
/// assert_eq!(status, http::StatusCode::OK);
/// assert_eq!(&response_body[..], br#"{"msg":"success"}"#);
///
/// // A redelivery is acknowledged without calling the handler again.
/// let outcome = dispatcher.dispatch(&headers, body).await;
/// assert!(outcome.is_duplicate());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) receiver: WebhookReceiver,
    pub(super) dedup: Option<Arc<dyn DedupStore>>,
    pub(super) handlers: [Option<Erased>; EVENT_COUNT],
    pub(super) fallback: Option<Erased>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("receiver", &self.inner.receiver)
            .field("dedup", &self.inner.dedup.is_some())
            .field("handlers", &registered(&self.inner.handlers))
            .field("fallback", &self.inner.fallback.is_some())
            .finish()
    }
}

impl Dispatcher {
    /// The receiver that verifies requests.
    pub fn receiver(&self) -> &WebhookReceiver {
        &self.inner.receiver
    }

    /// Handles one callback request with the system clock as the time of receipt; see the
    /// [module documentation](super) for the steps.
    ///
    /// `body` must be the HTTP body exactly as received: the signature covers its bytes.
    /// Never panics, whatever the request holds; a panicking handler is reported as
    /// [`Outcome::HandlerFailed`].
    ///
    /// If the returned future is dropped while a handler runs (e.g. the connection closed),
    /// the event id is forgotten by the de-duplication store (on the current tokio runtime), so
    /// that the platform's redelivery is processed. To let handlers finish instead, run the
    /// future in a task of its own, as the axum integration (feature `axum`) does.
    pub async fn dispatch(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        self.dispatch_at(headers, body, SystemTime::now()).await
    }

    /// Same as [`dispatch`](Self::dispatch) with an explicit time of receipt, for tests and
    /// for replaying stored requests.
    pub async fn dispatch_at(&self, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Outcome {
        match self.inner.receiver.receive_at(headers, body, now) {
            Ok(Received::Event(event)) => self.dispatch_verified(event).await,
            Ok(Received::Challenge { challenge }) => Outcome::Challenge { challenge },
            Err(error) => {
                tracing::warn!(status = %error.status(), %error, "webhook request refused");
                Outcome::Rejected(error)
            }
        }
    }

    /// Same as [`dispatch`](Self::dispatch), answering with the HTTP status and body
    /// ([`Outcome::into_response`]).
    pub async fn handle(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, Bytes) {
        self.dispatch(headers, body).await.into_response()
    }

    /// Runs steps 2 to 5 on a plaintext event payload (a schema 1.0 or 2.0 envelope) that
    /// arrived over a transport authenticated by other means, such as the long connection:
    /// no signature, decryption, timestamp or Verification Token check applies, and the
    /// caller bounds the payload size. A payload that is not a JSON object, or lacks the
    /// event type or id, is [`Outcome::Rejected`].
    pub async fn dispatch_plaintext(&self, payload: &[u8]) -> Outcome {
        static PLAINTEXT: std::sync::OnceLock<WebhookReceiver> = std::sync::OnceLock::new();
        let receiver = PLAINTEXT.get_or_init(|| {
            let config = crate::events::webhook::WebhookConfig::builder()
                .max_body_size(usize::MAX)
                .build()
                .unwrap_or_default();
            // Its warning about missing secrets is meant for HTTP callbacks, not for this.
            let quiet = tracing::subscriber::NoSubscriber::default();
            tracing::subscriber::with_default(quiet, || WebhookReceiver::new(config))
        });
        match receiver.receive_at(&HeaderMap::new(), payload, SystemTime::now()) {
            Ok(Received::Event(event)) => self.dispatch_verified(event).await,
            Ok(Received::Challenge { challenge }) => Outcome::Challenge { challenge },
            Err(error) => Outcome::Rejected(error),
        }
    }

    /// Runs steps 2 to 5 (decoding, routing, de-duplication, handler) on an event that was
    /// already verified, e.g. by a [`WebhookReceiver`] called directly.
    pub async fn dispatch_verified(&self, event: VerifiedEvent) -> Outcome {
        let info = EventInfo {
            event_type: event.event_type().to_owned(),
            event_id: event.dedup_key().to_owned(),
        };
        let decoded = match event.decode() {
            Ok(decoded) => decoded,
            Err(error) => {
                tracing::error!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    %error,
                    "verified event could not be decoded"
                );
                return Outcome::Undecodable { info, error };
            }
        };
        let inner = &*self.inner;
        let handler = slot_of(&decoded)
            .and_then(|slot| inner.handlers[slot].as_ref())
            .or(inner.fallback.as_ref());
        let Some(handler) = handler else {
            tracing::debug!(event_type = %info.event_type, "no handler for event; acknowledged");
            return Outcome::Unhandled { info };
        };

        let mut guard = None;
        if let Some(store) = &inner.dedup {
            match store.check_and_mark(&info.event_id).await {
                Ok(DedupOutcome::New) => {
                    guard = Some(ForgetOnDrop {
                        store: Arc::clone(store),
                        key: Some(info.event_id.clone()),
                    });
                }
                Ok(DedupOutcome::Duplicate) => {
                    tracing::debug!(event_id = %info.event_id, "duplicate delivery acknowledged");
                    return Outcome::Duplicate { info };
                }
                Err(error) => {
                    tracing::error!(event_id = %info.event_id, %error, "de-duplication store failed");
                    return Outcome::DedupFailed { info, error };
                }
            }
        }

        let result = call(handler, decoded).await;
        // The handler completed: from here on, only its result decides.
        if let Some(guard) = guard {
            guard.disarm();
        }
        match result {
            Ok(()) => Outcome::Handled { info },
            Err(error) => {
                tracing::error!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    error = %error,
                    "event handler failed; asking for redelivery"
                );
                if let Some(store) = &inner.dedup {
                    if let Err(e) = store.forget(&info.event_id).await {
                        tracing::error!(
                            event_id = %info.event_id,
                            error = %e,
                            "de-duplication store could not forget a failed event; \
                             its redelivery will be dropped"
                        );
                    }
                }
                Outcome::HandlerFailed { info, error }
            }
        }
    }
}

/// Forgets a freshly marked key when the dispatch future is dropped before its handler
/// completed (for example when the HTTP connection is closed): the platform then redelivers
/// the event, which must not be taken for a duplicate.
struct ForgetOnDrop {
    store: Arc<dyn DedupStore>,
    /// `None` once disarmed.
    key: Option<String>,
}

impl ForgetOnDrop {
    /// Drops the guard without forgetting the key.
    fn disarm(mut self) {
        self.key = None;
    }
}

impl Drop for ForgetOnDrop {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let store = Arc::clone(&self.store);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = store.forget(&key).await {
                        tracing::error!(
                            event_id = %key,
                            %error,
                            "de-duplication store could not forget a cancelled event; \
                             its redelivery will be dropped"
                        );
                    }
                });
            }
            Err(_) => tracing::error!(
                event_id = %key,
                "event dispatch cancelled outside a tokio runtime; its redelivery will be \
                 taken for a duplicate"
            ),
        }
    }
}

/// Runs a handler, turning a panic (while creating or polling its future) into an error.
async fn call(handler: &Erased, event: ChatEvent) -> Result<(), HandlerError> {
    let future = std::panic::catch_unwind(AssertUnwindSafe(|| handler(event)))
        .map_err(|_| HandlerError::from(HandlerPanicked))?;
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(HandlerError::from(HandlerPanicked)))
}
