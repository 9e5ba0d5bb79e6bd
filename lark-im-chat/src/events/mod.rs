//! Events: the typed chat events, and the path a callback takes to its handler.
//!
//! ```text
//! HTTP callback ─► webhook (verify, decrypt) ─┐
//!                                              ├─► decode ─► de-dup ─► dispatch ─► handler
//! long connection ─► frames ─► reassemble ─────┘
//! ```
//!
//! - [`ChatEvent`] and the event bodies are generated from the spec; [`ChatEvent::from_json`]
//!   decodes a plaintext callback body. Envelopes have constructors
//!   ([`EventEnvelopeV2::of`], [`EventEnvelopeV1::new`]) for building events in tests.
//! - [`webhook`] verifies and decrypts callbacks and answers the URL challenge.
//! - [`dispatch`] routes decoded events to typed handlers, de-duplicating redeliveries.
//! - `axum` (feature `axum`) serves a dispatcher as a router.
//! - `long_connection` (feature `long-connection`) receives events over the outbound WebSocket
//!   most bots use, into the same dispatcher.

mod decode;
pub mod dispatch;
mod envelope;
pub mod webhook;

#[cfg(feature = "axum")]
pub mod axum;

#[cfg(feature = "long-connection")]
pub mod long_connection;

pub use crate::generated::events::*;
#[doc(hidden)]
pub use decode::{decode_event, peek_event, Route};
pub use decode::{
    EventDecodeError, DECODE_MEMORY_MULTIPLE, DENSE_PAYLOAD_CHECK_FROM, MIN_BYTES_PER_CONTAINER,
};
