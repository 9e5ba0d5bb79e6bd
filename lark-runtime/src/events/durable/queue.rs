//! [`DurableQueue`]: the record of durable events, whatever the backend, and what it reports.

use super::backend::{Backend, DeadLetter, DurableError, DurableStats};
use super::memory::{MemoryQueue, QueueLimits};
use super::options::DurableOptions;
use std::fmt;
use std::sync::Arc;

/// Where durable events are recorded, given to
/// [`DispatcherBuilder::durable`](crate::events::dispatch::DispatcherBuilder::durable).
/// Cheap to clone; clones share the queue.
#[derive(Clone)]
pub struct DurableQueue {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) options: Arc<DurableOptions>,
}

impl fmt::Debug for DurableQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DurableQueue")
            .field("backend", &self.backend)
            .field("options", &self.options)
            .finish()
    }
}

impl DurableQueue {
    /// A queue in this process's memory, bounded by `limits`. **Not crash-safe**: queued
    /// events are lost with the process (the platform has been told they were received).
    pub fn in_memory(limits: QueueLimits) -> Self {
        Self::from_backend(MemoryQueue::new(limits))
    }

    pub(crate) fn from_backend(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(backend),
            options: Arc::new(DurableOptions::default()),
        }
    }

    /// Sets how workers handle the entries (deadlines, retries, shutdown).
    #[must_use]
    pub fn options(mut self, options: DurableOptions) -> Self {
        self.options = Arc::new(options);
        self
    }

    /// The options in force.
    pub fn current_options(&self) -> &DurableOptions {
        &self.options
    }

    /// Depth, oldest entry, retries and dead letters, now.
    pub async fn stats(&self) -> Result<DurableStats, DurableError> {
        self.backend.stats().await
    }

    /// The newest dead letters first, at most `max` (capped at 1,000).
    pub async fn dead_letters(&self, max: usize) -> Result<Vec<DeadLetter>, DurableError> {
        self.backend.dead_letters(max.min(1000)).await
    }

    /// The dead letter with id `id`, if it is still held.
    pub async fn dead_letter(&self, id: &str) -> Result<Option<DeadLetter>, DurableError> {
        let all = self.backend.dead_letters(1000).await?;
        Ok(all.into_iter().find(|d| d.id == id))
    }

    /// Queues dead letter `id` again with a fresh attempt count; `Ok(false)` when it is not
    /// held. Fails with [`DurableError::Full`] when the queue is at its bound.
    pub async fn replay(&self, id: &str) -> Result<bool, DurableError> {
        self.backend.replay(id).await
    }
}
