//! Events: the typed chat events, and the path a callback takes to its handler.
//!
//! ```text
//! HTTP callback ─► webhook (verify, decrypt) ─┐
//!                                              ├─► decode ─► de-dup ─► dispatch ─► handler
//! long connection ─► frames ─► reassemble ─────┘
//! ```
//!
//! - [`ChatEvent`] and the event bodies are generated from the spec; [`ChatEvent::from_json`]
//!   decodes a plaintext callback body.
//! - [`webhook`] verifies and decrypts callbacks and answers the URL challenge.
//! - [`dispatch`] routes decoded events to typed handlers, de-duplicating redeliveries.
//! - `axum` (feature `axum`) serves a dispatcher as a router.
//! - `long_connection` (feature `long-connection`) receives events over the outbound WebSocket
//!   most bots use, into the same dispatcher.

mod decode;
pub mod dispatch;
pub mod webhook;

#[cfg(feature = "axum")]
pub mod axum;

#[cfg(feature = "long-connection")]
pub mod long_connection;

pub use crate::generated::events::*;
pub use decode::EventDecodeError;
#[doc(hidden)]
pub use decode::{decode_event, peek_event, Route};
