//! The connection loop: connect, serve, and on failure wait and connect again, until shut
//! down or stopped by a permanent error.
//!
//! It is one task per client, and it serves one connection at a time, inline: two
//! connections of one client never overlap.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::config::Tuning;
use super::context::Shared;
use super::session::{self, End};
use super::state::StateTx;
use super::{backoff, connect, handlers, ConnectionState, LongConnectionError};

/// Runs until shutdown or a permanent error; the final state is
/// [`ConnectionState::Stopped`].
pub(crate) async fn run(
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    state: Arc<StateTx>,
) {
    let mut tuning = Tuning::defaults(&shared.settings);
    let mut tasks = JoinSet::new();
    // Attempts that failed in a row (reset by a successful handshake), for ReconnectCount.
    let mut failures: u32 = 0;
    // Connections that failed or ended early in a row, for the backoff.
    let mut step: u32 = 0;
    // Connections that opened and died within one ping interval, in a row.
    let mut young: u32 = 0;
    let error = loop {
        state.set(ConnectionState::Connecting {
            attempt: failures + 1,
        });
        let attempt = tokio::select! {
            result = connect::open(&shared, &mut tuning) => result,
            () = session::requested(&mut shutdown) => break None,
        };
        let error = match attempt {
            Ok(connected) => {
                failures = 0;
                super::state::Counters::bump(&shared.counters.connections);
                state.set(ConnectionState::Connected {
                    device_id: connected.device_id.clone(),
                });
                let started = Instant::now();
                match session::run(&shared, connected, &mut tuning, &mut tasks, &mut shutdown).await
                {
                    End::Shutdown => break None,
                    End::Lost(error) => {
                        // A connection that lasted a ping interval was a success: start over
                        // with the short, jittered first delay.
                        if started.elapsed() >= tuning.ping_interval {
                            step = 0;
                            young = 0;
                        } else {
                            young = young.saturating_add(1);
                        }
                        error
                    }
                }
            }
            Err(error) => {
                failures += 1;
                error
            }
        };
        if error.is_permanent() {
            break Some(error);
        }
        if let Some(limit) = tuning.reconnect_count.filter(|&n| failures >= n) {
            break Some(LongConnectionError::ReconnectsExhausted {
                attempts: limit,
                last: Box::new(error),
            });
        }
        step += 1;
        let delay = backoff::delay(step, &tuning, &shared.settings)
            .max(backoff::young_delay(young, &shared.settings));
        tracing::warn!(%error, attempt = failures + 1, ?delay, "long connection lost; reconnecting");
        state.set(ConnectionState::Reconnecting {
            attempt: failures + 1,
            delay,
            reason: error,
        });
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = session::requested(&mut shutdown) => break None,
        }
    };
    // Handlers of a lost connection cannot be acknowledged any more; give them the grace
    // period anyway, so their side effects complete.
    handlers::finish(&mut tasks, shared.settings.shutdown_deadline()).await;
    match &error {
        Some(e) => tracing::error!(error = %e, "long connection stopped"),
        None => tracing::info!("long connection shut down"),
    }
    state.set(ConnectionState::Stopped { error });
}
