//! What an event handler is: the traits the registration methods require, written so that a
//! closure's argument types are inferred and a wrong signature is reported at the closure with
//! a message naming the expected shape.

use super::{BoxedHandlerFuture, HandlerError};
use futures::FutureExt as _;
use std::future::Future;

/// Application state handed to the handlers of a dispatcher built with
/// [`DispatcherBuilder::state`](super::DispatcherBuilder::state), the way axum's `State`
/// extractor works: each call receives a clone of the state (put an `Arc` or a cheaply
/// clonable handle such as [`Client`](crate::Client) in it).
///
/// ```
/// use lark_runtime::events::dispatch::{Dispatcher, State};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let seen = Arc::new(AtomicUsize::new(0));
/// let dispatcher = Dispatcher::builder()
///     .state(Arc::clone(&seen))
///     .fallback(|State(count), _event| async move {
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
pub trait EventHandler<E>:
    HandlerReturn<E> + Fn(E) -> <Self as HandlerReturn<E>>::Future + Send + Sync + 'static
{
    /// Calls the handler and boxes its future.
    #[doc(hidden)]
    fn call_boxed(&self, envelope: E) -> BoxedHandlerFuture;
}

impl<E, Fut, F> EventHandler<E> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: HandlerFuture,
{
    fn call_boxed(&self, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(envelope).map(|r| r.into_result().map(|()| None)))
    }
}

/// The future a handler of `E` returns. A supertrait of [`EventHandler`] so that the handler
/// bound names no future type (`.on::<E>(handler)` needs only the event type) while a
/// closure's argument type is still inferred from the `Fn` supertrait.
#[doc(hidden)]
pub trait HandlerReturn<E> {
    /// The future.
    type Future;
}

impl<E, Fut, F: Fn(E) -> Fut> HandlerReturn<E> for F {
    type Future = Fut;
}

/// The future a handler with state returns; see [`HandlerReturn`].
#[doc(hidden)]
pub trait StateHandlerReturn<A, E> {
    /// The future.
    type Future;
}

impl<A, E, Fut, F: Fn(State<A>, E) -> Fut> StateHandlerReturn<A, E> for F {
    type Future = Fut;
}

/// A handler of one event type that receives the dispatcher's application state first:
/// `|State(state), envelope| async move { …; Ok(()) }`. Implemented for every fitting closure
/// or function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event handler taking `(State<{A}>, {E})`",
    label = "expected `|State(state), envelope| async move {{ …; Ok(()) }}`",
    note = "after `.state(..)`, a handler is `Fn(State<A>, envelope) -> impl Future<Output = Result<(), HandlerError>> + Send + 'static`; ignore the state with `|_, envelope|`"
)]
pub trait StateHandler<A, E>:
    StateHandlerReturn<A, E>
    + Fn(State<A>, E) -> <Self as StateHandlerReturn<A, E>>::Future
    + Send
    + Sync
    + 'static
{
    /// Calls the handler and boxes its future.
    #[doc(hidden)]
    fn call_boxed(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture;
}

impl<A, E, Fut, F> StateHandler<A, E> for F
where
    F: Fn(State<A>, E) -> Fut + Send + Sync + 'static,
    Fut: HandlerFuture,
{
    fn call_boxed(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(state, envelope).map(|r| r.into_result().map(|()| None)))
    }
}

/// The future a handler returns: `Send + 'static`, resolving to [`HandlerResult`].
#[diagnostic::on_unimplemented(
    message = "an event handler must return a `Send + 'static` future, not `{Self}`",
    label = "this handler's return value",
    note = "write the handler as `|e| async move {{ …; Ok(()) }}`"
)]
pub trait HandlerFuture: Future<Output: HandlerResult> + Send + 'static {}

impl<T> HandlerFuture for T
where
    T: Future + Send + 'static,
    T::Output: HandlerResult,
{
}

/// What a handler's future resolves to: `Result<(), HandlerError>`, nothing else. `Ok(())`
/// acknowledges the event (HTTP 200); an error asks the platform to redeliver it (HTTP 500).
///
/// A trait of its own, with one implementation, so that `Ok(())` and `?` need no annotation
/// and any other output is reported at the handler with the message below. A handler whose
/// body only panics (`async { todo!() }`) must still end with `Ok(())`.
#[diagnostic::on_unimplemented(
    message = "an event handler must resolve to `Result<(), HandlerError>`, not `{Self}`",
    label = "this handler's future",
    note = "end the handler with `Ok(())`; `?` turns any error into a `HandlerError`"
)]
pub trait HandlerResult {
    /// The result as the dispatcher reads it.
    #[doc(hidden)]
    fn into_result(self) -> Result<(), HandlerError>;
}

impl HandlerResult for Result<(), HandlerError> {
    fn into_result(self) -> Result<(), HandlerError> {
        self
    }
}
