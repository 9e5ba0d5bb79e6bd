//! Borrowed, lenient view of callback payloads: just the fields the receiver routes and
//! authenticates on, read without copying and without building a JSON tree.
//!
//! Fields of an unexpected JSON type are read as absent instead of failing the whole payload,
//! so that an unusual event body never turns into a rejection (and four useless redeliveries).
//! Duplicated keys among the fields read here are still an error.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::WebhookError;

/// A string field: absent (or not a string), borrowed from the input, or unescaped into a copy.
#[derive(Debug, Default)]
pub(crate) enum Text<'a> {
    #[default]
    Absent,
    Borrowed(&'a str),
    Owned(String),
}

impl Text<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Absent => None,
            Self::Borrowed(s) => Some(s),
            Self::Owned(s) => Some(s),
        }
    }

    pub(crate) fn into_string(self) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Borrowed(s) => Some(s.to_owned()),
            Self::Owned(s) => Some(s),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text::Owned(v))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Text::Absent)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map)?;
        Ok(Text::Absent)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        Ok(Text::Absent)
    }
}

/// An object field: `Some` when the value is a JSON object, `None` for any other value.
#[derive(Debug)]
pub(crate) struct Obj<T>(pub(crate) Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

struct ObjVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|v| Obj(Some(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        Ok(Obj(None))
    }

    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Top level of every payload shape: the encrypted wrapper, `url_verification`, schema 1.0 and
/// schema 2.0 events.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct Envelope<'a> {
    #[serde(borrow)]
    pub(crate) encrypt: Text<'a>,
    #[serde(borrow)]
    pub(crate) schema: Text<'a>,
    #[serde(borrow, rename = "type")]
    pub(crate) kind: Text<'a>,
    #[serde(borrow)]
    pub(crate) challenge: Text<'a>,
    #[serde(borrow)]
    pub(crate) token: Text<'a>,
    #[serde(borrow)]
    pub(crate) uuid: Text<'a>,
    #[serde(borrow)]
    pub(crate) header: Obj<Header<'a>>,
    #[serde(borrow)]
    pub(crate) event: Obj<EventFacts<'a>>,
}

/// `header` of a schema 2.0 event.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct Header<'a> {
    #[serde(borrow)]
    pub(crate) event_id: Text<'a>,
    #[serde(borrow)]
    pub(crate) event_type: Text<'a>,
    #[serde(borrow)]
    pub(crate) token: Text<'a>,
    #[serde(borrow)]
    pub(crate) app_id: Text<'a>,
    #[serde(borrow)]
    pub(crate) tenant_key: Text<'a>,
}

/// The routing fields of `event` in a schema 1.0 event.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct EventFacts<'a> {
    #[serde(borrow, rename = "type")]
    pub(crate) kind: Text<'a>,
    #[serde(borrow)]
    pub(crate) app_id: Text<'a>,
    #[serde(borrow)]
    pub(crate) tenant_key: Text<'a>,
}

/// Checks that `bytes` is UTF-8 and returns it as text.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, WebhookError> {
    std::str::from_utf8(bytes).map_err(|_| WebhookError::InvalidUtf8)
}

/// Parses `text`, which must be exactly one JSON object.
pub(crate) fn parse(text: &str) -> Result<Envelope<'_>, WebhookError> {
    // A derived struct would also accept a JSON array of its fields; only objects are payloads.
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return Err(WebhookError::InvalidJson);
    }
    serde_json::from_str(text).map_err(|_| WebhookError::InvalidJson)
}
