//! [`DurableWorker`]: takes recorded events and runs their handlers, with retries, dead
//! letters and a graceful shutdown.

use super::backend::{Backend, Delivery};
use super::queue::DurableQueue;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Why one attempt did not succeed.
#[derive(Debug)]
pub(crate) enum RunError {
    /// No handler takes this event type any more (it was deployed away): never retried.
    NoHandler,
    /// The payload does not fit the handler's type: never retried.
    Undecodable(String),
    /// The handler failed, panicked or ran past its deadline.
    Failed(String),
}

/// Future of one attempt.
pub(crate) type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<(), RunError>> + Send + 'a>>;

/// What runs a handler for a worker: the dispatcher that recorded the events.
pub(crate) trait Runner: Send + Sync + 'static {
    fn run<'a>(
        &'a self,
        event_type: &'a str,
        payload: &'a [u8],
        deadline: Duration,
    ) -> RunFuture<'a>;
}

/// What a worker did, returned by [`DurableWorker::run`] when it stops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerReport {
    /// Attempts started.
    pub attempts: u64,
    /// Events handled.
    pub handled: u64,
    /// Failed attempts scheduled for a retry.
    pub retried: u64,
    /// Events moved to the dead letters.
    pub dead_lettered: u64,
    /// Handlers still running when the shutdown grace ran out, cancelled (their entries are
    /// left for another worker).
    pub cancelled: u64,
}

#[derive(Default)]
struct Counters {
    attempts: AtomicU64,
    handled: AtomicU64,
    retried: AtomicU64,
    dead_lettered: AtomicU64,
}

/// A worker of the durable path, from
/// [`Dispatcher::durable_worker`](crate::events::dispatch::Dispatcher::durable_worker): run it
/// in every process (replica) that should handle durable events; workers of one app share the
/// queue, and each entry is handled by one of them.
pub struct DurableWorker {
    queue: DurableQueue,
    runner: Arc<dyn Runner>,
    consumer: String,
}

impl std::fmt::Debug for DurableWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableWorker")
            .field("queue", &self.queue)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl DurableWorker {
    pub(crate) fn new(queue: DurableQueue, runner: Arc<dyn Runner>) -> Self {
        Self {
            queue,
            runner,
            consumer: format!("worker-{:016x}", rand::random::<u64>()),
        }
    }

    /// Names the worker (its consumer name in the Redis group; default: random). Give each
    /// running worker its own name.
    #[must_use]
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.consumer = name.into();
        self
    }

    /// The worker's consumer name.
    pub fn consumer_name(&self) -> &str {
        &self.consumer
    }

    /// Takes and handles entries until `shutdown` completes; then takes no more, lets running
    /// handlers finish within [`shutdown_grace`](super::DurableOptions::shutdown_grace) and
    /// cancels the rest, whose entries stay recorded for another worker (Redis: after the
    /// visibility timeout; in memory: queued again at once).
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> WorkerReport {
        let options = Arc::clone(&self.queue.options);
        let backend = Arc::clone(&self.queue.backend);
        let consumer: Arc<str> = Arc::from(self.consumer.as_str());
        let counters = Arc::new(Counters::default());
        let permits = Arc::new(Semaphore::new(options.concurrency));
        let mut tasks = JoinSet::new();
        let mut shutdown = pin!(shutdown);
        let mut next_stats = Instant::now() + options.stats_interval;
        let mut down = false;
        loop {
            while tasks.try_join_next().is_some() {}
            if Instant::now() >= next_stats {
                next_stats = Instant::now() + options.stats_interval;
                log_stats(&*backend).await;
            }
            let free = permits.available_permits();
            if free == 0 {
                tokio::select! {
                    () = &mut shutdown => break,
                    _ = tasks.join_next() => continue,
                }
            }
            // Bounded (poll interval plus one backend call); not cancelled, so nothing taken
            // is dropped half-way.
            match backend
                .fetch(
                    &consumer,
                    free,
                    options.poll_interval,
                    options.visibility_timeout,
                )
                .await
            {
                Ok(list) => {
                    if std::mem::take(&mut down) {
                        tracing::info!(consumer = %consumer, "durable queue reachable again");
                    }
                    for delivery in list {
                        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                            break;
                        };
                        let job = Job {
                            queue: self.queue.clone(),
                            runner: Arc::clone(&self.runner),
                            consumer: Arc::clone(&consumer),
                            counters: Arc::clone(&counters),
                        };
                        tasks.spawn(async move {
                            let _permit = permit;
                            job.process(delivery).await;
                        });
                    }
                }
                Err(error) => {
                    if !std::mem::replace(&mut down, true) {
                        tracing::warn!(consumer = %consumer, %error, "durable queue unavailable; worker waits");
                    }
                    let pause = options.poll_interval.max(Duration::from_millis(200));
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(pause) => {}
                    }
                }
            }
            if futures::poll!(shutdown.as_mut()).is_ready() {
                break;
            }
        }
        tracing::info!(consumer = %consumer, running = tasks.len(), "durable worker stopping");
        let drain = async { while tasks.join_next().await.is_some() {} };
        let cancelled = if tokio::time::timeout(options.shutdown_grace, drain)
            .await
            .is_err()
        {
            let left = tasks.len() as u64;
            tasks.shutdown().await;
            tracing::warn!(consumer = %consumer, cancelled = left, "durable handlers cancelled at the end of the shutdown grace");
            left
        } else {
            0
        };
        WorkerReport {
            attempts: counters.attempts.load(Ordering::Relaxed),
            handled: counters.handled.load(Ordering::Relaxed),
            retried: counters.retried.load(Ordering::Relaxed),
            dead_lettered: counters.dead_lettered.load(Ordering::Relaxed),
            cancelled,
        }
    }
}

