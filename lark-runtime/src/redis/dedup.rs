//! [`RedisDedup`]: each event handled once across replicas.

use super::scripts::{DEDUP_DONE, DEDUP_MARK, RELEASE_IF_OWNER};
use super::{bounded_segment, owner_id, KeyKind, RedisConnection, RedisError};
use crate::events::webhook::{
    DedupError, DedupForgetFuture, DedupFuture, DedupOutcome, DedupStore, DEFAULT_DEDUP_LEASE,
    DEFAULT_DEDUP_TTL,
};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What [`RedisDedup`] does when Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DedupFallback {
    /// Report a store failure: the [`Dispatcher`](crate::events::dispatch::Dispatcher) calls no
    /// handler and answers 503, and the platform redelivers the event later (after 15 s, 5 min,
    /// 1 h, 6 h). Nothing is lost, nothing is handled twice. The default.
    #[default]
    Reject,
    /// Handle the event without de-duplication: nothing waits, but an event delivered twice
    /// during the outage (or to two replicas) is handled twice.
    HandleAnyway,
}

/// A [`DedupStore`] shared through Redis by every replica receiving one app's events.
///
/// [`check_and_mark`](DedupStore::check_and_mark) is one script that sets an absent mark to
/// `in-progress:<owner>` for the [lease](Self::lease) (60 s by default): exactly one replica is
/// told [`DedupOutcome::New`] for an event id, however many receive it at once, and a delivery
/// while it runs is told [`DedupOutcome::InProgress`] (the dispatcher answers 503, so the
/// platform delivers it again). [`mark_done`](DedupStore::mark_done), after the handler
/// succeeded, sets it to `done` for the time to live: later deliveries are
/// [`DedupOutcome::Duplicate`]. [`forget`](DedupStore::forget), called by the dispatcher when
/// the handler failed, deletes it only if it is still this store's in-progress mark
/// (compare-and-delete in Lua), so the redelivery is handled by whichever replica gets it, and
/// one replica never removes another's mark. The owner id is random per store.
///
/// A de-dup key holding anything else (another type, a string this library did not write) is
/// never taken for "already handled": that one event fails with a [`RedisError`] naming the
/// key kind (the dispatcher answers 503) and every other event goes on. A bare owner id, the
/// mark of earlier versions, counts as in progress.
///
/// Keys: `<prefix>:dedup:<app_id>:<event key>` (event keys above 128 bytes are replaced by
/// their SHA-256), kept 8 hours by default, longer than the platform's 7.1-hour redelivery
/// window. When Redis is unreachable, the configured [`DedupFallback`] applies (default:
/// [`Reject`](DedupFallback::Reject)).
///
/// ```no_run
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
/// use lark_runtime::redis::{DedupFallback, RedisConnection, RedisDedup};
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
/// let webhook = Dispatcher::builder()
///     .dedup(RedisDedup::new(&redis, "cli_a1b2c3").fallback(DedupFallback::Reject))
///     .fallback(|e| async move { Ok(()) }) // and typed handlers of any family
///     .build()?
///     .with_webhook(receiver);
/// # let _ = webhook; Ok(()) }
/// ```
pub struct RedisDedup {
    redis: RedisConnection,
    app_id: String,
    owner: String,
    ttl: Duration,
    lease: Duration,
    fallback: DedupFallback,
    /// Whether the fallback's first use in the current outage was logged.
    fallback_logged: AtomicBool,
}

