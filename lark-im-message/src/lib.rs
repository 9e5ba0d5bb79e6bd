//! Typed client for the Feishu/Lark message API (im/v1): send, reply, edit, recall, fetch and
//! list messages, reactions, pins, image and file uploads and downloads, and the message events.
//!
//! Every endpoint, type and event is generated from the spec in the repository's
//! `spec/im-message/` directory, over the hand-written runtime [`lark_runtime`] (tokens, transport,
//! errors, pagination, webhooks, the long connection), whose items this crate re-exports: one
//! dependency is enough, and the same [`Client`] serves the chat family (`lark-im-chat`) too.
//!
//! # Quick start
//!
//! ```no_run
//! use lark_im_message::content::{MessageContent, TextContent};
//! use lark_im_message::prelude::*;
//! use lark_im_message::types::{MessageCreateBody, ReceiveIdType};
//! use lark_im_message::Client;
//!
//! # async fn run() -> Result<(), lark_im_message::Error> {
//! let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
//!
//! // Typed content: `msg_type` and the JSON text of `content` are set for you, and the
//! // platform's size limit is checked before anything is sent.
//! let hello = TextContent::builder()
//!     .at_user("ou_84aad35d084aa403a838cf73ee18467", "Tom")
//!     .text(" welcome to the chat!")
//!     .build();
//! let body = MessageCreateBody::with_content(
//!     "oc_a0553eda9014c201e6969b478895c230",
//!     &MessageContent::from(hello),
//! )?
//! .uuid("hello-4711");
//! let sent = client.messages().create(ReceiveIdType::ChatId, body).send().await?;
//! println!("sent {:?}", sent.message_id);
//! # Ok(()) }
//! ```
//!
//! The operations are methods of the runtime's [`Client`] through the extension trait
//! [`ImMessageApi`](prelude::ImMessageApi): bring [`prelude`] into scope.
//!
//! # Events
//!
//! A [`Dispatcher`](events::dispatch::Dispatcher) routes events of any family to typed handlers;
//! this crate adds one shorthand per message event ([`ImMessageEvents`](prelude::ImMessageEvents)):
//!
//! ```
//! use lark_im_message::events::dispatch::Dispatcher;
//! use lark_im_message::prelude::*;
//!
//! let dispatcher = Dispatcher::builder()
//!     .on_message_receive(|e| async move {
//!         println!("message {:?}", e.event.message.as_ref().and_then(|m| m.message_id.as_deref()));
//!         Ok(())
//!     })
//!     .build()?;
//! # let _ = dispatcher;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Content
//!
//! [`MessageContent`] types the content of every message type both ways (module [`content`]):
//! sent with the body constructors (`with_content` on the create, reply, update and patch
//! bodies, size-checked), received with `decode_content()` on an event's
//! [`EventMessage`](types::EventMessage) or a fetched [`Message`](types::Message), mentions
//! resolved:
//!
//! ```
//! use lark_im_message::content::MessageContent;
//! use lark_im_message::types::EventMessage;
//!
//! # fn handle(message: &EventMessage) -> Result<(), lark_im_message::ContentError> {
//! if let MessageContent::Text(text) = message.decode_content()? {
//!     // `@_user_1 help` reads "@Build Bot help"; `with_at_tags()` gives the `<at>` form.
//!     if text.display_text().contains("help") {
//!         println!("asked for help by {:?}", text.mentions);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Cards
//!
//! [`Card`] builds card JSON 2.0 in Rust (module [`card`]): header, markdown, text, divider,
//! image, buttons with a callback `value`, column sets, forms with inputs, selects, date
//! pickers and a submit button, raw JSON for anything else; template cards too. A card is sent
//! as an `interactive` message and answers a click through [`CardActionResponse`]:
//!
//! ```
//! use lark_im_message::card::{Button, Card, CardActionResponse, ToastKind};
//! use lark_im_message::types::MessageCreateBody;
//! use serde_json::json;
//!
//! let card = Card::new()
//!     .title("Welcome")
//!     .element(Button::callback("Say hello", json!({"action": "hello"})));
//! let body = MessageCreateBody::with_content("oc_a0553eda9014c201e6969b478895c230", &card.to_content()?)?;
//! assert_eq!(body.msg_type.as_str(), "interactive");
//!
//! // The answer to a click on it: a toast and an updated card.
//! let answer = CardActionResponse::toast(ToastKind::Success, "Hello!")
//!     .with_card(Card::new().markdown("Said hello."));
//! # let _ = answer;
//! # Ok::<(), lark_im_message::ContentError>(())
//! ```
//!
//! Features (`webhook` by default; `axum`, `long-connection`, `redis`, `testing`) turn on the
//! runtime's feature of the same name.

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs`: feature-gated items get their feature badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[rustfmt::skip]
mod generated;

pub mod card;
pub mod content;

pub use card::{Card, CardActionResponse};
pub use content::{ContentError, MessageContent};

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

/// Events: the message events (generated) and the runtime's dispatch, webhook, axum and
/// long-connection modules.
pub mod events {
    pub use crate::generated::events::*;
    pub use lark_runtime::events::*;
}

pub use events::MessageEvent;

/// What the spec says about each operation and event: the runtime's metadata types, and this
/// family's statics ([`OPERATIONS`](meta::OPERATIONS), [`EVENTS`](meta::EVENTS)).
pub mod meta {
    pub use crate::generated::meta::*;
    pub use lark_runtime::meta::*;

    /// The operation of this family with this id (e.g. `message.create`).
    pub fn operation(id: &str) -> Option<&'static OperationMeta> {
        FAMILY.operation(id)
    }

    /// The event of this family with this type (e.g. `im.message.receive_v1`).
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
