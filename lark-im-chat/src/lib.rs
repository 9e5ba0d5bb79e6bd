//! Typed client for the Feishu/Lark group-chat API (im/v1 chats): chats, members, managers,
//! announcements, tabs, menus, and the chat events.
//!
//! Every endpoint, type and event is generated from the spec in the repository's
//! `spec/im-chat/` directory, over the hand-written runtime [`lark_runtime`] (tokens, transport,
//! errors, pagination, webhooks, the long connection), whose items this crate re-exports: one
//! dependency is enough.
//!
//! # Quick start
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use lark_im_chat::prelude::*;
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
//! The operations are methods of the runtime's [`Client`] through the extension trait
//! [`ImChatApi`](prelude::ImChatApi): bring [`prelude`] into scope. One client serves every
//! family. Calls use the tenant token by default; [`Client::as_user`] gives a client that sends
//! a user token, and operations the platform allows only with a tenant token do not exist on it.
//!
//! # Events
//!
//! A [`Dispatcher`](events::dispatch::Dispatcher) routes events of any family to typed handlers,
//! de-duplicating redeliveries; this crate adds one shorthand per chat event
//! ([`ImChatEvents`](prelude::ImChatEvents)). HTTP callbacks attach their verification where
//! they are served (`Dispatcher::with_webhook`, feature `webhook`; with the
//! `axum` feature, `events::axum::router` serves it), the long connection needs none:
//!
//! ```
//! use lark_im_chat::events::dispatch::Dispatcher;
//! use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
//! use lark_im_chat::prelude::*;
//!
//! let config = WebhookConfig::builder().encrypt_key("encrypt-key").verification_token("token").build()?;
//! let dispatcher = Dispatcher::builder()
//!     .on_chat_member_user_added(|e| async move {
//!         println!("{} user(s) joined {:?}", e.event.users.map_or(0, |u| u.len()), e.event.chat_id);
//!         Ok(())
//!     })
//!     .build()?;
//! let webhook = dispatcher.with_webhook(WebhookReceiver::new(config));
//! // In an HTTP handler: `let (status, body) = webhook.handle(&headers, &body_bytes).await;`
//! # let _ = webhook;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # More
//!
//! - [`ScopeSet`] tells which operations and events a set of granted scopes allows
//!   (`held.operations(&lark_im_chat::FAMILY)`).
//! - [`meta`] holds every operation's and event's facts ([`meta::OperationMeta`],
//!   [`meta::EventMeta`], `meta::CHAT_GET`, …) and [`FAMILY`].
//! - [`drift::DriftLog`] (opt-in) notes response and event fields and enum values the spec does
//!   not know, so spec drift seen in production can be reported.
//! - [`ErrorCode`] names every documented business code (`ErrorCode::from(error.code)`);
//!   [`Error`] carries status, code, message and log id.
//! - With the `testing` feature, `testing::MockPlatform::start_with(&[&FAMILY])` serves
//!   responses from a local server so downstream tests run without the platform.
//!
//! Features (`webhook` by default; `axum`, `long-connection`, `redis`, `testing`) turn on the
//! runtime's feature of the same name.

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs`: feature-gated items get their feature badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[rustfmt::skip]
mod generated;

pub use generated::{api, prelude, types, ErrorCode, ERROR_CLASSES, FAMILY};

/// Drift shapes of every response and event (what `cargo xtask decode` walks).
#[doc(hidden)]
pub use generated::schema;

/// The runtime this family is generated over.
pub use lark_runtime as runtime;

pub use lark_runtime::{auth, client, drift, error, http, retry, wire};
pub use lark_runtime::{
    ApiError, Client, ClientBuilder, DecodeError, Domain, Error, Result, RetryPolicy, ScopeSet,
    Secret, Tenant, TokenKind, User,
};

/// Events: the chat events (generated) and the runtime's dispatch, webhook, axum and
/// long-connection modules.
pub mod events {
    pub use crate::generated::events::*;
    pub use lark_runtime::events::*;
}

pub use events::ChatEvent;

/// What the spec says about each operation and event: the runtime's metadata types, and this
/// family's statics (`CHAT_GET`, [`OPERATIONS`](meta::OPERATIONS), [`EVENTS`](meta::EVENTS)).
pub mod meta {
    pub use crate::generated::meta::*;
    pub use lark_runtime::meta::*;

    /// The operation of this family with this id (e.g. `chat_members.get`).
    pub fn operation(id: &str) -> Option<&'static OperationMeta> {
        FAMILY.operation(id)
    }

    /// The event of this family with this type (e.g. `im.chat.updated_v1`).
    pub fn event(event_type: &str) -> Option<&'static EventMeta> {
        FAMILY.event(event_type)
    }
}

/// Shared token store, de-duplication and rate budget for replicas, on Redis.
#[cfg(feature = "redis")]
pub use lark_runtime::redis;

/// Test helpers: a local platform stand-in (start it with `&[&FAMILY]`) and signed callbacks.
#[cfg(feature = "testing")]
pub use lark_runtime::testing;
