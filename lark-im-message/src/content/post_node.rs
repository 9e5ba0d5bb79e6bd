//! The nodes of a post paragraph, told apart by their `tag`.

use super::mention::ContentMention;
use super::post_style::TextStyle;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One node of a post paragraph.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PostNode {
    /// `text`: a run of text.
    Text(PostText),
    /// `a`: a link.
    Link(PostLink),
    /// `at`: a mention.
    At(PostAt),
    /// `img`: an image (alone in its paragraph).
    Image(PostImage),
    /// `media`: a video (alone in its paragraph).
    Media(PostMedia),
    /// `emotion`: an emoji.
    Emotion(PostEmotion),
    /// `hr`: a divider.
    Rule(PostRule),
    /// `code_block`: a code block.
    CodeBlock(PostCodeBlock),
    /// `md`: a Markdown block (send only: read back it comes converted to other nodes).
    Markdown(PostMarkdown),
    /// A node whose tag this version does not know (or lacks a tag), kept whole, `tag`
    /// included.
    Other(Map<String, Value>),
}

content_struct!(
    /// A run of text (`tag: text`).
    PostText {
        /// Text.
        text: String,
        /// Whether the platform decodes HTML escapes in `text`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        un_escape: Option<bool>,
        /// Styles (received nodes may carry an empty list).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<Vec<TextStyle>>,
    }
);

content_struct!(
    /// A link (`tag: a`); an invalid `href` fails the send.
    PostLink {
        /// Link text.
        text: String,
        /// URL.
        href: String,
        /// Styles.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<Vec<TextStyle>>,
    }
);

content_struct!(
    /// A mention (`tag: at`). Received, `user_id` may be an `@_user_N` placeholder: see
    /// [`id`](Self::id).
    PostAt {
        /// open_id, union_id or user_id, `all`, or (received) a placeholder.
        user_id: String,
        /// Name shown (received posts).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_name: Option<String>,
        /// Styles.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<Vec<TextStyle>>,
        /// The message mention `user_id` stands for, when it is a placeholder of a received
        /// message (not part of the JSON).
        #[serde(skip)]
        mention: Option<ContentMention>,
    }
);

impl PostAt {
    /// The id of the mentioned user: the resolved placeholder's id, else `user_id` itself.
    pub fn id(&self) -> &str {
        self.mention
            .as_ref()
            .and_then(|m| m.id.as_deref())
            .unwrap_or(&self.user_id)
    }
}

content_struct!(
    /// An image (`tag: img`).
    PostImage {
        /// Key from `image.create`.
        image_key: String,
    }
);

content_struct!(
    /// A video (`tag: media`).
    PostMedia {
        /// Key of the video from `file.create`.
        file_key: String,
        /// Key of the cover image.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_key: Option<String>,
    }
);

content_struct!(
    /// An emoji (`tag: emotion`).
    PostEmotion {
        /// Emoji key, e.g. `SMILE`.
        emoji_type: String,
    }
);

content_struct!(
    /// A divider (`tag: hr`).
    PostRule {}
);

content_struct!(
    /// A code block (`tag: code_block`).
    PostCodeBlock {
        /// Language name, case-insensitive (`PYTHON`, `GO`, …); none is plain text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        /// Code.
        text: String,
    }
);

content_struct!(
    /// A Markdown block (`tag: md`).
    PostMarkdown {
        /// Markdown (the platform's subset).
        text: String,
    }
);

