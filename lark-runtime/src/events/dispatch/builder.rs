//! Registering handlers and building a [`Dispatcher`].

use super::handler::{EventHandler, State, StateHandler};
use super::run::{Dispatcher, Inner};
use super::table::{self, registered, Route, Table};
use super::{Erased, Slot};
use crate::drift::DriftLog;
use crate::events::durable::DurableQueue;
use crate::events::webhook::{DedupStore, InMemoryDedup};
use crate::events::{Event, RawEvent};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Default time a handler may run before the dispatch answers 500: 2.5 s, under the 3 s the
/// platform waits for an answer.
pub const DEFAULT_HANDLER_DEADLINE: Duration = Duration::from_millis(2500);
/// Default time a callback handler (a card action) may run before it is answered with an empty
/// response: 2.5 s, under the 3 s the platform waits.
pub const DEFAULT_CALLBACK_DEADLINE: Duration = Duration::from_millis(2500);
/// Default number of events handled at the same time by one dispatcher; beyond it, events
/// are answered 503 at once (the platform redelivers them later).
pub const DEFAULT_MAX_CONCURRENT_DISPATCHES: usize = 1024;

/// Why [`DispatcherBuilder::build`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatcherBuildError {
    /// Two handlers were registered for one event type.
    #[error("two handlers are registered for `{event_type}` events")]
    DuplicateHandler {
        /// The event type, e.g. `im.chat.updated_v1`.
        event_type: &'static str,
    },
    /// Two fallback handlers were registered.
    #[error("two fallback handlers are registered")]
    DuplicateFallback,
    /// An event type was marked durable without a typed handler for it.
    #[error("`{event_type}` events are marked durable but have no handler")]
    DurableWithoutHandler {
        /// The event type.
        event_type: &'static str,
    },
    /// Event types were marked durable without a durable queue.
    #[error("event types are marked durable but no durable queue is set")]
    DurableWithoutQueue,
}

/// The durable path as configured on a builder.
#[derive(Default)]
struct DurableSetup {
    queue: Option<DurableQueue>,
    types: Vec<&'static str>,
}

/// Builder of [`Dispatcher`], from [`Dispatcher::builder`].
///
/// `S` is `()` until [`state`](DispatcherBuilder::state) gives the handlers application state;
/// from then on it is [`State`]`<A>` and handlers take `(State<A>, envelope)`.
///
/// Registration methods never fail on their own; a second handler for the same event type (or
/// a second fallback) is reported by [`build`](Self::build), so the mistake cannot go unnoticed
/// and never panics.
#[must_use]
pub struct DispatcherBuilder<S = ()> {
    dedup: Option<Arc<dyn DedupStore>>,
    namespace: Option<Arc<str>>,
    deadline: Duration,
    pub(super) callback_deadline: Duration,
    max_concurrent: usize,
    handlers: Table<Slot<S>>,
    fallback: Option<Slot<S>>,
    drift: Option<DriftLog>,
    durable: DurableSetup,
    error: Option<DispatcherBuildError>,
    state: S,
}

impl<S> fmt::Debug for DispatcherBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("dedup", &self.dedup.is_some())
            .field("dedup_namespace", &self.namespace)
            .field("handler_deadline", &self.deadline)
            .field("callback_deadline", &self.callback_deadline)
            .field("max_concurrent_dispatches", &self.max_concurrent)
            .field("handlers", &registered(&self.handlers))
            .field("fallback", &self.fallback.is_some())
            .field("durable", &self.durable.types)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Starts a builder with no handler, no fallback, no state, an [`InMemoryDedup`] store,
    /// the [default handler deadline](DEFAULT_HANDLER_DEADLINE) and the
    /// [default bound on concurrent dispatches](DEFAULT_MAX_CONCURRENT_DISPATCHES).
    ///
    /// A dispatcher is not tied to a transport: HTTP callbacks attach their verification
    /// where they are served (`Dispatcher::with_webhook`, feature `webhook`), the long
    /// connection needs none.
    pub fn builder() -> DispatcherBuilder {
        DispatcherBuilder {
            dedup: Some(Arc::new(InMemoryDedup::new())),
            namespace: None,
            deadline: DEFAULT_HANDLER_DEADLINE,
            callback_deadline: DEFAULT_CALLBACK_DEADLINE,
            max_concurrent: DEFAULT_MAX_CONCURRENT_DISPATCHES,
            handlers: Table::new(),
            fallback: None,
            drift: None,
            durable: DurableSetup::default(),
            error: None,
            state: (),
        }
    }
}

