//! The typed event table: which event body goes to which handler slot. The table itself comes
//! from the spec (the generated `for_each_chat_event!`), never listed here by hand.

use super::Erased;
use crate::generated::events::*;

mod sealed {
    /// Restricts [`DispatchEvent`](super::DispatchEvent) to the event bodies of this crate and
    /// holds the handler slot.
    pub trait Sealed: Sized {
        /// Index of the handler slot.
        const SLOT: usize;
    }
}

/// An event body type a [`Dispatcher`](super::Dispatcher) can route to a typed handler: one of the nine bodies of
/// [`ChatEvent`]. Implemented in this crate only.
///
/// Use it with the generic [`DispatcherBuilder::on`](super::DispatcherBuilder::on); the named methods such as
/// [`DispatcherBuilder::on_chat_updated`](super::DispatcherBuilder::on_chat_updated) are shorthands for it.
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
        pub(super) fn slot_of(event: &ChatEvent) -> Option<usize> {
            match event {
                $( ChatEvent::$ty(_) => Some($slot), )*
                ChatEvent::Unknown { .. } => None,
            }
        }

        /// Event type of each slot.
        pub(super) const SLOT_EVENT_TYPES: &[&str] = &[$( $event_type, )*];

        /// Number of typed events, one handler slot each.
        pub(super) const EVENT_COUNT: usize = SLOT_EVENT_TYPES.len();
    };
}

// The table of typed events comes from the spec: one line per event, in `ChatEvent` order.
crate::generated::for_each_chat_event!(events);

/// Event types that have a handler.
pub(super) fn registered(handlers: &[Option<Erased>; EVENT_COUNT]) -> Vec<&'static str> {
    SLOT_EVENT_TYPES
        .iter()
        .zip(handlers)
        .filter(|(_, h)| h.is_some())
        .map(|(t, _)| *t)
        .collect()
}
