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
//! use lark_im_chat::{ChatCreateBody, Client};
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
//! [`webhook`] verifies and decrypts callbacks, [`ChatEvent::from_json`] types them, and a
//! [`dispatch::Dispatcher`] routes them to handlers, de-duplicating redeliveries (with the
//! `axum` feature, `lark_im_chat::axum::router` serves it):
//!
//! ```
//! use lark_im_chat::dispatch::Dispatcher;
//! use lark_im_chat::webhook::{WebhookConfig, WebhookReceiver};
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
//! - [`spec`] holds every operation's and event's facts ([`OperationMeta`], [`EventMeta`]).
//! - [`ErrorCode`] names every documented business code; [`Error`] carries status, code, message
//!   and log id.
//! - With the `testing` feature, `lark_im_chat::testing::MockPlatform` serves responses from a
//!   local server so downstream tests run without the platform.

#![warn(missing_docs)]

// Generated code names this crate `::lark_im_chat`, so the same text compiles here and in
// crates expanded by the proc-macro front end.
extern crate self as lark_im_chat;

mod auth;
mod client;
mod config;
mod error;
mod events;
mod metadata;
mod open_enum;
mod pagination;
mod request;
mod retry;
mod scope;
mod secret;
mod token;
mod token_endpoints;
mod transport;
mod validate;
mod wire;

#[doc(hidden)]
pub mod rt;

#[rustfmt::skip]
mod gen;

/// Serve operations' responses from a local server, for tests of code that uses this client.
#[cfg(feature = "testing")]
pub mod testing;

/// Webhook (HTTP event callback) security: decryption, signature, timestamp window,
/// Verification Token, challenge answer and de-duplication.
pub mod webhook;

pub mod dispatch;

#[cfg(feature = "axum")]
pub mod axum;

#[cfg(feature = "long-connection")]
pub mod long_connection;

pub use auth::{Tenant, TokenKind, User};
pub use client::{Client, ClientBuilder};
pub use config::{Domain, FEISHU_BASE_URL, LARK_BASE_URL};
pub use error::{
    ApiError, DecodeError, Error, ErrorDetail, FieldViolation, PermissionViolation, Result,
};
pub use events::EventDecodeError;
pub use gen::*;
pub use transport::Ctx;

/// The spec's facts as constants: one [`OperationMeta`] per operation (`spec::CHAT_GET`), one
/// [`EventMeta`] per event (`spec::CHAT_UPDATED_V1`), and the tables over them.
pub use gen::meta as spec;
pub use metadata::{AppType, EventMeta, EventSchema, HttpMethod, OperationMeta, TokenType};
pub use open_enum::UnknownValue;
pub use pagination::{Page, Paginated};
pub use request::ApiRequest;
pub use retry::RetryPolicy;
pub use scope::{event, operation, ScopeSet};
pub use secret::Secret;
pub use token::{CachedTokenKind, MemoryTokenStore, StoredToken, TokenKey, TokenStore};
pub use validate::Validate;

/// Decodes a full response body (`{code, msg, data}`) of an operation, as the client does.
pub use transport::decode_response;