impl DispatcherBuilder {
    /// Gives the handlers application state (a client, a pool, a channel…): from here on,
    /// handlers take `(State<A>, envelope)` and receive a clone of `state` on each call, so
    /// nothing needs cloning by hand into `move` closures. Handlers registered before keep
    /// ignoring it.
    ///
    /// ```
    /// use lark_runtime::events::dispatch::{Dispatcher, State};
    ///
    /// #[derive(Clone)]
    /// struct App { greeting: std::sync::Arc<str> }
    ///
    /// let dispatcher = Dispatcher::builder()
    ///     .state(App { greeting: "welcome".into() })
    ///     .fallback(|State(app), event| async move {
    ///         println!("{}: {}", app.greeting, event.event_type());
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// # let _ = dispatcher;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state<A>(self, state: A) -> DispatcherBuilder<State<A>>
    where
        A: Clone + Send + Sync + 'static,
    {
        let lift = |slot: Slot<()>| -> Slot<State<A>> {
            Arc::new(move |_: &State<A>, decoded| slot(&(), decoded))
        };
        DispatcherBuilder {
            dedup: self.dedup,
            namespace: self.namespace,
            deadline: self.deadline,
            callback_deadline: self.callback_deadline,
            max_concurrent: self.max_concurrent,
            handlers: self
                .handlers
                .into_iter()
                .map(|(event_type, route)| {
                    let route = Route {
                        decode: route.decode,
                        shape: route.shape,
                        handler: lift(route.handler),
                        callback: route.callback,
                    };
                    (event_type, route)
                })
                .collect(),
            fallback: self.fallback.map(lift),
            drift: self.drift,
            durable: self.durable,
            error: self.error,
            state: State(state),
        }
    }

    /// Registers the handler of events of type `E` (any family's generated event), which
    /// receives the decoded [`E::Envelope`](Event::Envelope): the whole callback (`header`
    /// with the event id, tenant and app, and the typed `event` body).
    ///
    /// The handler runs before the event is answered, within the
    /// [handler deadline](Self::handler_deadline): the platform waits 3 seconds, so hand slow
    /// work to a task or a queue. Return `Ok(())` to acknowledge the event (200); return an
    /// error to have it redelivered (500).
    ///
    /// ```
    /// # use lark_runtime::events::{Event, EventEnvelopeV2};
    /// # use lark_runtime::meta::{EventMeta, EventSchema};
    /// # use lark_runtime::drift::shape;
    /// # #[derive(serde::Deserialize)]
    /// # struct NotePinned { note_id: Option<String> }
    /// # static BODY: shape::Object = shape::Object { name: "NotePinned", fields: &[] };
    /// # static SHAPE: shape::Event = shape::Event { event_type: "note.pinned_v1", envelope: &lark_runtime::events::EVENT_ENVELOPE_V2_SHAPE, body: &BODY };
    /// # static META: EventMeta = EventMeta::new("note.pinned_v1", "", EventSchema::V2, &[], &[], "", &SHAPE);
    /// # impl Event for NotePinned {
    /// #     const EVENT_TYPE: &'static str = "note.pinned_v1";
    /// #     type Envelope = EventEnvelopeV2<Self>;
    /// #     fn meta() -> &'static EventMeta { &META }
    /// # }
    /// use lark_runtime::events::dispatch::Dispatcher;
    ///
    /// // `NotePinned` is an event type a family generated (see `Event`).
    /// let dispatcher = Dispatcher::builder()
    ///     .on::<NotePinned>(|e| async move {
    ///         println!("note {:?} pinned ({})", e.event.note_id, e.header.event_id);
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// # let _ = dispatcher;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Registering a second handler for `E` makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateHandler`].
    pub fn on<E: Event>(self, handler: impl EventHandler<E::Envelope>) -> Self {
        self.register::<E>(
            false,
            Arc::new(move |_: &(), decoded| {
                table::with_decoded::<E::Envelope>(decoded, |envelope| handler.call_boxed(envelope))
            }),
        )
    }

