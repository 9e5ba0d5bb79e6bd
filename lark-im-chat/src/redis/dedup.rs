//! [`RedisDedup`]: each event handled once across replicas.

use super::scripts::RELEASE_IF_OWNER;
use super::{bounded_segment, owner_id, RedisConnection, RedisUnavailable};
use crate::events::webhook::{
    DedupError, DedupForgetFuture, DedupFuture, DedupOutcome, DedupStore, DEFAULT_DEDUP_TTL,
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
/// [`check_and_mark`](DedupStore::check_and_mark) is one `SET key owner NX PX ttl`: exactly one
/// replica is told [`DedupOutcome::New`] for an event id, however many receive it at once. The
/// mark holds this store's owner id (random per store); [`forget`](DedupStore::forget), called
/// by the dispatcher when the handler failed, deletes it only if this store still owns it
/// (compare-and-delete in Lua), so the redelivery is handled by whichever replica gets it, and one
/// replica never removes another's mark.
///
/// Keys: `<prefix>:dedup:<app_id>:<event key>` (event keys above 128 bytes are replaced by
/// their SHA-256), kept 8 hours by default, longer than the platform's 7.1-hour redelivery
/// window. When Redis is unreachable, the configured [`DedupFallback`] applies (default:
/// [`Reject`](DedupFallback::Reject)).
///
/// ```no_run
/// use lark_im_chat::events::dispatch::Dispatcher;
/// use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
/// use lark_im_chat::redis::{DedupFallback, RedisConnection, RedisDedup};
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
/// let dispatcher = Dispatcher::builder(receiver)
///     .dedup(RedisDedup::new(&redis, "cli_a1b2c3").fallback(DedupFallback::Reject))
///     .on_chat_updated(|e| async move { Ok(()) })
///     .build()?;
/// # let _ = dispatcher; Ok(()) }
/// ```
pub struct RedisDedup {
    redis: RedisConnection,
    app_id: String,
    owner: String,
    ttl: Duration,
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

    async fn mark(&self, key: &str) -> Result<DedupOutcome, DedupError> {
        let redis_key = self.redis_key(key);
        let ttl_ms = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let (redis_key, owner) = (&redis_key, &self.owner);
        let answer: Result<Option<String>, RedisUnavailable> = self
            .redis
            .run(|mut con| async move {
                ::redis::cmd("SET")
                    .arg(redis_key)
                    .arg(owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async(&mut con)
                    .await
            })
            .await;
        match answer {
            Ok(Some(_)) => {
                self.fallback_logged.store(false, Ordering::Relaxed);
                Ok(DedupOutcome::New)
            }
            Ok(None) => Ok(DedupOutcome::Duplicate),
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

    async fn release(&self, key: &str) -> Result<(), DedupError> {
        let redis_key = self.redis_key(key);
        let (redis_key, owner) = (&redis_key, &self.owner);
        let answer = self
            .redis
            .run(|mut con| async move {
                RELEASE_IF_OWNER
                    .key(redis_key)
                    .arg(owner)
                    .invoke_async::<i64>(&mut con)
                    .await
            })
            .await;
        match answer {
            Ok(_) => Ok(()),
            // Handled without a mark: there is nothing to release.
            Err(_) if self.fallback == DedupFallback::HandleAnyway => Ok(()),
            Err(error) => Err(DedupError::new(error)),
        }
    }
}

impl DedupStore for RedisDedup {
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a> {
        Box::pin(self.mark(key))
    }

    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        Box::pin(self.release(key))
    }
}
