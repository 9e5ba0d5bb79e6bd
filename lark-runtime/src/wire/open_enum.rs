//! The wire value kept by an enum variant the client does not know yet.

use std::fmt;

/// A value the platform sent that this version of the client has no variant for.
///
/// Generated enums carry it in their `Unknown` variant so that new platform values decode and
/// are sent back unchanged. It is opaque on purpose: a caller cannot build an `Unknown` that
/// shadows a known variant.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnknownValue(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Str(Box<str>),
    Int(i64),
}

impl UnknownValue {
    #[doc(hidden)]
    pub fn from_str_value(value: &str) -> Self {
        Self(Repr::Str(value.into()))
    }

    #[doc(hidden)]
    pub fn from_int_value(value: i64) -> Self {
        Self(Repr::Int(value))
    }

    /// The value as a string (integers in decimal).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            Repr::Str(s) => std::borrow::Cow::Borrowed(s),
            Repr::Int(i) => std::borrow::Cow::Owned(i.to_string()),
        }
    }

    /// The value as an integer, when the platform sent a number.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int(i) => Some(*i),
            Repr::Str(_) => None,
        }
    }

    #[doc(hidden)]
    pub fn serialize_into<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Str(s) => serializer.serialize_str(s),
            Repr::Int(i) => serializer.serialize_i64(*i),
        }
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Str(s) => write!(f, "{s:?}"),
            Repr::Int(i) => write!(f, "{i}"),
        }
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}
