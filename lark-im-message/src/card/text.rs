//! Text objects and the confirm dialog, shared by the elements and the header.

use super::wire::card_object;

card_object! {
    /// A text object: `{"tag": "plain_text" | "lark_md", "content": …}`.
    pub struct CardText {
        /// `plain_text` or `lark_md`.
        req tag "tag": String,
        /// The text (absent when only localized texts such as `i18n_content` are given; they
        /// stay in `extra`).
        opt content "content": Option<String>,
    }
}

impl CardText {
    /// Plain text: `{"tag": "plain_text", "content": text}`.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::with_tag("plain_text", text)
    }

    /// Text in the card's markdown subset: `{"tag": "lark_md", "content": text}`.
    pub fn lark_md(text: impl Into<String>) -> Self {
        Self::with_tag("lark_md", text)
    }

    fn with_tag(tag: &str, text: impl Into<String>) -> Self {
        Self {
            tag: tag.to_owned(),
            content: Some(text.into()),
            extra: Default::default(),
        }
    }
}

card_object! {
    /// A confirm dialog shown before an interaction is sent: `{"title": …, "text": …}`.
    pub struct Confirm {
        /// Dialog title.
        opt title "title": Option<CardText>,
        /// Dialog text.
        opt text "text": Option<CardText>,
    }
}

impl Confirm {
    /// A dialog with this plain-text title and text.
    pub fn new(title: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            title: Some(CardText::plain(title)),
            text: Some(CardText::plain(text)),
            extra: Default::default(),
        }
    }
}