impl fmt::Debug for RedisDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedup")
            .field("redis", &self.redis)
            .field("app_id", &self.app_id)
            .field("ttl", &self.ttl)
            .field("lease", &self.lease)
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl RedisDedup {
    /// A store for the events of `app_id`, keeping marks 8 hours, rejecting while Redis is down.
    pub fn new(redis: &RedisConnection, app_id: impl Into<String>) -> Self {
        Self {
            redis: redis.clone(),
            app_id: app_id.into(),
            owner: owner_id(),
            ttl: DEFAULT_DEDUP_TTL,
            lease: DEFAULT_DEDUP_LEASE,
            fallback: DedupFallback::default(),
            fallback_logged: AtomicBool::new(false),
        }
    }

    /// How long a mark is kept (at least 1 ms). Default: 8 hours.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long an in-progress mark holds (at least 1 ms). Default: [`DEFAULT_DEDUP_LEASE`]
    /// (60 s). Keep it above the dispatcher's handler deadline: a mark older than this is
    /// taken for a run that died with its process, and the next delivery is handled.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(1));
        self
    }

    /// What to do while Redis is unreachable. Default: [`DedupFallback::Reject`].
    #[must_use]
    pub fn fallback(mut self, fallback: DedupFallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// The owner id written into this store's marks.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn redis_key(&self, key: &str) -> String {
        let (app, key) = (&self.app_id, bounded_segment(key));
        self.redis.key(format_args!("dedup:{app}:{key}"))
    }

    /// The value of a mark this store set and has not finished: `in-progress:<owner>`.
    fn in_progress(&self) -> String {
        format!("in-progress:{}", self.owner)
    }

    async fn mark(&self, key: &str) -> Result<DedupOutcome, DedupError> {
        let redis_key = self.redis_key(key);
        let lease_ms = millis(self.lease);
        let (redis_key, value) = (&redis_key, &self.in_progress());
        let answer = self
            .redis
            .run(KeyKind::Dedup, |mut con| async move {
                DEDUP_MARK
                    .key(redis_key)
                    .arg(value)
                    .arg(lease_ms)
                    .invoke_async::<u8>(&mut con)
                    .await
            })
            .await;
        match answer {
            Ok(1) => {
                self.fallback_logged.store(false, Ordering::Relaxed);
                Ok(DedupOutcome::New)
            }
            Ok(0) => Ok(DedupOutcome::Duplicate),
            Ok(2) => Ok(DedupOutcome::InProgress),
            Ok(_) => Err(DedupError::new(self.foreign())),
            // One key of the wrong type: this event fails, whatever the fallback.
            Err(error) if !error.is_connection_level() => Err(DedupError::new(error)),
            Err(error) => match self.fallback {
                DedupFallback::Reject => Err(DedupError::new(error)),
                DedupFallback::HandleAnyway => {
                    if !self.fallback_logged.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            %error,
                            "de-duplication unavailable: handling events anyway (duplicates \
                             possible until Redis returns)"
                        );
                    }
                    Ok(DedupOutcome::New)
                }
            },
        }
    }

    async fn finish(&self, key: &str) -> Result<(), DedupError> {
        let redis_key = self.redis_key(key);
        let ttl_ms = millis(self.ttl);
        let redis_key = &redis_key;
        let answer = self
            .redis
            .run(KeyKind::Dedup, |mut con| async move {
                DEDUP_DONE
                    .key(redis_key)
                    .arg(ttl_ms)
                    .invoke_async::<u8>(&mut con)
                    .await
            })
            .await;
        match answer {
            Ok(1) => Ok(()),
            Ok(_) => Err(DedupError::new(self.foreign())),
            Err(error) => Err(DedupError::new(error)),
        }
    }

    async fn release(&self, key: &str) -> Result<(), DedupError> {
        let redis_key = self.redis_key(key);
        let (redis_key, value) = (&redis_key, &self.in_progress());
        let answer = self
            .redis
            .run(KeyKind::Dedup, |mut con| async move {
                RELEASE_IF_OWNER
                    .key(redis_key)
                    .arg(value)
                    .invoke_async::<i64>(&mut con)
                    .await
            })
            .await;
        match answer {
            Ok(_) => Ok(()),
            // Handled without a mark: there is nothing to release.
            Err(error)
                if error.is_connection_level() && self.fallback == DedupFallback::HandleAnyway =>
            {
                Ok(())
            }
            Err(error) => Err(DedupError::new(error)),
        }
    }

    fn foreign(&self) -> RedisError {
        RedisError::Foreign {
            addr: self.redis.addr().to_owned(),
            key: KeyKind::Dedup,
        }
    }
}

/// Milliseconds of `d`, at least 1 (Redis refuses `PX 0`).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl DedupStore for RedisDedup {
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a> {
        Box::pin(self.mark(key))
    }

    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        Box::pin(self.release(key))
    }

    fn mark_done<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        Box::pin(self.finish(key))
    }
}
