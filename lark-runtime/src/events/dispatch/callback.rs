//! Callbacks: handlers whose return value is the answer, such as a card action's toast and
//! updated card. They are registered like events, on the same dispatcher, for HTTP callbacks
//! and the long connection alike.
//!
//! How a callback differs from an event:
//!
//! - the handler returns a response (any `Serialize` value, e.g. `{}` or a toast), sent as the
//!   body of the HTTP 200, or base64-encoded in the `data` of the long connection's ack;
//! - it is never de-duplicated: the platform does not redeliver callbacks (the user waits for
//!   this one answer), and two clicks are two callbacks with their own ids, both handled;
//! - a handler that fails, panics or runs past the [callback deadline](DispatcherBuilder::callback_deadline)
//!   (default [`DEFAULT_CALLBACK_DEADLINE`](super::DEFAULT_CALLBACK_DEADLINE), under the
//!   platform's 3 s) is answered in time with an empty response (`{}`, the card stays as it
//!   is), logged at `ERROR` and reported as [`Outcome::CallbackFailed`](super::Outcome::CallbackFailed).
//!   Answer at once and change the card later (e.g. with the message family's `message.patch`).

use super::builder::DispatcherBuilder;
use super::handler::{HandlerReturn, State, StateHandlerReturn};
use super::{table, BoxedHandlerFuture, HandlerError, Reply};
use crate::events::Event;
use bytes::Bytes;
use futures::FutureExt as _;
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A callback handler: `Fn(envelope) -> impl Future<Output = Result<R, HandlerError>>`, where
/// the response `R` is any `Serialize` value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a callback handler taking `{E}`",
    label = "expected `|envelope| async move {{ …; Ok(response) }}`",
    note = "a callback handler is `Fn(envelope) -> impl Future<Output = Result<R, HandlerError>> + Send + 'static` with `R: Serialize`"
)]
pub trait CallbackHandler<E>:
    HandlerReturn<E> + Fn(E) -> <Self as HandlerReturn<E>>::Future + Send + Sync + 'static
{
    #[doc(hidden)]
    fn call_callback(&self, envelope: E) -> BoxedHandlerFuture;
}

impl<E, R, Fut, F> CallbackHandler<E> for F
where
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: Serialize + 'static,
{
    fn call_callback(&self, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(envelope).map(encode))
    }
}

/// A callback handler taking application state: `Fn(State<A>, envelope) -> impl
/// Future<Output = Result<R, HandlerError>>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a callback handler taking `(State<{A}>, {E})`",
    label = "expected `|State(state), envelope| async move {{ …; Ok(response) }}`",
    note = "after `.state(..)`, a callback handler is `Fn(State<A>, envelope) -> impl Future<Output = Result<R, HandlerError>> + Send + 'static` with `R: Serialize`"
)]
pub trait StateCallbackHandler<A, E>:
    StateHandlerReturn<A, E>
    + Fn(State<A>, E) -> <Self as StateHandlerReturn<A, E>>::Future
    + Send
    + Sync
    + 'static
{
    #[doc(hidden)]
    fn call_callback(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture;
}

impl<A, E, R, Fut, F> StateCallbackHandler<A, E> for F
where
    F: Fn(State<A>, E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: Serialize + 'static,
{
    fn call_callback(&self, state: State<A>, envelope: E) -> BoxedHandlerFuture {
        Box::pin(self(state, envelope).map(encode))
    }
}

/// The response as JSON bytes; a value that cannot be serialized is the handler's failure.
fn encode<R: Serialize>(result: Result<R, HandlerError>) -> Result<Reply, HandlerError> {
    let response = result?;
    let json = serde_json::to_vec(&response)?;
    Ok(Some(Bytes::from(json)))
}

impl DispatcherBuilder {
    /// Registers the handler of callbacks of type `E` (a family's generated callback, such as
    /// the message family's card action), whose return value is the answer (see the
    /// notes on [`CallbackHandler`]). A family usually offers a shorthand
    /// (`on_card_action`).
    pub fn on_callback<E: Event>(self, handler: impl CallbackHandler<E::Envelope>) -> Self {
        self.register::<E>(
            true,
            Arc::new(move |_: &(), decoded| {
                table::with_decoded::<E::Envelope>(decoded, |envelope| {
                    handler.call_callback(envelope)
                })
            }),
        )
    }
}

impl<A: Clone + Send + Sync + 'static> DispatcherBuilder<State<A>> {
    /// Registers the handler of callbacks of type `E`, which receives a clone of the state;
    /// otherwise the same as [`DispatcherBuilder::on_callback`].
    pub fn on_callback<E: Event>(self, handler: impl StateCallbackHandler<A, E::Envelope>) -> Self {
        self.register::<E>(
            true,
            Arc::new(move |state: &State<A>, decoded| {
                table::with_decoded::<E::Envelope>(decoded, |envelope| {
                    handler.call_callback(State(state.0.clone()), envelope)
                })
            }),
        )
    }
}

impl<S: Send + Sync + 'static> DispatcherBuilder<S> {
    /// Sets how long a callback handler may run before the callback is answered with an
    /// empty response (default [`DEFAULT_CALLBACK_DEADLINE`](super::DEFAULT_CALLBACK_DEADLINE),
    /// 2.5 s; the platform waits 3 s). On the long connection the ack window may shorten it.
    pub fn callback_deadline(mut self, deadline: Duration) -> Self {
        self.callback_deadline = deadline;
        self
    }
}
