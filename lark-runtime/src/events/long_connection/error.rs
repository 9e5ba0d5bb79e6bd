//! Why a connection attempt failed or a connection ended, and which of these are final.
//!
//! No variant holds the app secret or the connection URL (whose query carries `access_key`
//! and `ticket`).

use std::time::Duration;

/// Endpoint code: system busy, retry later.
pub const CODE_SYSTEM_BUSY: i64 = 1;
/// Endpoint code: internal error, retry later.
pub const CODE_INTERNAL_ERROR: i64 = 1_000_040_343;
/// Handshake status: forbidden.
pub const HANDSHAKE_FORBIDDEN: i64 = 403;
/// Handshake status: authentication failed.
pub const HANDSHAKE_AUTH_FAILED: i64 = 514;
/// Handshake auth error code: the app has too many connections.
pub const AUTH_CONNECTION_LIMIT: i64 = 1_000_040_350;

/// A failure of the long connection: a retryable one is reported in
/// [`ConnectionState::Reconnecting`](super::ConnectionState::Reconnecting), a permanent one
/// ([`is_permanent`](Self::is_permanent)) stops the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LongConnectionError {
    /// The endpoint request got a non-200 HTTP status (a server-side problem: retried).
    #[error("endpoint request failed with HTTP status {status}")]
    EndpointStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The endpoint request could not be sent or its answer not read (retried).
    #[error("endpoint request failed: {reason}")]
    EndpointTransport {
        /// What went wrong.
        reason: String,
    },
    /// The endpoint answered with a non-zero `code`: 1 and 1000040343 are retried, others
    /// (403, 514, 1000040350 connection limit, …) are permanent.
    #[error("endpoint refused the connection: code {code}: {msg}")]
    EndpointCode {
        /// The business code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// The endpoint's answer could not be used (retried).
    #[error("endpoint answer is not usable: {reason}")]
    EndpointInvalid {
        /// What was wrong with it.
        reason: String,
    },
    /// A step did not finish in time (retried).
    #[error("{stage} timed out after {after:?}")]
    Timeout {
        /// `endpoint request`, `WebSocket connect` or `socket write`.
        stage: &'static str,
        /// The limit.
        after: Duration,
    },
    /// The WebSocket handshake was refused. Handshake status 403, and 514 with auth error
    /// code 1000040350 (connection limit), are permanent; others are retried.
    #[error(
        "WebSocket handshake refused with HTTP {http_status} (handshake status {status:?}, \
         auth error code {auth_code:?}): {message}"
    )]
    Handshake {
        /// The HTTP status of the refusal.
        http_status: u16,
        /// The `Handshake-Status` header.
        status: Option<i64>,
        /// The `Handshake-Autherrcode` header.
        auth_code: Option<i64>,
        /// The `Handshake-Msg` header, or empty.
        message: String,
    },
    /// The WebSocket failed (I/O, TLS, protocol; retried).
    #[error("WebSocket error: {reason}")]
    WebSocket {
        /// What went wrong.
        reason: String,
    },
    /// Nothing arrived for one ping interval plus the grace period: the connection is taken
    /// for half-open and replaced.
    #[error("no inbound traffic for {silent_for:?}: connection taken for half-open")]
    HalfOpen {
        /// How long the connection was silent.
        silent_for: Duration,
    },
    /// The server closed the connection (retried).
    #[error("server closed the connection (close code {code:?}) {reason:?}")]
    Closed {
        /// The close code, when the server sent a close frame.
        code: Option<u16>,
        /// The close reason, or empty.
        reason: String,
    },
    /// The attempts the server allows (`ReconnectCount`) all failed.
    #[error("gave up after {attempts} failed connection attempts; last: {last}")]
    ReconnectsExhausted {
        /// Failed attempts in a row.
        attempts: u32,
        /// The last failure.
        last: Box<LongConnectionError>,
    },
    /// [`LongConnectionBuilder::start`](super::LongConnectionBuilder::start) was called
    /// outside a tokio runtime.
    #[error("no tokio runtime to run the long connection on")]
    NoRuntime,
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {reason}")]
    Tls {
        /// What went wrong.
        reason: String,
    },
}

impl LongConnectionError {
    /// `true` when retrying cannot help: the client stops.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::EndpointCode { code, .. } => {
                !matches!(*code, CODE_SYSTEM_BUSY | CODE_INTERNAL_ERROR)
            }
            Self::Handshake {
                status, auth_code, ..
            } => match *status {
                Some(HANDSHAKE_FORBIDDEN) => true,
                Some(HANDSHAKE_AUTH_FAILED) => *auth_code == Some(AUTH_CONNECTION_LIMIT),
                _ => false,
            },
            Self::ReconnectsExhausted { .. } | Self::Tls { .. } | Self::NoRuntime => true,
            _ => false,
        }
    }

    /// A WebSocket failure, without anything that could carry the connection URL.
    pub(crate) fn websocket(error: &tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::Error as E;
        let reason = match error {
            // The URL error texts name the problem, not the URL; keep them anyway generic.
            E::Url(_) => "invalid connection URL".to_owned(),
            E::Http(response) => format!("HTTP {}", response.status()),
            other => other.to_string(),
        };
        Self::WebSocket { reason }
    }
}
