//! Whether Redis is reachable: one warning when it goes away, one note when it returns, and
//! while it is away at most one probing command per retry interval, so callers fall back at
//! once instead of each waiting for a timeout.

use super::RedisError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Health of one connection.
pub(super) struct Health {
    down: AtomicBool,
    /// When the next probe may go, in milliseconds since `base`.
    next_probe_ms: AtomicU64,
    base: Instant,
    retry_interval: Duration,
}

impl Health {
    pub(super) fn new(retry_interval: Duration) -> Self {
        Self {
            down: AtomicBool::new(false),
            next_probe_ms: AtomicU64::new(0),
            base: Instant::now(),
            retry_interval,
        }
    }

    pub(super) fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn interval_ms(&self) -> u64 {
        u64::try_from(self.retry_interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Whether a command may be sent now: always while up; while down, only the one caller
    /// that claims the due probe.
    pub(super) fn may_try(&self) -> bool {
        if !self.is_down() {
            return true;
        }
        let now = self.now_ms();
        let due = self.next_probe_ms.load(Ordering::Acquire);
        now >= due
            && self
                .next_probe_ms
                .compare_exchange(
                    due,
                    now.saturating_add(self.interval_ms()),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    pub(super) fn succeeded(&self, addr: &str) {
        if self.down.swap(false, Ordering::AcqRel) {
            tracing::info!(
                redis = addr,
                "Redis reachable again: shared tokens, de-duplication and rate budget resume"
            );
        }
    }

    pub(super) fn failed(&self, addr: &str, error: &RedisError) {
        self.next_probe_ms.store(
            self.now_ms().saturating_add(self.interval_ms()),
            Ordering::Release,
        );
        if !self.down.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                redis = addr,
                %error,
                "Redis unreachable: tokens are fetched locally, de-duplication follows its \
                 fallback, the rate budget is not enforced, until it returns"
            );
        }
    }
}
