//! [`RedisDurable`]: the durable event queue on a Redis stream shared by replicas.

mod scripts;

use super::{bounded_segment, KeyKind, RedisConnection, RedisError};
use crate::events::durable::{
    Backend, BackendFuture, DeadLetter, Delivery, DurableError, DurableQueue, DurableStats,
    Enqueued, QueueLimits,
};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// Name of the consumer group every worker of an app joins.
const GROUP: &str = "workers";
/// Longest interval between two claims of entries left by dead workers, per process.
const CLAIM_EVERY: Duration = Duration::from_secs(1);

/// A [`DurableQueue`] backend on Redis Streams, shared by every replica of one app: turn it
/// into a queue with `DurableQueue::from` and give it to
/// [`DispatcherBuilder::durable_queue`](crate::events::dispatch::DispatcherBuilder::durable_queue).
///
/// One stream per app (`<prefix>:durable:<app_id>:stream`) with a consumer group; each worker
/// is a consumer. Recording is one script that checks the de-dup mark and the bounds
/// ([`QueueLimits`]: entries and bytes) and adds the entry (`XADD … MAXLEN ~`) and the mark
/// together, so a redelivery of a recorded event is never recorded twice. Workers read new
/// entries (`XREADGROUP`), claim entries idle longer than the visibility timeout
/// (`XAUTOCLAIM`: their worker died), acknowledge and delete an entry when handled, move it
/// to a retry set for the backoff, or to the dead-letter stream (`…:dead`, about
/// [`max_dead_letters`](QueueLimits::max_dead_letters) entries). Every call is bounded by
/// [`RedisOptions::command_timeout`](super::RedisOptions::command_timeout).
///
/// Redis must persist (AOF) for queued events to survive a Redis restart.
///
/// ```no_run
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::durable::{DurableOptions, DurableQueue};
/// use lark_runtime::redis::{RedisConnection, RedisDurable};
/// use std::time::Duration;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let queue = DurableQueue::from(RedisDurable::new(&redis, "cli_a1b2c3"))
///     .options(DurableOptions::default().attempt_deadline(Duration::from_secs(120)));
/// let dispatcher = Dispatcher::builder()
///     .durable_queue(queue)
///     // .on::<BotAdded>(slow_handler).durable::<BotAdded>()  (any family's event type)
///     .build()?;
/// if let Some(worker) = dispatcher.durable_worker() {
///     tokio::spawn(worker.run(async { let _ = tokio::signal::ctrl_c().await; }));
/// }
/// # Ok(()) }
/// ```
pub struct RedisDurable {
    redis: RedisConnection,
    limits: QueueLimits,
    keys: Keys,
    mark_prefix: String,
    last_claim: Mutex<Option<Instant>>,
}

struct Keys {
    stream: String,
    retry: String,
    bytes: String,
    attempts: String,
    dead: String,
}

