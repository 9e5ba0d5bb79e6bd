//! One open connection: reads frames, pings, watches liveness, hands events to handlers and
//! writes their acks, until the connection ends or the client shuts down.
//!
//! Everything runs in the connection loop's task (one `select!`), except handlers, which run
//! in tasks of their own and send their acks back through a bounded channel.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::Message;

use super::config::{ServerConfig, Tuning};
use super::connect::{Connected, Socket};
use super::context::Shared;
use super::frame::{Frame, FrameError, METHOD_CONTROL, METHOD_DATA};
use super::frame_limits::{self, Decoded};
use super::handlers::{self, ACK_FAILED, ACK_OK};
use super::liveness::Liveness;
use super::reassembly::Reassembler;
use super::state::Counters;
use super::LongConnectionError;

/// Longest wait for the server's answer to our close frame on shutdown.
const CLOSE_ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Acks waiting to be written.
const ACK_QUEUE: usize = 256;

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// Shut down on request: acks of in-flight handlers sent, socket closed.
    Shutdown,
    /// Lost: reconnect.
    Lost(LongConnectionError),
}

/// Serves `connected` until it ends. `tasks` holds the handler tasks (they outlive a lost
/// connection; their acks are then dropped and the events redelivered).
pub(crate) async fn run(
    shared: &Arc<Shared>,
    connected: Connected,
    tuning: &mut Tuning,
    tasks: &mut JoinSet<()>,
    shutdown: &mut watch::Receiver<bool>,
) -> End {
    let (acks_tx, acks) = mpsc::channel(ACK_QUEUE);
    let mut session = Session {
        shared,
        socket: connected.socket,
        service_id: connected.service_id,
        tuning,
        tasks,
        reassembler: Reassembler::new(shared.settings.fragments),
        liveness: Liveness::new(Instant::now(), shared.settings.liveness_grace),
        acks_tx: Some(acks_tx),
        acks,
        _live: Live::new(&shared.counters),
    };
    let end = session.serve(shutdown).await;
    shared
        .counters
        .fragment_messages
        .store(0, Ordering::Relaxed);
    shared.counters.fragment_bytes.store(0, Ordering::Relaxed);
    end
}

struct Session<'a> {
    shared: &'a Arc<Shared>,
    socket: Socket,
    service_id: i32,
    tuning: &'a mut Tuning,
    tasks: &'a mut JoinSet<()>,
    reassembler: Reassembler,
    liveness: Liveness,
    /// `None` once draining, so that the channel closes when the last handler is done.
    acks_tx: Option<mpsc::Sender<Frame>>,
    acks: mpsc::Receiver<Frame>,
    _live: Live,
}

