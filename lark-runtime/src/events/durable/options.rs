//! How workers handle durable events: deadlines, retries, shutdown.

use std::time::Duration;

/// Default time one attempt of a durable handler may run: 5 minutes.
pub const DEFAULT_ATTEMPT_DEADLINE: Duration = Duration::from_secs(300);
/// Default number of attempts before an event is dead-lettered: 5.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Settings of the durable path, set with [`DurableQueue::options`](super::DurableQueue::options).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DurableOptions {
    /// Time one attempt may run before it is cancelled and counted as failed. Default: 5 min.
    pub attempt_deadline: Duration,
    /// Time an entry taken by a worker may stay unfinished before another worker claims it
    /// (the first is taken for dead). Kept above the attempt deadline (raised to it plus 1 s
    /// at least). Default: 10 min.
    pub visibility_timeout: Duration,
    /// Attempts before an event is dead-lettered (at least 1). Default: 5.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled each attempt, jittered to between half and all of
    /// it. Default: 1 s.
    pub backoff_base: Duration,
    /// Longest delay between attempts. Default: 5 min.
    pub backoff_max: Duration,
    /// Handlers one worker runs at the same time (at least 1). Default: 16.
    pub concurrency: usize,
    /// How long a worker waits when the queue is empty before asking again. Default: 100 ms.
    pub poll_interval: Duration,
    /// How long running handlers may go on after shutdown was asked for. Default: 30 s.
    pub shutdown_grace: Duration,
    /// How often a worker logs the queue's [stats](super::DurableStats) (`info`). Default: 60 s.
    pub stats_interval: Duration,
}

impl Default for DurableOptions {
    fn default() -> Self {
        Self {
            attempt_deadline: DEFAULT_ATTEMPT_DEADLINE,
            visibility_timeout: Duration::from_secs(600),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            concurrency: 16,
            poll_interval: Duration::from_millis(100),
            shutdown_grace: Duration::from_secs(30),
            stats_interval: Duration::from_secs(60),
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty),* $(,)?) => {$(
        #[$doc]
        #[must_use]
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self.normalized()
        }
    )*};
}

impl DurableOptions {
    setter! {
        /// Sets [`attempt_deadline`](Self::attempt_deadline).
        attempt_deadline: Duration,
        /// Sets [`visibility_timeout`](Self::visibility_timeout).
        visibility_timeout: Duration,
        /// Sets [`max_attempts`](Self::max_attempts).
        max_attempts: u32,
        /// Sets [`backoff_base`](Self::backoff_base).
        backoff_base: Duration,
        /// Sets [`backoff_max`](Self::backoff_max).
        backoff_max: Duration,
        /// Sets [`concurrency`](Self::concurrency).
        concurrency: usize,
        /// Sets [`poll_interval`](Self::poll_interval).
        poll_interval: Duration,
        /// Sets [`shutdown_grace`](Self::shutdown_grace).
        shutdown_grace: Duration,
        /// Sets [`stats_interval`](Self::stats_interval).
        stats_interval: Duration,
    }

    /// The options with their documented floors applied.
    fn normalized(mut self) -> Self {
        self.max_attempts = self.max_attempts.max(1);
        self.concurrency = self.concurrency.max(1);
        self.poll_interval = self.poll_interval.max(Duration::from_millis(1));
        self.stats_interval = self.stats_interval.max(Duration::from_millis(100));
        let floor = self.attempt_deadline.saturating_add(Duration::from_secs(1));
        self.visibility_timeout = self.visibility_timeout.max(floor);
        self
    }

    /// The delay before the attempt after attempt `attempt` (1-based): `backoff_base`
    /// doubled per attempt, capped at `backoff_max`, jittered to between half and all of it.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(30);
        let full = self
            .backoff_base
            .saturating_mul(1 << doublings)
            .min(self.backoff_max);
        let half = full / 2;
        let jitter = rand::random::<f64>() * half.as_secs_f64();
        half + Duration::from_secs_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_backoff_doubles_within_jitter_and_caps() {
        let o = DurableOptions::default()
            .backoff_base(Duration::from_millis(100))
            .backoff_max(Duration::from_secs(1));
        for _ in 0..100 {
            let first = o.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = o.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(o.backoff(40) <= Duration::from_secs(1));
        }
        let o = DurableOptions::default().attempt_deadline(Duration::from_secs(60));
        assert!(o.visibility_timeout >= Duration::from_secs(61));
        assert_eq!(DurableOptions::default().max_attempts(0).max_attempts, 1);
    }
}
