//! What a dispatch did, and the HTTP answer it calls for.

use super::{HandlerError, EMPTY_CALLBACK_RESPONSE, SUCCESS_BODY};
use crate::events::durable::DurableError;
use crate::events::webhook::{challenge_response_body, DedupError, WebhookError};
use crate::events::EventDecodeError;
use bytes::Bytes;
use http::StatusCode;

/// The error reported in [`Outcome::HandlerFailed`] when a handler panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event handler panicked")]
#[non_exhaustive]
pub struct HandlerPanicked;

/// The error reported in [`Outcome::HandlerFailed`] when a handler ran past the
/// [handler deadline](super::DispatcherBuilder::handler_deadline) and was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event handler ran past its deadline of {deadline:?} and was cancelled")]
#[non_exhaustive]
pub struct HandlerTimedOut {
    /// The deadline in force.
    pub deadline: std::time::Duration,
}

/// Event type and id of a verified event, as reported in an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventInfo {
    /// The event type, e.g. `im.chat.updated_v1` or `p2p_chat_create`.
    pub event_type: String,
    /// The id redeliveries repeat: `header.event_id` (schema 2.0) or `uuid` (schema 1.0).
    pub event_id: String,
}

/// What a dispatch ([`Dispatcher::dispatch_plaintext`](super::Dispatcher::dispatch_plaintext), a webhook's `dispatch`) did with an event, and what to answer
/// ([`status`](Self::status), [`body`](Self::body)).
///
/// | outcome | status |
/// | --- | --- |
/// | [`Challenge`](Self::Challenge) | 200, `{"challenge":"…"}` |
/// | [`Handled`](Self::Handled), [`Queued`](Self::Queued), [`Duplicate`](Self::Duplicate), [`Unhandled`](Self::Unhandled) | 200, `{"msg":"success"}` |
/// | [`Answered`](Self::Answered) (a callback) | 200, the handler's response |
/// | [`CallbackFailed`](Self::CallbackFailed) | 200, `{}` |
/// | [`Rejected`](Self::Rejected) | [`WebhookError::status`]: 400, 401, 403 or 413 |
/// | [`Undecodable`](Self::Undecodable), [`HandlerFailed`](Self::HandlerFailed) | 500 |
/// | [`DedupFailed`](Self::DedupFailed), [`Overloaded`](Self::Overloaded), [`InProgress`](Self::InProgress), [`NotQueued`](Self::NotQueued) | 503 |
///
/// Any non-2xx answer makes the platform redeliver the event (after 15 s, 5 min, 1 h, 6 h).
/// Error bodies are `{"msg":"…"}` with a fixed text naming the failed step; they never
/// contain the request, a secret or the handler's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// A `url_verification` request.
    Challenge {
        /// The value echoed back.
        challenge: String,
    },
    /// The event's handler (or the fallback) returned `Ok`.
    Handled {
        /// The event.
        info: EventInfo,
    },
    /// A redelivery of an event already handled (its handler returned `Ok`): acknowledged, no
    /// handler called.
    Duplicate {
        /// The event.
        info: EventInfo,
    },
    /// A callback's handler returned its response, which is the answer's body.
    Answered {
        /// The callback.
        info: EventInfo,
        /// The response as JSON.
        response: Bytes,
    },
    /// A callback's handler failed, panicked ([`HandlerPanicked`]) or ran past the callback
    /// deadline ([`HandlerTimedOut`]): answered in time with an empty response (`{}`, 200),
    /// which leaves the card as it is, and logged at `ERROR`.
    CallbackFailed {
        /// The callback.
        info: EventInfo,
        /// The handler's error.
        error: HandlerError,
    },
    /// A durable event ([`DispatcherBuilder::durable`](super::DispatcherBuilder::durable)) was
    /// recorded in the durable queue: acknowledged, and a worker runs its handler later.
    Queued {
        /// The event.
        info: EventInfo,
    },
    /// A durable event could not be recorded (queue at its bound, backend unreachable): no
    /// handler called, answered 503 so that the platform delivers it again.
    NotQueued {
        /// The event.
        info: EventInfo,
        /// Why.
        error: DurableError,
    },
    /// No handler and no fallback for this event type: acknowledged and dropped.
    Unhandled {
        /// The event.
        info: EventInfo,
    },
    /// The request failed a check of the `WebhookReceiver`.
    Rejected(WebhookError),
    /// The verified payload does not fit the typed form of its event type.
    Undecodable {
        /// The event.
        info: EventInfo,
        /// What did not fit, with its JSON path.
        error: EventDecodeError,
    },
    /// The handler returned an error, panicked ([`HandlerPanicked`]) or ran past its deadline
    /// ([`HandlerTimedOut`]); the event id was forgotten by the de-duplication store so that
    /// the redelivery is processed. The error is also logged at `ERROR` level through
    /// `tracing` (install a subscriber to see it); [`Outcome::handler_error`] reads it here.
    HandlerFailed {
        /// The event.
        info: EventInfo,
        /// The handler's error.
        error: HandlerError,
    },
    /// The de-duplication store failed; no handler was called.
    DedupFailed {
        /// The event.
        info: EventInfo,
        /// The store's error.
        error: DedupError,
    },
    /// Another delivery of this event is still being handled (here or on another replica
    /// sharing the store) and may yet fail: no handler called, and answered 503 rather than 200
    /// so that the platform delivers it again. By then the first run has either succeeded (the
    /// redelivery is a [`Duplicate`](Self::Duplicate)) or failed and released its mark (the
    /// redelivery is handled): the event is never acknowledged before it is handled.
    InProgress {
        /// The event.
        info: EventInfo,
    },
    /// As many events as [`max_concurrent_dispatches`](super::DispatcherBuilder::max_concurrent_dispatches)
    /// allows are being handled: answered at once, no handler called and no de-duplication
    /// mark set, so the platform's redelivery is processed.
    Overloaded {
        /// The event.
        info: EventInfo,
        /// The bound in force.
        limit: usize,
    },
}

