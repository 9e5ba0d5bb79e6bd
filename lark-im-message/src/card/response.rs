//! The synchronous answer to a `card.action.trigger` callback.
//!
//! The body of the HTTP 200 (or, on the long connection, the base64 `data` of the ack) is
//! `{}` to leave the card as it is, or holds a `toast`, a `card` replacing the clicked one, or
//! both. A JSON 2.0 card cannot be replaced by a 1.0 card (client error 200830).

use super::template::TemplateCard;
use super::wire::{card_object, open_enum};
use super::Card;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

open_enum! {
    /// Style of a toast (`toast.type`).
    pub enum ToastKind {
        /// `info`
        Info = "info",
        /// `success`
        Success = "success",
        /// `error`
        Error = "error",
        /// `warning`
        Warning = "warning",
    }
}

card_object! {
    /// A toast shown to the user who interacted:
    /// `{"type": "success", "content": …, "i18n": {"en_us": …}}`.
    pub struct Toast {
        /// Style.
        opt kind "type": Option<ToastKind>,
        /// Text in the default language.
        opt content "content": Option<String>,
        /// Texts per locale (`zh_cn`, `en_us`, `ja_jp`, …).
        opt i18n "i18n": Option<BTreeMap<String, String>>,
    }
}

impl Toast {
    /// A toast of `kind` saying `content`.
    pub fn new(kind: ToastKind, content: impl Into<String>) -> Self {
        Self {
            kind: Some(kind),
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// Adds the text for `locale` (e.g. `en_us`).
    pub fn i18n(mut self, locale: impl Into<String>, text: impl Into<String>) -> Self {
        self.i18n
            .get_or_insert_with(BTreeMap::new)
            .insert(locale.into(), text.into());
        self
    }
}

/// The card of a response, replacing the clicked one.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallbackCard {
    /// `{"type": "raw", "data": <card JSON>}`.
    Raw(Box<Card>),
    /// `{"type": "template", "data": {"template_id", …}}`.
    Template(TemplateCard),
    /// Any other shape, kept as it came.
    Other(Value),
}

impl CallbackCard {
    /// A card given as its JSON (`{"type": "raw", "data": card}`). An object is kept losslessly
    /// as a [`Card`]; anything else is sent as given.
    pub fn raw_json(card: Value) -> Self {
        match Card::deserialize(&card) {
            Ok(typed) => Self::Raw(Box::new(typed)),
            Err(_) => Self::Other(serde_json::json!({"type": "raw", "data": card})),
        }
    }
}

impl From<Card> for CallbackCard {
    fn from(card: Card) -> Self {
        Self::Raw(Box::new(card))
    }
}

impl From<TemplateCard> for CallbackCard {
    fn from(template: TemplateCard) -> Self {
        Self::Template(template)
    }
}

impl Serialize for CallbackCard {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn typed<S: Serializer, T: Serialize>(
            s: S,
            kind: &str,
            data: &T,
        ) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("type", kind)?;
            map.serialize_entry("data", data)?;
            map.end()
        }
        match self {
            Self::Raw(card) => typed(serializer, "raw", card),
            Self::Template(template) => typed(serializer, "template", template),
            Self::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for CallbackCard {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        // Typed only when `type` and `data` are all there is: anything more stays raw JSON.
        let typed = match value.as_object() {
            Some(map) if map.len() == 2 => {
                match (map.get("type").and_then(Value::as_str), map.get("data")) {
                    (Some("raw"), Some(data)) => Card::deserialize(data)
                        .ok()
                        .map(|card| Self::Raw(Box::new(card))),
                    (Some("template"), Some(data)) => {
                        TemplateCard::deserialize(data).ok().map(Self::Template)
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        Ok(typed.unwrap_or(Self::Other(value)))
    }
}

card_object! {
    /// The answer to a `card.action.trigger` callback (`CardActionTriggerResponse`): nothing
    /// (`{}`, the card stays), a toast, a card replacing the clicked one, or both.
    ///
    /// ```
    /// use lark_im_message::card::{Button, Card, CardActionResponse, ToastKind};
    /// use serde_json::json;
    ///
    /// let updated = Card::new().markdown("Said hello.");
    /// let answer = CardActionResponse::toast(ToastKind::Success, "Hello!").with_card(updated);
    /// assert_eq!(
    ///     serde_json::to_value(&answer)?,
    ///     json!({
    ///         "toast": {"type": "success", "content": "Hello!"},
    ///         "card": {"type": "raw", "data": {"schema": "2.0", "body": {"elements": [
    ///             {"tag": "markdown", "content": "Said hello."}]}}}
    ///     })
    /// );
    /// assert_eq!(serde_json::to_string(&CardActionResponse::empty())?, "{}");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct CardActionResponse {
        /// Toast to show.
        opt toast "toast": Option<Toast>,
        /// Card replacing the clicked one.
        opt card "card": Option<CallbackCard>,
    }
}

impl CardActionResponse {
    /// `{}`: no toast, the card stays as it is.
    pub fn empty() -> Self {
        Self::default()
    }

    /// A toast of `kind` saying `content`.
    pub fn toast(kind: ToastKind, content: impl Into<String>) -> Self {
        Self::empty().with_toast(Toast::new(kind, content))
    }

    /// A card replacing the clicked one, with no toast.
    pub fn card(card: impl Into<CallbackCard>) -> Self {
        Self::empty().with_card(card)
    }

    /// Sets the toast.
    pub fn with_toast(mut self, toast: Toast) -> Self {
        self.toast = Some(toast);
        self
    }

    /// Sets the card replacing the clicked one: a [`Card`], a [`TemplateCard`] or a
    /// [`CallbackCard`].
    pub fn with_card(mut self, card: impl Into<CallbackCard>) -> Self {
        self.card = Some(card.into());
        self
    }

    /// The response as the JSON text of the HTTP body (or of the long-connection ack's `data`
    /// before base64).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
