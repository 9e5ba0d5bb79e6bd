//! Message content, typed both ways.
//!
//! `content` travels as JSON *text* inside the JSON of a request or response, shaped by the
//! message type. [`MessageContent`] has one variant per type the platform documents for sending,
//! plus [`Raw`](MessageContent::Raw) for every other type, kept as received:
//!
//! - sending: [`MessageContent::to_content_string`], and the body constructors
//!   ([`MessageCreateBody::with_content`](crate::types::MessageCreateBody::with_content), and
//!   the same on the reply, update and patch bodies) that set `msg_type` and `content` and check
//!   the platform's size limit first ([`limits`]): a [`ContentError::TooLarge`], nothing sent;
//! - receiving: [`EventMessage::decode_content`](crate::types::EventMessage::decode_content)
//!   and [`Message::decode_content`](crate::types::Message::decode_content) decode by message
//!   type into the same types, with `@_user_N` placeholders resolved through the message's
//!   mentions. Unknown types come back raw, never as an error; content of a known type that is
//!   not its JSON is a [`ContentError::Malformed`].
//!
//! Fields this version does not know are kept in each type's `extra` map, so decoding and
//! encoding again loses nothing.
//!
//! ```
//! use lark_im_message::content::{MessageContent, TextContent};
//!
//! let hello = TextContent::builder()
//!     .at_user("ou_84aad35d084aa403a838cf73ee18467", "Tom")
//!     .text(" welcome!")
//!     .build();
//! let content = MessageContent::from(hello);
//! assert_eq!(content.msg_type(), "text");
//! let json = content.to_content_string()?;
//! assert_eq!(
//!     json,
//!     r#"{"text":"<at user_id=\"ou_84aad35d084aa403a838cf73ee18467\">Tom</at> welcome!"}"#
//! );
//! assert_eq!(MessageContent::decode("text", &json)?, content);
//! # Ok::<(), lark_im_message::content::ContentError>(())
//! ```

/// Declares a content struct: its fields, then `extra` for the fields this version does not
/// know.
macro_rules! content_struct {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
            /// Fields this version does not know, kept so that a round trip loses nothing.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }
    };
}

mod bodies;
mod card;
mod error;
mod keys;
pub mod limits;
mod mention;
mod post;
mod post_node;
mod post_style;
mod received;
mod text;

pub use card::InteractiveContent;
pub use error::ContentError;
pub use keys::{
    AudioContent, FileContent, ImageContent, MediaContent, ShareChatContent, ShareUserContent,
    StickerContent,
};
pub use mention::{at_user, ContentMention, AT_ALL};
pub use post::{PostBody, PostContent};
pub use post_node::{
    PostAt, PostCodeBlock, PostEmotion, PostImage, PostLink, PostMarkdown, PostMedia, PostNode,
    PostRule, PostText,
};
pub use post_style::TextStyle;
pub use text::{TextBuilder, TextContent};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The content of a message, one variant per message type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageContent {
    /// `text`
    Text(TextContent),
    /// `post` (rich text)
    Post(PostContent),
    /// `image`
    Image(ImageContent),
    /// `file`
    File(FileContent),
    /// `audio` (voice)
    Audio(AudioContent),
    /// `media` (video)
    Media(MediaContent),
    /// `sticker`
    Sticker(StickerContent),
    /// `interactive` (card)
    Interactive(InteractiveContent),
    /// `share_chat` (group card)
    ShareChat(ShareChatContent),
    /// `share_user` (user card)
    ShareUser(ShareUserContent),
    /// Any other message type (`system`, `location`, `vote`, `merge_forward`, types newer than
    /// this version…), its content kept as the JSON text it came as.
    Raw(RawContent),
}

/// Content of a message type without a typed variant: the type and the JSON text as they came.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RawContent {
    /// Message type, e.g. `location`.
    pub msg_type: String,
    /// The content JSON text, unchanged.
    pub content: String,
}

impl RawContent {
    /// Content of type `msg_type` given as its JSON text (sent unchanged).
    pub fn new(msg_type: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            msg_type: msg_type.into(),
            content: content.into(),
        }
    }
}

