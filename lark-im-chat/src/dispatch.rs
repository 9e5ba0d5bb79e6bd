//! Typed dispatch of webhook events: verification, decoding, de-duplication and one handler per
//! event type, with the answer to send back as an HTTP status and body.
//!
//! A [`Dispatcher`] runs the whole path of one callback request:
//!
//! 1. [`WebhookReceiver::receive`] (size limit, decryption, signature, timestamp window,
//!    Verification Token); a refused request maps to the [`WebhookError::status`] of the
//!    failed check, and a `url_verification` request is answered with `{"challenge":"…"}`;
//! 2. [`VerifiedEvent::decode`] into the typed [`ChatEvent`] (event types this version does
//!    not know become [`ChatEvent::Unknown`]); a payload that does not fit the typed form of
//!    its event type answers 500;
//! 3. the handler registered for that event type, or the fallback, or none: an event nobody
//!    handles is acknowledged with 200, so that the platform does not redeliver it;
//! 4. de-duplication on `header.event_id` (schema 2.0) / `uuid` (schema 1.0) through a
//!    [`DedupStore`]: a redelivery of an event already handled is acknowledged without
//!    calling the handler again;
//! 5. the handler: `Ok` answers 200; an error (or a panic) answers 500, so that the platform
//!    redelivers the event, and the event id is forgotten by the store so that the redelivery
//!    is processed.
//!
//! The result is an [`Outcome`]; [`Outcome::into_response`] gives the `(StatusCode, body)` to
//! send. The [`axum` integration](crate::axum) (feature `axum`) wraps it into a ready router.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::FutureExt as _;
use http::{HeaderMap, StatusCode};

use crate::webhook::{
    challenge_response_body, DedupError, DedupOutcome, DedupStore, InMemoryDedup, Received,
    VerifiedEvent, WebhookError, WebhookReceiver,
};
use crate::{
    ChatAccessEventBotP2pChatEnteredV1, ChatDisbandedV1, ChatEvent, ChatMemberBotAddedV1,
    ChatMemberBotDeletedV1, ChatMemberUserAddedV1, ChatMemberUserDeletedV1,
    ChatMemberUserWithdrawnV1, ChatUpdatedV1, EventDecodeError, EventEnvelopeV1, EventEnvelopeV2,
    P2pChatCreate,
};

/// Error returned by an event handler: any error type converts into it with `?`.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Future returned by a type-erased handler.
type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'static>>;

/// A handler taking the decoded event, whatever its type.
type Erased = Arc<dyn Fn(ChatEvent) -> HandlerFuture + Send + Sync + 'static>;

/// Content type of every response body built here.
pub const RESPONSE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Body of the 200 answer to an event (the official SDKs send the same).
const SUCCESS_BODY: &[u8] = br#"{"msg":"success"}"#;

mod sealed {
    /// Restricts [`DispatchEvent`](super::DispatchEvent) to the event bodies of this crate and
    /// holds the handler slot.
    pub trait Sealed: Sized {
        /// Index of the handler slot.
        const SLOT: usize;
    }
}

/// An event body type a [`Dispatcher`] can route to a typed handler: one of the nine bodies of
/// [`ChatEvent`]. Implemented in this crate only.
///
/// Use it with the generic [`DispatcherBuilder::on`]; the named methods such as
/// [`DispatcherBuilder::on_chat_updated`] are shorthands for it.
pub trait DispatchEvent: sealed::Sealed + Send + 'static {
    /// The event type on the wire, e.g. `im.chat.updated_v1`.
    const EVENT_TYPE: &'static str;

    /// What handlers receive: [`EventEnvelopeV2<Self>`] for schema 2.0 events,
    /// [`EventEnvelopeV1<Self>`] for `p2p_chat_create`.
    type Envelope: Send + 'static;

    /// Takes the envelope out of a decoded event of this type.
    #[doc(hidden)]
    fn take(event: ChatEvent) -> Option<Self::Envelope>;
}

