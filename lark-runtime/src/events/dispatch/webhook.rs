//! HTTP callbacks: a dispatcher paired with the verification of one app's callback URL.

use super::outcome::Outcome;
use super::run::Dispatcher;
use crate::events::webhook::{Received, WebhookReceiver};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use std::time::SystemTime;

/// A [`Dispatcher`] serving HTTP callbacks: every request is verified (size, decryption,
/// signature, timestamp window, Verification Token) by its [`WebhookReceiver`] first. Made by
/// [`Dispatcher::with_webhook`]; cheap to clone.
///
/// ```
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = WebhookConfig::builder()
///     .verification_token("verification-token")
///     // .encrypt_key("encrypt-key") // recommended: encrypted, signed callbacks
///     .build()?;
/// let webhook = Dispatcher::builder()
///     .fallback(|event| async move {
///         println!("{}", event.event_type());
///         Ok(())
///     })
///     .build()?
///     .with_webhook(WebhookReceiver::new(config));
///
/// // In the HTTP server, for every POST to the callback URL:
/// let body = br#"{"schema":"2.0","header":{"event_id":"5e3702a8","event_type":"im.chat.updated_v1","token":"verification-token"},"event":{}}"#;
/// let (status, response) = webhook.handle(&http::HeaderMap::new(), body).await;
/// assert_eq!(status, http::StatusCode::OK);
/// assert_eq!(&response[..], br#"{"msg":"success"}"#);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WebhookDispatcher {
    dispatcher: Dispatcher,
    receiver: WebhookReceiver,
}

impl Dispatcher {
    /// Serves HTTP callbacks verified by `receiver` with this dispatcher's handlers. The same
    /// dispatcher can serve the long connection too.
    pub fn with_webhook(&self, receiver: WebhookReceiver) -> WebhookDispatcher {
        WebhookDispatcher {
            dispatcher: self.clone(),
            receiver,
        }
    }
}

impl WebhookDispatcher {
    /// The receiver that verifies requests.
    pub fn receiver(&self) -> &WebhookReceiver {
        &self.receiver
    }

    /// The dispatcher that runs verified events.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// Handles one callback request with the system clock as the time of receipt: verifies
    /// it, then runs it through the dispatcher (see the
    /// [module documentation](super)).
    ///
    /// `body` must be the HTTP body exactly as received: the signature covers its bytes.
    /// Never panics, whatever the request holds.
    ///
    /// If the returned future is dropped while a handler runs (e.g. the connection closed),
    /// the event id is forgotten by the de-duplication store (on the current tokio runtime), so
    /// that the platform's redelivery is processed. To let handlers finish instead, run the
    /// future in a task of its own, as the axum integration (feature `axum`) does.
    pub async fn dispatch(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        self.dispatch_at(headers, body, SystemTime::now()).await
    }

    /// Same as [`dispatch`](Self::dispatch) with an explicit time of receipt, for tests and
    /// for replaying stored requests.
    pub async fn dispatch_at(&self, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Outcome {
        match self.receiver.receive_at(headers, body, now) {
            Ok(Received::Event(event)) => self.dispatcher.dispatch_verified(event).await,
            Ok(Received::Challenge { challenge }) => Outcome::Challenge { challenge },
            Err(error) => {
                tracing::warn!(status = %error.status(), %error, "webhook request refused");
                Outcome::Rejected(error)
            }
        }
    }

    /// Same as [`dispatch`](Self::dispatch), answering with the HTTP status and body
    /// ([`Outcome::into_response`]).
    pub async fn handle(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, Bytes) {
        self.dispatch(headers, body).await.into_response()
    }
}
