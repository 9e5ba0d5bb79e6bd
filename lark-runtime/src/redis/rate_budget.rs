//! [`RedisRateBudget`]: one rate budget per app and operation family for all replicas, and a
//! shared pause after a rate-limit answer.

use super::scripts::{RATE_ADMIT, RATE_PAUSE};
use super::{KeyKind, RedisConnection};
use crate::client::{bounded_partition, Admission, RateBudget, RateKey};
use crate::meta::OperationMeta;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// One rate limit: `count` requests per `period`, at most `burst` of them at once (GCRA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    count: u32,
    period: Duration,
    burst: u32,
}

impl Limit {
    /// `count` requests per second (at least 1), all of them allowed in a burst.
    pub fn per_second(count: u32) -> Self {
        Self::per(count, Duration::from_secs(1))
    }

    /// `count` requests per minute (at least 1), all of them allowed in a burst.
    pub fn per_minute(count: u32) -> Self {
        Self::per(count, Duration::from_secs(60))
    }

    /// `count` requests (at least 1) per `period` (at least 1 ms), all of them allowed in a
    /// burst.
    pub fn per(count: u32, period: Duration) -> Self {
        let count = count.max(1);
        Self {
            count,
            period: period.max(Duration::from_millis(1)),
            burst: count,
        }
    }

    /// At most `burst` requests (at least 1) back to back; the rest are spread evenly.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Microseconds between two requests at the sustained rate (at least 1).
    fn interval_us(&self) -> u64 {
        let us = self.period.as_micros() / u128::from(self.count);
        u64::try_from(us).unwrap_or(u64::MAX).max(1)
    }
}

/// The limits applied to every family without its own: 1000 per minute and 50 per second, the
/// tier the platform documents for its list and token endpoints.
pub fn default_limits() -> Vec<Limit> {
    vec![Limit::per_minute(1000).burst(50), Limit::per_second(50)]
}

/// A [`RateBudget`] shared through Redis by every replica of one app.
///
/// - **Budget**: each operation family (by default, each operation: the platform limits per
///   API, app and tenant) has one or more [`Limit`]s, checked together and atomically by a Lua
///   script (GCRA: one timestamp per limit in Redis, no timers). Default limits:
///   [`default_limits`]; set others per family with [`limits`](Self::limits), group operations
///   into one family with [`family`](Self::family).
/// - **Shared pause**: when any replica is throttled (HTTP 429 / code 99991400 with
///   `x-ogw-ratelimit-reset`), the family's pause key is set to that reset, and every replica
///   waits it out before its next attempt instead of discovering the limit itself.
/// - **Per-value limits**: an operation whose spec names a
///   [`RatePartition`](crate::meta::RatePartition) (5 messages per second into one chat) is
///   also paced per value, in the same script; an answer naming that limit (230020) pauses only
///   that value for every replica (for the reset time, else one second).
/// - **Cost**: one script (one round trip) per attempt.
/// - **Redis down**: every attempt is admitted (the platform's answers still pace each
///   replica).
///
/// Keys: `<prefix>:rate:<app_id>:<family>:paused` and `…:<family>:<n>` (one per limit);
/// `…:part:<bucket>:<value>` and `…:paused` per value (a value over 64 bytes or with other
/// characters than `[A-Za-z0-9_.-]` is replaced by a hash). Store
/// apps' tenants share one budget per family (conservative).
///
/// ```no_run
/// use lark_runtime::redis::{Limit, RedisConnection, RedisRateBudget};
/// use lark_runtime::Client;
/// use std::sync::Arc;
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let budget = RedisRateBudget::new(&redis, "cli_a1b2c3")
///     .limits("chat_members.create", [Limit::per_second(5)]);
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .rate_budget(Arc::new(budget))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct RedisRateBudget {
    redis: RedisConnection,
    app_id: String,
    defaults: Vec<Limit>,
    limits: HashMap<String, Vec<Limit>>,
    families: HashMap<&'static str, String>,
}

impl fmt::Debug for RedisRateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateBudget")
            .field("redis", &self.redis)
            .field("app_id", &self.app_id)
            .field("defaults", &self.defaults)
            .field("limits", &self.limits)
            .field("families", &self.families)
            .finish()
    }
}

impl RedisRateBudget {
    /// A budget for `app_id` with the [`default_limits`] for every operation.
    pub fn new(redis: &RedisConnection, app_id: impl Into<String>) -> Self {
        Self {
            redis: redis.clone(),
            app_id: app_id.into(),
            defaults: default_limits(),
            limits: HashMap::new(),
            families: HashMap::new(),
        }
    }

