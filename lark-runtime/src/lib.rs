//! The hand-written runtime under the generated Feishu/Lark API families (the group-chat crate, and
//! any crate that generates its own family from a spec with `lark-codegen-macros`).
//!
//! It names no family: a family is a spec plus generated code that implements this crate's
//! traits and fills its tables.
//!
//! | a family generates | the runtime provides |
//! | --- | --- |
//! | request builders calling [`client::Ctx`] with an [`http::ApiRequest`] | the call pipeline: token, rate budget, exchange, decode, retry, drift notes |
//! | an extension trait on [`Client`] (e.g. `client.chat(id)`) | [`Client`], its builder, tokens of every kind |
//! | [`meta::OperationMeta`] and [`meta::EventMeta`] statics, a [`meta::Family`] | scope checks, the mock platform, coverage tools |
//! | [`meta::ErrorClasses`] from its spec's error classes | retries on rate limits and transient codes, token refresh |
//! | event types implementing [`events::Event`] | [`events::dispatch::Dispatcher`] (`.on::<E>`), webhooks, the long connection |
//! | drift shapes ([`drift::shape`]) | [`drift::DriftLog`] |
//!
//! Most users depend on a family crate, which re-exports what they need from here.
//!
//! ```no_run
//! # async fn run() -> Result<(), lark_runtime::Error> {
//! use lark_runtime::Client;
//!
//! // One client serves every family; its operations come from the families' extension
//! // traits (`use <family crate>::prelude::*;`).
//! let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `webhook` (default) | HTTP callbacks: signature, Verification Token, AES-256-CBC decryption ([`events::webhook`]) |
//! | `axum` | `events::axum`: a router and a server with read timeouts |
//! | `long-connection` | `events::long_connection`: events over the outbound WebSocket |
//! | `redis` | `redis`: shared token store, de-duplication and rate budget for replicas |
//! | `testing` | `testing`: a local platform stand-in and signed callbacks for tests |

#![warn(missing_docs)]
// docs.rs builds with `--cfg docsrs`: feature-gated items get their feature badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod client;
pub mod drift;
pub mod error;
pub mod events;
pub mod http;
pub mod meta;
pub mod retry;
pub mod wire;

#[doc(hidden)]
pub mod rt;

// Shared token store, de-duplication and rate budget for replicas, on Redis (docs inside).
#[cfg(feature = "redis")]
pub mod redis;

/// Serve operations' responses from a local server, for tests of code that uses a client.
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{Secret, Tenant, TokenKind, User};
pub use client::{Client, ClientBuilder, Domain};
pub use error::{ApiError, DecodeError, Error, Result};
pub use http::RetryPolicy;
pub use meta::ScopeSet;
