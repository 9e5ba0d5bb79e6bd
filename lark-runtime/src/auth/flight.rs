//! Single flight with a short memory of failures, per key: what the tenant-token cache and the
//! user-token source share.
//!
//! Concurrent callers of one key join one operation (a fetch or a refresh), and its result,
//! success or failure, reaches every caller that joined it. A failure is then remembered for a
//! short time, so a failing endpoint sees a trickle of requests, not a herd. Each caller waits
//! only until its own deadline; the operation goes on for the others.

use crate::error::{Error, Result};
use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Default time a failure is remembered.
pub(crate) const DEFAULT_FAILURE_TTL: Duration = Duration::from_secs(1);

/// Most remembered failures at once: beyond it a failure is not remembered (its key still has
/// single flight), so a flood of failing keys cannot grow the map without bound.
const MAX_FAILURES: usize = 4096;

/// What one operation hands to every caller that joined it.
pub(crate) type Outcome<V> = std::result::Result<V, Arc<Error>>;
/// The operation callers join.
pub(crate) type Flight<V> = Shared<BoxFuture<'static, Outcome<V>>>;

/// How the map holds an operation in flight.
enum Hold<V> {
    /// Weakly: when every caller waiting for it is gone, the operation is dropped with them.
    Weak(WeakShared<BoxFuture<'static, Outcome<V>>>),
    /// Strongly: the operation runs as a task of its own to its end, and later callers join it.
    Task(Flight<V>),
}

/// Per key: the operation in flight, or the failure being remembered.
enum Slot<V> {
    InFlight { id: u64, hold: Hold<V> },
    Failed { error: Arc<Error>, until: Instant },
}

impl<V: Clone> Slot<V> {
    fn joinable(&self) -> Option<Flight<V>> {
        match self {
            Self::InFlight {
                hold: Hold::Weak(weak),
                ..
            } => weak.upgrade(),
            Self::InFlight {
                hold: Hold::Task(flight),
                ..
            } => Some(flight.clone()),
            Self::Failed { .. } => None,
        }
    }

    fn is_live(&self, now: Instant) -> bool {
        match self {
            Self::InFlight { .. } => self.joinable().is_some(),
            Self::Failed { until, .. } => *until > now,
        }
    }
}

type Slots<K, V> = Arc<Mutex<HashMap<K, Slot<V>>>>;

fn lock<K, V>(slots: &Slots<K, V>) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
    slots.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a new operation runs as part of its callers or as a task of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
    /// Dropped when every caller is gone (a token fetch that nobody waits for any more).
    WithCallers,
    /// Runs to its end whatever the callers do (a refresh that spends a single-use token must
    /// reach the store).
    Detached,
}

/// The per-key operations in flight and the failures remembered.
pub(crate) struct Flights<K, V> {
    slots: Slots<K, V>,
    next_id: AtomicU64,
    failure_ttl: Duration,
}

impl<K, V> std::fmt::Debug for Flights<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flights")
            .field("slots", &lock(&self.slots).len())
            .field("failure_ttl", &self.failure_ttl)
            .finish()
    }
}

