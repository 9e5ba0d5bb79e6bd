//! Settings of a long connection, the server's `ClientConfig`, and the clamped values in force.

use std::time::Duration;

use serde::Deserialize;

use super::frame_limits::HeaderLimits;
use super::reassembly::FragmentLimits;

/// Default time limit of the endpoint request.
pub const DEFAULT_ENDPOINT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time limit of the WebSocket connect (TCP, TLS and handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time limit of one write to the socket.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default silence tolerated beyond one ping interval before the connection counts as
/// half-open.
pub const DEFAULT_LIVENESS_GRACE: Duration = Duration::from_secs(30);
/// Ping interval until the server says otherwise (the platform's default).
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(120);
/// Reconnect interval until the server says otherwise (the platform's default).
pub const DEFAULT_RECONNECT_INTERVAL: Duration = Duration::from_secs(120);
/// Reconnect jitter until the server says otherwise (the platform's default).
pub const DEFAULT_RECONNECT_NONCE: Duration = Duration::from_secs(30);
/// Default bounds the ping interval is clamped into.
pub const DEFAULT_PING_INTERVAL_BOUNDS: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(600));
/// Default bounds the reconnect interval is clamped into.
pub const DEFAULT_RECONNECT_INTERVAL_BOUNDS: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(600));
/// Default largest reconnect jitter accepted from the server.
pub const DEFAULT_MAX_RECONNECT_NONCE: Duration = Duration::from_secs(300);
/// Default delay of the second reconnect attempt; later ones double up to the reconnect
/// interval.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Default longest wait between connections that die young (within one ping interval) in a
/// row: their waits double from the initial backoff up to this, whatever the server's
/// reconnect interval says.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Default number of handlers running at once.
pub const DEFAULT_MAX_CONCURRENT_HANDLERS: usize = 64;
/// Default number of events accepted but not yet acknowledged (running or waiting for a
/// handler slot); beyond it an event is acknowledged with 500 at once, to be redelivered.
pub const DEFAULT_MAX_PENDING_EVENTS: usize = 1024;
/// Default byte budget of the events accepted but not yet acknowledged (payloads and ack
/// frames); beyond it an event is acknowledged with 500 at once, to be redelivered.
pub const DEFAULT_MAX_PENDING_BYTES: usize = 32 * 1024 * 1024;
/// The platform's ack window: it takes an event not acknowledged within 3 s of sending for
/// failed and redelivers it. An event whose handler cannot start within this time after
/// receipt is acknowledged with 500 then, rather than held for its turn.
pub const DEFAULT_ACK_WINDOW: Duration = Duration::from_secs(3);
/// Default time an incomplete fragmented message is kept.
pub const DEFAULT_FRAGMENT_TTL: Duration = Duration::from_secs(10);
/// Default number of incomplete fragmented messages kept.
pub const DEFAULT_MAX_FRAGMENTED_MESSAGES: usize = 256;
/// Default byte budget of the fragment buffer, and largest WebSocket message (8 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;
/// Default longest `message_id` of a fragmented message; ids count in the fragment byte
/// budget.
pub const DEFAULT_MAX_MESSAGE_ID_BYTES: usize = 256;
/// Default largest `sum` of a fragmented message.
pub const DEFAULT_MAX_FRAGMENTS: u32 = 128;
/// Default largest number of headers of one frame; a frame with more is acknowledged with
/// 500 (data) or skipped (control), and the connection kept.
pub const DEFAULT_MAX_FRAME_HEADERS: usize = 64;
/// Default largest byte size of one frame's headers and other string fields together.
pub const DEFAULT_MAX_FRAME_HEADER_BYTES: usize = 16 * 1024;
/// Default time in-flight handlers get to finish on shutdown.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Everything the builder sets; read-only once the connection starts.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) endpoint_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) liveness_grace: Duration,
    pub(crate) config_time_unit: Duration,
    pub(crate) ping_bounds: (Duration, Duration),
    pub(crate) reconnect_bounds: (Duration, Duration),
    pub(crate) max_reconnect_nonce: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_concurrent_handlers: usize,
    pub(crate) max_pending_events: usize,
    pub(crate) max_pending_bytes: usize,
    pub(crate) ack_window: Duration,
    pub(crate) fragments: FragmentLimits,
    pub(crate) headers: HeaderLimits,
    pub(crate) shutdown_grace: Duration,
}

