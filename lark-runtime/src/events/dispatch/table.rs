//! The handler table: event type to decoder and handler, for whatever families registered
//! events. Filled by [`DispatcherBuilder::on`](super::DispatcherBuilder::on), read by
//! [`Dispatcher`](super::Dispatcher).

use super::{BoxedHandlerFuture, Decoded, Erased, Slot};
use crate::drift::shape;
use crate::events::{Event, EventDecodeError};
use std::collections::HashMap;
use std::sync::Arc;

/// Decodes a whole callback body into what a handler takes.
pub(super) type Decoder = fn(&[u8]) -> Result<Decoded, EventDecodeError>;

/// One typed handler with what routing needs, before the state is bound.
pub(super) struct Route<H> {
    pub(super) decode: Decoder,
    pub(super) shape: &'static shape::Event,
    pub(super) handler: H,
    /// A callback (answered with the handler's response, never de-duplicated) rather than an
    /// event.
    pub(super) callback: bool,
}

/// Typed handlers by event type; `H` is a [`Slot`] while building, an [`Erased`] once built.
pub(super) type Table<H> = HashMap<&'static str, Route<H>>;

/// The decoder of event type `E`.
pub(super) fn decoder<E: Event>() -> Decoder {
    |json| E::decode(json).map(|envelope| Box::new(envelope) as Decoded)
}

/// Calls `call` with the value of type `T` out of `decoded`: an event's envelope for its typed
/// handler, a [`RawEvent`](crate::events::RawEvent) for the fallback.
pub(super) fn with_decoded<T: 'static>(
    decoded: Decoded,
    call: impl FnOnce(T) -> BoxedHandlerFuture,
) -> BoxedHandlerFuture {
    match decoded.downcast::<T>() {
        Ok(value) => call(*value),
        // Unreachable: a route's decoder and handler (or the fallback and the raw decoder) are
        // set together.
        Err(_) => Box::pin(std::future::ready(Err(
            "event decoded for another handler".into()
        ))),
    }
}

/// Event types that have a handler, sorted.
pub(super) fn registered<H>(table: &Table<H>) -> Vec<&'static str> {
    let mut types: Vec<_> = table.keys().copied().collect();
    types.sort_unstable();
    types
}

/// Binds the state into every slot of a built table.
pub(super) fn bind<S: Send + Sync + 'static>(
    table: Table<Slot<S>>,
    state: &Arc<S>,
) -> Table<Erased> {
    table
        .into_iter()
        .map(|(event_type, route)| {
            let state = Arc::clone(state);
            let slot = route.handler;
            let handler: Erased = Arc::new(move |decoded| slot(&state, decoded));
            (
                event_type,
                Route {
                    decode: route.decode,
                    shape: route.shape,
                    handler,
                    callback: route.callback,
                },
            )
        })
        .collect()
}
