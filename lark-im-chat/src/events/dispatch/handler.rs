//! What an event handler is: the traits the registration methods require, written so that a
//! closure's argument types are inferred and a wrong signature is reported at the closure with
//! a message naming the expected shape.

use super::{BoxedHandlerFuture, HandlerError};
use std::future::Future;

/// Application state handed to the handlers of a dispatcher built with
/// [`DispatcherBuilder::state`](super::DispatcherBuilder::state), the way axum's `State`
/// extractor works: each call receives a clone of the state (put an `Arc` or a cheaply
/// clonable handle such as [`Client`](crate::Client) in it).
///
/// ```
/// use lark_im_chat::events::dispatch::{Dispatcher, State};
/// use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
/// let disbanded = Arc::new(AtomicUsize::new(0));
/// let dispatcher = Dispatcher::builder(receiver)
///     .state(Arc::clone(&disbanded))
///     .on_chat_disbanded(|State(count), _e| async move {
///         count.fetch_add(1, Ordering::Relaxed);
///         Ok(())
///     })
///     .build()?;
/// # let _ = dispatcher;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State<A>(pub A);

/// A handler of one event type that ignores application state:
/// `|envelope| async move { …; Ok(()) }`. Implemented for every fitting closure or function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event handler taking `{E}`",
    label = "expected `|envelope| async move {{ …; Ok(()) }}`",
    note = "a handler is `Fn(envelope) -> impl Future<Output = Result<(), HandlerError>> + Send + 'static`, itself `Send + Sync + 'static`"
)]
pub trait EventHandler<E, Fut>: Fn(E) -> Fut + Send + Sync + 'static {
    /// Calls the handler and boxes its future.
    #[doc(hidden)]
    fn call_boxed(&self, envelope: E) -> BoxedHandlerFuture;
}

impl<E, Fut, F> EventHandler<E, Fut> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: HandlerFuture,
{
    fn call_boxed(&self, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(envelope))
    }
}

/// A handler of one event type that receives the dispatcher's application state first:
/// `|State(state), envelope| async move { …; Ok(()) }`. Implemented for every fitting closure
/// or function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event handler taking `(State<{A}>, {E})`",
    label = "expected `|State(state), envelope| async move {{ …; Ok(()) }}`",
    note = "after `.state(..)`, a handler is `Fn(State<A>, envelope) -> impl Future<Output = Result<(), HandlerError>> + Send + 'static`; ignore the state with `|_, envelope|`"
)]
pub trait StateHandler<A, E, Fut>: Fn(State<A>, E) -> Fut + Send + Sync + 'static {
    /// Calls the handler and boxes its future.
    #[doc(hidden)]
    fn call_boxed(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture;
}

impl<A, E, Fut, F> StateHandler<A, E, Fut> for F
where
    F: Fn(State<A>, E) -> Fut + Send + Sync + 'static,
    Fut: HandlerFuture,
{
    fn call_boxed(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(state, envelope))
    }
}

/// The future a handler returns: `Send + 'static`, resolving to `Result<(), HandlerError>`.
/// `Ok(())` acknowledges the event (HTTP 200); an error asks the platform to redeliver it
/// (HTTP 500).
///
/// The output is bound to exactly that type, so that `Ok(())` and `?` need no annotation and
/// a handler that only panics (`async { todo!() }`) still compiles; a handler resolving to
/// anything else is reported by the compiler at the closure, naming the expected type.
#[diagnostic::on_unimplemented(
    message = "an event handler must return a `Send + 'static` future of `Result<(), HandlerError>`, not `{Self}`",
    label = "this handler's return value",
    note = "write the handler as `|e| async move {{ …; Ok(()) }}`"
)]
pub trait HandlerFuture: Future<Output = Result<(), HandlerError>> + Send + 'static {}

impl<T> HandlerFuture for T where T: Future<Output = Result<(), HandlerError>> + Send + 'static {}
