//! Running an event's handler beside the connection, so that acks never wait behind other
//! events' handlers.
//!
//! Each event gets a task of its own; at most `max_concurrent_handlers` run at once and at
//! most `max_pending_events` events of `max_pending_bytes` in all are accepted without an
//! ack. When that budget is spent, the event is acknowledged with 500 at once (the platform
//! redelivers it) instead of stalling the reader, which must keep reading for liveness.
//!
//! An accepted event whose handler cannot start within the ack window after its receipt
//! (the platform's 3 s) is acknowledged with 500 then, and a handler that started is cut
//! short at the end of the window (500 too): an ack after the platform has given up on the
//! event helps no one, and the slot it would take is better spent on fresh ones.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use prost::Message as _;
use tokio::sync::{mpsc, TryAcquireError};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::context::Shared;
use super::frame::Frame;

/// Ack code of a handled (or deliberately ignored) event.
pub(crate) const ACK_OK: u16 = 200;
/// Ack code asking for redelivery.
pub(crate) const ACK_FAILED: u16 = 500;

/// Starts the handler of `payload`, which arrived in `frame` (payload stripped), and sends
/// its ack into `acks` when done. Returns the ack to send at once when no budget is left.
pub(crate) fn spawn(
    shared: &Arc<Shared>,
    tasks: &mut JoinSet<()>,
    frame: Frame,
    payload: Bytes,
    acks: mpsc::Sender<Frame>,
    received: Instant,
) -> Option<Frame> {
    let Ok(pending) = Arc::clone(&shared.pending).try_acquire_owned() else {
        tracing::warn!(
            limit = shared.settings.max_pending_events,
            "too many events awaiting their handler; acknowledged with 500 for redelivery"
        );
        return Some(frame.ack(ACK_FAILED, received.elapsed()));
    };
    // The payload and the ack frame the task holds until the ack is sent.
    let size = payload.len().saturating_add(frame.encoded_len());
    let charge = u32::try_from(size.min(shared.settings.max_pending_bytes)).unwrap_or(u32::MAX);
    let Ok(pending_bytes) = Arc::clone(&shared.pending_bytes).try_acquire_many_owned(charge) else {
        tracing::warn!(
            limit = shared.settings.max_pending_bytes,
            "events awaiting their handler exceed the byte budget; acknowledged with 500 for redelivery"
        );
        return Some(frame.ack(ACK_FAILED, received.elapsed()));
    };
    let shared = Arc::clone(shared);
    shared
        .counters
        .handlers_in_flight
        .fetch_add(1, Ordering::Relaxed);
    tasks.spawn(async move {
        let _pending = (pending, pending_bytes);
        let _in_flight = InFlight(&shared);
        let _slot = match shared.running.try_acquire() {
            Ok(slot) => slot,
            Err(TryAcquireError::Closed) => return,
            Err(TryAcquireError::NoPermits) => {
                let start_by = received.checked_add(shared.settings.ack_window);
                let wait = shared.running.acquire();
                let slot = match start_by {
                    Some(at) => tokio::time::timeout_at(at, wait).await,
                    None => Ok(wait.await),
                };
                match slot {
                    Ok(Ok(slot)) => slot,
                    Ok(Err(_)) => return,
                    Err(_) => {
                        drop(payload);
                        tracing::warn!(
                            window = ?shared.settings.ack_window,
                            "no handler slot within the ack window; acknowledged with 500 for redelivery"
                        );
                        let _ = acks.send(frame.ack(ACK_FAILED, received.elapsed())).await;
                        return;
                    }
                }
            }
        };
        // Answered within the window even when the handler started late in it: an ack the
        // platform no longer waits for helps no one.
        let outcome = match received.checked_add(shared.settings.ack_window) {
            Some(answer_by) => {
                shared
                    .dispatcher
                    .dispatch_plaintext_by(&payload, answer_by)
                    .await
            }
            None => shared.dispatcher.dispatch_plaintext(&payload).await,
        };
        let code = if outcome.is_success() {
            ACK_OK
        } else {
            ACK_FAILED
        };
        if let Some(info) = outcome.event() {
            tracing::debug!(event_type = %info.event_type, event_id = %info.event_id, code, "event dispatched");
        }
        // A closed channel means the connection is gone: the platform redelivers, and the
        // de-duplication store answers the redelivery.
        let response = outcome.callback_response();
        let ack = frame.ack_with_data(code, received.elapsed(), response.as_deref());
        let _ = acks.send(ack).await;
    });
    None
}

/// Keeps the in-flight counter exact even when the task is aborted.
struct InFlight<'a>(&'a Shared);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .counters
            .handlers_in_flight
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Waits for the handler tasks until `deadline`, then aborts the rest: the dispatcher
/// forgets the de-duplication marks of handlers cut short, so their redeliveries run.
pub(crate) async fn finish(tasks: &mut JoinSet<()>, deadline: Instant) {
    while !tasks.is_empty() {
        tokio::select! {
            _ = tasks.join_next() => {}
            () = tokio::time::sleep_until(deadline) => {
                tasks.shutdown().await;
                break;
            }
        }
    }
}