impl Settings {
    pub(crate) fn new() -> Self {
        Self {
            endpoint_timeout: DEFAULT_ENDPOINT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            liveness_grace: DEFAULT_LIVENESS_GRACE,
            config_time_unit: Duration::from_secs(1),
            ping_bounds: DEFAULT_PING_INTERVAL_BOUNDS,
            reconnect_bounds: DEFAULT_RECONNECT_INTERVAL_BOUNDS,
            max_reconnect_nonce: DEFAULT_MAX_RECONNECT_NONCE,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            max_concurrent_handlers: DEFAULT_MAX_CONCURRENT_HANDLERS,
            max_pending_events: DEFAULT_MAX_PENDING_EVENTS,
            max_pending_bytes: DEFAULT_MAX_PENDING_BYTES,
            ack_window: DEFAULT_ACK_WINDOW,
            fragments: FragmentLimits {
                ttl: DEFAULT_FRAGMENT_TTL,
                max_messages: DEFAULT_MAX_FRAGMENTED_MESSAGES,
                max_bytes: DEFAULT_MAX_MESSAGE_BYTES,
                max_id_bytes: DEFAULT_MAX_MESSAGE_ID_BYTES,
                max_fragments: DEFAULT_MAX_FRAGMENTS,
            },
            headers: HeaderLimits {
                max_count: DEFAULT_MAX_FRAME_HEADERS,
                max_bytes: DEFAULT_MAX_FRAME_HEADER_BYTES,
            },
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }

    /// When a graceful end stops waiting for handlers: now plus the grace period, or a year
    /// from now for a grace the clock cannot add (no setting may panic the client).
    pub(crate) fn shutdown_deadline(&self) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        now.checked_add(self.shutdown_grace)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
    }
}

/// The server's `ClientConfig` (endpoint response or pong payload), in the server's unit
/// (seconds). Every field may be absent, zero, or of an unexpected JSON type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ServerConfig {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub(crate) reconnect_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub(crate) reconnect_interval: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub(crate) reconnect_nonce: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub(crate) ping_interval: Option<i64>,
}

/// A number or a numeric string; anything else counts as absent.
fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The values in force, after clamping whatever the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tuning {
    pub(crate) ping_interval: Duration,
    pub(crate) reconnect_interval: Duration,
    pub(crate) reconnect_nonce: Duration,
    /// Consecutive failed attempts allowed; `None` for no limit.
    pub(crate) reconnect_count: Option<u32>,
}

impl Tuning {
    /// The platform's defaults, clamped like server values.
    pub(crate) fn defaults(settings: &Settings) -> Self {
        Self {
            ping_interval: clamp(DEFAULT_PING_INTERVAL, settings.ping_bounds),
            reconnect_interval: clamp(DEFAULT_RECONNECT_INTERVAL, settings.reconnect_bounds),
            reconnect_nonce: DEFAULT_RECONNECT_NONCE.min(settings.max_reconnect_nonce),
            reconnect_count: None,
        }
    }

    /// Adopts the values the server sent. A missing, zero or negative interval keeps the
    /// current one (a zero ping interval must not turn into a busy loop); a negative count
    /// means no limit and zero keeps the current one; intervals are clamped into the
    /// configured bounds.
    pub(crate) fn adopt(&mut self, server: &ServerConfig, settings: &Settings) {
        let unit = settings.config_time_unit;
        let scaled = |v: i64| unit.saturating_mul(u32::try_from(v).unwrap_or(u32::MAX));
        if let Some(v) = server.ping_interval.filter(|&v| v > 0) {
            self.ping_interval = clamp(scaled(v), settings.ping_bounds);
        }
        if let Some(v) = server.reconnect_interval.filter(|&v| v > 0) {
            self.reconnect_interval = clamp(scaled(v), settings.reconnect_bounds);
        }
        if let Some(v) = server.reconnect_nonce.filter(|&v| v >= 0) {
            self.reconnect_nonce = scaled(v).min(settings.max_reconnect_nonce);
        }
        match server.reconnect_count {
            Some(v) if v < 0 => self.reconnect_count = None,
            Some(v) if v > 0 => self.reconnect_count = Some(u32::try_from(v).unwrap_or(u32::MAX)),
            _ => {}
        }
    }
}

fn clamp(value: Duration, (min, max): (Duration, Duration)) -> Duration {
    value.max(min).min(max.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_missing_keep_and_values_are_clamped() {
        let settings = Settings::new();
        let mut tuning = Tuning::defaults(&settings);
        let zero: ServerConfig = serde_json::from_str(
            r#"{"PingInterval":0,"ReconnectCount":0,"ReconnectInterval":null}"#,
        )
        .expect("json");
        tuning.adopt(&zero, &settings);
        assert_eq!(tuning, Tuning::defaults(&settings));

        let wild: ServerConfig = serde_json::from_str(
            r#"{"PingInterval":"100000","ReconnectCount":3,"ReconnectInterval":1,"ReconnectNonce":-4,"Extra":1}"#,
        )
        .expect("json");
        tuning.adopt(&wild, &settings);
        assert_eq!(tuning.ping_interval, Duration::from_secs(600));
        assert_eq!(tuning.reconnect_interval, Duration::from_secs(1));
        assert_eq!(tuning.reconnect_nonce, DEFAULT_RECONNECT_NONCE);
        assert_eq!(tuning.reconnect_count, Some(3));
    }
}
