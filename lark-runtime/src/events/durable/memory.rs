//! The in-memory backend: one process, bounded, not crash-safe.

use super::backend::{
    bounded_error, Backend, BackendFuture, DeadLetter, Delivery, DurableError, DurableStats,
    Enqueued,
};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Notify;

/// Bounds of a durable queue: the same for the in-memory and the Redis backend.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueLimits {
    /// Entries queued at most (waiting, running, scheduled for a retry). Default: 10,000.
    pub max_entries: u64,
    /// Bytes queued at most (payload, type and key of each entry). Default: 64 MiB.
    pub max_bytes: u64,
    /// Dead letters kept; the oldest are dropped beyond it. Default: 1,000.
    pub max_dead_letters: u64,
    /// How long a handled event's id is remembered, so that a redelivery is not queued again.
    /// Default: 8 hours (the platform redelivers for about 7.1 hours).
    pub mark_ttl: Duration,
    /// In-memory backend only: handled event ids remembered at most. Default: 100,000.
    pub max_marks: usize,
}

impl Default for QueueLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 64 << 20,
            max_dead_letters: 1_000,
            mark_ttl: Duration::from_secs(8 * 3600),
            max_marks: 100_000,
        }
    }
}

impl QueueLimits {
    /// Sets [`max_entries`](Self::max_entries) (at least 1).
    #[must_use]
    pub fn max_entries(mut self, n: u64) -> Self {
        self.max_entries = n.max(1);
        self
    }

    /// Sets [`max_bytes`](Self::max_bytes).
    #[must_use]
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }

    /// Sets [`max_dead_letters`](Self::max_dead_letters) (at least 1).
    #[must_use]
    pub fn max_dead_letters(mut self, n: u64) -> Self {
        self.max_dead_letters = n.max(1);
        self
    }

    /// Sets [`mark_ttl`](Self::mark_ttl) (at least 1 ms).
    #[must_use]
    pub fn mark_ttl(mut self, ttl: Duration) -> Self {
        self.mark_ttl = ttl.max(Duration::from_millis(1));
        self
    }
}

struct Stored {
    key: String,
    event_type: String,
    payload: String,
    queued_at: SystemTime,
    attempts: u32,
}

impl Stored {
    fn bytes(&self) -> u64 {
        (self.key.len() + self.event_type.len() + self.payload.len()) as u64
    }
}

struct Taken {
    stored: Stored,
    consumer: String,
    since: Instant,
}

#[derive(Default)]
struct State {
    ready: VecDeque<(u64, Stored)>,
    taken: HashMap<u64, Taken>,
    scheduled: BTreeMap<(Instant, u64), Stored>,
    dead: VecDeque<DeadLetter>,
    /// Keys recorded and not yet handled (queued, running, scheduled).
    queued: HashMap<String, ()>,
    /// Keys handled or dead-lettered, with when, oldest first.
    done: HashMap<String, Instant>,
    done_order: VecDeque<(Instant, String)>,
    bytes: u64,
    next_id: u64,
}

impl State {
    fn entries(&self) -> u64 {
        (self.ready.len() + self.taken.len() + self.scheduled.len()) as u64
    }

    fn remember_done(&mut self, key: String, limits: &QueueLimits) {
        let now = Instant::now();
        self.queued.remove(&key);
        self.done.insert(key.clone(), now);
        self.done_order.push_back((now, key));
        while let Some((at, key)) = self.done_order.front() {
            let stale = now.saturating_duration_since(*at) >= limits.mark_ttl;
            if !stale && self.done_order.len() <= limits.max_marks {
                break;
            }
            if self.done.get(key) == Some(at) {
                self.done.remove(key);
            }
            self.done_order.pop_front();
        }
    }
}

/// The in-memory backend behind [`DurableQueue::in_memory`](super::DurableQueue::in_memory).
pub(crate) struct MemoryQueue {
    limits: QueueLimits,
    state: Mutex<State>,
    /// Woken when an entry becomes ready.
    ready: Notify,
}

impl fmt::Debug for MemoryQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryQueue")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl MemoryQueue {
    pub(crate) fn new(limits: QueueLimits) -> Self {
        Self {
            limits,
            state: Mutex::new(State::default()),
            ready: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent counts: every update is one step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self, consumer: &str, max: usize, visibility: Duration) -> Vec<Delivery> {
        let mut state = self.lock();
        let now = Instant::now();
        // Retries that are due, then entries of vanished workers, join the ready ones.
        while let Some(entry) = state.scheduled.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((_, id), stored) = entry.remove_entry();
            state.ready.push_back((id, stored));
        }
        let lost: Vec<u64> = state
            .taken
            .iter()
            .filter(|(_, t)| now.saturating_duration_since(t.since) >= visibility)
            .map(|(id, _)| *id)
            .collect();
        for id in lost {
            if let Some(t) = state.taken.remove(&id) {
                state.ready.push_back((id, t.stored));
            }
        }
        let mut out = Vec::new();
        while out.len() < max {
            let Some((id, mut stored)) = state.ready.pop_front() else {
                break;
            };
            stored.attempts = stored.attempts.saturating_add(1);
            out.push(Delivery {
                id: id.to_string(),
                key: stored.key.clone(),
                event_type: stored.event_type.clone(),
                payload: stored.payload.clone(),
                attempt: stored.attempts,
            });
            let taken = Taken {
                stored,
                consumer: consumer.to_owned(),
                since: now,
            };
            state.taken.insert(id, taken);
        }
        out
    }

    /// Removes the entry `delivery` names if `consumer` holds it.
    fn untake(&self, state: &mut State, consumer: &str, delivery: &Delivery) -> Option<Stored> {
        let id = delivery.id.parse::<u64>().ok()?;
        match state.taken.get(&id) {
            Some(t) if t.consumer == consumer => state.taken.remove(&id).map(|t| t.stored),
            _ => None,
        }
    }
}

