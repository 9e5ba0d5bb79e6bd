//! The platform's request-body limits per message type, checked before anything is sent.

use super::error::ContentError;
use serde::Serialize;

/// Largest request body of a `text` message (150 KB); beyond it the platform answers 230025.
pub const TEXT_BODY_MAX_BYTES: usize = 153_600;
/// Largest request body of a `post` message (30 KB).
pub const POST_BODY_MAX_BYTES: usize = 30_720;
/// Largest request body of an `interactive` (card) message (30 KB).
pub const INTERACTIVE_BODY_MAX_BYTES: usize = 30_720;
/// Largest request body of `message.patch` (a card update, 30 KB).
pub const PATCH_CARD_MAX_BYTES: usize = 30_720;

/// The request-body limit of sending (or editing) a message of `msg_type`, when the platform
/// documents one.
pub fn body_limit(msg_type: &str) -> Option<usize> {
    match msg_type {
        "text" => Some(TEXT_BODY_MAX_BYTES),
        "post" => Some(POST_BODY_MAX_BYTES),
        "interactive" => Some(INTERACTIVE_BODY_MAX_BYTES),
        _ => None,
    }
}

/// The size of `body` as compact JSON (what the client sends) plus `room` for fields the client
/// may still add, checked against `limit`.
pub(crate) fn check_body<T: Serialize>(
    msg_type: &str,
    limit: Option<usize>,
    body: &T,
    room: usize,
) -> Result<usize, ContentError> {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, body).map_err(|e| ContentError::Encode {
        reason: e.to_string(),
    })?;
    let actual = counter.0 + room;
    match limit {
        Some(limit) if actual > limit => Err(ContentError::TooLarge {
            msg_type: msg_type.to_owned(),
            limit,
            actual,
        }),
        _ => Ok(actual),
    }
}

/// Counts bytes instead of keeping them: measuring a body needs no second copy of it.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