impl fmt::Debug for RedisDurable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDurable")
            .field("redis", &self.redis)
            .field("stream", &self.keys.stream)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl RedisDurable {
    /// The queue of `app_id`'s durable events, with default [`QueueLimits`].
    pub fn new(redis: &RedisConnection, app_id: &str) -> Self {
        let app = bounded_segment(app_id);
        let key = |part: &str| redis.key(format_args!("durable:{app}:{part}"));
        Self {
            keys: Keys {
                stream: key("stream"),
                retry: key("retry"),
                bytes: key("bytes"),
                attempts: key("attempts"),
                dead: key("dead"),
            },
            mark_prefix: key("mark"),
            redis: redis.clone(),
            limits: QueueLimits::default(),
            last_claim: Mutex::new(None),
        }
    }

    /// Sets the bounds (entries, bytes, dead letters, mark lifetime).
    #[must_use]
    pub fn limits(mut self, limits: QueueLimits) -> Self {
        self.limits = limits;
        self
    }

    fn mark(&self, key: &str) -> String {
        format!("{}:{}", self.mark_prefix, bounded_segment(key))
    }

    /// Whether this fetch also claims entries of dead workers (at most once a second).
    fn claim_due(&self) -> bool {
        let mut last = self.last_claim.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < CLAIM_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    async fn invoke<T: ::redis::FromRedisValue>(
        &self,
        script: &::redis::Script,
        keys: &[&str],
        args: &[String],
    ) -> Result<T, DurableError> {
        self.redis
            .run(KeyKind::Durable, |mut con| async move {
                let mut call = script.prepare_invoke();
                for key in keys {
                    call.key(*key);
                }
                for arg in args {
                    call.arg(arg.as_str());
                }
                call.invoke_async::<T>(&mut con).await
            })
            .await
            .map_err(unavailable)
    }

    async fn fetch_now(
        &self,
        consumer: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Delivery>, DurableError> {
        let k = &self.keys;
        let claim = if self.claim_due() { "1" } else { "0" };
        let args = [
            GROUP.to_owned(),
            consumer.to_owned(),
            max.to_string(),
            millis(visibility).to_string(),
            claim.to_owned(),
        ];
        let flat: Vec<String> = self
            .invoke(&scripts::FETCH, &[&k.stream, &k.retry, &k.attempts], &args)
            .await?;
        let mut out = Vec::with_capacity(flat.len() / 6);
        for e in flat.chunks_exact(6) {
            out.push(Delivery {
                id: e[0].clone(),
                key: e[1].clone(),
                event_type: e[2].clone(),
                payload: e[3].clone(),
                attempt: e[4].parse().map_err(|_| DurableError::Corrupt)?,
            });
        }
        Ok(out)
    }

    async fn on_held(
        &self,
        script: &::redis::Script,
        keys: &[&str],
        consumer: &str,
        delivery: &Delivery,
        extra: &[String],
    ) -> Result<(), DurableError> {
        let mut args = vec![GROUP.to_owned(), consumer.to_owned(), delivery.id.clone()];
        args.extend_from_slice(extra);
        let _: i64 = self.invoke(script, keys, &args).await?;
        Ok(())
    }
}

fn unavailable(error: RedisError) -> DurableError {
    DurableError::Unavailable(Box::new(error))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Turns `{status, entries, bytes}` into a result.
fn bounded_status(answer: &[i64]) -> Result<i64, DurableError> {
    match answer {
        [2, entries, bytes] => Err(DurableError::Full {
            entries: (*entries).max(0) as u64,
            bytes: (*bytes).max(0) as u64,
        }),
        [status, _, _] => Ok(*status),
        _ => Err(DurableError::Corrupt),
    }
}

impl From<RedisDurable> for DurableQueue {
    fn from(backend: RedisDurable) -> Self {
        DurableQueue::from_backend(backend)
    }
}

impl Backend for RedisDurable {
    fn enqueue<'a>(
        &'a self,
        key: &'a str,
        event_type: &'a str,
        payload: &'a str,
    ) -> BackendFuture<'a, Enqueued> {
        Box::pin(async move {
            let (k, mark) = (&self.keys, self.mark(key));
            let l = &self.limits;
            let args = [
                key.to_owned(),
                event_type.to_owned(),
                payload.to_owned(),
                l.max_entries.to_string(),
                l.max_bytes.to_string(),
                millis(l.mark_ttl).to_string(),
            ];
            let keys = [&*k.stream, &*k.retry, &*k.bytes, &*mark];
            let answer: Vec<i64> = self.invoke(&scripts::ENQUEUE, &keys, &args).await?;
            match bounded_status(&answer)? {
                1 => Ok(Enqueued::Queued),
                _ => Ok(Enqueued::AlreadyQueued),
            }
        })
    }

    fn fetch<'a>(
        &'a self,
        consumer: &'a str,
        max: usize,
        wait: Duration,
        visibility: Duration,
    ) -> BackendFuture<'a, Vec<Delivery>> {
        Box::pin(async move {
            let taken = self.fetch_now(consumer, max, visibility).await?;
            if taken.is_empty() {
                // Polled rather than blocked: a blocking read would hold up every other
                // command on the shared multiplexed connection.
                tokio::time::sleep(wait).await;
            }
            Ok(taken)
        })
    }

    fn complete<'a>(&'a self, consumer: &'a str, delivery: &'a Delivery) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let (k, mark) = (&self.keys, self.mark(&delivery.key));
            let keys = [&*k.stream, &*k.bytes, &*k.attempts, &*mark];
            let ttl = [millis(self.limits.mark_ttl).to_string()];
            self.on_held(&scripts::COMPLETE, &keys, consumer, delivery, &ttl)
                .await
        })
    }

    fn retry<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        delay: Duration,
    ) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let keys = [&*self.keys.stream, &*self.keys.retry];
            let delay = [millis(delay).to_string()];
            self.on_held(&scripts::RETRY, &keys, consumer, delivery, &delay)
                .await
        })
    }

    fn bury<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        error: &'a str,
    ) -> BackendFuture<'a, ()> {
        Box::pin(async move {
            let k = &self.keys;
            let keys = [&*k.stream, &*k.bytes, &*k.attempts, &*k.dead];
            let extra = [
                crate::events::durable::bounded_error(error).to_owned(),
                self.limits.max_dead_letters.to_string(),
                delivery.attempt.to_string(),
            ];
            self.on_held(&scripts::BURY, &keys, consumer, delivery, &extra)
                .await
        })
    }

    fn release<'a>(&'a self, _: &'a str, _: &'a Delivery) -> BackendFuture<'a, ()> {
        // Left pending: another worker claims it after the visibility timeout.
        Box::pin(std::future::ready(Ok(())))
    }

    fn stats(&self) -> BackendFuture<'_, DurableStats> {
        Box::pin(async move {
            let k = &self.keys;
            let keys = [&*k.stream, &*k.retry, &*k.bytes, &*k.dead];
            let s: Vec<i64> = self
                .invoke(&scripts::STATS, &keys, &[GROUP.to_owned()])
                .await?;
            let [depth, in_flight, retries, bytes, dead, oldest] = s[..] else {
                return Err(DurableError::Corrupt);
            };
            let n = |v: i64| v.max(0) as u64;
            Ok(DurableStats {
                depth: n(depth),
                in_flight: n(in_flight),
                scheduled_retries: n(retries),
                bytes: n(bytes),
                oldest_age: (oldest >= 0).then(|| Duration::from_millis(n(oldest))),
                dead_letters: n(dead),
            })
        })
    }

    fn dead_letters(&self, max: usize) -> BackendFuture<'_, Vec<DeadLetter>> {
        Box::pin(async move {
            let flat: Vec<String> = self
                .invoke(&scripts::DEAD_LIST, &[&self.keys.dead], &[max.to_string()])
                .await?;
            let mut out = Vec::with_capacity(flat.len() / 7);
            for e in flat.chunks_exact(7) {
                let at: u64 = e[6].parse().unwrap_or_default();
                out.push(DeadLetter {
                    id: e[0].clone(),
                    key: e[1].clone(),
                    event_type: e[2].clone(),
                    payload: e[3].clone(),
                    attempts: e[4].parse().unwrap_or_default(),
                    error: e[5].clone(),
                    dead_at: UNIX_EPOCH + Duration::from_millis(at),
                });
            }
            Ok(out)
        })
    }

    fn replay<'a>(&'a self, id: &'a str) -> BackendFuture<'a, bool> {
        Box::pin(async move {
            let k = &self.keys;
            let keys = [&*k.dead, &*k.stream, &*k.retry, &*k.bytes];
            let l = &self.limits;
            let args = [
                id.to_owned(),
                l.max_entries.to_string(),
                l.max_bytes.to_string(),
            ];
            let answer: Vec<i64> = self.invoke(&scripts::REPLAY, &keys, &args).await?;
            Ok(bounded_status(&answer)? == 1)
        })
    }
}