fn ready<'a, T: Send + 'a>(value: Result<T, DurableError>) -> BackendFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl Backend for MemoryQueue {
    fn enqueue<'a>(
        &'a self,
        key: &'a str,
        event_type: &'a str,
        payload: &'a str,
    ) -> BackendFuture<'a, Enqueued> {
        let mut state = self.lock();
        if state.queued.contains_key(key) || state.done.contains_key(key) {
            return ready(Ok(Enqueued::AlreadyQueued));
        }
        let stored = Stored {
            key: key.to_owned(),
            event_type: event_type.to_owned(),
            payload: payload.to_owned(),
            queued_at: SystemTime::now(),
            attempts: 0,
        };
        let (entries, bytes) = (state.entries(), state.bytes);
        if entries >= self.limits.max_entries
            || bytes.saturating_add(stored.bytes()) > self.limits.max_bytes
        {
            return ready(Err(DurableError::Full { entries, bytes }));
        }
        state.bytes += stored.bytes();
        state.queued.insert(key.to_owned(), ());
        state.next_id += 1;
        let id = state.next_id;
        state.ready.push_back((id, stored));
        drop(state);
        self.ready.notify_one();
        ready(Ok(Enqueued::Queued))
    }

    fn fetch<'a>(
        &'a self,
        consumer: &'a str,
        max: usize,
        wait: Duration,
        visibility: Duration,
    ) -> BackendFuture<'a, Vec<Delivery>> {
        Box::pin(async move {
            let taken = self.take(consumer, max, visibility);
            if !taken.is_empty() {
                return Ok(taken);
            }
            let _ = tokio::time::timeout(wait, self.ready.notified()).await;
            Ok(self.take(consumer, max, visibility))
        })
    }

    fn complete<'a>(&'a self, consumer: &'a str, delivery: &'a Delivery) -> BackendFuture<'a, ()> {
        let mut state = self.lock();
        if let Some(stored) = self.untake(&mut state, consumer, delivery) {
            state.bytes -= stored.bytes();
            state.remember_done(stored.key, &self.limits);
        }
        ready(Ok(()))
    }

    fn retry<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        delay: Duration,
    ) -> BackendFuture<'a, ()> {
        let mut state = self.lock();
        if let Some(stored) = self.untake(&mut state, consumer, delivery) {
            let id = delivery.id.parse::<u64>().unwrap_or_default();
            state.scheduled.insert((Instant::now() + delay, id), stored);
        }
        ready(Ok(()))
    }

    fn bury<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        error: &'a str,
    ) -> BackendFuture<'a, ()> {
        let mut state = self.lock();
        if let Some(stored) = self.untake(&mut state, consumer, delivery) {
            state.bytes -= stored.bytes();
            let letter = DeadLetter {
                id: delivery.id.clone(),
                event_type: stored.event_type,
                key: stored.key.clone(),
                attempts: stored.attempts,
                error: bounded_error(error).to_owned(),
                dead_at: SystemTime::now(),
                payload: stored.payload,
            };
            state.remember_done(stored.key, &self.limits);
            state.dead.push_back(letter);
            while state.dead.len() as u64 > self.limits.max_dead_letters {
                state.dead.pop_front();
            }
        }
        ready(Ok(()))
    }

    fn release<'a>(&'a self, consumer: &'a str, delivery: &'a Delivery) -> BackendFuture<'a, ()> {
        let mut state = self.lock();
        if let Some(stored) = self.untake(&mut state, consumer, delivery) {
            let id = delivery.id.parse::<u64>().unwrap_or_default();
            state.ready.push_front((id, stored));
        }
        ready(Ok(()))
    }

    fn stats(&self) -> BackendFuture<'_, DurableStats> {
        let state = self.lock();
        let oldest = state
            .ready
            .iter()
            .map(|(_, s)| s.queued_at)
            .chain(state.taken.values().map(|t| t.stored.queued_at))
            .min();
        ready(Ok(DurableStats {
            depth: (state.ready.len() + state.taken.len()) as u64,
            in_flight: state.taken.len() as u64,
            scheduled_retries: state.scheduled.len() as u64,
            bytes: state.bytes,
            oldest_age: oldest.map(|t| t.elapsed().unwrap_or_default()),
            dead_letters: state.dead.len() as u64,
        }))
    }

    fn dead_letters(&self, max: usize) -> BackendFuture<'_, Vec<DeadLetter>> {
        let state = self.lock();
        let list = state.dead.iter().rev().take(max).cloned();
        ready(Ok(list.collect()))
    }

    fn replay<'a>(&'a self, id: &'a str) -> BackendFuture<'a, bool> {
        let mut state = self.lock();
        let Some(at) = state.dead.iter().position(|d| d.id == id) else {
            return ready(Ok(false));
        };
        let (entries, bytes) = (state.entries(), state.bytes);
        let letter = &state.dead[at];
        let stored = Stored {
            key: letter.key.clone(),
            event_type: letter.event_type.clone(),
            payload: letter.payload.clone(),
            queued_at: SystemTime::now(),
            attempts: 0,
        };
        if entries >= self.limits.max_entries
            || bytes.saturating_add(stored.bytes()) > self.limits.max_bytes
        {
            return ready(Err(DurableError::Full { entries, bytes }));
        }
        state.dead.remove(at);
        state.bytes += stored.bytes();
        state.done.remove(&stored.key);
        state.queued.insert(stored.key.clone(), ());
        state.next_id += 1;
        let id = state.next_id;
        state.ready.push_back((id, stored));
        drop(state);
        self.ready.notify_one();
        ready(Ok(true))
    }
}
