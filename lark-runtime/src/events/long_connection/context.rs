//! What every part of one client shares: settings, credentials, dispatcher, limits, counters.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::config::Settings;
use super::state::Counters;
use crate::auth::Secret;
use crate::events::dispatch::Dispatcher;
use crate::http::Transport;

/// Shared by the connection loop and the handler tasks of one client.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) app_id: String,
    pub(crate) app_secret: Secret,
    pub(crate) dispatcher: Dispatcher,
    /// The client's transport: the endpoint request goes through it.
    pub(crate) transport: Arc<Transport>,
    /// TLS of `wss` connections (rustls, ring provider, webpki roots).
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) counters: Arc<Counters>,
    /// Handler slots: how many handlers run at once.
    pub(crate) running: Arc<Semaphore>,
    /// Accepted, not yet acknowledged events (running or waiting for a slot).
    pub(crate) pending: Arc<Semaphore>,
    /// Bytes of the accepted, not yet acknowledged events, one permit a byte.
    pub(crate) pending_bytes: Arc<Semaphore>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("settings", &self.settings)
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .field("dispatcher", &self.dispatcher)
            .finish_non_exhaustive()
    }
}
