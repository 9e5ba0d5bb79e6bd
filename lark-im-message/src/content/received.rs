//! Decoding the content of received (event) and fetched (REST) messages.

use super::error::ContentError;
use super::mention::ContentMention;
use super::{MessageContent, RawContent};
use crate::types::{EventMessage, Message};

impl EventMessage {
    /// The content decoded by `message_type`, its `@_user_N` placeholders resolved through
    /// `mentions` (see [`MessageContent::decode_with_mentions`]).
    ///
    /// (Named `decode_content` because `content` is the generated setter of the raw field.)
    pub fn decode_content(&self) -> Result<MessageContent, ContentError> {
        let msg_type = self.message_type.as_ref().ok_or(ContentError::Missing {
            field: "message_type",
        })?;
        let content = self
            .content
            .as_deref()
            .ok_or(ContentError::Missing { field: "content" })?;
        let mentions = ContentMention::from_event(self.mentions.as_deref());
        MessageContent::decode_with_mentions(&msg_type.as_str(), content, mentions)
    }
}

impl Message {
    /// The content (`body.content`) decoded by `msg_type`, its `@_user_N` placeholders resolved
    /// through `mentions`. A recalled message (`deleted: true`) whose content is not its
    /// type's JSON comes back raw rather than as an error.
    pub fn decode_content(&self) -> Result<MessageContent, ContentError> {
        let msg_type = self
            .msg_type
            .as_ref()
            .ok_or(ContentError::Missing { field: "msg_type" })?;
        let content = self
            .body
            .as_ref()
            .and_then(|b| b.content.as_deref())
            .ok_or(ContentError::Missing {
                field: "body.content",
            })?;
        let msg_type = msg_type.as_str();
        let mentions = ContentMention::from_rest(self.mentions.as_deref());
        match MessageContent::decode_with_mentions(&msg_type, content, mentions) {
            Err(ContentError::Malformed { .. }) if self.deleted == Some(true) => {
                Ok(MessageContent::Raw(RawContent::new(msg_type, content)))
            }
            decoded => decoded,
        }
    }
}
