//! Durable event handling: acknowledge an event as soon as it is recorded, handle it later,
//! with retries, a dead-letter list and crash recovery.
//!
//! The platform waits 3 seconds for an answer; work that takes longer (a bot that reads every
//! member of a chat it was added to, page by page) does not fit the
//! [handler deadline](crate::events::dispatch::DispatcherBuilder::handler_deadline). For the
//! event types marked with
//! [`DispatcherBuilder::durable`](crate::events::dispatch::DispatcherBuilder::durable), the
//! dispatcher does not run the handler: it records the event in a [`DurableQueue`] and answers
//! 200 ([`Outcome::Queued`](crate::events::dispatch::Outcome::Queued)) once the record is
//! made. Workers ([`Dispatcher::durable_worker`](crate::events::dispatch::Dispatcher::durable_worker))
//! take recorded events and run the same handlers with a deadline of their own (minutes).
//! Other event types keep the synchronous path. HTTP callbacks and the long connection both go
//! through the dispatcher, so both get the durable path.
//!
//! Two backends share one API:
//!
//! - [`DurableQueue::in_memory`]: one process, bounded in count and bytes. **Not crash-safe**:
//!   what is queued is lost with the process.
//! - `RedisDurable` (feature `redis`, in `crate::redis`): one Redis stream per app, a consumer
//!   group, each worker a consumer; entries of a crashed worker are claimed by another after
//!   the [visibility timeout](DurableOptions::visibility_timeout).
//!
//! | what happens | result |
//! | --- | --- |
//! | event recorded | 200 at once; a worker runs the handler later |
//! | redelivery of an event already recorded (queued, running, done or dead) | 200, not recorded twice |
//! | queue at its bound (count or bytes) | 503 ([`DurableError::Full`]), nothing recorded: the platform redelivers |
//! | backend down (Redis unreachable, every call bounded) | 503, nothing recorded |
//! | handler error, panic or [attempt deadline](DurableOptions::attempt_deadline) | retried after a jittered exponential backoff |
//! | [max attempts](DurableOptions::max_attempts) reached | moved to the dead letters ([`DurableQueue::dead_letters`], [`DurableQueue::replay`]) |
//! | worker process killed mid-handler | Redis: another worker claims the entry after the visibility timeout (the lost run counts as an attempt); in memory: lost |
//! | Redis down while workers run | workers wait and retry; nothing is taken or dropped |
//! | worker shutdown | no new entries taken; running handlers get a grace period, then are cancelled and their entries left pending |
//!
//! Handling is exactly once per event id, except when a worker dies (or loses Redis) after its
//! handler returned and before the completion was recorded: the entry is then handled again.
//! Keep handlers idempotent for that window (one Redis round trip).

mod backend;
mod memory;
mod options;
mod queue;
mod worker;

pub use backend::{DeadLetter, DurableError, DurableStats};
pub use memory::QueueLimits;
pub use options::{DurableOptions, DEFAULT_ATTEMPT_DEADLINE, DEFAULT_MAX_ATTEMPTS};
pub use queue::DurableQueue;
pub use worker::{DurableWorker, WorkerReport};

pub(crate) use backend::Enqueued;
#[cfg(feature = "redis")]
pub(crate) use backend::{bounded_error, Backend, BackendFuture, Delivery};
pub(crate) use worker::{RunError, RunFuture, Runner};
