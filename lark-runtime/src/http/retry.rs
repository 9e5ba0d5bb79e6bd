//! When and how long to wait before sending a request again.
//!
//! - Rate limiting (HTTP 429, or a code of the operation's family in the `rate_limited` class,
//!   such as 99991400, with any status): the platform refused the
//!   call before running it, so any request is retried, after `x-ogw-ratelimit-reset` seconds
//!   (else `Retry-After`), plus a little jitter. A wait longer than
//!   [`RetryPolicy::max_rate_limit_wait`] is not waited: the error (with
//!   [`Error::retry_after`](crate::Error::retry_after)) is returned at once.
//! - HTTP 5xx, transport failures (connect, reset, timeout) and documented transient codes: retried
//!   with jittered exponential backoff, **only** when a repeat cannot duplicate an effect:
//!   [`OperationMeta::retry_safe`](crate::meta::OperationMeta::retry_safe) (an idempotent
//!   method, or a POST sent with its idempotency key, such as `chat.create` with its `uuid`).
//! - Everything else is returned at once.
//!
//! - Uploads: a multipart body whose file parts are bytes or files is sent again like a JSON
//!   body (files are opened again); one with a part read from a reader
//!   ([`FilePart::reader`](crate::http::FilePart::reader)) is never sent twice once the reader
//!   was read from, whatever the error.
//!
//! Every retry is bounded by the number of attempts and by a total time budget; the error
//! returned is the last attempt's, with its evidence (status, code, msg, log id).
//!
//! # Idempotency keys
//!
//! `chat.create` is a POST: set `.uuid(...)` on the request once (any string of at most 50
//! characters that names this creation, e.g. your own incident id). The request is described once
//! per `send()` and the same description, with the same `uuid`, is reused by every attempt, so the
//! platform creates at most one chat for it within 10 hours.
//!
//! An operation whose key is a body field (`uuid` of `message.create`) gets one filled in when
//! the caller left it unset ([`ApiRequest::with_auto_idempotency_key`], called by its generated
//! `to_request`), so its sends are retried like `chat.create` with a `uuid`; a key the caller set
//! is sent as given.

use crate::error::Error;
use crate::http::ApiRequest;
use crate::retry::{equal_jitter, Backoff};
use std::time::Duration;

/// Retry policy of a client; set it with [`ClientBuilder::retry`](crate::ClientBuilder::retry).
///
/// ```
/// use lark_runtime::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(2))
///     .total_budget(Duration::from_secs(20));
/// assert_eq!(policy.get_max_attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    total_budget: Duration,
    max_rate_limit_wait: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 5 s, 30 s in all, rate-limit waits up to
    /// 30 s, with jitter.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            total_budget: Duration::from_secs(30),
            max_rate_limit_wait: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retry at all: one attempt (the invalid-token refresh still happens once).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// First backoff delay; it doubles each retry.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Largest backoff delay.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Time from the first attempt after which no retry starts (waits included).
    pub fn total_budget(mut self, d: Duration) -> Self {
        self.total_budget = d;
        self
    }

    /// Longest rate-limit wait the client accepts; above it, the error is returned at once.
    pub fn max_rate_limit_wait(mut self, d: Duration) -> Self {
        self.max_rate_limit_wait = d;
        self
    }

    /// Randomises delays (each backoff becomes a random 50–100 % of itself; rate-limit waits get
    /// up to 10 % more). Default: on.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Attempts in all.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Total time budget.
    pub fn get_total_budget(&self) -> Duration {
        self.total_budget
    }

    /// The wait before attempt `attempt + 1`, or `None` to give up with `err`. `attempt` counts
    /// from 1; `elapsed` is the time since the first attempt started.
    pub fn next_delay(
        &self,
        req: &ApiRequest,
        err: &Error,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || !err.is_retryable() {
            return None;
        }
        let delay = if err.is_rate_limited() {
            let wait = err.retry_after().unwrap_or_else(|| self.backoff(attempt));
            if wait > self.max_rate_limit_wait {
                return None;
            }
            wait.saturating_add(self.rate_limit_jitter(wait))
        } else {
            if !req.meta.retry_safe(req.carries_idempotency_key()) {
                return None;
            }
            self.jittered(self.backoff(attempt))
        };
        (elapsed.saturating_add(delay) <= self.total_budget).then_some(delay)
    }

    /// `base * 2^(attempt-1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        Backoff::new(self.base_delay, self.max_delay).delay(attempt.saturating_sub(1))
    }

    fn jittered(&self, d: Duration) -> Duration {
        if self.jitter {
            equal_jitter(d)
        } else {
            d
        }
    }

    fn rate_limit_jitter(&self, wait: Duration) -> Duration {
        if !self.jitter {
            return Duration::ZERO;
        }
        // Spread clients that were throttled together: up to 10 % (at most 1 s) more.
        wait.min(Duration::from_secs(10))
            .mul_f64(rand::random::<f64>() * 0.1)
    }
}

/// Parses `x-ogw-ratelimit-reset` (seconds), else `Retry-After` (seconds or an HTTP date; a
/// date in the past means now), capped at one hour.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    const CAP: Duration = Duration::from_secs(3600);
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let seconds = |value: &str| {
        value
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(CAP.as_secs_f64())))
    };
    let date = |value: &str| {
        let at = httpdate::parse_http_date(value).ok()?;
        Some(
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO)
                .min(CAP),
        )
    };
    text("x-ogw-ratelimit-reset")
        .and_then(seconds)
        .or_else(|| text("retry-after").and_then(|v| seconds(v).or_else(|| date(v))))
}
