//! Typed dispatch of events of any family: decoding, de-duplication and one handler per event
//! type, with the answer to send back, for HTTP callbacks and the long connection alike.
//!
//! A [`Dispatcher`] holds the handlers, registered by type with
//! [`DispatcherBuilder::on`]`::<E>` for any [`Event`](crate::events::Event) of any family
//! (families also generate shorthands such as `on_chat_disbanded`). It runs this path for
//! every event:
//!
//! 1. the transport authenticates the event: an HTTP callback through a
//!    `WebhookDispatcher` (feature `webhook`: size limit, decryption, signature, timestamp
//!    window, Verification Token; a refused request maps to the
//!    [`WebhookError::status`](crate::events::webhook::WebhookError::status) of the failed check,
//!    and a `url_verification` request is answered with `{"challenge":"…"}`), the long
//!    connection by its own session;
//! 2. the handler registered for the event type is looked up (else the fallback, which
//!    receives a [`RawEvent`](crate::events::RawEvent), else none: an event nobody handles is
//!    acknowledged with 200, so that the platform does not redeliver it), and the event is
//!    decoded into that handler's type; a payload that does not fit answers 500;
//! 3. de-duplication on `header.event_id` (schema 2.0) / `uuid` (schema 1.0) through a
//!    [`DedupStore`](crate::events::webhook::DedupStore): a redelivery of an event already
//!    handled is acknowledged without calling the handler again; one that arrives while the
//!    first delivery is still in its handler is answered 503 ([`Outcome::InProgress`]), never
//!    200, since that run may yet fail;
//! 4. the handler, within the [handler deadline](DispatcherBuilder::handler_deadline) (default
//!    2.5 s, under the platform's 3 s) and the [bound on concurrent
//!    dispatches](DispatcherBuilder::max_concurrent_dispatches) (default 1,024; beyond it
//!    503 at once, nothing queued): `Ok` answers 200; an error, a panic or the deadline
//!    answers 500, so that the platform redelivers the event, and the event id is forgotten
//!    by the store so that the redelivery is processed (on `Ok` the store marks it done).
//!
//! One dispatcher serves several families at once. Handlers may receive application state
//! ([`DispatcherBuilder::state`], [`State`]).
//!
//! The result is an [`Outcome`]; [`Outcome::into_response`] gives the `(StatusCode, body)` to
//! send. The `axum` integration, `events::axum` (feature `axum`), wraps it into a ready router.

mod builder;
mod callback;
mod guard;
mod handler;
mod key;
mod outcome;
mod run;
mod table;
#[cfg(feature = "webhook")]
mod webhook;

pub use builder::{
    DispatcherBuildError, DispatcherBuilder, DEFAULT_CALLBACK_DEADLINE, DEFAULT_HANDLER_DEADLINE,
    DEFAULT_MAX_CONCURRENT_DISPATCHES,
};
pub use callback::{CallbackHandler, StateCallbackHandler};
pub use handler::{
    EventHandler, HandlerFuture, HandlerResult, HandlerReturn, State, StateHandler,
    StateHandlerReturn,
};
pub use key::MAX_DEDUP_KEY_LEN;
pub use outcome::{EventInfo, HandlerPanicked, HandlerTimedOut, Outcome};
pub use run::Dispatcher;
#[cfg(feature = "webhook")]
pub use webhook::WebhookDispatcher;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Error returned by an event handler: any error type converts into it with `?`.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a type-erased handler resolves to: `None` for an event handler, the JSON response body
/// for a callback handler.
type Reply = Option<bytes::Bytes>;

/// Future returned by a type-erased handler.
type BoxedHandlerFuture =
    Pin<Box<dyn Future<Output = Result<Reply, HandlerError>> + Send + 'static>>;

/// A handler taking the decoded event, whatever its type, its state bound in.
type Erased = Arc<dyn Fn(Decoded) -> BoxedHandlerFuture + Send + Sync + 'static>;

/// A registered handler before the state is bound: `S` is `()` or [`State`]`<A>`.
type Slot<S> = Arc<dyn Fn(&S, Decoded) -> BoxedHandlerFuture + Send + Sync + 'static>;

/// An event decoded for its handler: the envelope of its type (or a
/// [`RawEvent`](crate::events::RawEvent) for the fallback), type-erased between decoding and
/// the de-duplication check so that the table needs no enum of every family's events.
type Decoded = Box<dyn Any + Send>;

/// Content type of every response body built here.
pub const RESPONSE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Body of the 200 answer to an event (the official SDKs send the same).
const SUCCESS_BODY: &[u8] = br#"{"msg":"success"}"#;

/// Body of the answer to a callback whose handler failed or was late: an empty response, which
/// leaves the card as it is.
const EMPTY_CALLBACK_RESPONSE: &[u8] = b"{}";