macro_rules! events {
    ($(
        $slot:literal => $ty:ident, $envelope:ident, $event_type:literal, $method:ident;
    )*) => {
        $(
            impl sealed::Sealed for $ty {
                const SLOT: usize = $slot;
            }

            impl DispatchEvent for $ty {
                const EVENT_TYPE: &'static str = $event_type;
                type Envelope = $envelope<$ty>;
                fn take(event: ChatEvent) -> Option<Self::Envelope> {
                    match event {
                        ChatEvent::$ty(envelope) => Some(*envelope),
                        _ => None,
                    }
                }
            }
        )*

        /// The handler slot of a decoded event; `None` for [`ChatEvent::Unknown`].
        fn slot_of(event: &ChatEvent) -> Option<usize> {
            match event {
                $( ChatEvent::$ty(_) => Some($slot), )*
                ChatEvent::Unknown { .. } => None,
            }
        }

        /// Event type of each slot.
        const SLOT_EVENT_TYPES: &[&str] = &[$( $event_type, )*];

        /// Number of typed events, one handler slot each.
        const EVENT_COUNT: usize = SLOT_EVENT_TYPES.len();

        impl DispatcherBuilder {
            $(
                #[doc = concat!(
                    "Registers the handler of `", $event_type, "` events, which receives the ",
                    "decoded [`", stringify!($envelope), "`]`<`[`", stringify!($ty), "`]`>`. ",
                    "Shorthand for [`on`](Self::on)`::<", stringify!($ty), ", _, _>`.\n\n",
                    "Registering a second handler for the same event type makes ",
                    "[`build`](Self::build) fail with ",
                    "[`DispatcherBuildError::DuplicateHandler`]."
                )]
                pub fn $method<F, Fut>(self, handler: F) -> Self
                where
                    F: Fn($envelope<$ty>) -> Fut + Send + Sync + 'static,
                    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
                {
                    self.on::<$ty, F, Fut>(handler)
                }
            )*
        }
    };
}

// The table of typed events comes from the spec: one line per event, in `ChatEvent` order.
crate::gen::for_each_chat_event!(events);

/// Why [`DispatcherBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatcherBuildError {
    /// Two handlers were registered for one event type.
    #[error("two handlers are registered for `{event_type}` events")]
    DuplicateHandler {
        /// The event type, e.g. `im.chat.updated_v1`.
        event_type: &'static str,
    },
    /// Two fallback handlers were registered.
    #[error("two fallback handlers are registered")]
    DuplicateFallback,
}

/// Builder of [`Dispatcher`], from [`Dispatcher::builder`].
///
/// Registration methods never fail on their own; a second handler for the same event type (or
/// a second fallback) is reported by [`build`](Self::build), so the mistake cannot go unnoticed
/// and never panics.
#[must_use]
pub struct DispatcherBuilder {
    receiver: WebhookReceiver,
    dedup: Option<Arc<dyn DedupStore>>,
    handlers: [Option<Erased>; EVENT_COUNT],
    fallback: Option<Erased>,
    error: Option<DispatcherBuildError>,
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("receiver", &self.receiver)
            .field("dedup", &self.dedup.is_some())
            .field("handlers", &registered(&self.handlers))
            .field("fallback", &self.fallback.is_some())
            .field("error", &self.error)
            .finish()
    }
}

/// Event types that have a handler.
fn registered(handlers: &[Option<Erased>; EVENT_COUNT]) -> Vec<&'static str> {
    SLOT_EVENT_TYPES
        .iter()
        .zip(handlers)
        .filter(|(_, h)| h.is_some())
        .map(|(t, _)| *t)
        .collect()
}

