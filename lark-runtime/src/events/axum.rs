//! Serving a [`WebhookDispatcher`] (a dispatcher with the verification of one app's callback
//! URL, [`Dispatcher::with_webhook`](crate::events::dispatch::Dispatcher::with_webhook)) with
//! [axum](https://docs.rs/axum) 0.8.
//!
//! [`router`] gives a ready [`Router`] answering `POST` callbacks on its root path: nest it
//! under the callback URL configured in the developer console, or merge it. [`handle`] is the
//! bare handler, for routes of your own, and [`Outcome`] implements [`IntoResponse`].
//! [`serve`] runs an app on a listener with a header read timeout, which a router alone cannot
//! enforce (a connection that never finishes its headers never reaches it).
//!
//! | limit | default | on overshoot |
//! | --- | --- | --- |
//! | header read timeout ([`serve`]) | [`DEFAULT_HEADER_READ_TIMEOUT`], 5 s | connection closed |
//! | body read timeout ([`router`], [`handle`]) | [`DEFAULT_BODY_READ_TIMEOUT`], 5 s | 408, connection closed |
//! | body size ([`WebhookConfig::max_body_size`](crate::events::webhook::WebhookConfig::max_body_size)) | 1 MiB | 413 `{"msg":"…"}`, whatever the overshoot |
//!
//! ```no_run
//! use lark_runtime::events::dispatch::Dispatcher;
//! use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = WebhookConfig::builder()
//!     .verification_token(std::env::var("LARK_VERIFICATION_TOKEN")?)
//!     .encrypt_key(std::env::var("LARK_ENCRYPT_KEY")?)
//!     .build()?;
//! let dispatcher = Dispatcher::builder()
//!     // typed handlers of any family: `.on::<E>(…)` or shorthands such as `on_chat_disbanded`
//!     .fallback(|e| async move {
//!         println!("{} event", e.event_type());
//!         Ok(())
//!     })
//!     .build()?;
//!
//! let webhook = dispatcher.with_webhook(WebhookReceiver::new(config));
//! let app = axum::Router::new().nest("/lark/events", lark_runtime::events::axum::router(webhook));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! lark_runtime::events::axum::serve(listener, app).await;
//! # Ok(()) }
//! ```

use std::time::Duration;

use ::axum::body::{Body, Bytes};
use ::axum::extract::{DefaultBodyLimit, State};
use ::axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::post;
use ::axum::Router;
use futures::StreamExt as _;

use crate::events::dispatch::{Outcome, WebhookDispatcher, RESPONSE_CONTENT_TYPE};
use crate::events::webhook::WebhookError;

/// Default time a client has to send a request's headers, from the connection's first byte
/// wait on ([`serve`]).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time a client has to send a request's whole body once its headers arrived
/// ([`router`], [`handle`]).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Read timeouts of [`router_with`] and [`serve_with`]; [`Timeouts::default`] has
/// [`DEFAULT_HEADER_READ_TIMEOUT`] and [`DEFAULT_BODY_READ_TIMEOUT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// How long a connection may take to deliver a request's headers before it is closed.
    pub header_read: Duration,
    /// How long a request may take to deliver its body before it is answered 408.
    pub body_read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: DEFAULT_HEADER_READ_TIMEOUT,
            body_read: DEFAULT_BODY_READ_TIMEOUT,
        }
    }
}

impl Timeouts {
    /// Sets the header read timeout.
    #[must_use]
    pub fn header_read(mut self, timeout: Duration) -> Self {
        self.header_read = timeout;
        self
    }

    /// Sets the body read timeout.
    #[must_use]
    pub fn body_read(mut self, timeout: Duration) -> Self {
        self.body_read = timeout;
        self
    }
}

/// What a route built here needs at hand.
#[derive(Clone)]
struct Endpoint {
    dispatcher: WebhookDispatcher,
    body_read: Duration,
}

/// A router answering `POST /` with `dispatcher`, for [`Router::nest`] or [`Router::merge`],
/// with the default body read timeout.
///
/// The body is read up to the receiver's
/// [`max_body_size`](crate::events::webhook::WebhookConfig::max_body_size) (refused at once
/// when `Content-Length` announces more): an oversized body always gets the same JSON 413,
/// by how much it overshoots notwithstanding.
pub fn router<S>(dispatcher: WebhookDispatcher) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router_with(dispatcher, Timeouts::default())
}

