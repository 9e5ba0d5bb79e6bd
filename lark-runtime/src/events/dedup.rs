//! De-duplication of redelivered events.
//!
//! Delivery is at least once: the platform redelivers an event it thinks failed after 15 s,
//! 5 min, 1 h and 6 h (about 7.1 hours in all), and duplicates also happen after successful
//! acknowledgements. Record [`VerifiedEvent::dedup_key`](crate::events::webhook::VerifiedEvent::dedup_key)
//! in a [`DedupStore`] and process an event only when it is [`DedupOutcome::New`]; when it was
//! processed, [`DedupStore::mark_done`] the key; when processing fails and the platform is asked
//! to redeliver, [`DedupStore::forget`] the key so that the redelivery is processed. A delivery
//! while the first one is still being processed is [`DedupOutcome::InProgress`]: in progress is
//! not done, so it must not be acknowledged as handled (the first run may yet fail). The
//! [`Dispatcher`](crate::events::dispatch::Dispatcher) does all of this.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Default number of keys kept by [`InMemoryDedup`].
pub const DEFAULT_DEDUP_CAPACITY: usize = 100_000;
/// Default time a key is kept by [`InMemoryDedup`]: 8 hours, longer than the platform's
/// 7.1-hour redelivery window.
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(8 * 60 * 60);
/// Default memory budget of [`InMemoryDedup`], in bytes (32 MiB): enough for the default
/// capacity with keys of about 250 bytes.
pub const DEFAULT_DEDUP_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Default time an in-progress mark holds ([`InMemoryDedup::with_lease`],
/// `RedisDedup::lease` with the `redis` feature): 60 s, far above the dispatcher's
/// 2.5 s handler deadline. A mark still in progress after it is taken for a run that died
/// (its process crashed), and the next delivery is processed.
pub const DEFAULT_DEDUP_LEASE: Duration = Duration::from_secs(60);
/// Bytes [`InMemoryDedup`] counts for each key besides its text: the shared allocation's
/// counters, the set slot and the queue slot with the expiry.
pub const DEDUP_ENTRY_OVERHEAD: usize = 80;

/// Whether a key had been recorded before, and in which state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DedupOutcome {
    /// First time the key is seen (within the store's memory): it is now marked in progress;
    /// process the event, then [`mark_done`](DedupStore::mark_done) or
    /// [`forget`](DedupStore::forget) it.
    New,
    /// The event was processed ([`mark_done`](DedupStore::mark_done)): a redelivery, skip it
    /// (but still answer HTTP 200).
    Duplicate,
    /// Another delivery of the event is being processed and may yet fail: do not process it
    /// and do not acknowledge it either (the dispatcher answers 503, so the platform delivers
    /// it again later).
    InProgress,
}

impl DedupOutcome {
    /// `true` for [`DedupOutcome::New`].
    pub fn is_new(self) -> bool {
        self == Self::New
    }
}

/// Failure of a [`DedupStore`] backend (for example a lost connection to a shared cache).
#[derive(Debug, thiserror::Error)]
#[error("de-duplication store failed")]
pub struct DedupError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DedupError {
    /// Wraps the backend's error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

/// Future returned by [`DedupStore::check_and_mark`].
pub type DedupFuture<'a> =
    Pin<Box<dyn Future<Output = Result<DedupOutcome, DedupError>> + Send + 'a>>;

/// Future returned by [`DedupStore::forget`] and [`DedupStore::mark_done`].
pub type DedupForgetFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DedupError>> + Send + 'a>>;

/// A record of the event keys already seen.
///
/// Asynchronous so that a store shared by several instances (a cache server) can be plugged
/// in, and object safe (`Arc<dyn DedupStore>`) thanks to the boxed future. The check and the
/// recording must be one atomic step, so that two concurrent deliveries of one event cannot
/// both be reported [`DedupOutcome::New`].
///
/// The [`Dispatcher`](crate::events::dispatch::Dispatcher) namespaces its keys by app id and
/// bounds their length ([`MAX_DEDUP_KEY_LEN`](crate::events::dispatch::MAX_DEDUP_KEY_LEN)),
/// so one store can serve several apps.
pub trait DedupStore: Send + Sync {
    /// Records `key` and tells whether it had already been recorded.
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a>;

