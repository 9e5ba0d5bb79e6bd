//! `interactive` messages: a card, kept as JSON until the cards issue adds a typed builder.

use super::error::ContentError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Content of an `interactive` (card) message: the card JSON, as sent or as received.
///
/// Any of the platform's card forms fits: a card JSON object (v1 `{config, header, elements}`
/// or v2 `{schema: "2.0", …, body}`), a template `{"type": "template", "data": {…}}` or a card
/// entity `{"type": "card", "data": {"card_id": …}}`. Received cards are a simplified rendering
/// unless fetched with `card_msg_content_type=raw_card_content`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InteractiveContent {
    /// The card JSON.
    pub card: Value,
}

impl InteractiveContent {
    /// A card from its JSON.
    pub fn new(card: Value) -> Self {
        Self { card }
    }

    /// A card from any value that serializes to the card JSON (a typed card, a map, …).
    pub fn from_card<C: Serialize + ?Sized>(card: &C) -> Result<Self, ContentError> {
        serde_json::to_value(card)
            .map(Self::new)
            .map_err(|e| ContentError::Encode {
                reason: e.to_string(),
            })
    }

    /// A card from a template: `{"type": "template", "data": {"template_id", "template_version_name"?,
    /// "template_variable"?}}`.
    pub fn template(
        template_id: &str,
        version_name: Option<&str>,
        variables: Option<Value>,
    ) -> Self {
        let mut data = serde_json::Map::new();
        data.insert("template_id".into(), template_id.into());
        if let Some(version) = version_name {
            data.insert("template_version_name".into(), version.into());
        }
        if let Some(variables) = variables {
            data.insert("template_variable".into(), variables);
        }
        Self::new(serde_json::json!({"type": "template", "data": data}))
    }
}
