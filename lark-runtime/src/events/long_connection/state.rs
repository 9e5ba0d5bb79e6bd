//! What the client reports about itself: its connection state and counters.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt as _};
use tokio::sync::{broadcast, watch};

use super::LongConnectionError;

/// Where the long connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Requesting the endpoint and opening the WebSocket.
    Connecting {
        /// 1 for the first attempt after a success (or at start), then counting up.
        attempt: u32,
    },
    /// Connected and receiving events.
    Connected {
        /// The connection id from the URL's `device_id`, for matching platform logs.
        device_id: Option<String>,
    },
    /// The connection failed or ended; the next attempt starts after `delay`.
    Reconnecting {
        /// Number of the next attempt.
        attempt: u32,
        /// Wait before it.
        delay: Duration,
        /// What ended the previous connection or attempt.
        reason: LongConnectionError,
    },
    /// Stopped for good: `error` is `None` after [`shutdown`](super::LongConnection::shutdown),
    /// otherwise the permanent error.
    Stopped {
        /// Why, unless shut down on request.
        error: Option<LongConnectionError>,
    },
}

impl ConnectionState {
    /// `true` for [`ConnectionState::Stopped`].
    pub fn is_stopped(&self) -> bool {
        matches!(self, Self::Stopped { .. })
    }
}

/// Publishes the state: the latest for [`LongConnection::state`](super::LongConnection::state),
/// and every change for [`LongConnection::states`](super::LongConnection::states).
#[derive(Debug)]
pub(crate) struct StateTx {
    latest: watch::Sender<ConnectionState>,
    changes: broadcast::Sender<ConnectionState>,
}

/// Changes a [`LongConnection::states`](super::LongConnection::states) stream may fall
/// behind by before it skips the oldest.
const CHANGE_BUFFER: usize = 64;

impl StateTx {
    pub(crate) fn new() -> (Self, watch::Receiver<ConnectionState>) {
        let (latest, rx) = watch::channel(ConnectionState::Connecting { attempt: 1 });
        let (changes, _) = broadcast::channel(CHANGE_BUFFER);
        (Self { latest, changes }, rx)
    }

    pub(crate) fn set(&self, state: ConnectionState) {
        // No subscriber is fine: nobody is watching the stream.
        let _ = self.changes.send(state.clone());
        self.latest.send_replace(state);
    }

    /// The current state, then every change; ends after [`ConnectionState::Stopped`].
    pub(crate) fn stream(&self) -> BoxStream<'static, ConnectionState> {
        let changes = self.changes.subscribe();
        let current = self.latest.borrow().clone();
        let done = current.is_stopped();
        futures::stream::unfold(
            (Some(changes), Some(current), done),
            |(rx, first, done)| async move {
                if let Some(first) = first {
                    let rx = if done { None } else { rx };
                    return Some((first, (rx, None, done)));
                }
                let mut rx = rx?;
                loop {
                    match rx.recv().await {
                        Ok(state) => {
                            let more = (!state.is_stopped()).then_some(rx);
                            return Some((state, (more, None, false)));
                        }
                        Err(broadcast::error::RecvError::Lagged(skipped)) => {
                            tracing::debug!(skipped, "state stream fell behind");
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        )
        .boxed()
    }
}

/// Counters of one client, over all its connections.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections: AtomicU64,
    pub(crate) pings_sent: AtomicU64,
    pub(crate) acks_sent: AtomicU64,
    pub(crate) malformed_frames: AtomicU64,
    pub(crate) handlers_in_flight: AtomicUsize,
    pub(crate) fragment_messages: AtomicUsize,
    pub(crate) fragment_bytes: AtomicUsize,
    pub(crate) fragments_expired: AtomicU64,
    pub(crate) live_sessions: AtomicUsize,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let size = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        Stats {
            connections: get(&self.connections),
            pings_sent: get(&self.pings_sent),
            acks_sent: get(&self.acks_sent),
            malformed_frames: get(&self.malformed_frames),
            handlers_in_flight: size(&self.handlers_in_flight),
            fragment_messages: size(&self.fragment_messages),
            fragment_bytes: size(&self.fragment_bytes),
            fragments_expired: get(&self.fragments_expired),
            live_sessions: size(&self.live_sessions),
        }
    }
}

/// A snapshot of a client's counters, from [`LongConnection::stats`](super::LongConnection::stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// WebSocket connections opened so far.
    pub connections: u64,
    /// Pings sent.
    pub pings_sent: u64,
    /// Acks sent.
    pub acks_sent: u64,
    /// Messages or frames that did not fit the protocol (skipped, or acknowledged with 500).
    pub malformed_frames: u64,
    /// Events accepted whose ack is not sent yet.
    pub handlers_in_flight: usize,
    /// Incomplete fragmented messages held.
    pub fragment_messages: usize,
    /// Bytes of incomplete fragmented messages held: payloads and message ids.
    pub fragment_bytes: usize,
    /// Incomplete fragmented messages dropped after their time to live.
    pub fragments_expired: u64,
    /// Connection loops running: 0 or 1.
    pub live_sessions: usize,
}
