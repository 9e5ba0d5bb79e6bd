//! A family: one spec's operations, events and error classes, as its generated crate exports
//! them (its `FAMILY` static). Tools that work across families (the scope check, the mock
//! platform, coverage) take families as values; the runtime itself never names one.

use super::{ErrorClasses, EventMeta, OperationMeta};

/// What one generated family contributes, for lookups by id.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Family {
    /// Family name, as its spec names it (e.g. `messages`).
    pub name: &'static str,
    /// Human title of the API.
    pub title: &'static str,
    /// Every operation, sorted by id.
    pub operations: &'static [&'static OperationMeta],
    /// Every event, sorted by event type.
    pub events: &'static [&'static EventMeta],
    /// The classes of its error codes.
    pub error_classes: &'static ErrorClasses,
}

impl Family {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        title: &'static str,
        operations: &'static [&'static OperationMeta],
        events: &'static [&'static EventMeta],
        error_classes: &'static ErrorClasses,
    ) -> Self {
        Self {
            name,
            title,
            operations,
            events,
            error_classes,
        }
    }

    /// The operation with this id (e.g. `chat_members.get`).
    pub fn operation(&self, id: &str) -> Option<&'static OperationMeta> {
        self.operations.iter().copied().find(|op| op.id == id)
    }

    /// The event with this type (e.g. `im.chat.updated_v1`).
    pub fn event(&self, event_type: &str) -> Option<&'static EventMeta> {
        self.events
            .iter()
            .copied()
            .find(|e| e.event_type == event_type)
    }
}
