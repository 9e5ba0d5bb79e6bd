//! Running one event through decoding, de-duplication and its handler.

use super::guard::{call, ForgetOnDrop};
use super::key::dedup_key;
use super::outcome::{EventInfo, Outcome};
use super::table::{registered, Table};
use super::{Decoded, Erased};
use crate::events::durable::{DurableQueue, DurableWorker, Enqueued, RunError, RunFuture, Runner};
use crate::events::webhook::{receive_trusted, DedupOutcome, DedupStore, Received, VerifiedEvent};
use crate::events::RawEvent;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Runs events of any family through typed decoding, de-duplication and the registered
/// handlers, and tells what to answer. Transports feed it: HTTP callbacks through
/// `with_webhook` (feature `webhook`), the long connection directly.
///
/// Cheap to clone (the handlers are shared), `Send + Sync`: build it once and share it between
/// request tasks.
///
/// # Example
///
/// ```
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::RawEvent;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Families add typed handlers (`.on::<E>(…)`, or shorthands such as `on_chat_updated`).
/// let dispatcher = Dispatcher::builder()
///     .fallback(|event: RawEvent| async move {
///         println!("{} event {}", event.event_type(), event.event_id());
///         Ok(())
///     })
///     .build()?; // fails if an event type got two handlers
///
/// // A transport hands over an authenticated payload:
/// let body = br#"{"schema":"2.0","header":{"event_id":"5e3702a8","event_type":"im.chat.updated_v1"},"event":{"chat_id":"oc_a0553eda9014c201e6969b478895c230"}}"#;
/// let outcome = dispatcher.dispatch_plaintext(body).await;
/// let (status, response_body) = outcome.into_response();
/// assert_eq!(status, http::StatusCode::OK);
/// assert_eq!(&response_body[..], br#"{"msg":"success"}"#);
///
/// // A redelivery is acknowledged without calling the handler again.
/// assert!(dispatcher.dispatch_plaintext(body).await.is_duplicate());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) dedup: Option<Arc<dyn DedupStore>>,
    pub(super) namespace: Option<Arc<str>>,
    pub(super) deadline: Duration,
    pub(super) callback_deadline: Duration,
    pub(super) max_concurrent: usize,
    pub(super) permits: Arc<Semaphore>,
    pub(super) handlers: Table<Erased>,
    pub(super) fallback: Option<Erased>,
    pub(super) drift: Option<crate::drift::DriftLog>,
    /// Where durable events are recorded, and their types (typed handlers only).
    pub(super) durable: Option<DurableQueue>,
    pub(super) durable_types: HashSet<&'static str>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Dispatcher")
            .field("dedup", &inner.dedup.is_some())
            .field("dedup_namespace", &inner.namespace)
            .field("handler_deadline", &inner.deadline)
            .field("callback_deadline", &inner.callback_deadline)
            .field("max_concurrent_dispatches", &inner.max_concurrent)
            .field("handlers", &registered(&inner.handlers))
            .field("fallback", &inner.fallback.is_some())
            .field("durable", &inner.durable_types)
            .finish()
    }
}