impl Outcome {
    /// The HTTP status to answer with (see the table on [`Outcome`]).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Challenge { .. }
            | Self::Handled { .. }
            | Self::Queued { .. }
            | Self::Duplicate { .. }
            | Self::Unhandled { .. }
            | Self::Answered { .. }
            | Self::CallbackFailed { .. } => StatusCode::OK,
            Self::Rejected(error) => error.status(),
            Self::Undecodable { .. } | Self::HandlerFailed { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::DedupFailed { .. }
            | Self::Overloaded { .. }
            | Self::InProgress { .. }
            | Self::NotQueued { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The JSON response body (content type [`RESPONSE_CONTENT_TYPE`](super::RESPONSE_CONTENT_TYPE)).
    pub fn body(&self) -> Bytes {
        match self {
            Self::Challenge { challenge } => Bytes::from(challenge_response_body(challenge)),
            Self::Handled { .. }
            | Self::Queued { .. }
            | Self::Duplicate { .. }
            | Self::Unhandled { .. } => Bytes::from_static(SUCCESS_BODY),
            Self::Answered { response, .. } => response.clone(),
            Self::CallbackFailed { .. } => Bytes::from_static(EMPTY_CALLBACK_RESPONSE),
            // The error texts name the failed check and a few numbers, nothing else.
            Self::Rejected(error) => message_body(&error.to_string()),
            Self::Undecodable { .. } => {
                Bytes::from_static(br#"{"msg":"event could not be decoded"}"#)
            }
            Self::HandlerFailed { .. } => Bytes::from_static(br#"{"msg":"event handler failed"}"#),
            Self::DedupFailed { .. } => {
                Bytes::from_static(br#"{"msg":"de-duplication store unavailable"}"#)
            }
            Self::Overloaded { .. } => {
                Bytes::from_static(br#"{"msg":"too many events in progress"}"#)
            }
            Self::InProgress { .. } => {
                Bytes::from_static(br#"{"msg":"event is being handled; deliver it again later"}"#)
            }
            Self::NotQueued { .. } => Bytes::from_static(br#"{"msg":"durable queue unavailable"}"#),
        }
    }

    /// The status and body to answer with.
    pub fn into_response(self) -> (StatusCode, Bytes) {
        (self.status(), self.body())
    }

    /// `true` when the answer is a 2xx status (the platform will not redeliver).
    pub fn is_success(&self) -> bool {
        self.status().is_success()
    }

    /// The handler's error, for [`Outcome::HandlerFailed`]: what it returned, or
    /// [`HandlerPanicked`] or [`HandlerTimedOut`] (find out with `downcast_ref`).
    pub fn handler_error(&self) -> Option<&HandlerError> {
        match self {
            Self::HandlerFailed { error, .. } | Self::CallbackFailed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// A callback's answer (JSON): the handler's response, or `{}` when it failed or was
    /// late; `None` for events. The long connection sends it base64-encoded in the ack's
    /// `data`.
    pub fn callback_response(&self) -> Option<Bytes> {
        match self {
            Self::Answered { response, .. } => Some(response.clone()),
            Self::CallbackFailed { .. } => Some(Bytes::from_static(EMPTY_CALLBACK_RESPONSE)),
            _ => None,
        }
    }

    /// `true` for [`Outcome::Duplicate`].
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Self::Duplicate { .. })
    }

    /// The event type and id, for outcomes about a verified event.
    pub fn event(&self) -> Option<&EventInfo> {
        match self {
            Self::Handled { info }
            | Self::Queued { info }
            | Self::NotQueued { info, .. }
            | Self::Duplicate { info }
            | Self::Unhandled { info }
            | Self::Undecodable { info, .. }
            | Self::HandlerFailed { info, .. }
            | Self::DedupFailed { info, .. }
            | Self::InProgress { info }
            | Self::Answered { info, .. }
            | Self::CallbackFailed { info, .. }
            | Self::Overloaded { info, .. } => Some(info),
            Self::Challenge { .. } | Self::Rejected(_) => None,
        }
    }
}

/// `{"msg": message}` as JSON bytes.
fn message_body(message: &str) -> Bytes {
    let value = serde_json::json!({ "msg": message });
    Bytes::from(value.to_string())
}
