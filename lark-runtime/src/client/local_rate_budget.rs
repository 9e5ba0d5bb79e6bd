//! [`LocalRateBudget`]: per-value limits (per chat, per message) and shared pauses for the calls
//! of one process.

use super::rate_budget::{bounded_partition, Admission, RateBudget, RateKey};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default of [`LocalRateBudget::max_keys`].
pub const DEFAULT_MAX_RATE_KEYS: usize = 10_000;

/// A [`RateBudget`] for one process: every call of the client (and of its clones) shares it.
///
/// - **Per-value limits**: an operation whose spec names a
///   [`RatePartition`](crate::meta::RatePartition) is paced per value at the documented rate:
///   at most 5 messages per second into one chat, sent at once up to that burst, then spread.
///   Other chats are not slowed down.
/// - **Shared pauses**: when the platform answers an attempt with the partition's code (230020:
///   this chat is over its limit), every call for that value waits out the reset (else one
///   second); a per-app throttle with a reset time (99991400) pauses the operation for every
///   call.
/// - **Bounds**: at most [`max_keys`](Self::max_keys) values and operations are tracked
///   (default [`DEFAULT_MAX_RATE_KEYS`]), each key at most 64 bytes of value (longer values
///   are hashed). When full, idle entries are dropped; if none is idle, a new value is
///   admitted untracked (the platform's answers still pace it).
///
/// Several replicas share one budget through Redis instead (`redis::RedisRateBudget`).
///
/// ```
/// use lark_runtime::client::LocalRateBudget;
/// use lark_runtime::Client;
/// use std::sync::Arc;
///
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .rate_budget(Arc::new(LocalRateBudget::new()))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), lark_runtime::Error>(())
/// ```
#[derive(Debug)]
pub struct LocalRateBudget {
    max_keys: usize,
    state: Mutex<HashMap<String, Entry>>,
}

/// One tracked value (or one operation's pause).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// GCRA theoretical arrival time of the next request.
    tat: Instant,
    /// No request before this instant.
    paused_until: Instant,
}

impl Entry {
    fn new(now: Instant) -> Self {
        Self {
            tat: now,
            paused_until: now,
        }
    }

    fn idle(&self, now: Instant) -> bool {
        self.tat <= now && self.paused_until <= now
    }
}

impl Default for LocalRateBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalRateBudget {
    /// A budget tracking up to [`DEFAULT_MAX_RATE_KEYS`] values.
    pub fn new() -> Self {
        Self {
            max_keys: DEFAULT_MAX_RATE_KEYS,
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Tracks at most `max` values and operations (at least 1).
    #[must_use]
    pub fn max_keys(mut self, max: usize) -> Self {
        self.max_keys = max.max(1);
        self
    }

    /// Values and operations tracked now.
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic elsewhere while holding the lock leaves plain timestamps: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry of `key`, made room for if needed; `None` when the table is full of busy entries.
    fn entry<'m>(
        &self,
        map: &'m mut HashMap<String, Entry>,
        key: String,
        now: Instant,
    ) -> Option<&'m mut Entry> {
        if !map.contains_key(&key) && map.len() >= self.max_keys {
            map.retain(|_, e| !e.idle(now));
            if map.len() >= self.max_keys {
                tracing::debug!(
                    max = self.max_keys,
                    "rate budget full: a value goes untracked"
                );
                return None;
            }
        }
        Some(map.entry(key).or_insert_with(|| Entry::new(now)))
    }

    fn admit_now(&self, key: RateKey<'_>) -> Admission {
        let now = Instant::now();
        let mut map = self.lock();
        // An operation's pause (a per-app throttle).
        if let Some(e) = map.get(&operation_key(key)) {
            if e.paused_until > now {
                return Admission::Wait(e.paused_until - now);
            }
        }
        let Some((p, value)) = key.operation.rate_partition.as_ref().zip(key.partition) else {
            return Admission::Now;
        };
        let Some(e) = self.entry(&mut map, partition_key(p.bucket, value), now) else {
            return Admission::Now;
        };
        if e.paused_until > now {
            return Admission::Wait(e.paused_until - now);
        }
        let interval = Duration::from_secs(1) / p.per_second.max(1);
        let tat = e.tat.max(now);
        let burst_span = interval * p.per_second.max(1);
        // GCRA: admitted when the next arrival time is within one burst of now.
        let allow_at = (tat + interval).checked_sub(burst_span).unwrap_or(now);
        if allow_at > now {
            return Admission::Wait(allow_at - now);
        }
        e.tat = tat + interval;
        Admission::Now
    }

    fn pause(&self, key: RateKey<'_>, reset: Duration) {
        let now = Instant::now();
        let until = now + reset.min(Duration::from_secs(3600));
        let map_key = match key.operation.rate_partition.as_ref().zip(key.partition) {
            Some((p, value)) => partition_key(p.bucket, value),
            None => operation_key(key),
        };
        let mut map = self.lock();
        if let Some(e) = self.entry(&mut map, map_key, now) {
            e.paused_until = e.paused_until.max(until);
        }
    }
}

fn operation_key(key: RateKey<'_>) -> String {
    format!("op:{}", key.operation.id)
}

fn partition_key(bucket: &str, value: &str) -> String {
    format!("part:{bucket}:{}", bounded_partition(value))
}

impl RateBudget for LocalRateBudget {
    fn admit<'a>(&'a self, key: RateKey<'a>) -> BoxFuture<'a, Admission> {
        Box::pin(std::future::ready(self.admit_now(key)))
    }

    fn throttled<'a>(&'a self, key: RateKey<'a>, reset: Duration) -> BoxFuture<'a, ()> {
        self.pause(key, reset);
        Box::pin(std::future::ready(()))
    }
}
