//! [`LongConnectionBuilder`]: credentials, dispatcher and every limit, then
//! [`start`](LongConnectionBuilder::start).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::config::Settings;
use super::context::Shared;
use super::state::Counters;
use super::{LongConnection, LongConnectionError};
use crate::auth::Tenant;
use crate::client::Client;
use crate::events::dispatch::Dispatcher;
use crate::http::Transport;
use crate::Secret;

/// Builder of a [`LongConnection`], from [`LongConnection::builder`]. Every setting has a
/// documented default (the `DEFAULT_*` constants of this module).
#[must_use]
#[derive(Debug)]
pub struct LongConnectionBuilder {
    app_id: String,
    app_secret: Secret,
    dispatcher: Dispatcher,
    settings: Settings,
    transport: Arc<Transport>,
}

impl LongConnectionBuilder {
    pub(crate) fn new(client: &Client<Tenant>, dispatcher: Dispatcher) -> Self {
        let tokens = &client.ctx().shared.tokens;
        let transport = Arc::clone(&client.ctx().shared.transport);
        Self {
            app_id: tokens.app_id.clone(),
            app_secret: tokens.app_secret.clone(),
            dispatcher,
            settings: Settings::new(),
            transport,
        }
    }

    /// Time limit of the endpoint request. Default: 10 s.
    pub fn endpoint_timeout(mut self, limit: Duration) -> Self {
        self.settings.endpoint_timeout = limit;
        self
    }

    /// Time limit of the WebSocket connect (TCP, TLS, handshake). Default: 10 s.
    pub fn connect_timeout(mut self, limit: Duration) -> Self {
        self.settings.connect_timeout = limit;
        self
    }

    /// Time limit of one socket write, and of each step of the close on shutdown.
    /// Default: 10 s.
    pub fn write_timeout(mut self, limit: Duration) -> Self {
        self.settings.write_timeout = limit;
        self
    }

    /// Silence tolerated beyond one ping interval before the connection is taken for
    /// half-open and replaced. Default: 30 s.
    pub fn liveness_grace(mut self, grace: Duration) -> Self {
        self.settings.liveness_grace = grace;
        self
    }

