//! Events of any family, and the path a callback takes to its handler.
//!
//! ```text
//! HTTP callback ─► webhook (verify, decrypt) ─┐
//!                                              ├─► route ─► decode ─► de-dup ─► handler
//! long connection ─► frames ─► reassemble ─────┘
//! ```
//!
//! - [`Event`] is what a family's generated event types implement; handlers receive their
//!   [`EventEnvelopeV2`] (or legacy [`EventEnvelopeV1`]), and the fallback a [`RawEvent`].
//!   Envelopes have constructors ([`EventEnvelopeV2::of`], [`EventEnvelopeV1::new`]) for
//!   building events in tests.
//! - [`webhook`] verifies and decrypts callbacks and answers the URL challenge (feature
//!   `webhook`, on by default).
//! - [`dispatch`] routes decoded events to typed handlers, de-duplicating redeliveries
//!   ([`dedup`]).
//! - `axum` (feature `axum`) serves a dispatcher as a router.
//! - `long_connection` (feature `long-connection`) receives events over the outbound WebSocket
//!   most bots use, into the same dispatcher.

mod decode;
pub mod dedup;
pub mod dispatch;
pub mod durable;
mod envelope;
mod event;
pub mod webhook;

#[cfg(feature = "axum")]
pub mod axum;

#[cfg(feature = "long-connection")]
pub mod long_connection;

#[doc(hidden)]
pub use decode::{decode_event, peek_event, Route};
pub use decode::{
    EventDecodeError, DECODE_MEMORY_MULTIPLE, DENSE_PAYLOAD_CHECK_FROM, MIN_BYTES_PER_CONTAINER,
};
pub use envelope::{
    EventEnvelopeV1, EventEnvelopeV2, EventHeaderV2, EVENT_ENVELOPE_V1_SHAPE,
    EVENT_ENVELOPE_V2_SHAPE, EVENT_HEADER_V2_SHAPE, EVENT_V1_KEYS, EVENT_V2_HEADER_KEYS,
    EVENT_V2_KEYS,
};
pub use event::{Event, RawEvent};