    /// Registers the handler of every event that has no typed handler, which receives the
    /// [`RawEvent`]: its type, id and JSON (a family's event enum decodes it further, e.g.
    /// `ChatEvent::from_raw` of the group-chat family).
    ///
    /// Without a fallback, such events are acknowledged (200) and dropped. An event whose
    /// JSON cannot be held (nested deeper than serde_json's limit of 128 levels) is
    /// acknowledged too, without calling the fallback, and reported as
    /// [`Outcome::Unhandled`](super::Outcome::Unhandled) with a warning: no redelivery could
    /// ever succeed.
    ///
    /// Registering a second fallback makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateFallback`].
    pub fn fallback(self, handler: impl EventHandler<RawEvent>) -> Self {
        self.register_fallback(Arc::new(move |_: &(), decoded| {
            table::with_decoded::<RawEvent>(decoded, |raw| handler.call_boxed(raw))
        }))
    }
}

impl<A: Clone + Send + Sync + 'static> DispatcherBuilder<State<A>> {
    /// Registers the handler of events of type `E`, which receives a clone of the state and
    /// the decoded [`E::Envelope`](Event::Envelope); otherwise the same as
    /// [`DispatcherBuilder::on`].
    pub fn on<E: Event>(self, handler: impl StateHandler<A, E::Envelope>) -> Self {
        self.register::<E>(
            false,
            Arc::new(move |state: &State<A>, decoded| {
                table::with_decoded::<E::Envelope>(decoded, |envelope| {
                    handler.call_boxed(State(state.0.clone()), envelope)
                })
            }),
        )
    }

    /// Registers the fallback handler, which receives a clone of the state and the
    /// [`RawEvent`]; otherwise the same as [`DispatcherBuilder::fallback`].
    pub fn fallback(self, handler: impl StateHandler<A, RawEvent>) -> Self {
        self.register_fallback(Arc::new(move |state: &State<A>, decoded| {
            table::with_decoded::<RawEvent>(decoded, |raw| {
                handler.call_boxed(State(state.0.clone()), raw)
            })
        }))
    }
}