impl DispatcherBuilder {
    /// Registers the handler of events of type `T`, which receives the decoded
    /// [`T::Envelope`](DispatchEvent::Envelope): the whole callback (`header` with the event id, tenant and app, and the
    /// typed `event` body).
    ///
    /// The handler runs before the request is answered: the platform waits 3 seconds, so hand
    /// slow work to a task or a queue. Return `Ok(())` to acknowledge the event (200); return an
    /// error to have it redelivered (500).
    ///
    /// ```
    /// use lark_im_chat::dispatch::Dispatcher;
    /// use lark_im_chat::webhook::{WebhookConfig, WebhookReceiver};
    /// use lark_im_chat::ChatDisbandedV1;
    ///
    /// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
    /// let dispatcher = Dispatcher::builder(receiver)
    ///     .on::<ChatDisbandedV1, _, _>(|e| async move {
    ///         println!("chat {:?} disbanded", e.event.chat_id);
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// # let _ = dispatcher;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Registering a second handler for `T` makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateHandler`].
    pub fn on<T, F, Fut>(mut self, handler: F) -> Self
    where
        T: DispatchEvent,
        F: Fn(T::Envelope) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        let slot = &mut self.handlers[T::SLOT];
        if slot.is_some() {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateHandler {
                    event_type: T::EVENT_TYPE,
                });
            return self;
        }
        *slot = Some(Arc::new(move |event: ChatEvent| -> HandlerFuture {
            match T::take(event) {
                Some(envelope) => Box::pin(handler(envelope)),
                // Unreachable: events are routed to the slot of their own type.
                None => Box::pin(std::future::ready(Err(HandlerError::from(
                    "event routed to the handler of another event type",
                )))),
            }
        }));
        self
    }

    /// Registers the handler of every event that has no typed handler: event types this
    /// version of the client does not know ([`ChatEvent::Unknown`], with the event type and
    /// the raw JSON) and known events for which no handler was registered.
    ///
    /// Without a fallback, such events are acknowledged (200) and dropped.
    ///
    /// Registering a second fallback makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateFallback`].
    pub fn fallback<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ChatEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        if self.fallback.is_some() {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateFallback);
            return self;
        }
        self.fallback = Some(Arc::new(move |event: ChatEvent| -> HandlerFuture {
            Box::pin(handler(event))
        }));
        self
    }

    /// Replaces the de-duplication store (default: an [`InMemoryDedup`] with its default
    /// capacity and time to live). Use a shared store when several instances receive the
    /// same app's events.
    pub fn dedup(mut self, store: impl DedupStore + 'static) -> Self {
        self.dedup = Some(Arc::new(store));
        self
    }

    /// Turns de-duplication off: every delivery, redeliveries included, reaches its handler.
    pub fn without_dedup(mut self) -> Self {
        self.dedup = None;
        self
    }

    /// Builds the dispatcher.
    ///
    /// # Errors
    ///
    /// [`DispatcherBuildError`] when a handler or the fallback was registered twice.
    pub fn build(self) -> Result<Dispatcher, DispatcherBuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                receiver: self.receiver,
                dedup: self.dedup,
                handlers: self.handlers,
                fallback: self.fallback,
            }),
        })
    }
}

/// Runs event callbacks of one app through verification, typed decoding, de-duplication and
/// the registered handlers, and tells what to answer.
///
/// Cheap to clone (the handlers are shared), `Send + Sync`: build it once and share it between
/// request tasks.
///
/// # Example
///
/// ```
/// use lark_im_chat::dispatch::Dispatcher;
/// use lark_im_chat::webhook::{WebhookConfig, WebhookReceiver};
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
    inner: Arc<Inner>,
}

struct Inner {
    receiver: WebhookReceiver,
    dedup: Option<Arc<dyn DedupStore>>,
    handlers: [Option<Erased>; EVENT_COUNT],
    fallback: Option<Erased>,
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
    /// Starts a builder around `receiver`, with no handler, no fallback and an
    /// [`InMemoryDedup`] store.
    pub fn builder(receiver: WebhookReceiver) -> DispatcherBuilder {
        DispatcherBuilder {
            receiver,
            dedup: Some(Arc::new(InMemoryDedup::new())),
            handlers: Default::default(),
            fallback: None,
            error: None,
        }
    }

    /// The receiver that verifies requests.
    pub fn receiver(&self) -> &WebhookReceiver {
        &self.inner.receiver
    }

    /// Handles one callback request with the system clock as the time of receipt; see the
    /// [module documentation](self) for the steps.
    ///
    /// `body` must be the HTTP body exactly as received: the signature covers its bytes.
    /// Never panics, whatever the request holds; a panicking handler is reported as
    /// [`Outcome::HandlerFailed`].
    ///
    /// If the returned future is dropped while a handler runs (e.g. the connection closed),
    /// the event id is forgotten by the de-duplication store (on the current tokio runtime), so
    /// that the platform's redelivery is processed. To let handlers finish instead, run the
    /// future in a task of its own, as the [axum integration](crate::axum) does.
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
            let config = crate::webhook::WebhookConfig::builder()
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

/// The error reported in [`Outcome::HandlerFailed`] when a handler panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event handler panicked")]
#[non_exhaustive]
pub struct HandlerPanicked;

/// Event type and id of a verified event, as reported in an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventInfo {
    /// The event type, e.g. `im.chat.updated_v1` or `p2p_chat_create`.
    pub event_type: String,
    /// The id redeliveries repeat: `header.event_id` (schema 2.0) or `uuid` (schema 1.0).
    pub event_id: String,
}

