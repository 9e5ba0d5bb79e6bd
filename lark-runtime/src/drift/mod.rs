//! Spec drift seen in production: response fields and enum values the spec does not know.
//!
//! The generated types accept what the platform adds (unknown fields are skipped, unknown enum
//! values kept as `Unknown`), so a new field or value goes unnoticed. A [`DriftLog`], given to
//! [`ClientBuilder::drift_log`](crate::ClientBuilder::drift_log) and
//! [`DispatcherBuilder::drift_log`](crate::events::dispatch::DispatcherBuilder::drift_log), notes
//! them: after each successful decode, the body is walked once more against tables generated
//! from the spec, and every JSON path the spec lacks (`data.items[].brand_new`) or whose enum
//! value it does not list (`data.chat_mode`) is noted with the operation id or event type. Each
//! is logged once per log as a `tracing` event (target `lark_runtime::drift`, level WARN) and
//! kept for [`DriftLog::snapshot`], so an application can report drift to the spec's maintainers.
//!
//! Only names and paths are noted, never values: a body may hold personal data.
//!
//! Without a log (the default) nothing is walked: the setting costs one branch per call.

pub mod shape;
mod walk;

#[doc(hidden)]
pub mod decode_tool;

use shape::{Field, Object};
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Entries a log keeps by default; see [`DriftLog::with_capacity`].
pub const DEFAULT_CAPACITY: usize = 1024;

/// The response envelope [`decode_response`](crate::http::decode_response) reads (built into
/// the runtime, not described by the spec); `data` holds the operation's type. Its keys are
/// [`RESPONSE_ENVELOPE_KEYS`](crate::http::RESPONSE_ENVELOPE_KEYS), sorted.
pub static RESPONSE_ENVELOPE: Object = Object {
    name: "Envelope",
    fields: &[
        Field::any("code"),
        Field::any("data"),
        Field::any("error"),
        Field::any("msg"),
    ],
};

/// Every JSON path of a successful response body of an operation (its shape, e.g.
/// `OperationMeta::shape`) that its spec does not know, as a [`DriftLog`] would note them (at
/// most `limit`), without logging: what `cargo xtask decode` reports.
pub fn unknown_in_response(
    operation: &'static shape::Operation,
    body: &[u8],
    limit: usize,
) -> Vec<DriftEntry> {
    findings(Target::response(operation), body, limit)
}

/// Every JSON path of an event callback body (plaintext) that its spec does not know, as a
/// [`DriftLog`] would note them (at most `limit`), without logging.
pub fn unknown_in_event(
    event: &'static shape::Event,
    body: &[u8],
    limit: usize,
) -> Vec<DriftEntry> {
    findings(Target::event(event), body, limit)
}

/// What a maintainer's tool shows of a sample: each unknown field, and each unknown enum
/// value with the value as JSON text (`cargo xtask decode` prints them). Never used by
/// [`DriftLog`], which keeps no value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The path and kind, as a [`DriftLog`] would note them.
    pub entry: DriftEntry,
    /// For [`DriftKind::Value`]: the value sent.
    pub value: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let DriftEntry { kind, path, .. } = &self.entry;
        match &self.value {
            Some(value) => write!(f, "unknown {}: {path} = {value}", kind.as_str()),
            None => write!(f, "unknown {}: {path}", kind.as_str()),
        }
    }
}

/// Every finding in a sample response body of an operation (its shape), at most `limit`,
/// enum values included: for tools, see [`Finding`].
pub fn inspect_response(
    operation: &'static shape::Operation,
    body: &[u8],
    limit: usize,
) -> Vec<Finding> {
    inspect(Target::response(operation), body, limit)
}

/// Every finding in a sample callback body of an event (its shape), at most `limit`, enum
/// values included: for tools, see [`Finding`].
pub fn inspect_event(event: &'static shape::Event, body: &[u8], limit: usize) -> Vec<Finding> {
    inspect(Target::event(event), body, limit)
}

/// What a body is walked against: the item it is noted under, the envelope's shape, and the
/// key of the envelope that holds the item's own shape.
#[derive(Clone, Copy)]
struct Target {
    item: &'static str,
    envelope: &'static Object,
    slot: &'static str,
    inner: &'static Object,
}

impl Target {
    fn response(operation: &'static shape::Operation) -> Self {
        Self {
            item: operation.id,
            envelope: &RESPONSE_ENVELOPE,
            slot: "data",
            inner: operation.data,
        }
    }

    fn event(event: &'static shape::Event) -> Self {
        Self {
            item: event.event_type,
            envelope: event.envelope,
            slot: "event",
            inner: event.body,
        }
    }

    fn walk(self, body: &[u8], found: &mut walk::Found) {
        walk::walk(body, self.envelope, self.slot, self.inner, found);
    }
}

fn inspect(target: Target, body: &[u8], limit: usize) -> Vec<Finding> {
    let item = target.item;
    let mut found = walk::Found::keeping_values(limit);
    target.walk(body, &mut found);
    let values = found.values.take().unwrap_or_default();
    let mut out = Vec::new();
    for (kind, path) in found.items {
        let entry = |value| Finding {
            entry: DriftEntry {
                item,
                kind,
                path: path.clone(),
            },
            value,
        };
        match kind {
            DriftKind::Value => out.extend(
                values
                    .iter()
                    .filter(|(p, _)| *p == path)
                    .map(|(_, v)| entry(Some(v.clone()))),
            ),
            DriftKind::Field => out.push(entry(None)),
        }
    }
    out
}

