//! What a durable backend is (in memory, Redis) and what it reports: entries, dead letters,
//! stats and errors.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// Longest handler error text kept with a dead letter, in bytes.
pub(crate) const MAX_ERROR_TEXT: usize = 512;

/// Future returned by a backend operation.
pub(crate) type BackendFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, DurableError>> + Send + 'a>>;

/// What recording an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enqueued {
    /// Recorded: a worker will handle it.
    Queued,
    /// Already recorded (queued, running, handled or dead-lettered): not recorded again.
    AlreadyQueued,
}

/// One entry handed to a worker.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// The backend's id of the entry (a stream id for Redis).
    pub(crate) id: String,
    /// The event's de-duplication key.
    pub(crate) key: String,
    pub(crate) event_type: String,
    /// The plaintext event (JSON).
    pub(crate) payload: String,
    /// This attempt's number, from 1; attempts lost with a crashed worker count.
    pub(crate) attempt: u32,
}

/// A backend of the durable path. Every method is bounded in time.
pub(crate) trait Backend: Send + Sync + fmt::Debug + 'static {
    /// Records an event unless its key was already recorded.
    fn enqueue<'a>(
        &'a self,
        key: &'a str,
        event_type: &'a str,
        payload: &'a str,
    ) -> BackendFuture<'a, Enqueued>;
    /// Takes up to `max` entries for `consumer` (new ones, retries that are due, entries
    /// taken by another worker more than `visibility` ago), waiting up to `wait` when there
    /// are none.
    fn fetch<'a>(
        &'a self,
        consumer: &'a str,
        max: usize,
        wait: Duration,
        visibility: Duration,
    ) -> BackendFuture<'a, Vec<Delivery>>;
    /// Records that `delivery` was handled.
    fn complete<'a>(&'a self, consumer: &'a str, delivery: &'a Delivery) -> BackendFuture<'a, ()>;
    /// Schedules `delivery` again after `delay`.
    fn retry<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        delay: Duration,
    ) -> BackendFuture<'a, ()>;
    /// Moves `delivery` to the dead letters.
    fn bury<'a>(
        &'a self,
        consumer: &'a str,
        delivery: &'a Delivery,
        error: &'a str,
    ) -> BackendFuture<'a, ()>;
    /// Hands back an entry a worker took but will not run (shutdown). Redis leaves it pending
    /// for the visibility timeout instead.
    fn release<'a>(&'a self, consumer: &'a str, delivery: &'a Delivery) -> BackendFuture<'a, ()>;
    fn stats(&self) -> BackendFuture<'_, DurableStats>;
    fn dead_letters(&self, max: usize) -> BackendFuture<'_, Vec<DeadLetter>>;
    /// Moves a dead letter back to the queue; `false` when there is no such dead letter.
    fn replay<'a>(&'a self, id: &'a str) -> BackendFuture<'a, bool>;
}

/// Why the durable path could not record or handle an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DurableError {
    /// The queue is at its bound in entries or bytes: the event is answered 503 and the
    /// platform delivers it again later.
    #[error("durable queue full ({entries} entries, {bytes} bytes queued)")]
    Full {
        /// Entries queued (waiting, running or scheduled for a retry).
        entries: u64,
        /// Bytes queued.
        bytes: u64,
    },
    /// The backend could not be reached or failed (Redis down, a command timed out).
    #[error("durable queue unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The backend answered something this library did not write.
    #[error("durable queue holds an entry this library did not write")]
    Corrupt,
}

/// A snapshot of a durable queue, from [`DurableQueue::stats`](crate::events::durable::DurableQueue::stats) (also logged by workers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DurableStats {
    /// Entries waiting to be taken or running (not counting scheduled retries).
    pub depth: u64,
    /// Entries taken by a worker and not finished.
    pub in_flight: u64,
    /// Entries waiting for a retry.
    pub scheduled_retries: u64,
    /// Bytes held by the queued entries.
    pub bytes: u64,
    /// Age of the oldest waiting or running entry since it was first recorded.
    pub oldest_age: Option<Duration>,
    /// Dead letters held.
    pub dead_letters: u64,
}

/// An event that failed [`max_attempts`](crate::events::durable::DurableOptions::max_attempts) times, from
/// [`DurableQueue::dead_letters`](crate::events::durable::DurableQueue::dead_letters).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeadLetter {
    /// Its id in the dead letters, for [`DurableQueue::replay`](crate::events::durable::DurableQueue::replay).
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// The event's de-duplication key (namespace and event id).
    pub key: String,
    /// Attempts made.
    pub attempts: u32,
    /// The last attempt's error (at most 512 bytes).
    pub error: String,
    /// When it was dead-lettered.
    pub dead_at: SystemTime,
    /// The plaintext event (JSON), as received.
    pub payload: String,
}

impl fmt::Debug for DeadLetter {
    // The payload is the user's data: left out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadLetter")
            .field("id", &self.id)
            .field("event_type", &self.event_type)
            .field("key", &self.key)
            .field("attempts", &self.attempts)
            .field("error", &self.error)
            .field("dead_at", &self.dead_at)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// `text` cut to at most [`MAX_ERROR_TEXT`] bytes, on a character boundary.
pub(crate) fn bounded_error(text: &str) -> &str {
    if text.len() <= MAX_ERROR_TEXT {
        return text;
    }
    let mut end = MAX_ERROR_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
