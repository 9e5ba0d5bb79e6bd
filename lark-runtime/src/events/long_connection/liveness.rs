//! When to ping and when to give up on a silent connection.
//!
//! Any inbound traffic (data, pong, a native WebSocket ping) proves the connection alive.
//! A healthy server answers each ping, so inbound traffic arrives at least once per ping
//! interval; after one ping interval plus the grace period without any, the connection is
//! taken for half-open. Writes succeeding prove nothing: the kernel buffers them.

use std::time::Duration;

use tokio::time::Instant;

/// Ping schedule and inbound deadline of one connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Liveness {
    last_inbound: Instant,
    last_ping: Option<Instant>,
    grace: Duration,
}

impl Liveness {
    /// A fresh connection: the handshake counts as inbound traffic; the first ping is due
    /// at once.
    pub(crate) fn new(now: Instant, grace: Duration) -> Self {
        Self {
            last_inbound: now,
            last_ping: None,
            grace,
        }
    }

    /// Something arrived.
    pub(crate) fn inbound(&mut self, now: Instant) {
        self.last_inbound = now;
    }

    /// A ping was sent.
    pub(crate) fn pinged(&mut self, now: Instant) {
        self.last_ping = Some(now);
    }

    /// When the next ping is due.
    pub(crate) fn next_ping(&self, interval: Duration) -> Instant {
        self.last_ping.map_or(self.last_inbound, |at| at + interval)
    }

    /// When the connection counts as half-open if nothing arrives before.
    pub(crate) fn deadline(&self, interval: Duration) -> Instant {
        self.last_inbound + interval + self.grace
    }

    /// How long nothing arrived.
    pub(crate) fn silent_for(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.last_inbound)
    }
}
