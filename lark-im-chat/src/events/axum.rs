//! Serving a [`Dispatcher`] with [axum](https://docs.rs/axum) 0.8.
//!
//! [`router`] gives a ready [`Router`] answering `POST` callbacks on its root path: nest it
//! under the callback URL configured in the developer console, or merge it. [`handle`] is the
//! bare handler, for routes of your own, and [`Outcome`] implements
//! [`IntoResponse`].
//!
//! ```no_run
//! use lark_im_chat::events::dispatch::Dispatcher;
//! use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = WebhookConfig::builder()
//!     .verification_token(std::env::var("LARK_VERIFICATION_TOKEN")?)
//!     .encrypt_key(std::env::var("LARK_ENCRYPT_KEY")?)
//!     .build()?;
//! let dispatcher = Dispatcher::builder(WebhookReceiver::new(config))
//!     .on_chat_disbanded(|e| async move {
//!         println!("chat {:?} disbanded", e.event.chat_id);
//!         Ok(())
//!     })
//!     .build()?;
//!
//! let app = axum::Router::new().nest("/lark/events", lark_im_chat::events::axum::router(dispatcher));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

use ::axum::body::Bytes;
use ::axum::extract::{DefaultBodyLimit, State};
use ::axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::post;
use ::axum::Router;

use crate::events::dispatch::{Dispatcher, Outcome, RESPONSE_CONTENT_TYPE};

/// A router answering `POST /` with `dispatcher`, for [`Router::nest`] or [`Router::merge`].
///
/// The request body limit is set to one byte more than the receiver's
/// [`max_body_size`](crate::events::webhook::WebhookConfig::max_body_size), so that oversized bodies
/// are refused with 413 before being read in full.
pub fn router<S>(dispatcher: Dispatcher) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let limit = dispatcher
        .receiver()
        .config()
        .max_body_size()
        .saturating_add(1);
    Router::new()
        .route("/", post(handle))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(dispatcher)
}

/// An axum handler running one request through the dispatcher in its state:
/// `post(lark_im_chat::events::axum::handle).with_state(dispatcher)`.
///
/// Mind axum's default body limit (2 MB) when the receiver accepts larger bodies; [`router`]
/// sets it from the receiver's configuration.
///
/// The request runs in a task of its own, so that a handler runs to completion even if the
/// platform closes the connection first (it waits 3 seconds): its redelivery is then a
/// duplicate, acknowledged without running the handler again.
pub async fn handle(
    State(dispatcher): State<Dispatcher>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let task = tokio::spawn(async move { dispatcher.dispatch(&headers, &body).await });
    match task.await {
        Ok(outcome) => IntoResponse::into_response(outcome),
        // Handler panics are caught inside `dispatch`; this is the runtime shutting down.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let (status, body) = Outcome::into_response(self);
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(RESPONSE_CONTENT_TYPE),
        );
        response
    }
}
