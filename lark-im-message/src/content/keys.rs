//! The message types whose content is a key or an id: image, file, audio, media, sticker,
//! share_chat, share_user.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

content_struct!(
    /// Content of an `image` message.
    ImageContent {
        /// Key from `image.create` (`image_type=message`).
        image_key: String,
    }
);

content_struct!(
    /// Content of a `file` message.
    FileContent {
        /// Key from `file.create`.
        file_key: String,
        /// File name (received messages).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_name: Option<String>,
    }
);

content_struct!(
    /// Content of an `audio` message.
    AudioContent {
        /// Key of an opus upload.
        file_key: String,
        /// Length in milliseconds (received messages).
        #[serde(default, skip_serializing_if = "Option::is_none", with = "number")]
        duration: Option<u64>,
    }
);

content_struct!(
    /// Content of a `media` (video) message.
    MediaContent {
        /// Key of an mp4 upload.
        file_key: String,
        /// Key of the cover image (send one: newer platform versions require it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_key: Option<String>,
        /// File name (received messages).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_name: Option<String>,
        /// Length in milliseconds (received messages).
        #[serde(default, skip_serializing_if = "Option::is_none", with = "number")]
        duration: Option<u64>,
    }
);

content_struct!(
    /// Content of a `sticker` message (only stickers the bot has received can be sent).
    StickerContent {
        /// Sticker key.
        file_key: String,
    }
);

content_struct!(
    /// Content of a `share_chat` message: a card pointing to a group.
    ShareChatContent {
        /// The group, `oc_…` (the bot must be in it).
        chat_id: String,
    }
);

content_struct!(
    /// Content of a `share_user` message: a card pointing to a user.
    ShareUserContent {
        /// The user's open_id.
        user_id: String,
    }
);

/// `new` for content made of one key: the key given, every other field unset.
macro_rules! key_constructor {
    ($($name:ident($field:ident): $doc:literal,)*) => {$(
        impl $name {
            #[doc = $doc]
            pub fn new($field: impl Into<String>) -> Self {
                Self {
                    $field: $field.into(),
                    ..Self::default()
                }
            }
        }
    )*};
}

key_constructor!(
    ImageContent(image_key): "An image by key.",
    FileContent(file_key): "A file by key.",
    AudioContent(file_key): "A voice message by the key of its opus upload.",
    StickerContent(file_key): "A sticker by key.",
    ShareChatContent(chat_id): "A card pointing to the group `chat_id`.",
    ShareUserContent(user_id): "A card pointing to the user whose open_id is `user_id`.",
);

impl MediaContent {
    /// A video by the key of its mp4 upload, with the key of its cover image.
    pub fn new(file_key: impl Into<String>, cover_image_key: impl Into<String>) -> Self {
        Self {
            file_key: file_key.into(),
            image_key: Some(cover_image_key.into()),
            ..Self::default()
        }
    }
}

/// A count read from a JSON number or a numeric string (SDKs disagree on such types), written
/// as a number.
mod number {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        use serde::de::Error as _;
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| D::Error::custom(format_args!("{n} is not a count"))),
            Some(Value::String(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| D::Error::custom(format_args!("{s:?} is not a count"))),
            Some(other) => Err(D::Error::custom(format_args!("{other} is not a count"))),
        }
    }
}
