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

/// A rate budget the client consults before each attempt of a call; set it with
/// [`ClientBuilder::rate_budget`](crate::ClientBuilder::rate_budget).
///
/// The client waits as told, as long as the wait fits in the [`RetryPolicy`]'s total budget
/// (counted from the call's first attempt); a wait beyond it is not waited: the attempt is sent,
/// and the platform's own answer decides. Implementations must answer quickly and never fail a
/// call: when their backing store is unavailable, they admit.
pub trait RateBudget: Send + Sync + fmt::Debug + 'static {
    /// Asks for a slot for one attempt of `operation`.
    fn admit<'a>(&'a self, operation: &'static OperationMeta) -> BoxFuture<'a, Admission>;

    /// Tells that the platform throttled `operation` and asked to wait `reset`
    /// (`x-ogw-ratelimit-reset`, else `Retry-After`).
    fn throttled<'a>(
        &'a self,
        operation: &'static OperationMeta,
        reset: Duration,
    ) -> BoxFuture<'a, ()>;
}

/// The default [`RateBudget`]: admits every attempt at once, remembers nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRateBudget;

impl RateBudget for NoRateBudget {
    fn admit<'a>(&'a self, _operation: &'static OperationMeta) -> BoxFuture<'a, Admission> {
        Box::pin(std::future::ready(Admission::Now))
    }

    fn throttled<'a>(
        &'a self,
        _operation: &'static OperationMeta,
        _reset: Duration,
    ) -> BoxFuture<'a, ()> {
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
        let wait = match budget.admit(req.meta).await {
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

/// Tells the budget when the platform throttled an attempt of `req` with a reset time.
pub(crate) async fn report(budget: &dyn RateBudget, req: &ApiRequest, err: &Error) {
    if err.is_rate_limited() {
        if let Some(reset) = err.retry_after() {
            budget.throttled(req.meta, reset).await;
        }
    }
}
