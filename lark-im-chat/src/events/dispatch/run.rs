//! Running one callback through verification, decoding, de-duplication and its handler.

use super::guard::{call, ForgetOnDrop};
use super::key::dedup_key;
use super::outcome::{EventInfo, Outcome};
use super::table::{registered, slot_of_type, EVENT_COUNT};
use super::Erased;
use crate::events::webhook::{DedupOutcome, DedupStore, Received, VerifiedEvent, WebhookReceiver};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;
use tokio::time::Instant;

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
    pub(super) namespace: Option<Arc<str>>,
    pub(super) deadline: Duration,
    pub(super) max_concurrent: usize,
    pub(super) permits: Arc<Semaphore>,
    pub(super) handlers: [Option<Erased>; EVENT_COUNT],
    pub(super) fallback: Option<Erased>,
    pub(super) drift: Option<crate::drift::DriftLog>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Dispatcher")
            .field("receiver", &inner.receiver)
            .field("dedup", &inner.dedup.is_some())
            .field("dedup_namespace", &inner.namespace)
            .field("handler_deadline", &inner.deadline)
            .field("max_concurrent_dispatches", &inner.max_concurrent)
            .field("handlers", &registered(&inner.handlers))
            .field("fallback", &inner.fallback.is_some())
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
    /// [`Outcome::HandlerFailed`]. Needs a Tokio runtime with its time driver, for the
    /// handler deadline.
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
        self.dispatch_plaintext_inner(payload, None).await
    }

    /// Same as [`dispatch_plaintext`](Self::dispatch_plaintext) for a transport that must
    /// answer by `answer_by` (the long connection's ack window): the handler's deadline is
    /// the dispatcher's [handler deadline](super::DispatcherBuilder::handler_deadline) or the
    /// time left until `answer_by`, whichever is shorter, so the answer is never later than
    /// the platform waits for it. A handler cut short is [`Outcome::HandlerFailed`] with
    /// [`HandlerTimedOut`](super::HandlerTimedOut), and the platform redelivers the event.
    pub async fn dispatch_plaintext_by(&self, payload: &[u8], answer_by: Instant) -> Outcome {
        self.dispatch_plaintext_inner(payload, Some(answer_by))
            .await
    }

    async fn dispatch_plaintext_inner(
        &self,
        payload: &[u8],
        answer_by: Option<Instant>,
    ) -> Outcome {
        let receiver = WebhookReceiver::for_authenticated_transport();
        match receiver.receive_at(&HeaderMap::new(), payload, SystemTime::now()) {
            Ok(Received::Event(event)) => self.dispatch_verified_by(event, answer_by).await,
            Ok(Received::Challenge { challenge }) => Outcome::Challenge { challenge },
            Err(error) => Outcome::Rejected(error),
        }
    }

    /// Runs steps 2 to 5 (decoding, routing, de-duplication, handler) on an event that was
    /// already verified, e.g. by a [`WebhookReceiver`] called directly.
    pub async fn dispatch_verified(&self, event: VerifiedEvent) -> Outcome {
        self.dispatch_verified_by(event, None).await
    }

    async fn dispatch_verified_by(
        &self,
        event: VerifiedEvent,
        answer_by: Option<Instant>,
    ) -> Outcome {
        let inner = &*self.inner;
        let info = EventInfo {
            event_type: event.event_type().to_owned(),
            event_id: event.dedup_key().to_owned(),
        };
        if let Some(drift) = &inner.drift {
            drift.note_event(&info.event_type, event.plaintext());
        }
        // Routed on the event type the receiver located: an event nobody takes is never
        // decoded, however its JSON looks.
        let slot = slot_of_type(&info.event_type);
        let handler = slot
            .and_then(|slot| inner.handlers[slot].as_ref())
            .or(inner.fallback.as_ref());
        let Some(handler) = handler else {
            tracing::debug!(event_type = %info.event_type, "no handler for event; acknowledged");
            return Outcome::Unhandled { info };
        };
        // Held until the handler is done; never waited for.
        let Ok(_permit) = Arc::clone(&inner.permits).try_acquire_owned() else {
            tracing::warn!(
                event_type = %info.event_type,
                event_id = %info.event_id,
                limit = inner.max_concurrent,
                "too many events in progress; answered 503 for a redelivery"
            );
            return Outcome::Overloaded {
                info,
                limit: inner.max_concurrent,
            };
        };
        let decoded = match event.decode() {
            Ok(decoded) => decoded,
            Err(error) if slot.is_none() => {
                // Only the JSON tree of an unknown type can fail here (nesting beyond
                // serde_json's limit): a redelivery would fail the same way.
                tracing::warn!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    %error,
                    "event of unknown type cannot be held as JSON; acknowledged without the fallback"
                );
                return Outcome::Unhandled { info };
            }
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
        let mut marked = None;
        if let Some(store) = &inner.dedup {
            let namespace = inner.namespace.as_deref().or(event.app_id()).unwrap_or("");
            let key = dedup_key(namespace, &info.event_id);
            match store.check_and_mark(&key).await {
                Ok(DedupOutcome::New) => marked = Some(ForgetOnDrop::new(store, key)),
                Ok(DedupOutcome::Duplicate) => {
                    tracing::debug!(event_id = %info.event_id, "duplicate delivery acknowledged");
                    return Outcome::Duplicate { info };
                }
                // In progress is not done: the first run may yet fail, so this delivery is not
                // acknowledged; the platform delivers it again.
                Ok(DedupOutcome::InProgress) => {
                    tracing::info!(
                        event_id = %info.event_id,
                        "event already being handled; answered 503 for a redelivery"
                    );
                    return Outcome::InProgress { info };
                }
                Err(error) => {
                    tracing::error!(event_id = %info.event_id, %error, "de-duplication store failed");
                    return Outcome::DedupFailed { info, error };
                }
            }
        }
        drop(event);

        let deadline = answer_by.map_or(inner.deadline, |by| {
            inner
                .deadline
                .min(by.saturating_duration_since(Instant::now()))
        });
        let result = call(handler, decoded, deadline).await;
        // The handler completed or was cancelled at its deadline: from here on, only its
        // result decides.
        let key = marked.map(ForgetOnDrop::disarm);
        match result {
            Ok(()) => {
                if let (Some(store), Some(key)) = (&inner.dedup, key) {
                    if let Err(error) = store.mark_done(&key).await {
                        // Handled all the same; the in-progress mark lapses after its lease,
                        // and a later delivery may then be handled again.
                        tracing::error!(
                            event_id = %info.event_id,
                            %error,
                            "de-duplication store could not record a handled event"
                        );
                    }
                }
                Outcome::Handled { info }
            }
            Err(error) => {
                tracing::error!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    error = %error,
                    "event handler failed; asking for redelivery"
                );
                if let (Some(store), Some(key)) = (&inner.dedup, key) {
                    if let Err(e) = store.forget(&key).await {
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