impl<K, V> Flights<K, V>
where
    K: Hash + Eq + Clone + Send + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Flights that remember a failure for `failure_ttl` (zero: not at all).
    pub(crate) fn new(failure_ttl: Duration) -> Self {
        Self {
            slots: Arc::default(),
            next_id: AtomicU64::new(0),
            failure_ttl,
        }
    }

    /// How long a failure is remembered.
    pub(crate) fn failure_ttl(&self) -> Duration {
        self.failure_ttl
    }

    /// How long the failure remembered for `key`, if any, still answers.
    pub(crate) fn failure_remaining(&self, key: &K) -> Option<Duration> {
        match lock(&self.slots).get(key) {
            Some(Slot::Failed { until, .. }) => {
                Some(until.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero())
            }
            _ => None,
        }
    }

    /// Forgets every remembered failure.
    pub(crate) fn forget_failures(&self) {
        lock(&self.slots).retain(|_, slot| matches!(slot, Slot::InFlight { .. }));
    }

    /// Forgets the failure remembered for `key`, if any.
    pub(crate) fn forget_failure(&self, key: &K) {
        let mut slots = lock(&self.slots);
        if matches!(slots.get(key), Some(Slot::Failed { .. })) {
            slots.remove(key);
        }
    }

    /// Keys with an operation in flight or a failure remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.slots).len()
    }

    /// Joins the operation in flight for `key`, or starts `start()`, and waits for it until
    /// `deadline` at most. Fails at once with the failure remembered for `key`, if there is one.
    /// `what` names the operation in the error of a caller whose deadline passed.
    pub(crate) async fn run<F>(
        &self,
        key: &K,
        deadline: Instant,
        run: Run,
        what: &str,
        start: F,
    ) -> Result<V>
    where
        F: FnOnce() -> BoxFuture<'static, Result<V>>,
    {
        let flight = self.join_or_start(key, run, start)?;
        match tokio::time::timeout_at(deadline.into(), flight).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(shared)) => Err(Error::copy_shared(&shared)),
            Err(_) => Err(Error::Auth(format!(
                "gave up waiting for the {what}: the call's time budget is spent"
            ))),
        }
    }

    fn join_or_start<F>(&self, key: &K, run: Run, start: F) -> Result<Flight<V>>
    where
        F: FnOnce() -> BoxFuture<'static, Result<V>>,
    {
        let now = Instant::now();
        let mut slots = lock(&self.slots);
        match slots.get(key) {
            Some(Slot::Failed { error, until }) if *until > now => {
                return Err(Error::copy_shared(error));
            }
            Some(slot) => {
                if let Some(flight) = slot.joinable() {
                    return Ok(flight);
                }
            }
            None => {}
        }
        slots.retain(|_, slot| slot.is_live(now));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let settled = self.settled(key.clone(), id, start());
        let (flight, hold) = match run {
            Run::WithCallers => {
                let flight = settled.shared();
                match flight.downgrade() {
                    Some(weak) => (flight, Some(Hold::Weak(weak))),
                    None => (flight, None),
                }
            }
            Run::Detached => {
                // The task settles the slot itself, under the map's lock, which is held here
                // until the slot is in place.
                let task = tokio::spawn(settled);
                let (slots, key, ttl) = (self.slots.clone(), key.clone(), self.failure_ttl);
                let flight = async move {
                    task.await.unwrap_or_else(|e| {
                        // It panicked before settling: settle here.
                        let stopped = Err(Arc::new(Error::Auth(format!("{e}"))));
                        settle(&slots, &key, id, &stopped, ttl);
                        stopped
                    })
                }
                .boxed()
                .shared();
                (flight.clone(), Some(Hold::Task(flight)))
            }
        };
        if let Some(hold) = hold {
            slots.insert(key.clone(), Slot::InFlight { id, hold });
        }
        Ok(flight)
    }

    /// `op`, then its slot settled before any caller sees the outcome.
    fn settled(
        &self,
        key: K,
        id: u64,
        op: BoxFuture<'static, Result<V>>,
    ) -> BoxFuture<'static, Outcome<V>> {
        let slots = self.slots.clone();
        let failure_ttl = self.failure_ttl;
        Box::pin(async move {
            let outcome = op.await.map_err(Arc::new);
            settle(&slots, &key, id, &outcome, failure_ttl);
            outcome
        })
    }
}

/// Ends flight `id` of `key`: its slot is removed, or replaced by the failure to remember.
fn settle<K: Hash + Eq + Clone, V>(
    slots: &Slots<K, V>,
    key: &K,
    id: u64,
    outcome: &Outcome<V>,
    failure_ttl: Duration,
) {
    let mut slots = lock(slots);
    if !matches!(slots.get(key), Some(Slot::InFlight { id: current, .. }) if *current == id) {
        return;
    }
    let until = Instant::now().checked_add(failure_ttl);
    match (outcome, until) {
        (Err(error), Some(until)) if !failure_ttl.is_zero() && slots.len() <= MAX_FAILURES => {
            slots.insert(
                key.clone(),
                Slot::Failed {
                    error: error.clone(),
                    until,
                },
            );
        }
        _ => {
            slots.remove(key);
        }
    }
}
