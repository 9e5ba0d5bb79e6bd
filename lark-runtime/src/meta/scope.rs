//! Scope check: given the scopes an app holds, which operations and events it can use.
//!
//! Operations and events list scopes *any one of which* is enough; an event with no scopes needs
//! none.

use crate::meta::{EventMeta, Family, OperationMeta};
use std::collections::BTreeSet;

/// The scopes an app (or a user token) holds.
///
/// Families are values (each family crate's `FAMILY`), so one set is checked against as many of them
/// as the app uses.
///
/// ```
/// use lark_runtime::meta::{
///     ErrorClasses, Family, HttpMethod, KeyLocation, OperationMeta, ScopeSet, TokenType,
/// };
/// use lark_runtime::drift::shape;
///
/// static SHAPE: shape::Operation = shape::Operation { id: "note.get", data: &shape::Object::EMPTY };
/// static GET: OperationMeta = OperationMeta::new(
///     "note.get", "Get a note.", HttpMethod::Get, "/open-apis/note/v1/notes/:id",
///     &[TokenType::Tenant], &["note:read", "note:write"], &[], &[], "", None,
///     KeyLocation::Query, false, &[],
///     &ErrorClasses::NONE, &SHAPE,
/// );
/// static NOTES: Family = Family::new("notes", "Notes", &[&GET], &[], &ErrorClasses::NONE);
///
/// let held = ScopeSet::new(["note:read"]);
/// assert!(held.allows(&GET));
/// assert_eq!(held.operations(&NOTES).len(), 1);
/// assert_eq!(ScopeSet::default().missing_for(&GET), Some(&["note:read", "note:write"][..]));
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

    /// Operations of `family` the scopes allow.
    pub fn operations(&self, family: &Family) -> Vec<&'static OperationMeta> {
        family
            .operations
            .iter()
            .copied()
            .filter(|op| self.allows(op))
            .collect()
    }

    /// Operations of `family` the scopes do not allow.
    pub fn denied_operations(&self, family: &Family) -> Vec<&'static OperationMeta> {
        family
            .operations
            .iter()
            .copied()
            .filter(|op| !self.allows(op))
            .collect()
    }

    /// Events of `family` the scopes allow.
    pub fn events(&self, family: &Family) -> Vec<&'static EventMeta> {
        family
            .events
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