/// What [`Dispatcher::dispatch`] did with a request, and what to answer
/// ([`status`](Self::status), [`body`](Self::body)).
///
/// | outcome | status |
/// | --- | --- |
/// | [`Challenge`](Self::Challenge) | 200, `{"challenge":"…"}` |
/// | [`Handled`](Self::Handled), [`Duplicate`](Self::Duplicate), [`Unhandled`](Self::Unhandled) | 200, `{"msg":"success"}` |
/// | [`Rejected`](Self::Rejected) | [`WebhookError::status`]: 400, 401, 403 or 413 |
/// | [`Undecodable`](Self::Undecodable), [`HandlerFailed`](Self::HandlerFailed) | 500 |
/// | [`DedupFailed`](Self::DedupFailed) | 503 |
///
/// Any non-2xx answer makes the platform redeliver the event (after 15 s, 5 min, 1 h, 6 h).
/// Error bodies are `{"msg":"…"}` with a fixed text naming the failed step; they never
/// contain the request, a secret or the handler's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// A `url_verification` request.
    Challenge {
        /// The value echoed back.
        challenge: String,
    },
    /// The event's handler (or the fallback) returned `Ok`.
    Handled {
        /// The event.
        info: EventInfo,
    },
    /// A redelivery of an event already handled: acknowledged, no handler called.
    Duplicate {
        /// The event.
        info: EventInfo,
    },
    /// No handler and no fallback for this event type: acknowledged and dropped.
    Unhandled {
        /// The event.
        info: EventInfo,
    },
    /// The request failed a check of the [`WebhookReceiver`].
    Rejected(WebhookError),
    /// The verified payload does not fit the typed form of its event type.
    Undecodable {
        /// The event.
        info: EventInfo,
        /// What did not fit, with its JSON path.
        error: EventDecodeError,
    },
    /// The handler returned an error or panicked ([`HandlerPanicked`]); the event id was
    /// forgotten by the de-duplication store so that the redelivery is processed.
    HandlerFailed {
        /// The event.
        info: EventInfo,
        /// The handler's error.
        error: HandlerError,
    },
    /// The de-duplication store failed; no handler was called.
    DedupFailed {
        /// The event.
        info: EventInfo,
        /// The store's error.
        error: DedupError,
    },
}

impl Outcome {
    /// The HTTP status to answer with (see the table on [`Outcome`]).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Challenge { .. }
            | Self::Handled { .. }
            | Self::Duplicate { .. }
            | Self::Unhandled { .. } => StatusCode::OK,
            Self::Rejected(error) => error.status(),
            Self::Undecodable { .. } | Self::HandlerFailed { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::DedupFailed { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The JSON response body (content type [`RESPONSE_CONTENT_TYPE`]).
    pub fn body(&self) -> Bytes {
        match self {
            Self::Challenge { challenge } => Bytes::from(challenge_response_body(challenge)),
            Self::Handled { .. } | Self::Duplicate { .. } | Self::Unhandled { .. } => {
                Bytes::from_static(SUCCESS_BODY)
            }
            // The error texts name the failed check and a few numbers, nothing else.
            Self::Rejected(error) => message_body(&error.to_string()),
            Self::Undecodable { .. } => {
                Bytes::from_static(br#"{"msg":"event could not be decoded"}"#)
            }
            Self::HandlerFailed { .. } => Bytes::from_static(br#"{"msg":"event handler failed"}"#),
            Self::DedupFailed { .. } => {
                Bytes::from_static(br#"{"msg":"de-duplication store unavailable"}"#)
            }
        }
    }

    /// The status and body to answer with.
    pub fn into_response(self) -> (StatusCode, Bytes) {
        (self.status(), self.body())
    }

    /// `true` when the answer is a 2xx status (the platform will not redeliver).
    pub fn is_success(&self) -> bool {
        self.status().is_success()
    }

    /// `true` for [`Outcome::Duplicate`].
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Self::Duplicate { .. })
    }

    /// The event type and id, for outcomes about a verified event.
    pub fn event(&self) -> Option<&EventInfo> {
        match self {
            Self::Handled { info }
            | Self::Duplicate { info }
            | Self::Unhandled { info }
            | Self::Undecodable { info, .. }
            | Self::HandlerFailed { info, .. }
            | Self::DedupFailed { info, .. } => Some(info),
            Self::Challenge { .. } | Self::Rejected(_) => None,
        }
    }
}

/// `{"msg": message}` as JSON bytes.
fn message_body(message: &str) -> Bytes {
    let value = serde_json::json!({ "msg": message });
    Bytes::from(value.to_string())
}