    /// Removes `key`, so that the next delivery of the event is reported
    /// [`DedupOutcome::New`] again.
    ///
    /// Called by the [`Dispatcher`](crate::events::dispatch::Dispatcher) when processing a new event
    /// failed and the platform was asked to redeliver it: without it, the redelivery would be
    /// taken for a duplicate and dropped. Forgetting a key that is not recorded is not an
    /// error.
    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a>;

    /// Records that the event under `key` was processed: later deliveries are
    /// [`DedupOutcome::Duplicate`], where until now they were [`DedupOutcome::InProgress`].
    ///
    /// Called by the [`Dispatcher`](crate::events::dispatch::Dispatcher) when the handler
    /// succeeded. The default does nothing, for stores that keep a single state (they report
    /// every recorded key as [`DedupOutcome::Duplicate`], in progress or not); a store that
    /// wraps another must forward it, or the wrapped store's keys stay in progress until their
    /// lease ends.
    fn mark_done<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        let _ = key;
        Box::pin(std::future::ready(Ok(())))
    }
}

impl<T: DedupStore + ?Sized> DedupStore for Arc<T> {
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a> {
        (**self).check_and_mark(key)
    }

    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        (**self).forget(key)
    }

    fn mark_done<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        (**self).mark_done(key)
    }
}

/// Source of the current time for [`InMemoryDedup`]; replace it in tests to move time without
/// sleeping.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// [`Clock`] reading [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// In-process [`DedupStore`]: bounded in number of keys and in bytes, each key forgotten after
/// a time to live.
///
/// A key is first marked in progress ([`DedupOutcome::InProgress`] for other deliveries) for
/// at most the lease (default [`DEFAULT_DEDUP_LEASE`]), then done
/// ([`mark_done`](DedupStore::mark_done): [`DedupOutcome::Duplicate`]) for the rest of its time
/// to live.
///
/// Keys are kept in arrival order; the oldest ones are dropped when they expire or when the
/// capacity or the byte budget is reached, so every operation is O(1) amortized. Each key
/// counts its length plus [`DEDUP_ENTRY_OVERHEAD`] against the budget; a key larger than the
/// whole budget is not recorded (reported new every time). A single mutex guards the state
/// (held for a hash lookup and an insertion). It protects one process only: with several
/// instances behind a load balancer, use a shared store.
///
/// If more than `capacity` events arrive within the time to live, the oldest keys are dropped
/// early and a late redelivery of one of them is reported as new: size the capacity for the
/// event rate over about 7 hours.
pub struct InMemoryDedup {
    state: Mutex<State>,
    capacity: usize,
    max_bytes: usize,
    ttl: Duration,
    lease: Duration,
    clock: Arc<dyn Clock>,
}

/// The state of a recorded key.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// Being processed; taken for abandoned after the instant (`None`: beyond `Instant`).
    InProgress(Option<Instant>),
    /// Processed.
    Done,
}

#[derive(Default)]
struct State {
    seen: HashMap<Arc<str>, Mark>,
    /// Keys in insertion order, with their expiry (`None`: beyond what `Instant` can express).
    order: VecDeque<(Arc<str>, Option<Instant>)>,
    /// Latest time observed, so that a clock going backwards cannot reorder expiries.
    latest: Option<Instant>,
    /// Bytes counted for the keys in `seen`.
    bytes: usize,
}

/// Bytes a key counts against the budget.
fn cost(key: &str) -> usize {
    key.len().saturating_add(DEDUP_ENTRY_OVERHEAD)
}