/// Same as [`router`] with the body read timeout of `timeouts`.
pub fn router_with<S>(dispatcher: WebhookDispatcher, timeouts: Timeouts) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let endpoint = Endpoint {
        dispatcher,
        body_read: timeouts.body_read,
    };
    Router::new()
        .route(
            "/",
            post(
                |State(e): State<Endpoint>, headers: HeaderMap, body: Body| {
                    respond(e.dispatcher, e.body_read, headers, body)
                },
            ),
        )
        // The body is read and limited here, never by axum's default limit.
        .layer(DefaultBodyLimit::disable())
        .with_state(endpoint)
}

/// An axum handler running one request through the dispatcher in its state, with the default
/// body read timeout: `post(lark_runtime::events::axum::handle).with_state(dispatcher)`.
///
/// The request runs in a task of its own, so that a handler runs to completion (or to its
/// [deadline](crate::events::dispatch::DispatcherBuilder::handler_deadline)) even if the
/// platform closes the connection first: its redelivery is then a duplicate, acknowledged
/// without running the handler again.
pub async fn handle(
    State(dispatcher): State<WebhookDispatcher>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(dispatcher, DEFAULT_BODY_READ_TIMEOUT, headers, body).await
}

async fn respond(
    dispatcher: WebhookDispatcher,
    body_read: Duration,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = dispatcher.receiver().config().max_body_size();
    let body = match tokio::time::timeout(body_read, read_body(&headers, body, limit)).await {
        Ok(Ok(body)) => body,
        Ok(Err(response)) => return response,
        Err(_) => {
            tracing::warn!(?body_read, "webhook request body not received in time");
            return json(
                StatusCode::REQUEST_TIMEOUT,
                r#"{"msg":"request body not received in time"}"#,
            );
        }
    };
    let task = tokio::spawn(async move { dispatcher.dispatch(&headers, &body).await });
    match task.await {
        Ok(outcome) => IntoResponse::into_response(outcome),
        // Handler panics are caught inside `dispatch`; this is the runtime shutting down.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Reads the body, refusing it as soon as it is known to exceed `limit`.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, Response> {
    let too_large = |size: usize| {
        tracing::warn!(size, limit, "webhook request body too large");
        IntoResponse::into_response(Outcome::Rejected(WebhookError::BodyTooLarge {
            size,
            limit,
        }))
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(announced) = announced {
        if announced > limit as u64 {
            return Err(too_large(usize::try_from(announced).unwrap_or(usize::MAX)));
        }
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err(json(
                StatusCode::BAD_REQUEST,
                r#"{"msg":"request body could not be read"}"#,
            ));
        };
        let size = buf.len().saturating_add(chunk.len());
        if size > limit {
            return Err(too_large(size));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

fn json(status: StatusCode, body: &'static str) -> Response {
    with_json_type((status, body).into_response())
}

fn with_json_type(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(RESPONSE_CONTENT_TYPE),
    );
    response
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        with_json_type(Outcome::into_response(self).into_response())
    }
}

/// Serves `app` on `listener` with the default [`Timeouts`] (HTTP/1.1, as the platform
/// sends callbacks); see [`serve_with`].
pub async fn serve(listener: tokio::net::TcpListener, app: Router) {
    serve_with(listener, app, Timeouts::default()).await;
}

/// Serves `app` on `listener` (HTTP/1.1), closing any connection that does not deliver a
/// request's headers within `timeouts.header_read` (counted from the moment the server waits
/// for them, so a silent socket and one trickling bytes are both closed). Body read timeouts
/// belong to the routes ([`router_with`]).
///
/// Runs until the returned future is dropped, which closes every connection it accepted.
/// Accept errors (such as running out of file descriptors) are logged and retried after a
/// short pause.
pub async fn serve_with(listener: tokio::net::TcpListener, app: Router, timeouts: Timeouts) {
    // Owned here: dropping the future aborts every connection task.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(timeouts.header_read)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
}