    /// Limits of every family that has none of its own (none given: no limit, only the shared
    /// pause).
    #[must_use]
    pub fn default_limits(mut self, limits: impl IntoIterator<Item = Limit>) -> Self {
        self.defaults = limits.into_iter().collect();
        self
    }

    /// Limits of one family (an operation id such as `chat_members.get`, or a name given with
    /// [`family`](Self::family)), all of which must allow a request.
    #[must_use]
    pub fn limits(
        mut self,
        family: impl Into<String>,
        limits: impl IntoIterator<Item = Limit>,
    ) -> Self {
        self.limits
            .insert(family.into(), limits.into_iter().collect());
        self
    }

    /// Puts the operation `operation_id` into the family `family` (by default each operation is
    /// its own family).
    #[must_use]
    pub fn family(mut self, operation_id: &'static str, family: impl Into<String>) -> Self {
        self.families.insert(operation_id, family.into());
        self
    }

    fn family_of(&self, operation: &'static OperationMeta) -> &str {
        self.families
            .get(operation.id)
            .map_or(operation.id, String::as_str)
    }

    fn pause_key(&self, family: &str) -> String {
        self.redis
            .key(format_args!("rate:{}:{family}:paused", self.app_id))
    }

    /// The key of one value's budget in `bucket` (long or unusual values hashed, so a key
    /// stays short whatever the request carried).
    fn partition_key(&self, bucket: &str, value: &str) -> String {
        self.redis.key(format_args!(
            "rate:{}:part:{bucket}:{}",
            self.app_id,
            bounded_partition(value)
        ))
    }

    async fn admit_one(&self, key: RateKey<'_>) -> Admission {
        let operation = key.operation;
        let family = self.family_of(operation);
        let limits = self.limits.get(family).unwrap_or(&self.defaults);
        let partition = operation.rate_partition.as_ref().zip(key.partition);
        let mut invocation = RATE_ADMIT.key(self.pause_key(family));
        let mut partition_key = None;
        if let Some((p, value)) = partition {
            let k = self.partition_key(p.bucket, value);
            invocation.key(format!("{k}:paused"));
            partition_key = Some((k, Limit::per_second(p.per_second)));
        }
        invocation.arg(if partition.is_some() { 2 } else { 1 });
        for (n, limit) in limits.iter().enumerate() {
            invocation
                .key(
                    self.redis
                        .key(format_args!("rate:{}:{family}:{n}", self.app_id)),
                )
                .arg(limit.interval_us())
                .arg(limit.burst);
        }
        if let Some((k, limit)) = partition_key {
            invocation.key(k).arg(limit.interval_us()).arg(limit.burst);
        }
        let invocation = &invocation;
        let answer = self
            .redis
            .run(KeyKind::RateBudget, |mut con| async move {
                invocation.invoke_async::<u64>(&mut con).await
            })
            .await;
        match answer {
            Ok(0) | Err(_) => Admission::Now,
            Ok(wait_us) => Admission::Wait(Duration::from_micros(wait_us)),
        }
    }

    async fn pause(&self, key: RateKey<'_>, reset: Duration) {
        let operation = key.operation;
        let family = self.family_of(operation);
        let (pause_key, what) = match operation.rate_partition.as_ref().zip(key.partition) {
            Some((p, value)) => (
                format!("{}:paused", self.partition_key(p.bucket, value)),
                "one value of its rate partition (one chat or message)",
            ),
            None => (self.pause_key(family), "this family"),
        };
        let reset_us = u64::try_from(reset.as_micros()).unwrap_or(u64::MAX).max(1);
        let pause_key = &pause_key;
        let result = self
            .redis
            .run(KeyKind::RateBudget, |mut con| async move {
                RATE_PAUSE
                    .key(pause_key)
                    .arg(reset_us)
                    .invoke_async::<i64>(&mut con)
                    .await
            })
            .await;
        if result.is_ok() {
            tracing::info!(
                family,
                paused = what,
                reset_ms = reset.as_millis() as u64,
                "rate limited: every replica pauses until the reset"
            );
        }
    }
}

impl RateBudget for RedisRateBudget {
    fn admit<'a>(&'a self, key: RateKey<'a>) -> BoxFuture<'a, Admission> {
        Box::pin(self.admit_one(key))
    }

    fn throttled<'a>(&'a self, key: RateKey<'a>, reset: Duration) -> BoxFuture<'a, ()> {
        Box::pin(self.pause(key, reset))
    }
}
