//! What can go wrong between typed content and its JSON text.

use std::fmt;

/// Typed content could not be encoded, checked or decoded.
///
/// No variant carries the content itself, only its message type and figures, so logging the error
/// does not copy a message into the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentError {
    /// The request body would exceed the platform's limit for this message type (error 230025
    /// otherwise); nothing was sent.
    TooLarge {
        /// Message type whose limit applies (`text`, `post`, `interactive`).
        msg_type: String,
        /// The limit in bytes of the request body.
        limit: usize,
        /// The size in bytes the request body would have.
        actual: usize,
    },
    /// The operation does not take this message type (`message.update` edits only text and
    /// post, `message.patch` only cards, `message.reply` no system messages).
    NotAllowed {
        /// Message type of the content.
        msg_type: String,
        /// Operation id, e.g. `message.update`.
        operation: &'static str,
    },
    /// Content of a known message type is not the JSON that type has.
    Malformed {
        /// Message type the content was decoded as.
        msg_type: String,
        /// What the JSON decoder reported.
        reason: String,
    },
    /// A received message lacks what decoding needs (its type or its content).
    Missing {
        /// Name of the missing field.
        field: &'static str,
    },
    /// A value given as content could not be turned into JSON (e.g. a card whose `Serialize`
    /// implementation failed).
    Encode {
        /// What the JSON encoder reported.
        reason: String,
    },
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge {
                msg_type,
                limit,
                actual,
            } => write!(
                f,
                "a {msg_type} message request body of {actual} bytes exceeds the {limit}-byte limit; nothing was sent"
            ),
            Self::NotAllowed {
                msg_type,
                operation,
            } => write!(f, "{operation} does not take {msg_type} content"),
            Self::Malformed { msg_type, reason } => {
                write!(f, "malformed {msg_type} content: {reason}")
            }
            Self::Missing { field } => write!(f, "the message has no {field}"),
            Self::Encode { reason } => write!(f, "content cannot be encoded as JSON: {reason}"),
        }
    }
}

impl std::error::Error for ContentError {}

/// So that `?` works on content in functions returning the client's error: a content problem is
/// a request the client refuses to send, like any other broken limit.
impl From<ContentError> for lark_runtime::Error {
    fn from(e: ContentError) -> Self {
        lark_runtime::Error::Validation {
            field: "body.content".to_owned(),
            reason: e.to_string(),
        }
    }
}