impl MessageContent {
    /// The message type (`msg_type` in the REST API, `message_type` in events).
    pub fn msg_type(&self) -> &str {
        match self {
            Self::Text(_) => "text",
            Self::Post(_) => "post",
            Self::Image(_) => "image",
            Self::File(_) => "file",
            Self::Audio(_) => "audio",
            Self::Media(_) => "media",
            Self::Sticker(_) => "sticker",
            Self::Interactive(_) => "interactive",
            Self::ShareChat(_) => "share_chat",
            Self::ShareUser(_) => "share_user",
            Self::Raw(raw) => &raw.msg_type,
        }
    }

    /// The content as the JSON text the `content` field carries.
    pub fn to_content_string(&self) -> Result<String, ContentError> {
        fn json<T: Serialize>(value: &T) -> Result<String, ContentError> {
            serde_json::to_string(value).map_err(|e| ContentError::Encode {
                reason: e.to_string(),
            })
        }
        match self {
            Self::Text(c) => json(c),
            Self::Post(c) => json(c),
            Self::Image(c) => json(c),
            Self::File(c) => json(c),
            Self::Audio(c) => json(c),
            Self::Media(c) => json(c),
            Self::Sticker(c) => json(c),
            Self::Interactive(c) => json(c),
            Self::ShareChat(c) => json(c),
            Self::ShareUser(c) => json(c),
            Self::Raw(raw) => Ok(raw.content.clone()),
        }
    }

    /// Decodes the JSON text `content` of a message of type `msg_type`. A type without a typed
    /// variant is kept raw and is never an error.
    pub fn decode(msg_type: &str, content: &str) -> Result<Self, ContentError> {
        fn typed<T: DeserializeOwned>(
            msg_type: &str,
            content: &str,
            variant: fn(T) -> MessageContent,
        ) -> Result<MessageContent, ContentError> {
            serde_json::from_str(content)
                .map(variant)
                .map_err(|e| ContentError::Malformed {
                    msg_type: msg_type.to_owned(),
                    reason: e.to_string(),
                })
        }
        match msg_type {
            "text" => typed(msg_type, content, Self::Text),
            "post" => typed(msg_type, content, Self::Post),
            "image" => typed(msg_type, content, Self::Image),
            "file" => typed(msg_type, content, Self::File),
            "audio" => typed(msg_type, content, Self::Audio),
            "media" => typed(msg_type, content, Self::Media),
            "sticker" => typed(msg_type, content, Self::Sticker),
            "interactive" => typed(msg_type, content, Self::Interactive),
            "share_chat" => typed(msg_type, content, Self::ShareChat),
            "share_user" => typed(msg_type, content, Self::ShareUser),
            _ => Ok(Self::Raw(RawContent::new(msg_type, content))),
        }
    }

    /// Like [`decode`](Self::decode), then resolves the `@_user_N` placeholders of text and of
    /// post mentions through `mentions` (see [`ContentMention::from_event`] and
    /// [`ContentMention::from_rest`]).
    pub fn decode_with_mentions(
        msg_type: &str,
        content: &str,
        mentions: Vec<ContentMention>,
    ) -> Result<Self, ContentError> {
        let mut decoded = Self::decode(msg_type, content)?;
        match &mut decoded {
            Self::Text(text) => {
                let keys = mention::KeyFinder::new(&mentions).keys_in(&text.text);
                text.mentions = mentions
                    .into_iter()
                    .filter(|m| keys.contains(&m.key))
                    .collect();
            }
            Self::Post(post) => post::resolve_mentions(post, &mentions),
            _ => {}
        }
        Ok(decoded)
    }

    /// A `text` message holding `text` as written.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextContent::new(text))
    }
}

macro_rules! from_variant {
    ($($ty:ident => $variant:ident,)*) => {$(
        impl From<$ty> for MessageContent {
            fn from(content: $ty) -> Self {
                Self::$variant(content)
            }
        }
    )*};
}

from_variant!(
    TextContent => Text,
    PostContent => Post,
    ImageContent => Image,
    FileContent => File,
    AudioContent => Audio,
    MediaContent => Media,
    StickerContent => Sticker,
    InteractiveContent => Interactive,
    ShareChatContent => ShareChat,
    ShareUserContent => ShareUser,
    RawContent => Raw,
);
