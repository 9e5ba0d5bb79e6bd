//! Typed dispatch of webhook events: verification, decoding, de-duplication and one handler per
//! event type, with the answer to send back as an HTTP status and body.
//!
//! A [`Dispatcher`] runs the whole path of one callback request:
//!
//! 1. [`WebhookReceiver::receive`](crate::events::webhook::WebhookReceiver::receive) (size limit, decryption, signature, timestamp window,
//!    Verification Token); a refused request maps to the [`WebhookError::status`](crate::events::webhook::WebhookError::status) of the
//!    failed check, and a `url_verification` request is answered with `{"challenge":"…"}`;
//! 2. [`VerifiedEvent::decode`](crate::events::webhook::VerifiedEvent::decode) into the typed [`ChatEvent`] (event types this version does
//!    not know become [`ChatEvent::Unknown`]); a payload that does not fit the typed form of
//!    its event type answers 500;
//! 3. the handler registered for that event type, or the fallback, or none: an event nobody
//!    handles is acknowledged with 200, so that the platform does not redeliver it;
//! 4. de-duplication on `header.event_id` (schema 2.0) / `uuid` (schema 1.0) through a
//!    [`DedupStore`](crate::events::webhook::DedupStore): a redelivery of an event already handled is acknowledged without
//!    calling the handler again; one that arrives while the first delivery is still in its
//!    handler is answered 503 ([`Outcome::InProgress`]), never 200, since that run may yet fail;
//! 5. the handler, within the [handler deadline](DispatcherBuilder::handler_deadline) (default
//!    2.5 s, under the platform's 3 s) and the [bound on concurrent
//!    dispatches](DispatcherBuilder::max_concurrent_dispatches) (default 1,024; beyond it
//!    503 at once, nothing queued): `Ok` answers 200; an error, a panic or the deadline
//!    answers 500, so that the platform redelivers the event, and the event id is forgotten
//!    by the store so that the redelivery is processed (on `Ok` the store marks it done).
//!
//! Handlers may receive application state ([`DispatcherBuilder::state`], [`State`]).
//!
//! The result is an [`Outcome`]; [`Outcome::into_response`] gives the `(StatusCode, body)` to
//! send. The `axum` integration, `lark_im_chat::events::axum` (feature `axum`), wraps it into a ready router.

mod builder;
mod guard;
mod handler;
mod key;
mod outcome;
mod run;
mod table;

pub use builder::{
    DispatcherBuildError, DispatcherBuilder, DEFAULT_HANDLER_DEADLINE,
    DEFAULT_MAX_CONCURRENT_DISPATCHES,
};
pub use handler::{EventHandler, HandlerFuture, HandlerResult, State, StateHandler};
pub use key::MAX_DEDUP_KEY_LEN;
pub use outcome::{EventInfo, HandlerPanicked, HandlerTimedOut, Outcome};
pub use run::Dispatcher;
pub use table::DispatchEvent;

use crate::generated::events::ChatEvent;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Error returned by an event handler: any error type converts into it with `?`.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Future returned by a type-erased handler.
type BoxedHandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'static>>;

/// A handler taking the decoded event, whatever its type, its state bound in.
type Erased = Arc<dyn Fn(ChatEvent) -> BoxedHandlerFuture + Send + Sync + 'static>;

/// A registered handler before the state is bound: `S` is `()` or [`State`]`<A>`.
type Slot<S> = Arc<dyn Fn(&S, ChatEvent) -> BoxedHandlerFuture + Send + Sync + 'static>;

/// Content type of every response body built here.
pub const RESPONSE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Body of the 200 answer to an event (the official SDKs send the same).
const SUCCESS_BODY: &[u8] = br#"{"msg":"success"}"#;
