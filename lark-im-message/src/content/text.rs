//! `text` messages: the content, a builder for mentions and inline styles, and the rendering of
//! received placeholders.

use super::mention::{self, ContentMention, KeyFinder};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Content of a `text` message: `{"text": "…"}`.
///
/// Sent text carries mentions as `<at user_id="…">` tags (see [`TextContent::builder`]);
/// received text carries `@_user_N` placeholders, resolved through [`mentions`](Self::mentions).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TextContent {
    /// The text, with `\n` for new lines.
    pub text: String,
    /// Fields this version does not know, kept so that a round trip loses nothing.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The mentions of a received message whose placeholders appear in `text` (empty for content
    /// built to be sent; not part of the JSON).
    #[serde(skip)]
    pub mentions: Vec<ContentMention>,
}

impl TextContent {
    /// Content holding `text` as written (use [`builder`](Self::builder) for mentions).
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A builder appending plain text, mentions, styles and links.
    pub fn builder() -> TextBuilder {
        TextBuilder::default()
    }

    /// The text with each resolved placeholder written as the `<at user_id="…">Name</at>` tag,
    /// the form used to send it again; unresolved placeholders stay as they are.
    pub fn with_at_tags(&self) -> String {
        KeyFinder::new(&self.mentions).replace(&self.text, ContentMention::at_tag)
    }

    /// The text as a person reads it: each resolved placeholder written `@Name`.
    pub fn display_text(&self) -> String {
        KeyFinder::new(&self.mentions)
            .replace(&self.text, |m| m.name.as_ref().map(|n| format!("@{n}")))
    }

    /// Whether the user or bot with this id is among [`mentions`](Self::mentions).
    pub fn mentions_id(&self, id: &str) -> bool {
        self.mentions.iter().any(|m| m.id.as_deref() == Some(id))
    }
}

/// Builds the text of a `text` message piece by piece; made by [`TextContent::builder`].
///
/// ```
/// use lark_im_message::content::TextContent;
///
/// let text = TextContent::builder()
///     .at_user("ou_84aad35d084aa403a838cf73ee18467", "Tom")
///     .text(" the build is ")
///     .bold("green")
///     .build();
/// assert_eq!(
///     text.text,
///     r#"<at user_id="ou_84aad35d084aa403a838cf73ee18467">Tom</at> the build is <b>green</b>"#
/// );
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct TextBuilder {
    text: String,
}

impl TextBuilder {
    /// Appends plain text.
    pub fn text(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    /// Appends a new line.
    pub fn newline(self) -> Self {
        self.text("\n")
    }

    /// Appends a mention of one user: `<at user_id="…">Name</at>` (see [`at_user`](super::at_user)).
    pub fn at_user(mut self, user_id: &str, name: &str) -> Self {
        self.text.push_str(&mention::at_user(user_id, name));
        self
    }

    /// Appends a mention of everyone: `<at user_id="all"></at>`.
    pub fn at_all(self) -> Self {
        self.text(mention::AT_ALL)
    }

    /// Appends `<b>text</b>`.
    pub fn bold(self, text: &str) -> Self {
        self.styled("b", text)
    }

    /// Appends `<i>text</i>`.
    pub fn italic(self, text: &str) -> Self {
        self.styled("i", text)
    }

    /// Appends `<u>text</u>`.
    pub fn underline(self, text: &str) -> Self {
        self.styled("u", text)
    }

    /// Appends `<s>text</s>`.
    pub fn strikethrough(self, text: &str) -> Self {
        self.styled("s", text)
    }

    /// Appends a link, `[text](url)`; the platform sends an invalid link as plain text.
    pub fn link(mut self, text: &str, url: &str) -> Self {
        self.text.push_str(&format!("[{text}]({url})"));
        self
    }

    fn styled(mut self, tag: &str, text: &str) -> Self {
        self.text.push_str(&format!("<{tag}>{text}</{tag}>"));
        self
    }

    /// The content.
    pub fn build(self) -> TextContent {
        TextContent::new(self.text)
    }
}