    /// Bounds the server's ping interval is clamped into. Default: 1 s to 600 s. Lower the
    /// maximum to detect a dead connection sooner than the server's interval would.
    pub fn ping_interval_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.settings.ping_bounds = (min, max);
        self
    }

    /// Bounds the server's reconnect interval (the longest wait between attempts) is clamped
    /// into. Default: 1 s to 600 s.
    pub fn reconnect_interval_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.settings.reconnect_bounds = (min, max);
        self
    }

    /// Largest reconnect jitter accepted from the server. Default: 300 s.
    pub fn max_reconnect_nonce(mut self, max: Duration) -> Self {
        self.settings.max_reconnect_nonce = max;
        self
    }

    /// Wait before the second attempt in a row; later ones double, up to the reconnect
    /// interval. Default: 1 s.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.settings.initial_backoff = delay;
        self
    }

    /// Longest wait between connections that open and then die within one ping interval, in
    /// a row: such waits double from the initial backoff up to this, whatever the server's
    /// reconnect interval says; a connection that stays up resets them. Default: 300 s.
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.settings.max_backoff = cap;
        self
    }

    /// How long one unit of the server's `ClientConfig` lasts. Default: 1 s, which is what
    /// the platform means. Only tests against a local server change it, to run the
    /// platform's schedules faster.
    pub fn config_time_unit(mut self, unit: Duration) -> Self {
        self.settings.config_time_unit = unit;
        self
    }

    /// Handlers running at once. Default: 64.
    pub fn max_concurrent_handlers(mut self, n: usize) -> Self {
        self.settings.max_concurrent_handlers = n.max(1);
        self
    }

    /// Events accepted but not yet acknowledged; beyond it events are acknowledged with 500
    /// at once, to be redelivered. Default: 1024.
    pub fn max_pending_events(mut self, n: usize) -> Self {
        self.settings.max_pending_events = n.max(1);
        self
    }

    /// Byte budget of the events accepted but not yet acknowledged (payloads and ack
    /// frames); beyond it events are acknowledged with 500 at once, to be redelivered.
    /// Default: 32 MiB.
    pub fn max_pending_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_pending_bytes = bytes.max(1);
        self
    }

    /// Time from an event's receipt within which its ack leaves: an event still waiting for a
    /// handler slot then is acknowledged with 500 (the platform redelivers it), and a handler
    /// still running then is cut short (500 too), instead of an ack after the platform has
    /// given up on the event. Default: 3 s, the platform's window for an ack.
    pub fn ack_window(mut self, window: Duration) -> Self {
        self.settings.ack_window = window;
        self
    }

    /// How long an incomplete fragmented message is kept. Default: 10 s.
    pub fn fragment_ttl(mut self, ttl: Duration) -> Self {
        self.settings.fragments.ttl = ttl;
        self
    }

    /// Incomplete fragmented messages kept at once. Default: 256.
    pub fn max_fragmented_messages(mut self, n: usize) -> Self {
        self.settings.fragments.max_messages = n.max(1);
        self
    }

    /// Largest WebSocket message and byte budget of the fragment buffer. Default: 8 MiB.
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.settings.fragments.max_bytes = bytes.max(1);
        self
    }

    /// Longest `message_id` of a fragmented message (ids count in the fragment buffer's
    /// byte budget). Default: 256 bytes.
    pub fn max_message_id_bytes(mut self, bytes: usize) -> Self {
        self.settings.fragments.max_id_bytes = bytes.max(1);
        self
    }

    /// Largest fragment count of a message. Default: 128.
    pub fn max_fragments(mut self, n: u32) -> Self {
        self.settings.fragments.max_fragments = n.max(1);
        self
    }

    /// Largest number of headers of one frame; a data frame with more is acknowledged with
    /// 500 at once (its handler does not run) and the connection kept. Default: 64.
    pub fn max_frame_headers(mut self, n: usize) -> Self {
        self.settings.headers.max_count = n.max(1);
        self
    }

    /// Largest byte size of one frame's headers and other string fields together; beyond
    /// it, as for [`max_frame_headers`](Self::max_frame_headers). Default: 16 KiB.
    pub fn max_frame_header_bytes(mut self, bytes: usize) -> Self {
        self.settings.headers.max_bytes = bytes.max(1);
        self
    }

    /// Time in-flight handlers get to finish on [`LongConnection::shutdown`]. Default: 5 s.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.settings.shutdown_grace = grace;
        self
    }

    /// Starts the connection loop on the current tokio runtime and returns its handle at
    /// once; follow progress with [`LongConnection::states`].
    ///
    /// # Errors
    ///
    /// [`LongConnectionError::NoRuntime`] outside a tokio runtime;
    /// [`LongConnectionError::Tls`] when the TLS configuration cannot be built.
    pub fn start(self) -> Result<LongConnection, LongConnectionError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| LongConnectionError::NoRuntime)?;
        let settings = self.settings;
        let counters = Arc::new(Counters::default());
        let shared = Shared {
            running: Arc::new(Semaphore::new(settings.max_concurrent_handlers)),
            pending: Arc::new(Semaphore::new(settings.max_pending_events)),
            pending_bytes: Arc::new(Semaphore::new(
                settings.max_pending_bytes.min(Semaphore::MAX_PERMITS),
            )),
            settings,
            app_id: self.app_id,
            app_secret: self.app_secret,
            dispatcher: self.dispatcher,
            transport: self.transport,
            tls: tls()?,
            counters: Arc::clone(&counters),
        };
        Ok(LongConnection::spawn(&runtime, Arc::new(shared), counters))
    }
}

/// rustls with the ring provider chosen explicitly (never the process default, which may be
/// ambiguous) and the webpki roots.
fn tls() -> Result<Arc<rustls::ClientConfig>, LongConnectionError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LongConnectionError::Tls {
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
