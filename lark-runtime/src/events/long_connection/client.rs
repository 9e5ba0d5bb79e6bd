//! [`LongConnection`]: the handle of a running client, its state, and its shutdown.

use std::sync::Arc;

use futures::stream::BoxStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::builder::LongConnectionBuilder;
use super::context::Shared;
use super::state::{Counters, StateTx};
use super::{supervisor, ConnectionState, LongConnectionError, Stats};
use crate::client::Client;
use crate::events::dispatch::Dispatcher;

/// A running long-connection client: receives the app's events over an outbound WebSocket
/// and runs them through a [`Dispatcher`], the same handler table that serves HTTP callbacks.
///
/// Dropping it stops its task, its timers and its handlers at once; call
/// [`shutdown`](Self::shutdown) to let in-flight handlers finish and be acknowledged first.
///
/// ```no_run
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::long_connection::LongConnection;
/// use lark_runtime::Client;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
/// let dispatcher = Dispatcher::builder()
///     // typed handlers of any family: `.on::<E>(…)` or shorthands such as `on_chat_disbanded`
///     .fallback(|e| async move {
///         println!("{} event", e.event_type());
///         Ok(())
///     })
///     .build()?;
/// let connection = LongConnection::builder(&client, dispatcher).start()?;
/// tokio::signal::ctrl_c().await?;
/// connection.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LongConnection {
    shutdown: watch::Sender<bool>,
    state: watch::Receiver<ConnectionState>,
    state_tx: Arc<StateTx>,
    task: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl LongConnection {
    /// Starts a builder for the dispatcher that handles events, with the credentials, base
    /// URL (domain) and HTTP transport of `client`: the endpoint request goes through the
    /// client's connections. No webhook verification applies: events arrive as plaintext over
    /// an authenticated socket.
    pub fn builder(client: &Client, dispatcher: Dispatcher) -> LongConnectionBuilder {
        LongConnectionBuilder::new(client, dispatcher)
    }

    pub(crate) fn spawn(
        runtime: &tokio::runtime::Handle,
        shared: Arc<Shared>,
        counters: Arc<Counters>,
    ) -> Self {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (state_tx, state) = StateTx::new();
        let state_tx = Arc::new(state_tx);
        let task = runtime.spawn(supervisor::run(shared, shutdown_rx, Arc::clone(&state_tx)));
        Self {
            shutdown,
            state,
            state_tx,
            task: Some(task),
            counters,
        }
    }

    /// The current state.
    pub fn state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// The state now, then every change; ends after [`ConnectionState::Stopped`]. A stream
    /// that falls more than 64 changes behind skips the oldest.
    pub fn states(&self) -> BoxStream<'static, ConnectionState> {
        self.state_tx.stream()
    }

    /// Waits until the client stops by itself and returns the permanent error that stopped
    /// it (`None` if it was shut down).
    pub async fn stopped(&self) -> Option<LongConnectionError> {
        let mut rx = self.state.clone();
        let state = rx.wait_for(ConnectionState::is_stopped).await;
        match state.as_deref() {
            Ok(ConnectionState::Stopped { error }) => error.clone(),
            _ => None,
        }
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Stops reading, lets in-flight handlers finish within the shutdown grace and sends
    /// their acks, then closes the socket. Bounded by the shutdown grace, plus the write
    /// timeout and at most 1 s for the close; handlers still running then are cut short (and their events
    /// redelivered).
    ///
    /// # Errors
    ///
    /// The permanent error the client had already stopped with, if any.
    pub async fn shutdown(mut self) -> Result<(), LongConnectionError> {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            // The loop ends by itself within the grace period and the close timeouts.
            let _ = task.await;
        }
        match self.state() {
            ConnectionState::Stopped { error: Some(e) } => Err(e),
            _ => Ok(()),
        }
    }
}

impl Drop for LongConnection {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