impl Default for InMemoryDedup {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryDedup {
    /// A store with the default capacity (100 000 keys), byte budget (32 MiB) and time to
    /// live (8 hours).
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL)
    }

    /// A store keeping at most `capacity` keys (at least 1), each for `ttl`, within the
    /// default byte budget.
    pub fn with_limits(capacity: usize, ttl: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
            max_bytes: DEFAULT_DEDUP_MAX_BYTES,
            ttl,
            lease: DEFAULT_DEDUP_LEASE,
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the byte budget (default [`DEFAULT_DEDUP_MAX_BYTES`]): the keys' lengths plus
    /// [`DEDUP_ENTRY_OVERHEAD`] each never exceed it.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets how long a key stays in progress at most (default [`DEFAULT_DEDUP_LEASE`]): keep
    /// it above the dispatcher's handler deadline.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Maximum number of keys kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The byte budget.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Bytes currently counted against the budget (keys not yet purged included).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// How long a key is kept.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Number of keys currently kept (expired keys not yet purged included).
    pub fn len(&self) -> usize {
        self.lock().seen.len()
    }

    /// `true` when no key is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Synchronous form of [`DedupStore::check_and_mark`], which cannot fail: marks a new key
    /// in progress.
    pub fn check_and_mark_sync(&self, key: &str) -> DedupOutcome {
        let now = self.clock.now();
        let mut state = self.lock();
        let now = match state.latest {
            Some(latest) if latest > now => latest,
            _ => now,
        };
        state.latest = Some(now);

        while let Some((_, Some(expiry))) = state.order.front() {
            if *expiry > now {
                break;
            }
            state.pop_oldest();
        }
        if let Some(mark) = state.seen.get_mut(key) {
            return match *mark {
                Mark::Done => DedupOutcome::Duplicate,
                Mark::InProgress(until) if until.map_or(true, |until| until > now) => {
                    DedupOutcome::InProgress
                }
                // The run holding the mark is taken for dead: this delivery takes it over.
                Mark::InProgress(_) => {
                    *mark = Mark::InProgress(now.checked_add(self.lease));
                    DedupOutcome::New
                }
            };
        }
        let cost = cost(key);
        if cost > self.max_bytes {
            return DedupOutcome::New;
        }
        // Counted on the queue, which also holds the entries of forgotten keys until they are
        // popped: every key text kept is within the bounds.
        while state.order.len() >= self.capacity
            || state.bytes.saturating_add(cost) > self.max_bytes
        {
            if !state.pop_oldest() {
                break;
            }
        }
        let key: Arc<str> = Arc::from(key);
        state.bytes = state.bytes.saturating_add(cost);
        state.seen.insert(
            Arc::clone(&key),
            Mark::InProgress(now.checked_add(self.lease)),
        );
        state.order.push_back((key, now.checked_add(self.ttl)));
        DedupOutcome::New
    }

    /// Synchronous form of [`DedupStore::mark_done`], which cannot fail. A key not recorded
    /// (dropped for room, or larger than the budget) stays unrecorded.
    pub fn mark_done_sync(&self, key: &str) {
        if let Some(mark) = self.lock().seen.get_mut(key) {
            *mark = Mark::Done;
        }
    }

    /// Synchronous form of [`DedupStore::forget`], which cannot fail.
    pub fn forget_sync(&self, key: &str) {
        let mut state = self.lock();
        if let Some((stored, _)) = state.seen.remove_entry(key) {
            // The key is usually the newest one: drop its queue entry right away. An entry
            // left further back is recognised as stale when it is popped.
            if state
                .order
                .back()
                .is_some_and(|(queued, _)| Arc::ptr_eq(queued, &stored))
            {
                state.order.pop_back();
                state.bytes = state.bytes.saturating_sub(cost(&stored));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every mutation is completed
        // before anything that could panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Forgets the oldest key; `false` when there was none.
    fn pop_oldest(&mut self) -> bool {
        match self.order.pop_front() {
            Some((key, _)) => {
                self.bytes = self.bytes.saturating_sub(cost(&key));
                // After `forget` and a new `check_and_mark`, the set holds another allocation
                // of the same text, with a later expiry: leave it.
                if self
                    .seen
                    .get_key_value(&key)
                    .is_some_and(|(kept, _)| Arc::ptr_eq(kept, &key))
                {
                    self.seen.remove(&key);
                }
                true
            }
            None => false,
        }
    }
}

impl DedupStore for InMemoryDedup {
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a> {
        let outcome = self.check_and_mark_sync(key);
        Box::pin(std::future::ready(Ok(outcome)))
    }

    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        self.forget_sync(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn mark_done<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        self.mark_done_sync(key);
        Box::pin(std::future::ready(Ok(())))
    }
}

impl fmt::Debug for InMemoryDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDedup")
            .field("capacity", &self.capacity)
            .field("max_bytes", &self.max_bytes)
            .field("ttl", &self.ttl)
            .field("lease", &self.lease)
            .field("len", &self.len())
            .field("clock", &self.clock)
            .finish()
    }
}