impl<S: Send + Sync + 'static> DispatcherBuilder<S> {
    pub(super) fn register<E: Event>(mut self, callback: bool, slot: Slot<S>) -> Self {
        if self.handlers.contains_key(E::EVENT_TYPE) {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateHandler {
                    event_type: E::EVENT_TYPE,
                });
        } else {
            let route = Route {
                decode: table::decoder::<E>(),
                shape: E::meta().shape,
                handler: slot,
                callback,
            };
            self.handlers.insert(E::EVENT_TYPE, route);
        }
        self
    }

    fn register_fallback(mut self, slot: Slot<S>) -> Self {
        if self.fallback.is_some() {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateFallback);
        } else {
            self.fallback = Some(slot);
        }
        self
    }

    /// Replaces the de-duplication store (default: an [`InMemoryDedup`] with its default
    /// capacity, byte budget and time to live). Use a shared store when several instances
    /// receive the same app's events.
    pub fn dedup(mut self, store: impl DedupStore + 'static) -> Self {
        self.dedup = Some(Arc::new(store));
        self
    }

    /// Turns de-duplication off: every delivery, redeliveries included, reaches its handler.
    pub fn without_dedup(mut self) -> Self {
        self.dedup = None;
        self
    }

    /// Notes event fields and enum values the spec does not know in `log` (see [`DriftLog`]),
    /// for every event that decodes, handled or not. Default: off, at no cost.
    pub fn drift_log(mut self, log: DriftLog) -> Self {
        self.drift = Some(log);
        self
    }

    /// Sets the namespace of the de-duplication keys. Default: the app id the event is
    /// addressed to (`header.app_id`, or `event.app_id` in schema 1.0; empty when absent), so
    /// that several apps sharing one store never take each other's events for duplicates.
    /// Set it when events of one app must be told apart by something else, e.g. an
    /// environment name. See [`MAX_DEDUP_KEY_LEN`](super::MAX_DEDUP_KEY_LEN) for the key form.
    pub fn dedup_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(Arc::from(namespace.into()));
        self
    }

    /// Sets how long a handler may run (default [`DEFAULT_HANDLER_DEADLINE`], 2.5 s). A
    /// handler still running at the deadline is dropped (cancelled at its next `.await`),
    /// the dispatch answers 500 with [`HandlerTimedOut`](super::HandlerTimedOut) as the
    /// error of [`Outcome::HandlerFailed`](super::Outcome::HandlerFailed), and the event id is
    /// forgotten so that the platform's redelivery runs the handler again.
    ///
    /// Dispatching needs a Tokio runtime with its time driver (`#[tokio::main]` has one).
    pub fn handler_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets how many events may be handled at the same time (default
    /// [`DEFAULT_MAX_CONCURRENT_DISPATCHES`], at least 1). An event beyond the bound is not
    /// queued: it is answered 503 ([`Outcome::Overloaded`](super::Outcome::Overloaded)) at
    /// once, without a de-duplication mark, so the platform's redelivery is processed.
    /// Unhandled events and rejected requests do not count; a redelivery of an event in
    /// progress counts only while it is found a duplicate.
    pub fn max_concurrent_dispatches(mut self, limit: usize) -> Self {
        self.max_concurrent = limit.max(1);
        self
    }

    /// Marks events of type `E` durable: instead of running their handler (registered with
    /// [`on`](DispatcherBuilder::on)) before answering, the dispatcher records them in the
    /// [durable queue](Self::durable_queue) and answers 200 once recorded
    /// ([`Outcome::Queued`](super::Outcome::Queued)), or 503 when it cannot record them
    /// ([`Outcome::NotQueued`](super::Outcome::NotQueued)). Workers
    /// ([`Dispatcher::durable_worker`]) run the handler later, with the queue's
    /// [attempt deadline](crate::events::durable::DurableOptions::attempt_deadline), retries and
    /// dead letters: see [`events::durable`](crate::events::durable). De-duplication is the
    /// queue's own: an event is recorded once per id.
    pub fn durable<E: Event>(mut self) -> Self {
        if !self.durable.types.contains(&E::EVENT_TYPE) {
            self.durable.types.push(E::EVENT_TYPE);
        }
        self
    }

    /// Sets the queue durable events are recorded in (see [`durable`](Self::durable)):
    /// [`DurableQueue::in_memory`], or a Redis stream shared by replicas (feature `redis`).
    pub fn durable_queue(mut self, queue: impl Into<DurableQueue>) -> Self {
        self.durable.queue = Some(queue.into());
        self
    }

    /// Builds the dispatcher.
    ///
    /// # Errors
    ///
    /// [`DispatcherBuildError`] when a handler or the fallback was registered twice, or an
    /// event type was marked durable without a handler or a durable queue.
    pub fn build(self) -> Result<Dispatcher, DispatcherBuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if let Some(event_type) = self
            .durable
            .types
            .iter()
            .find(|t| !self.handlers.contains_key(*t))
        {
            return Err(DispatcherBuildError::DurableWithoutHandler { event_type });
        }
        if !self.durable.types.is_empty() && self.durable.queue.is_none() {
            return Err(DispatcherBuildError::DurableWithoutQueue);
        }
        let state = Arc::new(self.state);
        let bind = |slot: Slot<S>| -> Erased {
            let state = Arc::clone(&state);
            Arc::new(move |decoded| slot(&state, decoded))
        };
        let max_concurrent = self.max_concurrent.min(Semaphore::MAX_PERMITS);
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                dedup: self.dedup,
                namespace: self.namespace,
                deadline: self.deadline,
                callback_deadline: self.callback_deadline,
                max_concurrent,
                permits: Arc::new(Semaphore::new(max_concurrent)),
                handlers: table::bind(self.handlers, &state),
                fallback: self.fallback.map(bind),
                drift: self.drift,
                durable_types: self.durable.types.into_iter().collect(),
                durable: self.durable.queue,
            }),
        })
    }
}