impl PostNode {
    /// A run of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(PostText {
            text: text.into(),
            ..PostText::default()
        })
    }

    /// A run of text with styles.
    pub fn styled(text: impl Into<String>, style: impl IntoIterator<Item = TextStyle>) -> Self {
        Self::Text(PostText {
            text: text.into(),
            style: Some(style.into_iter().collect()),
            ..PostText::default()
        })
    }

    /// A link.
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self::Link(PostLink {
            text: text.into(),
            href: href.into(),
            ..PostLink::default()
        })
    }

    /// A mention of one user by open_id, union_id or user_id.
    pub fn at(user_id: impl Into<String>) -> Self {
        Self::At(PostAt {
            user_id: user_id.into(),
            ..PostAt::default()
        })
    }

    /// A mention of everyone in the chat.
    pub fn at_all() -> Self {
        Self::at("all")
    }

    /// An image by key.
    pub fn image(image_key: impl Into<String>) -> Self {
        Self::Image(PostImage {
            image_key: image_key.into(),
            ..PostImage::default()
        })
    }

    /// A video by key, with an optional cover image key.
    pub fn media(file_key: impl Into<String>, cover_image_key: Option<String>) -> Self {
        Self::Media(PostMedia {
            file_key: file_key.into(),
            image_key: cover_image_key,
            ..PostMedia::default()
        })
    }

    /// An emoji by key.
    pub fn emotion(emoji_type: impl Into<String>) -> Self {
        Self::Emotion(PostEmotion {
            emoji_type: emoji_type.into(),
            ..PostEmotion::default()
        })
    }

    /// A divider.
    pub fn rule() -> Self {
        Self::Rule(PostRule::default())
    }

    /// A code block.
    pub fn code_block(language: Option<String>, text: impl Into<String>) -> Self {
        Self::CodeBlock(PostCodeBlock {
            language,
            text: text.into(),
            ..PostCodeBlock::default()
        })
    }

    /// A Markdown block.
    pub fn markdown(text: impl Into<String>) -> Self {
        Self::Markdown(PostMarkdown {
            text: text.into(),
            ..PostMarkdown::default()
        })
    }

    /// The `tag` of this node.
    pub fn tag(&self) -> &str {
        match self {
            Self::Text(_) => "text",
            Self::Link(_) => "a",
            Self::At(_) => "at",
            Self::Image(_) => "img",
            Self::Media(_) => "media",
            Self::Emotion(_) => "emotion",
            Self::Rule(_) => "hr",
            Self::CodeBlock(_) => "code_block",
            Self::Markdown(_) => "md",
            Self::Other(map) => map.get("tag").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

/// A node with its tag written first.
#[derive(Serialize)]
struct Tagged<'a, T> {
    tag: &'a str,
    #[serde(flatten)]
    node: &'a T,
}

impl Serialize for PostNode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tag = self.tag();
        match self {
            Self::Text(n) => Tagged { tag, node: n }.serialize(s),
            Self::Link(n) => Tagged { tag, node: n }.serialize(s),
            Self::At(n) => Tagged { tag, node: n }.serialize(s),
            Self::Image(n) => Tagged { tag, node: n }.serialize(s),
            Self::Media(n) => Tagged { tag, node: n }.serialize(s),
            Self::Emotion(n) => Tagged { tag, node: n }.serialize(s),
            Self::Rule(n) => Tagged { tag, node: n }.serialize(s),
            Self::CodeBlock(n) => Tagged { tag, node: n }.serialize(s),
            Self::Markdown(n) => Tagged { tag, node: n }.serialize(s),
            Self::Other(map) => map.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for PostNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        let Some(tag) = map.get("tag").and_then(Value::as_str).map(str::to_owned) else {
            return Ok(Self::Other(map));
        };
        Ok(match tag.as_str() {
            "text" => Self::Text(node::<_, D::Error>(&tag, map)?),
            "a" => Self::Link(node::<_, D::Error>(&tag, map)?),
            "at" => Self::At(node::<_, D::Error>(&tag, map)?),
            "img" => Self::Image(node::<_, D::Error>(&tag, map)?),
            "media" => Self::Media(node::<_, D::Error>(&tag, map)?),
            "emotion" => Self::Emotion(node::<_, D::Error>(&tag, map)?),
            "hr" => Self::Rule(node::<_, D::Error>(&tag, map)?),
            "code_block" => Self::CodeBlock(node::<_, D::Error>(&tag, map)?),
            "md" => Self::Markdown(node::<_, D::Error>(&tag, map)?),
            _ => Self::Other(map),
        })
    }
}

/// The node struct of a known tag, from its JSON object without the tag.
fn node<T: DeserializeOwned, E: serde::de::Error>(
    tag: &str,
    mut map: Map<String, Value>,
) -> Result<T, E> {
    map.remove("tag");
    T::deserialize(Value::Object(map)).map_err(|e| E::custom(format_args!("{tag} node: {e}")))
}
