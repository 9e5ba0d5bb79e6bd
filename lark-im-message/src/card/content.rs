//! Cards as message content: `interactive` messages, checked like any other content.

use super::template::TemplateCard;
use super::Card;
use crate::content::{ContentError, InteractiveContent, MessageContent};

impl Card {
    /// The card as the content of an `interactive` message. Its size is checked where the
    /// request body is made ([`MessageCreateBody::with_content`](crate::types::MessageCreateBody::with_content)
    /// and the reply and patch bodies): a card over 30 KB is refused before sending.
    pub fn to_content(&self) -> Result<MessageContent, ContentError> {
        InteractiveContent::from_card(self).map(MessageContent::Interactive)
    }

    /// The card of `interactive` content (sent or received: received cards are the platform's
    /// simplified rendering unless fetched raw). A card that is not a JSON object is
    /// [`ContentError::Malformed`].
    pub fn from_content(content: &InteractiveContent) -> Result<Self, ContentError> {
        serde::Deserialize::deserialize(&content.card).map_err(|e: serde_json::Error| {
            ContentError::Malformed {
                msg_type: "interactive".to_owned(),
                reason: e.to_string(),
            }
        })
    }
}

impl TemplateCard {
    /// The template as the content of an `interactive` message:
    /// `{"type": "template", "data": {…}}`, size-checked like [`Card::to_content`].
    pub fn to_content(&self) -> Result<MessageContent, ContentError> {
        let data = serde_json::to_value(self).map_err(|e| ContentError::Encode {
            reason: e.to_string(),
        })?;
        Ok(MessageContent::Interactive(InteractiveContent::new(
            serde_json::json!({"type": "template", "data": data}),
        )))
    }
}

impl TryFrom<&Card> for MessageContent {
    type Error = ContentError;

    fn try_from(card: &Card) -> Result<Self, ContentError> {
        card.to_content()
    }
}

impl TryFrom<&TemplateCard> for MessageContent {
    type Error = ContentError;

    fn try_from(template: &TemplateCard) -> Result<Self, ContentError> {
        template.to_content()
    }
}
