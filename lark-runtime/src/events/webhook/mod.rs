//! Security layer for events delivered by HTTP callback (webhook), as plain functions over the
//! request headers and the raw body bytes: no web framework required.
//!
//! A [`WebhookReceiver`] built from a [`WebhookConfig`] turns one request into either
//! [`Received::Challenge`] (the `url_verification` handshake) or [`Received::Event`] (a
//! [`VerifiedEvent`]: authenticated plaintext JSON plus the facts needed to route and
//! de-duplicate it), or refuses it with a [`WebhookError`] that knows its HTTP status.
//!
//! What it implements:
//!
//! - decryption of `{"encrypt":"…"}` bodies: AES-256-CBC, key = SHA-256(Encrypt Key), IV = the
//!   first 16 bytes of the base64-decoded data, strict PKCS#7 ([`EncryptKey`]);
//! - the `X-Lark-Signature` check, lowercase hex SHA-256 over timestamp, nonce, Encrypt Key and
//!   the raw body, compared in constant time ([`verify_signature`]);
//! - a replay window on `X-Lark-Request-Timestamp` (Unix seconds), which the official SDKs lack;
//! - the Verification Token, compared in constant time ([`VerificationToken`]);
//! - the challenge answer ([`challenge_response_body`]);
//! - de-duplication of redeliveries ([`DedupStore`], [`InMemoryDedup`]).
//!
//! [`VerifiedEvent::decode`] gives a family's typed event. A
//! [`Dispatcher`] with [`Dispatcher::with_webhook`] runs the whole path (this layer, typed
//! decoding, de-duplication and one handler per event type) and tells what to answer.
//!
//! Verification and decryption need the `webhook` feature (on by default); without it only the
//! payload types remain, for the long connection.
//!
//! ```
//! # #[cfg(feature = "webhook")] {
//! use lark_runtime::events::webhook::{challenge_response_body, Received, WebhookConfig, WebhookReceiver};
//!
//! let config = WebhookConfig::builder()
//!     .verification_token("verification-token")
//!     .build()?;
//! let receiver = WebhookReceiver::new(config);
//!
//! let body = br#"{"challenge":"c-42","token":"verification-token","type":"url_verification"}"#;
//! match receiver.receive(&http::HeaderMap::new(), body) {
//!     Ok(Received::Challenge { challenge }) => {
//!         assert_eq!(challenge_response_body(&challenge), br#"{"challenge":"c-42"}"#);
//!     }
//!     Ok(Received::Event(event)) => println!("{} {}", event.event_type(), event.dedup_key()),
//!     Ok(_) => {}
//!     Err(e) => println!("answer {}: {e}", e.status()),
//! }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`WebhookReceiver`]: crate::events::webhook::WebhookReceiver
//! [`WebhookConfig`]: crate::events::webhook::WebhookConfig
//! [`Received::Challenge`]: crate::events::webhook::Received::Challenge
//! [`Received::Event`]: crate::events::webhook::Received::Event
//! [`VerifiedEvent`]: crate::events::webhook::VerifiedEvent
//! [`WebhookError`]: crate::events::webhook::WebhookError
//! [`EncryptKey`]: crate::events::webhook::EncryptKey
//! [`verify_signature`]: crate::events::webhook::verify_signature
//! [`VerificationToken`]: crate::events::webhook::VerificationToken
//! [`challenge_response_body`]: crate::events::webhook::challenge_response_body
//! [`DedupStore`]: crate::events::webhook::DedupStore
//! [`InMemoryDedup`]: crate::events::webhook::InMemoryDedup
//! [`VerifiedEvent::decode`]: crate::events::webhook::VerifiedEvent::decode
//! [`Dispatcher`]: crate::events::dispatch::Dispatcher
//! [`Dispatcher::with_webhook`]: crate::events::dispatch::Dispatcher::with_webhook

// Without the `webhook` feature the verification items these docs link to do not exist.
#![cfg_attr(not(feature = "webhook"), allow(rustdoc::broken_intra_doc_links))]

mod challenge;
#[cfg(feature = "webhook")]
mod config;
#[cfg(feature = "webhook")]
mod crypto;
mod envelope;
mod error;
mod event;
#[cfg(feature = "webhook")]
mod receiver;
#[cfg(feature = "webhook")]
mod signature;
#[cfg(feature = "webhook")]
mod token;

pub use challenge::{challenge_response_body, CHALLENGE_CONTENT_TYPE};
#[cfg(feature = "webhook")]
pub use config::{
    ConfigError, WebhookConfig, WebhookConfigBuilder, DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TIMESTAMP_WINDOW,
};
#[cfg(feature = "webhook")]
pub use crypto::EncryptKey;
// De-duplication serves every transport; kept here under its former path too.
pub use crate::events::dedup::{
    Clock, DedupError, DedupForgetFuture, DedupFuture, DedupOutcome, DedupStore, InMemoryDedup,
    SystemClock, DEDUP_ENTRY_OVERHEAD, DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_LEASE,
    DEFAULT_DEDUP_MAX_BYTES, DEFAULT_DEDUP_TTL,
};
pub use error::WebhookError;
pub(crate) use event::receive_trusted;
pub use event::{Received, Schema, VerifiedEvent};
#[cfg(feature = "webhook")]
pub use receiver::WebhookReceiver;
#[cfg(feature = "webhook")]
pub use signature::{
    compute_signature, verify_signature, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
#[cfg(feature = "webhook")]
pub use token::VerificationToken;