impl Dispatcher {
    /// Runs an event through the dispatcher ([module documentation](super), steps 2 to 4):
    /// `payload` is a plaintext event (a schema 1.0 or 2.0 envelope) that arrived over a
    /// transport authenticated by other means, such as the long connection: no signature,
    /// decryption, timestamp or Verification Token check applies, and the caller bounds the
    /// payload size. Never panics, whatever the payload holds; a panicking handler is
    /// reported as [`Outcome::HandlerFailed`]. Needs a Tokio runtime with its time driver. A payload that is not a JSON object, or lacks the
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
        match receive_trusted(payload) {
            Ok(Received::Event(event)) => self.dispatch_verified_by(event, answer_by).await,
            Ok(Received::Challenge { challenge }) => Outcome::Challenge { challenge },
            Err(error) => Outcome::Rejected(error),
        }
    }

    /// Runs steps 2 to 4 (routing, decoding, de-duplication, handler) on an event that was
    /// already verified, e.g. by a `WebhookReceiver` called directly.
    pub async fn dispatch_verified(&self, event: VerifiedEvent) -> Outcome {
        self.dispatch_verified_by(event, None).await
    }

    /// Runs a callback's handler within the callback deadline (and `answer_by`): its response
    /// is the answer; a failure or a late handler is answered with an empty response in time.
    /// Never de-duplicated (see `on_callback`).
    async fn answer_callback(
        &self,
        handler: &Erased,
        decoded: Decoded,
        info: EventInfo,
        answer_by: Option<Instant>,
    ) -> Outcome {
        let inner = &*self.inner;
        let deadline = answer_by.map_or(inner.callback_deadline, |by| {
            inner
                .callback_deadline
                .min(by.saturating_duration_since(Instant::now()))
        });
        match call(handler, decoded, deadline).await {
            Ok(reply) => Outcome::Answered {
                info,
                response: reply.unwrap_or_else(|| bytes::Bytes::from_static(b"{}")),
            },
            Err(error) => {
                tracing::error!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    error = %error,
                    "callback handler failed or was late; answered with an empty response"
                );
                Outcome::CallbackFailed { info, error }
            }
        }
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
        // Routed on the event type the payload announced: an event nobody takes is never
        // decoded, however its JSON looks.
        let route = inner.handlers.get(info.event_type.as_str());
        if let (Some(drift), Some(route)) = (&inner.drift, route) {
            drift.note_event(route.shape, event.plaintext());
        }
        let handler = match route {
            Some(route) => &route.handler,
            None => match &inner.fallback {
                Some(fallback) => fallback,
                None => {
                    tracing::debug!(event_type = %info.event_type, "no handler for event; acknowledged");
                    return Outcome::Unhandled { info };
                }
            },
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
        let decoded: Result<Decoded, _> = match route {
            Some(route) => (route.decode)(event.plaintext()),
            None => RawEvent::from_json(&*info.event_type, &*info.event_id, event.plaintext())
                .map(|raw| Box::new(raw) as Decoded),
        };
        let decoded = match decoded {
            Ok(decoded) => decoded,
            Err(error) if route.is_none() => {
                // Only the JSON text of an untyped event can fail here (nesting beyond
                // serde_json's limit): a redelivery would fail the same way.
                tracing::warn!(
                    event_type = %info.event_type,
                    event_id = %info.event_id,
                    %error,
                    "event without a typed handler cannot be held as JSON; acknowledged without the fallback"
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
        if route.is_some_and(|r| r.callback) {
            drop(event);
            return self
                .answer_callback(handler, decoded, info, answer_by)
                .await;
        }
        if let Some(queue) = inner.durable_queue_for(&info.event_type) {
            drop(decoded);
            let namespace = inner.namespace.as_deref().or(event.app_id()).unwrap_or("");
            return record_durable(queue, dedup_key(namespace, &info.event_id), &event, info).await;
        }
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
        let result = call(handler, decoded, deadline).await.map(|_reply| ());
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

impl Inner {
    fn durable_queue_for(&self, event_type: &str) -> Option<&DurableQueue> {
        self.durable
            .as_ref()
            .filter(|_| self.durable_types.contains(event_type))
    }
}

/// Records a durable event in its queue instead of running its handler.
async fn record_durable(
    queue: &DurableQueue,
    key: String,
    event: &VerifiedEvent,
    info: EventInfo,
) -> Outcome {
    // The receiver parsed the plaintext as JSON, so it is UTF-8.
    let Ok(payload) = std::str::from_utf8(event.plaintext()) else {
        return Outcome::Unhandled { info };
    };
    match queue.backend.enqueue(&key, &info.event_type, payload).await {
        Ok(Enqueued::Queued) => {
            tracing::debug!(event_type = %info.event_type, event_id = %info.event_id, "durable event recorded");
            Outcome::Queued { info }
        }
        Ok(Enqueued::AlreadyQueued) => {
            tracing::debug!(event_id = %info.event_id, "durable event already recorded; acknowledged");
            Outcome::Duplicate { info }
        }
        Err(error) => {
            tracing::warn!(event_type = %info.event_type, event_id = %info.event_id, %error, "durable event not recorded; answered 503 for a redelivery");
            Outcome::NotQueued { info, error }
        }
    }
}

impl Dispatcher {
    /// A worker running the handlers of the durable event types from the
    /// [durable queue](super::DispatcherBuilder::durable_queue); `None` without one. Run one
    /// (`worker.run(shutdown).await`) in every process that should handle durable events.
    pub fn durable_worker(&self) -> Option<DurableWorker> {
        let queue = self.inner.durable.clone()?;
        Some(DurableWorker::new(queue, Arc::new(self.clone())))
    }

    /// The durable queue, for its stats and dead letters; `None` without one.
    pub fn durable_queue(&self) -> Option<&DurableQueue> {
        self.inner.durable.as_ref()
    }
}

impl Runner for Dispatcher {
    fn run<'a>(
        &'a self,
        event_type: &'a str,
        payload: &'a [u8],
        deadline: Duration,
    ) -> RunFuture<'a> {
        Box::pin(async move {
            let route = self
                .inner
                .handlers
                .get(event_type)
                .ok_or(RunError::NoHandler)?;
            let decoded =
                (route.decode)(payload).map_err(|e| RunError::Undecodable(e.to_string()))?;
            call(&route.handler, decoded, deadline)
                .await
                .map(|_reply| ())
                .map_err(|e| RunError::Failed(e.to_string()))
        })
    }
}
