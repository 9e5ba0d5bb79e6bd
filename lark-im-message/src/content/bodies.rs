//! Typed content on the generated request bodies: constructors that set `msg_type` and
//! `content` together and check the size limit before anything is sent.

use super::error::ContentError;
use super::limits::{self, check_body};
use super::MessageContent;
use crate::types::{
    MessageCreateBody, MessagePatchBody, MessageReplyBody, MessageUpdateBody, SendMsgType,
    UpdateMsgType,
};

/// Room kept for a `uuid` not set yet: the client fills one in when sending, and the caller may
/// set one (at most 50 characters) after the check. `,"uuid":"…"`
const UUID_ROOM: usize = r#","uuid":"""#.len() + 50;
/// Room kept for `reply_in_thread` not set yet. `,"reply_in_thread":false`
const REPLY_IN_THREAD_ROOM: usize = r#","reply_in_thread":false"#.len();

impl MessageCreateBody {
    /// The body of `message.create` sending `content` to `receive_id`: `msg_type` and the
    /// `content` JSON text set from it, the size limit of its type checked
    /// ([`check_content_size`](Self::check_content_size)).
    pub fn with_content(
        receive_id: impl Into<String>,
        content: &MessageContent,
    ) -> Result<Self, ContentError> {
        let msg_type = SendMsgType::from(content.msg_type());
        let body = Self::new(receive_id, msg_type, content.to_content_string()?);
        body.check_content_size()?;
        Ok(body)
    }

    /// Checks the request body against the platform's limit for its message type
    /// ([`limits::body_limit`]), counting room for the longest `uuid` while none is set; the
    /// size counted when within it.
    pub fn check_content_size(&self) -> Result<usize, ContentError> {
        let msg_type = self.msg_type.as_str();
        let room = if self.uuid.is_none() { UUID_ROOM } else { 0 };
        check_body(&msg_type, limits::body_limit(&msg_type), self, room)
    }
}

impl MessageReplyBody {
    /// The body of `message.reply` answering with `content` (not a `system` message), checked
    /// like [`MessageCreateBody::with_content`].
    pub fn with_content(content: &MessageContent) -> Result<Self, ContentError> {
        let msg_type = SendMsgType::from(content.msg_type());
        if msg_type == SendMsgType::System {
            return Err(not_allowed(content, "message.reply"));
        }
        let body = Self::new(content.to_content_string()?, msg_type);
        body.check_content_size()?;
        Ok(body)
    }

    /// Checks the request body against the platform's limit for its message type, counting
    /// room for `uuid` and `reply_in_thread` while they are not set.
    pub fn check_content_size(&self) -> Result<usize, ContentError> {
        let msg_type = self.msg_type.as_str();
        let room = if self.uuid.is_none() { UUID_ROOM } else { 0 }
            + if self.reply_in_thread.is_none() {
                REPLY_IN_THREAD_ROOM
            } else {
                0
            };
        check_body(&msg_type, limits::body_limit(&msg_type), self, room)
    }
}

impl MessageUpdateBody {
    /// The body of `message.update` replacing a message's content with `content`, which must be
    /// `text` or `post` (cards change with [`MessagePatchBody::with_content`]).
    pub fn with_content(content: &MessageContent) -> Result<Self, ContentError> {
        let msg_type = match content.msg_type() {
            "text" => UpdateMsgType::Text,
            "post" => UpdateMsgType::Post,
            _ => return Err(not_allowed(content, "message.update")),
        };
        let body = Self::new(msg_type, content.to_content_string()?);
        body.check_content_size()?;
        Ok(body)
    }

    /// Checks the request body against the platform's limit for its message type.
    pub fn check_content_size(&self) -> Result<usize, ContentError> {
        let msg_type = self.msg_type.as_str();
        check_body(&msg_type, limits::body_limit(&msg_type), self, 0)
    }
}

impl MessagePatchBody {
    /// The body of `message.patch` replacing a card with `content`, which must be
    /// `interactive`; its size checked ([`limits::PATCH_CARD_MAX_BYTES`]).
    pub fn with_content(content: &MessageContent) -> Result<Self, ContentError> {
        if content.msg_type() != "interactive" {
            return Err(not_allowed(content, "message.patch"));
        }
        let body = Self::new(content.to_content_string()?);
        body.check_content_size()?;
        Ok(body)
    }

    /// Checks the request body against [`limits::PATCH_CARD_MAX_BYTES`].
    pub fn check_content_size(&self) -> Result<usize, ContentError> {
        check_body("interactive", Some(limits::PATCH_CARD_MAX_BYTES), self, 0)
    }
}

fn not_allowed(content: &MessageContent, operation: &'static str) -> ContentError {
    ContentError::NotAllowed {
        msg_type: content.msg_type().to_owned(),
        operation,
    }
}