async fn log_stats(backend: &dyn Backend) {
    match backend.stats().await {
        Ok(s) => tracing::info!(
            depth = s.depth,
            in_flight = s.in_flight,
            scheduled_retries = s.scheduled_retries,
            bytes = s.bytes,
            oldest_age_ms = s.oldest_age.map_or(0, |a| a.as_millis() as u64),
            dead_letters = s.dead_letters,
            "durable queue stats"
        ),
        Err(error) => tracing::warn!(%error, "durable queue stats unavailable"),
    }
}

/// What one handler task needs.
struct Job {
    queue: DurableQueue,
    runner: Arc<dyn Runner>,
    consumer: Arc<str>,
    counters: Arc<Counters>,
}

/// Hands an entry back when its task is cancelled before it finished (shutdown).
struct ReleaseOnDrop {
    backend: Arc<dyn Backend>,
    consumer: Arc<str>,
    delivery: Option<Delivery>,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        let (Some(delivery), Ok(runtime)) =
            (self.delivery.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let (backend, consumer) = (Arc::clone(&self.backend), Arc::clone(&self.consumer));
        runtime.spawn(async move {
            let _ = backend.release(&consumer, &delivery).await;
        });
    }
}

impl Job {
    async fn process(self, delivery: Delivery) {
        let options = &*self.queue.options;
        let mut guard = ReleaseOnDrop {
            backend: Arc::clone(&self.queue.backend),
            consumer: Arc::clone(&self.consumer),
            delivery: Some(delivery.clone()),
        };
        let d = &delivery;
        let result = if d.attempt > options.max_attempts {
            // Earlier attempts died with their worker (crash, kill): a poison event that
            // brings processes down ends here too.
            Err(RunError::Failed(
                "attempts lost with their worker".to_owned(),
            ))
        } else {
            self.counters.attempts.fetch_add(1, Ordering::Relaxed);
            let payload = d.payload.as_bytes();
            let deadline = options.attempt_deadline;
            self.runner.run(&d.event_type, payload, deadline).await
        };
        let (event_type, attempt) = (&d.event_type, d.attempt);
        match result {
            Ok(()) => {
                tracing::debug!(%event_type, key = %d.key, attempt, "durable event handled");
                self.counters.handled.fetch_add(1, Ordering::Relaxed);
                self.finish(|| self.queue.backend.complete(&self.consumer, d))
                    .await;
            }
            Err(RunError::Failed(error)) if attempt < options.max_attempts => {
                let delay = options.backoff(attempt);
                tracing::warn!(%event_type, key = %d.key, attempt, %error, retry_in_ms = delay.as_millis() as u64, "durable handler failed; retrying later");
                self.counters.retried.fetch_add(1, Ordering::Relaxed);
                self.finish(|| self.queue.backend.retry(&self.consumer, d, delay))
                    .await;
            }
            Err(error) => {
                let error = match error {
                    RunError::NoHandler => "no handler for this event type".to_owned(),
                    RunError::Undecodable(e) => format!("event could not be decoded: {e}"),
                    RunError::Failed(e) => e,
                };
                tracing::error!(%event_type, key = %d.key, attempt, %error, "durable event dead-lettered");
                self.counters.dead_lettered.fetch_add(1, Ordering::Relaxed);
                let error = error.as_str();
                self.finish(|| self.queue.backend.bury(&self.consumer, d, error))
                    .await;
            }
        }
        guard.delivery = None;
    }

    /// Records the result, retrying while the backend is unreachable: until the visibility
    /// timeout, after which another worker takes the entry anyway (cut short by shutdown).
    async fn finish<F, Fut>(&self, record: F)
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(), super::DurableError>>,
    {
        let give_up = Instant::now() + self.queue.options.visibility_timeout;
        let mut pause = Duration::from_millis(50);
        loop {
            match record().await {
                Ok(()) => return,
                Err(error) if Instant::now() + pause >= give_up => {
                    tracing::error!(%error, "durable result not recorded; the entry will be handled again");
                    return;
                }
                Err(_) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}
