//! Scope check: given the scopes an app holds, which operations and events it can use.
//!
//! Operations and events list scopes *any one of which* is enough; an event with no scopes needs
//! none.

use crate::meta::{EventMeta, OperationMeta, EVENTS, OPERATIONS};
use std::collections::BTreeSet;

/// The scopes an app (or a user token) holds.
///
/// ```
/// use lark_im_chat::meta::{operation, ScopeSet};
///
/// let held = ScopeSet::new(["im:chat:readonly"]);
/// let (get, create) = (operation("chat.get").unwrap(), operation("chat.create").unwrap());
/// assert!(held.allows(get));
/// assert_eq!(held.missing_for(create), Some(&["im:chat", "im:chat:create"][..]));
/// assert!(held.operations().iter().any(|op| op.id == "chat.list"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet {
    held: BTreeSet<String>,
}

impl ScopeSet {
    /// The scopes held, e.g. as listed on the app's permission page.
    pub fn new<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Self {
        Self {
            held: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether the scope is held.
    pub fn contains(&self, scope: &str) -> bool {
        self.held.contains(scope)
    }

    fn any_of(&self, scopes: &[&str]) -> bool {
        scopes.is_empty() || scopes.iter().any(|s| self.contains(s))
    }

    /// Whether the operation can be called: one of its scopes is held.
    pub fn allows(&self, op: &OperationMeta) -> bool {
        self.any_of(op.scopes)
    }

    /// Whether the event can be subscribed to (events without scopes need none).
    pub fn allows_event(&self, event: &EventMeta) -> bool {
        self.any_of(event.scopes)
    }

    /// `None` when the operation can be called; otherwise the scopes to enable one of.
    pub fn missing_for(&self, op: &OperationMeta) -> Option<&'static [&'static str]> {
        (!self.allows(op)).then_some(op.scopes)
    }

    /// `None` when the event can be received; otherwise the scopes to enable one of.
    pub fn missing_for_event(&self, event: &EventMeta) -> Option<&'static [&'static str]> {
        (!self.allows_event(event)).then_some(event.scopes)
    }

    /// Operations of [`OPERATIONS`](crate::meta::OPERATIONS) the scopes allow.
    pub fn operations(&self) -> Vec<&'static OperationMeta> {
        OPERATIONS
            .iter()
            .copied()
            .filter(|op| self.allows(op))
            .collect()
    }

    /// Operations the scopes do not allow.
    pub fn denied_operations(&self) -> Vec<&'static OperationMeta> {
        OPERATIONS
            .iter()
            .copied()
            .filter(|op| !self.allows(op))
            .collect()
    }

    /// Events of [`EVENTS`](crate::meta::EVENTS) the scopes allow.
    pub fn events(&self) -> Vec<&'static EventMeta> {
        EVENTS
            .iter()
            .copied()
            .filter(|e| self.allows_event(e))
            .collect()
    }

    /// Field scopes of the operation (needed to see some values, e.g. `user_id`) not held.
    pub fn missing_field_scopes(&self, op: &OperationMeta) -> Vec<&'static str> {
        op.field_scopes
            .iter()
            .copied()
            .filter(|s| !self.contains(s))
            .collect()
    }
}

impl<S: Into<String>> FromIterator<S> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self::new(iter)
    }
}

/// The operation with this id (e.g. `chat_members.get`), from [`OPERATIONS`](crate::meta::OPERATIONS).
pub fn operation(id: &str) -> Option<&'static OperationMeta> {
    OPERATIONS.iter().copied().find(|op| op.id == id)
}

/// The event with this type (e.g. `im.chat.updated_v1`), from [`EVENTS`](crate::meta::EVENTS).
pub fn event(event_type: &str) -> Option<&'static EventMeta> {
    EVENTS.iter().copied().find(|e| e.event_type == event_type)
}
