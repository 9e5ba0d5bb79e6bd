//! The one backoff every retrying part of the runtime uses: API calls
//! ([`RetryPolicy`](crate::RetryPolicy)), token fetches within their budget, and the long
//! connection's reconnects. Jittered exponential: `base * 2^n`, capped, then a random 50–100 %
//! of that ("equal jitter"), so that clients failed together do not retry together while each
//! still waits at least half its delay.

use std::time::Duration;

/// Exponential backoff from `base`, doubling per step, at most `cap`.
///
/// ```
/// use lark_runtime::retry::Backoff;
/// use std::time::Duration;
///
/// let backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
/// assert_eq!(backoff.delay(0), Duration::from_millis(200));
/// assert_eq!(backoff.delay(3), Duration::from_millis(1600));
/// assert_eq!(backoff.delay(40), Duration::from_secs(5));
/// let jittered = backoff.jittered(3);
/// assert!(jittered >= Duration::from_millis(800) && jittered <= Duration::from_millis(1600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
}

impl Backoff {
    /// A backoff starting at `base`, never above `cap`.
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self { base, cap }
    }

    /// The delay after `doublings` steps: `base * 2^doublings`, at most the cap (no jitter).
    pub fn delay(&self, doublings: u32) -> Duration {
        let factor = 1u32 << doublings.min(31);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// [`delay`](Self::delay) with equal jitter: a random 50–100 % of it.
    pub fn jittered(&self, doublings: u32) -> Duration {
        equal_jitter(self.delay(doublings))
    }
}

/// A random duration between half of `d` and `d` (checked: a huge delay never panics).
pub fn equal_jitter(d: Duration) -> Duration {
    if d.is_zero() {
        return d;
    }
    Duration::try_from_secs_f64(d.as_secs_f64() * (0.5 + rand::random::<f64>() * 0.5))
        .map_or(d, |j| j.min(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_jitters_within_half() {
        let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        assert_eq!(b.delay(0), Duration::from_secs(1));
        assert_eq!(b.delay(5), Duration::from_secs(32));
        assert_eq!(b.delay(6), Duration::from_secs(60));
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(60));
        for _ in 0..100 {
            let j = b.jittered(2);
            assert!(j >= Duration::from_secs(2) && j <= Duration::from_secs(4));
        }
        assert_eq!(equal_jitter(Duration::ZERO), Duration::ZERO);
        assert!(equal_jitter(Duration::MAX) <= Duration::MAX);
    }
}
