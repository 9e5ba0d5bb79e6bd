//! One connection attempt: the endpoint request, then the WebSocket handshake (done by
//! [`upgrade`], which logs nothing, so the URL's `access_key` and `ticket` reach no logger).

use std::sync::Arc;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::config::Tuning;
use super::context::Shared;
pub(crate) use super::upgrade::Socket;
use super::{endpoint, upgrade, LongConnectionError};

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
    let endpoint = endpoint::request(
        &shared.transport,
        settings,
        &shared.app_id,
        &shared.app_secret,
    )
    .await?;
    if let Some(config) = &endpoint.client_config {
        tuning.adopt(config, settings);
    }
    let limit = settings.fragments.max_bytes;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let handshake = upgrade::open(endpoint.url.expose(), &shared.tls, ws_config);
    let socket = tokio::time::timeout(settings.connect_timeout, handshake)
        .await
        .map_err(|_| LongConnectionError::Timeout {
            stage: "WebSocket connect",
            after: settings.connect_timeout,
        })??;
    Ok(Connected {
        socket,
        service_id: endpoint.service_id,
        device_id: endpoint.device_id,
    })
}
