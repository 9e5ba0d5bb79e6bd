//! The rate-budget seam: what the client asks before each attempt, and tells after the
//! platform throttled one.
//!
//! The default ([`NoRateBudget`]) admits everything at once: a single process learns about
//! limits from the platform's answers (HTTP 429 / code 99991400 with `x-ogw-ratelimit-reset`),
//! which the [`RetryPolicy`] honours. A shared budget (the Redis one of feature `redis`) lets
//! several replicas stay under one limit together and pause together.

use crate::error::Error;
use crate::http::{ApiRequest, RetryPolicy};
use crate::meta::OperationMeta;
use futures::future::BoxFuture;
use std::fmt;
use std::time::{Duration, Instant};

/// The answer of [`RateBudget::admit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// Send now (the slot is taken).
    Now,
    /// No slot yet: ask again after this long.
    Wait(Duration),
}

/// What one attempt counts against: its operation (whose family shares the per-app limits) and,
/// when the operation has a [`RatePartition`](crate::meta::RatePartition), the value it is
/// limited per (the chat a message goes to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateKey<'a> {
    /// The operation.
    pub operation: &'static OperationMeta,
    /// The value of the operation's rate partition this attempt carries, if any.
    pub partition: Option<&'a str>,
}

impl<'a> RateKey<'a> {
    /// The key of an attempt of `operation` for `partition` (see [`RateKey::partition`]).
    pub fn new(operation: &'static OperationMeta, partition: Option<&'a str>) -> Self {
        Self {
            operation,
            partition,
        }
    }

    /// The key of `req`: its operation and its [`rate_partition_value`](ApiRequest::rate_partition_value).
    pub fn of(req: &'a ApiRequest) -> Self {
        Self::new(req.meta, req.rate_partition_value())
    }

    /// The same operation without the partition: what a per-app throttle pauses.
    pub fn without_partition(self) -> RateKey<'static> {
        RateKey::new(self.operation, None)
    }
}

/// A rate budget the client consults before each attempt of a call; set it with
/// [`ClientBuilder::rate_budget`](crate::ClientBuilder::rate_budget).
///
/// The client waits as told, as long as the wait fits in the [`RetryPolicy`]'s total budget
/// (counted from the call's first attempt); a wait beyond it is not waited: the attempt is sent,
/// and the platform's own answer decides. Implementations must answer quickly and never fail a
/// call: when their backing store is unavailable, they admit.
pub trait RateBudget: Send + Sync + fmt::Debug + 'static {
    /// Asks for a slot for one attempt: of the operation's family budget and, when the key has
    /// a partition, of that value's budget too.
    fn admit<'a>(&'a self, key: RateKey<'a>) -> BoxFuture<'a, Admission>;

    /// Tells that the platform throttled an attempt and asked to wait `reset`
    /// (`x-ogw-ratelimit-reset`, else `Retry-After`, else one period of a partition's rate).
    /// A key with a partition means only that value is over its limit (e.g. 230020 for one
    /// chat): pause that value, not the whole family.
    fn throttled<'a>(&'a self, key: RateKey<'a>, reset: Duration) -> BoxFuture<'a, ()>;
}

/// The default [`RateBudget`]: admits every attempt at once, remembers nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRateBudget;

impl RateBudget for NoRateBudget {
    fn admit<'a>(&'a self, _key: RateKey<'a>) -> BoxFuture<'a, Admission> {
        Box::pin(std::future::ready(Admission::Now))
    }

    fn throttled<'a>(&'a self, _key: RateKey<'a>, _reset: Duration) -> BoxFuture<'a, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// Waits for a slot for the next attempt of `req`, within the policy's total budget counted
/// from `start`.
pub(crate) async fn await_turn(
    budget: &dyn RateBudget,
    req: &ApiRequest,
    policy: &RetryPolicy,
    start: Instant,
) {
    loop {
        let wait = match budget.admit(RateKey::of(req)).await {
            Admission::Now => return,
            // A zero wait would spin: ask again after a millisecond at least.
            Admission::Wait(wait) => wait.max(Duration::from_millis(1)),
        };
        if start.elapsed().saturating_add(wait) > policy.get_total_budget() {
            tracing::debug!(
                operation = req.meta.id,
                wait_ms = wait.as_millis() as u64,
                "rate budget wait exceeds the retry budget; sending anyway"
            );
            return;
        }
        tracing::debug!(
            operation = req.meta.id,
            wait_ms = wait.as_millis() as u64,
            "waiting for the rate budget"
        );
        tokio::time::sleep(wait).await;
    }
}

/// Tells the budget when the platform throttled an attempt of `req`: the answer naming the
/// operation's per-value limit (230020 for one chat) pauses that value, for the reset time or
/// else one period; another throttle with a reset time pauses the family.
pub(crate) async fn report(budget: &dyn RateBudget, req: &ApiRequest, err: &Error) {
    if !err.is_rate_limited() {
        return;
    }
    let key = RateKey::of(req);
    let partition = req.meta.rate_partition.as_ref();
    match (partition, key.partition) {
        (Some(p), Some(_)) if err.code() == Some(p.code) => {
            let reset = err.retry_after().unwrap_or(p.default_pause());
            budget.throttled(key, reset).await;
        }
        _ => {
            if let Some(reset) = err.retry_after() {
                budget.throttled(key.without_partition(), reset).await;
            }
        }
    }
}

/// Longest partition value kept as it is in a budget's key; longer ones are hashed.
const MAX_PARTITION_KEY_BYTES: usize = 64;

/// A partition value as a budget stores it: as it is when short and plain (ids such as
/// `oc_…`, `om_…`), else `h` and a 64-bit hash in hex, so keys stay bounded in bytes whatever a
/// request carries. Distinct values may rarely share a hash, and then share a budget.
pub(crate) fn bounded_partition(value: &str) -> std::borrow::Cow<'_, str> {
    let plain = value.len() <= MAX_PARTITION_KEY_BYTES
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if plain {
        return value.into();
    }
    // FNV-1a: stable across processes and versions, unlike std's randomly seeded hasher.
    let hash = value.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("h{hash:016x}").into()
}

#[cfg(test)]
mod tests {
    use super::bounded_partition;

    #[test]
    fn partition_values_are_kept_plain_or_hashed_to_a_bounded_key() {
        assert_eq!(
            bounded_partition("oc_a0553eda9014c201e6969b478895c230"),
            "oc_a0553eda9014c201e6969b478895c230"
        );
        let long = "x".repeat(10_000);
        let hashed = bounded_partition(&long);
        assert_eq!(hashed.len(), 17);
        assert_eq!(hashed, bounded_partition(&long), "stable");
        assert_ne!(
            bounded_partition("a:b"),
            "a:b",
            "a key separator is never kept"
        );
        assert_ne!(bounded_partition("a:b"), bounded_partition("a:c"));
    }
}
