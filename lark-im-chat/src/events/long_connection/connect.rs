//! One connection attempt: the endpoint request, then the WebSocket handshake.

use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::config::Tuning;
use super::context::Shared;
use super::endpoint;
use super::LongConnectionError;

/// The client side of an open long connection.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open connection and what the endpoint said about it.
pub(crate) struct Connected {
    pub(crate) socket: Socket,
    pub(crate) service_id: i32,
    pub(crate) device_id: Option<String>,
}

/// Requests the endpoint, adopts its `ClientConfig`, and opens the WebSocket.
///
/// # Errors
///
/// [`LongConnectionError`] of the failed step; handshake refusals carry the
/// `Handshake-*` headers that decide whether to retry.
pub(crate) async fn open(
    shared: &Arc<Shared>,
    tuning: &mut Tuning,
) -> Result<Connected, LongConnectionError> {
    let settings = &shared.settings;
    let endpoint =
        endpoint::request(&shared.http, settings, &shared.app_id, &shared.app_secret).await?;
    if let Some(config) = &endpoint.client_config {
        tuning.adopt(config, settings);
    }
    let limit = settings.fragments.max_bytes;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let handshake = tokio_tungstenite::connect_async_tls_with_config(
        endpoint.url.expose(),
        Some(ws_config),
        true,
        Some(shared.tls.clone()),
    );
    let (socket, _response) = tokio::time::timeout(settings.connect_timeout, handshake)
        .await
        .map_err(|_| LongConnectionError::Timeout {
            stage: "WebSocket connect",
            after: settings.connect_timeout,
        })?
        .map_err(|e| refusal(&e))?;
    Ok(Connected {
        socket,
        service_id: endpoint.service_id,
        device_id: endpoint.device_id,
    })
}

/// Classifies a failed handshake by its `Handshake-*` headers.
fn refusal(error: &tokio_tungstenite::tungstenite::Error) -> LongConnectionError {
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        return LongConnectionError::websocket(error);
    };
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let number = |name: &str| header(name).and_then(|v| v.parse::<i64>().ok());
    LongConnectionError::Handshake {
        http_status: response.status().as_u16(),
        status: number("handshake-status"),
        auth_code: number("handshake-autherrcode"),
        message: header("handshake-msg")
            .unwrap_or_default()
            .chars()
            .take(256)
            .collect(),
    }
}
