//! How the card types meet JSON.
//!
//! Every card object keeps what this version does not type in its `extra` map: unknown fields,
//! and known fields whose JSON a typed value would not give back exactly (an explicit `null`,
//! an empty list, a value of another shape). Decoding and encoding again therefore yields the
//! same JSON. A required field that is missing or malformed makes the object fail to decode,
//! so that its parent keeps it whole (in `extra`, or as [`CardElement::Raw`](super::CardElement::Raw)).

use serde::de::{DeserializeOwned, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A JSON object, as kept in `extra`.
pub(crate) type JsonMap = Map<String, Value>;

/// Whether a typed field is left out of the JSON: an absent option, an empty list.
pub(crate) trait Omit {
    fn omitted(&self) -> bool;
}

impl<T> Omit for Option<T> {
    fn omitted(&self) -> bool {
        self.is_none()
    }
}

impl<T> Omit for Vec<T> {
    fn omitted(&self) -> bool {
        self.is_empty()
    }
}

impl Omit for String {
    fn omitted(&self) -> bool {
        false
    }
}

/// A card object: its fields written into a JSON map, and read back out of one.
pub(crate) trait Object: Sized {
    /// Writes the typed fields (the tag first, if any), then `extra`.
    fn write_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
    /// Reads the typed fields out of `map`; what is left becomes `extra`.
    fn from_fields<E: serde::de::Error>(map: JsonMap) -> Result<Self, E>;
}

/// Takes an optional field out of `map` when its typed value gives back the same JSON;
/// otherwise leaves it in `map` (so in `extra`) and types it as absent.
pub(crate) fn opt<T, E>(map: &mut JsonMap, key: &str) -> Result<T, E>
where
    T: DeserializeOwned + Omit + Default,
{
    let typed = map.get(key).and_then(|v| T::deserialize(v).ok());
    Ok(match typed {
        Some(value) if !value.omitted() => {
            map.remove(key);
            value
        }
        _ => T::default(),
    })
}

/// Takes a required field out of `map`: missing or malformed is an error.
pub(crate) fn req<T, E>(map: &mut JsonMap, key: &'static str) -> Result<T, E>
where
    T: DeserializeOwned,
    E: serde::de::Error,
{
    let value = map.remove(key).ok_or_else(|| E::missing_field(key))?;
    // The reason names the expected shape only, never the content.
    T::deserialize(value).map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
}

/// Takes the `tag` out of `map`, which must be `tag`.
pub(crate) fn expect_tag<E: serde::de::Error>(
    map: &mut JsonMap,
    tag: &'static str,
) -> Result<(), E> {
    match map.remove("tag") {
        Some(Value::String(found)) if found == tag => Ok(()),
        Some(_) => Err(E::custom(format_args!("`tag` is not `{tag}`"))),
        None => Err(E::missing_field("tag")),
    }
}

/// Writes `extra`, except the keys a typed field has written already.
pub(crate) fn write_extra<M: SerializeMap>(
    map: &mut M,
    extra: &JsonMap,
    written: &[(&str, bool)],
) -> Result<(), M::Error> {
    for (key, value) in extra {
        let shadowed = written
            .iter()
            .any(|(name, present)| *present && name == key);
        if !shadowed {
            map.serialize_entry(key, value)?;
        }
    }
    Ok(())
}

/// Serializes a card object as a JSON map.
pub(crate) fn serialize_object<T: Object, S: Serializer>(
    object: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    object.write_fields(&mut map)?;
    map.end()
}

/// Deserializes a card object from a JSON map.
pub(crate) fn deserialize_object<'de, T: Object, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let map = JsonMap::deserialize(deserializer)?;
    T::from_fields(map)
}

/// Declares a card object: a struct of typed fields (`req` or `opt`, then the field, then its
/// JSON name), an optional fixed `tag` (`as "markdown"`), and `extra`, with the JSON
/// conversions described in this module.
macro_rules! card_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(as $tag:literal)? {
            $(
                $(#[$fmeta:meta])*
                $kind:ident $field:ident $json:literal: $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Fields this version does not type, or could not give back exactly; kept so that
            /// a round trip loses nothing.
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }

        $(
            impl $name {
                /// The JSON `tag` of this element.
                pub const TAG: &'static str = $tag;
            }
        )?

        impl $crate::card::wire::Object for $name {
            fn write_fields<M: ::serde::ser::SerializeMap>(
                &self,
                map: &mut M,
            ) -> Result<(), M::Error> {
                $(map.serialize_entry("tag", $tag)?;)?
                $(
                    if !$crate::card::wire::Omit::omitted(&self.$field) {
                        map.serialize_entry($json, &self.$field)?;
                    }
                )*
                $crate::card::wire::write_extra(
                    map,
                    &self.extra,
                    &[$(($json, !$crate::card::wire::Omit::omitted(&self.$field))),*],
                )
            }

            fn from_fields<E: ::serde::de::Error>(
                #[allow(unused_mut)] mut map: $crate::card::wire::JsonMap,
            ) -> Result<Self, E> {
                $($crate::card::wire::expect_tag::<E>(&mut map, $tag)?;)?
                Ok(Self {
                    $($field: $crate::card::wire::$kind::<_, E>(&mut map, $json)?,)*
                    extra: map,
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::card::wire::serialize_object(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::card::wire::deserialize_object(deserializer)
            }
        }
    };
}

/// Declares an open string enum: the known values, and `Other` for any value this version does
/// not know, kept as it came.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $json:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know, kept as it came.
            Other(String),
        }

        impl $name {
            /// The JSON string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $json,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($json => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl $crate::card::wire::Omit for $name {
            fn omitted(&self) -> bool {
                false
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    };
}

pub(crate) use {card_object, open_enum};
