//! Serde helpers for the platform's wire conventions, used by the generated types.
//!
//! - int64 values travel as JSON strings (`"7043"`); some sources send numbers, so both decode.
//! - some ids are strings in one SDK and numbers in another (`lenient_string`); both decode to `String`.
//! - enums are open: `de_str_enum`/`de_int_enum` hand any value to the enum's infallible `From`.

use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;

struct I64Visitor;

impl<'de> Visitor<'de> for I64Visitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding an integer")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom("integer out of range for i64"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct LenientStringVisitor;

impl<'de> Visitor<'de> for LenientStringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

/// An `i64` carried as a JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I64Str(pub i64);

impl serde::Serialize for I64Str {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = itoa_buf(self.0);
        s.serialize_str(buf.as_str_mut())
    }
}

impl<'de> serde::Deserialize<'de> for I64Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(I64Visitor).map(I64Str)
    }
}

/// A string that may arrive as a JSON number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientStr(pub String);

impl serde::Serialize for LenientStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for LenientStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientStringVisitor).map(LenientStr)
    }
}

struct SmallBuf {
    bytes: [u8; 20],
    start: usize,
}

impl SmallBuf {
    fn as_str_mut(&mut self) -> &str {
        // Only ASCII digits and '-' are written below.
        std::str::from_utf8(&self.bytes[self.start..]).unwrap_or("0")
    }
}

fn itoa_buf(v: i64) -> SmallBuf {
    let mut bytes = [0u8; 20];
    let mut pos = bytes.len();
    let negative = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        pos -= 1;
        bytes[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        pos -= 1;
        bytes[pos] = b'-';
    }
    SmallBuf { bytes, start: pos }
}

macro_rules! with_module {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $wrap:ident, $conv:expr) => {
        $(#[$doc])*
        pub mod $name {
            use super::*;

            /// Required value.
            pub mod required {
                use super::*;
                #[allow(missing_docs)]
                pub fn serialize<S: Serializer>(v: &$inner, s: S) -> Result<S::Ok, S::Error> {
                    serde::Serialize::serialize(&$wrap($conv(v)), s)
                }
                #[allow(missing_docs)]
                pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$inner, D::Error> {
                    <$wrap as serde::Deserialize>::deserialize(d).map(|w| w.0)
                }
            }

            /// Optional value.
            pub mod optional {
                use super::*;
                #[allow(missing_docs)]
                pub fn serialize<S: Serializer>(v: &Option<$inner>, s: S) -> Result<S::Ok, S::Error> {
                    serde::Serialize::serialize(&v.as_ref().map(|v| $wrap($conv(v))), s)
                }
                #[allow(missing_docs)]
                pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$inner>, D::Error> {
                    <Option<$wrap> as serde::Deserialize>::deserialize(d).map(|w| w.map(|w| w.0))
                }
            }

            /// Required list.
            pub mod vec {
                use super::*;
                #[allow(missing_docs)]
                pub fn serialize<S: Serializer>(v: &[$inner], s: S) -> Result<S::Ok, S::Error> {
                    s.collect_seq(v.iter().map(|v| $wrap($conv(v))))
                }
                #[allow(missing_docs)]
                pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$inner>, D::Error> {
                    <Vec<$wrap> as serde::Deserialize>::deserialize(d)
                        .map(|v| v.into_iter().map(|w| w.0).collect())
                }
            }

            /// Optional list.
            pub mod opt_vec {
                use super::*;
                #[allow(missing_docs)]
                pub fn serialize<S: Serializer>(v: &Option<Vec<$inner>>, s: S) -> Result<S::Ok, S::Error> {
                    match v {
                        Some(v) => s.collect_seq(v.iter().map(|v| $wrap($conv(v)))),
                        None => s.serialize_none(),
                    }
                }
                #[allow(missing_docs)]
                pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<$inner>>, D::Error> {
                    <Option<Vec<$wrap>> as serde::Deserialize>::deserialize(d)
                        .map(|v| v.map(|v| v.into_iter().map(|w| w.0).collect()))
                }
            }
        }
    };
}

with_module!(
    /// `#[serde(with = …)]` modules for `i64` values sent as JSON strings.
    int64_string, i64, I64Str, |v: &i64| *v
);
with_module!(
    /// `#[serde(with = …)]` modules for strings that may arrive as numbers.
    lenient_string, String, LenientStr, |v: &String| v.clone()
);

struct StrEnumVisitor<E>(std::marker::PhantomData<E>);

impl<'de, E: for<'a> From<&'a str>> Visitor<'de> for StrEnumVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
        Ok(E::from(v))
    }
}

/// Deserializes a string-valued open enum through its infallible `From<&str>`.
pub fn de_str_enum<'de, D, E>(d: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    d.deserialize_str(StrEnumVisitor(std::marker::PhantomData))
}

struct IntEnumVisitor<E>(std::marker::PhantomData<E>);

impl<'de, E: From<i64> + for<'a> From<&'a str>> Visitor<'de> for IntEnumVisitor<E> {
    type Value = E;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<Er: de::Error>(self, v: i64) -> Result<E, Er> {
        Ok(E::from(v))
    }

    fn visit_u64<Er: de::Error>(self, v: u64) -> Result<E, Er> {
        i64::try_from(v)
            .map(E::from)
            .map_err(|_| Er::custom("integer out of range for i64"))
    }

    fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
        Ok(E::from(v))
    }
}

/// Deserializes an integer-valued open enum; a string is handed to `From<&str>`, which parses
/// numbers and keeps anything else as unknown.
pub fn de_int_enum<'de, D, E>(d: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: From<i64> + for<'a> From<&'a str>,
{
    d.deserialize_any(IntEnumVisitor(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64_strings_decode_from_string_or_number_and_encode_as_string() {
        let from_str: I64Str = serde_json::from_str("\"-9007199254740993\"").unwrap();
        let from_num: I64Str = serde_json::from_str("7043").unwrap();
        assert_eq!(from_str.0, -9_007_199_254_740_993);
        assert_eq!(from_num.0, 7043);
        assert_eq!(
            serde_json::to_string(&I64Str(i64::MIN)).unwrap(),
            "\"-9223372036854775808\""
        );
        assert!(serde_json::from_str::<I64Str>("\"12a\"").is_err());
    }

    #[test]
    fn lenient_strings_accept_numbers() {
        let v: LenientStr = serde_json::from_str("12").unwrap();
        assert_eq!(v.0, "12");
    }
}
