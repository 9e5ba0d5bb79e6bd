//! Typed client for the Feishu/Lark group-chat API (im/v1 chats): chats, members, managers,
//! announcements, tabs, menus, and the chat events.
//!
//! Every endpoint, type and event is generated from the spec in the repository's `spec/`
//! directory; the runtime around it (tokens, transport, errors, pagination, webhooks) is written
//! by hand.
//!
//! # Quick start
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use lark_im_chat::{types::ChatCreateBody, Client};
//!
//! # async fn run() -> Result<(), lark_im_chat::Error> {
//! let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
//!
//! // Required inputs are arguments, optional ones are setters.
//! let created = client
//!     .chats()
//!     .create()
//!     .body(ChatCreateBody::new().name("Incident 4711").user_id_list(["ou_7d8a6e6df7621556ce0d21922b676706ccs"]))
//!     .uuid("incident-4711")
//!     .send()
//!     .await?;
//!
//! // Paginated listings are streams.
//! let chat_id = created.chat_id.unwrap_or_default();
//! let members: Vec<_> = client.chat(&chat_id).members().get().page_size(100).items().try_collect().await?;
//! println!("{} members", members.len());
//! # Ok(()) }
//! ```
//!
//! Calls use the tenant token by default; [`Client::as_user`] gives handles that send a user
//! token, and operations the platform allows only with a tenant token do not exist on them.
//!
//! # Events
//!
//! [`events::webhook`] verifies and decrypts callbacks, [`ChatEvent::from_json`] types them, and a
//! [`events::dispatch::Dispatcher`] routes them to handlers, de-duplicating redeliveries (with the
//! `axum` feature, `lark_im_chat::events::axum::router` serves it):
//!
//! ```
//! use lark_im_chat::events::dispatch::Dispatcher;
//! use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
//!
//! let config = WebhookConfig::builder().encrypt_key("encrypt-key").verification_token("token").build()?;
//! let dispatcher = Dispatcher::builder(WebhookReceiver::new(config))
//!     .on_chat_member_user_added(|e| async move {
//!         println!("{} user(s) joined {:?}", e.event.users.map_or(0, |u| u.len()), e.event.chat_id);
//!         Ok(())
//!     })
//!     .build()?;
//! // In an HTTP handler: `let (status, body) = dispatcher.handle(&headers, &body_bytes).await;`
//! # let _ = dispatcher;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # More
//!
//! - [`ScopeSet`] tells which operations and events a set of granted scopes allows.
//! - [`meta`] holds every operation's and event's facts ([`meta::OperationMeta`],
//!   [`meta::EventMeta`], `meta::CHAT_GET`, …).
//! - [`drift::DriftLog`] (opt-in) notes response and event fields and enum values the spec does
//!   not know, so spec drift seen in production can be reported.
//! - [`ErrorCode`] names every documented business code; [`Error`] carries status, code, message
//!   and log id.
//! - With the `testing` feature, `lark_im_chat::testing::MockPlatform` serves responses from a
//!   local server so downstream tests run without the platform.

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs`: feature-gated items get their feature badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Generated code names this crate `::lark_im_chat`, so the same text compiles here and in
// crates expanded by the proc-macro front end.
extern crate self as lark_im_chat;

pub mod auth;
pub mod client;
pub mod drift;
pub mod error;
pub mod events;
pub mod http;
pub mod meta;
pub mod wire;

#[doc(hidden)]
pub mod rt;

#[rustfmt::skip]
mod generated;

// Shared token store, de-duplication and rate budget for replicas, on Redis (docs inside).
#[cfg(feature = "redis")]
pub mod redis;

/// Serve operations' responses from a local server, for tests of code that uses this client.
#[cfg(feature = "testing")]
pub mod testing;

pub use generated::{api, types};

pub use auth::{Secret, Tenant, TokenKind, User};
pub use client::{Client, ClientBuilder, Domain};
pub use error::{ApiError, DecodeError, Error, Result};
pub use events::ChatEvent;
pub use generated::ErrorCode;
pub use http::RetryPolicy;
pub use meta::ScopeSet;
