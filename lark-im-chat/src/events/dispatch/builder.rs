//! Registering handlers and building a [`Dispatcher`].

use super::run::{Dispatcher, Inner};
use super::table::{registered, DispatchEvent, EVENT_COUNT};
use super::{Erased, HandlerError, HandlerFuture};
use crate::drift::DriftLog;
use crate::events::webhook::{DedupStore, InMemoryDedup, WebhookReceiver};
use crate::generated::events::*;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

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
}

/// Builder of [`Dispatcher`], from [`Dispatcher::builder`].
///
/// Registration methods never fail on their own; a second handler for the same event type (or
/// a second fallback) is reported by [`build`](Self::build), so the mistake cannot go unnoticed
/// and never panics.
#[must_use]
pub struct DispatcherBuilder {
    receiver: WebhookReceiver,
    dedup: Option<Arc<dyn DedupStore>>,
    handlers: [Option<Erased>; EVENT_COUNT],
    fallback: Option<Erased>,
    drift: Option<DriftLog>,
    error: Option<DispatcherBuildError>,
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("receiver", &self.receiver)
            .field("dedup", &self.dedup.is_some())
            .field("handlers", &registered(&self.handlers))
            .field("fallback", &self.fallback.is_some())
            .field("error", &self.error)
            .finish()
    }
}

impl Dispatcher {
    /// Starts a builder around `receiver`, with no handler, no fallback and an
    /// [`InMemoryDedup`] store.
    pub fn builder(receiver: WebhookReceiver) -> DispatcherBuilder {
        DispatcherBuilder {
            receiver,
            dedup: Some(Arc::new(InMemoryDedup::new())),
            handlers: Default::default(),
            fallback: None,
            drift: None,
            error: None,
        }
    }
}

impl DispatcherBuilder {
    /// Registers the handler of events of type `T`, which receives the decoded
    /// [`T::Envelope`](DispatchEvent::Envelope): the whole callback (`header` with the event id, tenant and app, and the
    /// typed `event` body).
    ///
    /// The handler runs before the request is answered: the platform waits 3 seconds, so hand
    /// slow work to a task or a queue. Return `Ok(())` to acknowledge the event (200); return an
    /// error to have it redelivered (500).
    ///
    /// ```
    /// use lark_im_chat::events::dispatch::Dispatcher;
    /// use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
    /// use lark_im_chat::events::ChatDisbandedV1;
    ///
    /// let receiver = WebhookReceiver::new(WebhookConfig::builder().verification_token("vt").build()?);
    /// let dispatcher = Dispatcher::builder(receiver)
    ///     .on::<ChatDisbandedV1, _, _>(|e| async move {
    ///         println!("chat {:?} disbanded", e.event.chat_id);
    ///         Ok(())
    ///     })
    ///     .build()?;
    /// # let _ = dispatcher;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Registering a second handler for `T` makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateHandler`].
    pub fn on<T, F, Fut>(mut self, handler: F) -> Self
    where
        T: DispatchEvent,
        F: Fn(T::Envelope) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        let slot = &mut self.handlers[T::SLOT];
        if slot.is_some() {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateHandler {
                    event_type: T::EVENT_TYPE,
                });
            return self;
        }
        *slot = Some(Arc::new(move |event: ChatEvent| -> HandlerFuture {
            match T::take(event) {
                Some(envelope) => Box::pin(handler(envelope)),
                // Unreachable: events are routed to the slot of their own type.
                None => Box::pin(std::future::ready(Err(HandlerError::from(
                    "event routed to the handler of another event type",
                )))),
            }
        }));
        self
    }

    /// Registers the handler of every event that has no typed handler: event types this
    /// version of the client does not know ([`ChatEvent::Unknown`], with the event type and
    /// the raw JSON) and known events for which no handler was registered.
    ///
    /// Without a fallback, such events are acknowledged (200) and dropped.
    ///
    /// Registering a second fallback makes [`build`](Self::build) fail with
    /// [`DispatcherBuildError::DuplicateFallback`].
    pub fn fallback<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ChatEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        if self.fallback.is_some() {
            self.error
                .get_or_insert(DispatcherBuildError::DuplicateFallback);
            return self;
        }
        self.fallback = Some(Arc::new(move |event: ChatEvent| -> HandlerFuture {
            Box::pin(handler(event))
        }));
        self
    }

    /// Replaces the de-duplication store (default: an [`InMemoryDedup`] with its default
    /// capacity and time to live). Use a shared store when several instances receive the
    /// same app's events.
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

    /// Builds the dispatcher.
    ///
    /// # Errors
    ///
    /// [`DispatcherBuildError`] when a handler or the fallback was registered twice.
    pub fn build(self) -> Result<Dispatcher, DispatcherBuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                receiver: self.receiver,
                dedup: self.dedup,
                handlers: self.handlers,
                fallback: self.fallback,
                drift: self.drift,
            }),
        })
    }
}

/// One shorthand registration method per typed event, from the spec's event table.
macro_rules! shorthands {
    ($(
        $slot:literal => $ty:ident, $envelope:ident, $event_type:literal, $method:ident;
    )*) => {
        impl DispatcherBuilder {
            $(
                #[doc = concat!(
                    "Registers the handler of `", $event_type, "` events, which receives the ",
                    "decoded [`", stringify!($envelope), "`]`<`[`", stringify!($ty), "`]`>`. ",
                    "Shorthand for [`on`](Self::on)`::<", stringify!($ty), ", _, _>`.\n\n",
                    "Registering a second handler for the same event type makes ",
                    "[`build`](Self::build) fail with ",
                    "[`DispatcherBuildError::DuplicateHandler`](DispatcherBuildError::DuplicateHandler)."
                )]
                pub fn $method<F, Fut>(self, handler: F) -> Self
                where
                    F: Fn($envelope<$ty>) -> Fut + Send + Sync + 'static,
                    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
                {
                    self.on::<$ty, F, Fut>(handler)
                }
            )*
        }
    };
}

crate::generated::for_each_chat_event!(shorthands);