fn findings(target: Target, body: &[u8], limit: usize) -> Vec<DriftEntry> {
    let item = target.item;
    let mut found = walk::Found::new(limit);
    target.walk(body, &mut found);
    found
        .items
        .into_iter()
        .map(|(kind, path)| DriftEntry { item, kind, path })
        .collect()
}

/// What kind of drift an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DriftKind {
    /// A field the spec does not have.
    Field,
    /// A value of an enum field the spec does not list.
    Value,
}

impl DriftKind {
    /// `"field"` or `"value"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Value => "value",
        }
    }
}

/// One thing the platform sent that the spec does not know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct DriftEntry {
    /// Operation id (`chat.get`) or event type (`im.chat.updated_v1`).
    pub item: &'static str,
    /// An unknown field, or an unknown enum value.
    pub kind: DriftKind,
    /// JSON path from the top of the body; `[]` stands for every item of a list, e.g.
    /// `data.items[].brand_new`. For a value, the path of the enum field (never the value).
    /// Paths above 256 bytes are cut and end in `…`.
    pub path: String,
}

impl fmt::Display for DriftEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: unknown {} {}",
            self.item,
            self.kind.as_str(),
            self.path
        )
    }
}

/// Notes response fields and enum values the spec does not know; see the
/// [module documentation](self).
///
/// Clones share one record. Give the same log to every client and dispatcher of a process (or
/// use [`DriftLog::global`]) to have each path noted once per process.
///
/// Bounded: it keeps at most its capacity of entries ([`DEFAULT_CAPACITY`] by default); later
/// new paths are only counted ([`dropped`](Self::dropped)).
///
/// ```
/// use lark_runtime::drift::DriftLog;
/// use lark_runtime::Client;
///
/// let drift = DriftLog::new();
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .drift_log(drift.clone())
///     .build()?;
/// // … later, e.g. in a health report:
/// for entry in drift.snapshot() {
///     println!("spec drift: {entry}"); // "chat.get: unknown field data.brand_new"
/// }
/// # let _ = client;
/// # Ok::<(), lark_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct DriftLog {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    seen: HashSet<DriftEntry>,
    dropped: u64,
}

impl Default for DriftLog {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DriftLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.read();
        f.debug_struct("DriftLog")
            .field("entries", &state.seen.len())
            .field("dropped", &state.dropped)
            .field("capacity", &self.inner.capacity)
            .finish()
    }
}

impl DriftLog {
    /// An empty log keeping up to [`DEFAULT_CAPACITY`] entries.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// An empty log keeping up to `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                capacity,
                state: RwLock::default(),
            }),
        }
    }

    /// The process-wide log (created on first use, with the default capacity).
    pub fn global() -> Self {
        static GLOBAL: OnceLock<DriftLog> = OnceLock::new();
        GLOBAL.get_or_init(DriftLog::new).clone()
    }

    /// Everything noted so far, sorted by item, kind and path.
    pub fn snapshot(&self) -> BTreeSet<DriftEntry> {
        self.read().seen.iter().cloned().collect()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.read().seen.len()
    }

    /// Whether nothing was noted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Findings not kept because the log was full (a path met again while full counts again).
    pub fn dropped(&self) -> u64 {
        self.read().dropped
    }

    /// Walks a successful response body of `operation` (its full `{code, msg, data}` text).
    pub(crate) fn note_response(&self, operation: &'static shape::Operation, body: &[u8]) {
        self.note(unknown_in_response(operation, body, self.inner.capacity));
    }

    /// Walks a decoded callback body (plaintext JSON) of a typed event. Event types no
    /// registered family knows are left to the dispatcher's fallback.
    pub(crate) fn note_event(&self, event: &'static shape::Event, body: &[u8]) {
        self.note(unknown_in_event(event, body, self.inner.capacity));
    }

    fn note(&self, mut candidates: Vec<DriftEntry>) {
        if candidates.is_empty() {
            return;
        }
        // Most bodies repeat what was already noted: a shared lock settles that.
        {
            let state = self.read();
            candidates.retain(|c| !state.seen.contains(c));
        }
        if candidates.is_empty() {
            return;
        }
        let mut fresh = Vec::new();
        let mut newly_full = false;
        {
            let mut state = self
                .inner
                .state
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            for entry in candidates {
                if state.seen.contains(&entry) {
                    continue;
                }
                if state.seen.len() >= self.inner.capacity {
                    newly_full |= state.dropped == 0;
                    state.dropped += 1;
                } else {
                    state.seen.insert(entry.clone());
                    fresh.push(entry);
                }
            }
        }
        for entry in fresh {
            tracing::warn!(
                target: "lark_runtime::drift",
                item = entry.item,
                kind = entry.kind.as_str(),
                path = %entry.path,
                "spec drift: the platform sent a {} the spec does not know",
                entry.kind.as_str(),
            );
        }
        if newly_full {
            tracing::warn!(
                target: "lark_runtime::drift",
                capacity = self.inner.capacity,
                "spec drift log is full; further new paths are only counted"
            );
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