impl Session<'_> {
    async fn serve(&mut self, shutdown: &mut watch::Receiver<bool>) -> End {
        loop {
            let interval = self.tuning.ping_interval;
            let next_ping = self.liveness.next_ping(interval);
            let deadline = self.liveness.deadline(interval);
            let expiry = self.reassembler.next_expiry();
            let step = tokio::select! {
                biased;
                () = requested(shutdown) => return self.drain().await,
                Some(ack) = self.acks.recv() => self.write(ack).await,
                // Before reading, so that a steady stream of events cannot starve the pings.
                () = sleep_until(next_ping) => self.ping().await,
                message = self.socket.next() => self.on_message(message).await,
                // After reading: traffic that is already there proves life, even when this
                // task was not polled for long (a laptop that slept).
                () = sleep_until(deadline) => Err(LongConnectionError::HalfOpen {
                    silent_for: self.liveness.silent_for(Instant::now()),
                }),
                () = sleep_until(expiry.unwrap_or(deadline)), if expiry.is_some() => {
                    self.expire();
                    Ok(())
                }
                Some(_) = self.tasks.join_next(), if !self.tasks.is_empty() => Ok(()),
            };
            if let Err(error) = step {
                return End::Lost(error);
            }
        }
    }

    async fn on_message(
        &mut self,
        message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<(), LongConnectionError> {
        let message = match message {
            None => {
                return Err(LongConnectionError::Closed {
                    code: None,
                    reason: "connection ended without a close frame".to_owned(),
                })
            }
            Some(Err(e)) => return Err(LongConnectionError::websocket(&e)),
            Some(Ok(message)) => message,
        };
        let now = Instant::now();
        self.liveness.inbound(now);
        match message {
            Message::Binary(bytes) => {
                match frame_limits::decode(&bytes, self.shared.settings.headers) {
                    Ok(Decoded::Frame(frame)) if frame.method == METHOD_DATA => {
                        drop(bytes);
                        self.on_data(frame, now).await
                    }
                    Ok(Decoded::Frame(frame)) => {
                        if frame.method == METHOD_CONTROL {
                            self.on_control(&frame);
                        }
                        Ok(())
                    }
                    // Refused by the header limits: a data frame is acknowledged with 500, so the
                    // platform does not wait for it; its handler does not run.
                    Ok(Decoded::Refused(frame, e)) => {
                        drop(bytes);
                        self.malformed(&e);
                        if frame.method == METHOD_DATA {
                            self.write(frame.ack(ACK_FAILED, now.elapsed())).await
                        } else {
                            Ok(())
                        }
                    }
                    Err(e) => {
                        self.malformed(&e);
                        Ok(())
                    }
                }
            }
            Message::Text(text) => {
                self.malformed(&FrameError::NotBinary { len: text.len() });
                Ok(())
            }
            Message::Close(close) => Err(LongConnectionError::Closed {
                code: close.as_ref().map(|c| u16::from(c.code)),
                reason: close.map(|c| c.reason.to_string()).unwrap_or_default(),
            }),
            // Native pings (answered by the WebSocket layer) and pongs only prove life.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(()),
        }
    }

    /// Pongs carry the server's `ClientConfig`; the server's own pings need nothing.
    fn on_control(&mut self, frame: &Frame) {
        if frame.frame_type() != "pong" {
            return;
        }
        let Some(payload) = frame.payload.as_ref().filter(|p| !p.is_empty()) else {
            return;
        };
        match serde_json::from_slice::<ServerConfig>(payload) {
            Ok(config) => {
                self.tuning.adopt(&config, &self.shared.settings);
                tracing::debug!(ping_interval = ?self.tuning.ping_interval, "pong adopted");
            }
            Err(e) => self.malformed(&FrameError::InvalidClientConfig {
                reason: e.to_string(),
            }),
        }
    }

    async fn on_data(&mut self, mut frame: Frame, now: Instant) -> Result<(), LongConnectionError> {
        let info = match frame.fragment_info() {
            Ok(info) => info,
            Err(e) => {
                self.malformed(&e);
                frame.payload = None;
                return self.write(frame.ack(ACK_FAILED, now.elapsed())).await;
            }
        };
        let payload = frame.payload.take().unwrap_or_default();
        let pushed = self
            .reassembler
            .push(&info.message_id, info.sum, info.seq, payload, now);
        self.publish_fragments();
        match pushed {
            Ok(None) => Ok(()),
            Ok(Some(whole)) => self.route(frame, whole, now).await,
            Err(e) => {
                let message_id: String = info.message_id.chars().take(64).collect();
                tracing::warn!(%message_id, error = %e, "fragment refused");
                self.write(frame.ack(ACK_FAILED, now.elapsed())).await
            }
        }
    }

    /// Events and card callbacks go to the dispatcher, which routes them on
    /// `header.event_type` (a card action may arrive as a `card` or an `event` frame); unknown
    /// data types are acknowledged at once, so the platform does not push them again and again.
    async fn route(
        &mut self,
        frame: Frame,
        payload: Bytes,
        received: Instant,
    ) -> Result<(), LongConnectionError> {
        if !matches!(frame.frame_type(), "event" | "card") {
            tracing::debug!(
                frame_type = frame.frame_type(),
                "data frame acknowledged without a handler"
            );
            return self.write(frame.ack(ACK_OK, received.elapsed())).await;
        }
        let Some(acks) = self.acks_tx.clone() else {
            return Ok(());
        };
        // Reap finished handlers here too: under steady traffic the select never gets to its
        // reaping branch, and finished entries would pile up in the set.
        while self.tasks.try_join_next().is_some() {}
        match handlers::spawn(self.shared, self.tasks, frame, payload, acks, received) {
            Some(ack) => self.write(ack).await,
            None => Ok(()),
        }
    }

    async fn ping(&mut self) -> Result<(), LongConnectionError> {
        self.liveness.pinged(Instant::now());
        self.write(Frame::ping(self.service_id)).await
    }

    fn expire(&mut self) {
        let expired = self.reassembler.expire(Instant::now());
        self.shared
            .counters
            .fragments_expired
            .fetch_add(expired as u64, Ordering::Relaxed);
        self.publish_fragments();
    }

    fn publish_fragments(&self) {
        let counters = &self.shared.counters;
        let messages = self.reassembler.pending_messages();
        counters
            .fragment_messages
            .store(messages, Ordering::Relaxed);
        let bytes = self.reassembler.pending_bytes();
        counters.fragment_bytes.store(bytes, Ordering::Relaxed);
    }

    fn malformed(&self, error: &FrameError) {
        Counters::bump(&self.shared.counters.malformed_frames);
        tracing::warn!(%error, "malformed long-connection message skipped");
    }

    /// Writes `first`, then the acks already queued behind it, with one flush (one system
    /// call for a burst instead of one per ack); bounded by the write timeout.
    async fn write(&mut self, first: Frame) -> Result<(), LongConnectionError> {
        let limit = self.shared.settings.write_timeout;
        let work = async {
            let mut next = Some(first);
            let mut written = 0;
            while let Some(frame) = next {
                let counters = &self.shared.counters;
                Counters::bump(if frame.method == METHOD_DATA {
                    &counters.acks_sent
                } else {
                    &counters.pings_sent
                });
                let message = Message::Binary(frame.to_bytes().into());
                self.socket.feed(message).await?;
                written += 1;
                next = if written < ACK_QUEUE {
                    self.acks.try_recv().ok()
                } else {
                    None
                };
            }
            self.socket.flush().await
        };
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result.map_err(|e| LongConnectionError::websocket(&e)),
            Err(_) => Err(LongConnectionError::Timeout {
                stage: "socket write",
                after: limit,
            }),
        }
    }

    /// Graceful end: stop reading, let this connection's handlers finish within the grace
    /// period and send their acks, then close the socket.
    async fn drain(&mut self) -> End {
        let settings = &self.shared.settings;
        let deadline = settings.shutdown_deadline();
        self.acks_tx = None;
        loop {
            tokio::select! {
                ack = self.acks.recv() => match ack {
                    Some(ack) => if self.write(ack).await.is_err() { break },
                    None => break,
                },
                () = sleep_until(deadline) => break,
            }
        }
        handlers::finish(self.tasks, deadline).await;
        let limit = settings.write_timeout;
        let _ = tokio::time::timeout(limit, self.socket.close(None)).await;
        // Read up to the server's close frame, so the close handshake completes; a server
        // that does not answer does not hold the shutdown up for long.
        let _ = tokio::time::timeout(limit.min(CLOSE_ANSWER_WAIT), async {
            while let Some(Ok(_)) = self.socket.next().await {}
        })
        .await;
        End::Shutdown
    }
}

/// Resolves once shutdown is requested (or the client is gone).
pub(crate) async fn requested(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Counts the connection loops serving a connection (for tests of leaks and overlap).
struct Live(Arc<Counters>);

impl Live {
    fn new(counters: &Arc<Counters>) -> Self {
        counters.live_sessions.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(counters))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live_sessions.fetch_sub(1, Ordering::Relaxed);
    }
}
