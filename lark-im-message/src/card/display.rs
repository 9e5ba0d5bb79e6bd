//! Display elements: markdown, plain text, divider, image.

use super::text::CardText;
use super::wire::card_object;

card_object! {
    /// Rich text in the card's markdown syntax: `{"tag": "markdown", "content": …}`
    /// (mentions are written `<at id=ou_…></at>`).
    pub struct Markdown as "markdown" {
        /// The markdown text.
        req content "content": String,
    }
}

impl Markdown {
    /// A markdown element with this text.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            extra: Default::default(),
        }
    }
}

card_object! {
    /// A text block: `{"tag": "div", "text": {"tag": "plain_text", …}}`.
    pub struct Div as "div" {
        /// The text.
        opt text "text": Option<CardText>,
    }
}

impl Div {
    /// A block of plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::with_text(CardText::plain(text))
    }

    /// A block holding this text object.
    pub fn with_text(text: CardText) -> Self {
        Self {
            text: Some(text),
            extra: Default::default(),
        }
    }
}

card_object! {
    /// A divider line: `{"tag": "hr"}`.
    pub struct Hr as "hr" {}
}

impl Hr {
    /// A divider.
    pub fn new() -> Self {
        Self::default()
    }
}

card_object! {
    /// An image: `{"tag": "img", "img_key": …, "alt": {"tag": "plain_text", …}}`; the key comes
    /// from an image upload (`image.create`).
    pub struct Image as "img" {
        /// Image key (`img_…`).
        req img_key "img_key": String,
        /// Text shown when hovering or when the image cannot be shown.
        opt alt "alt": Option<CardText>,
    }
}

impl Image {
    /// The uploaded image `img_key` with plain-text `alt` text (may be empty).
    pub fn new(img_key: impl Into<String>, alt: impl Into<String>) -> Self {
        Self {
            img_key: img_key.into(),
            alt: Some(CardText::plain(alt)),
            extra: Default::default(),
        }
    }
}
