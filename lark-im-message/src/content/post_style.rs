//! Text styles of post nodes (an open set: the platform ignores values it does not know).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Style of a post text, link or mention node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextStyle {
    /// `bold`
    Bold,
    /// `italic`
    Italic,
    /// `underline`
    Underline,
    /// `lineThrough` (strikethrough)
    LineThrough,
    /// A value this version does not know, kept as sent.
    Other(String),
}

impl TextStyle {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bold => "bold",
            Self::Italic => "italic",
            Self::Underline => "underline",
            Self::LineThrough => "lineThrough",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for TextStyle {
    fn from(value: &str) -> Self {
        match value {
            "bold" => Self::Bold,
            "italic" => Self::Italic,
            "underline" => Self::Underline,
            "lineThrough" => Self::LineThrough,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for TextStyle {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TextStyle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from(String::deserialize(d)?.as_str()))
    }
}
