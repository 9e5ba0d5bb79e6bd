//! One pass over a JSON body against a shape table: every key the table does not have and every
//! enum value it does not list, by path. Values are skipped and never kept, except the unknown
//! enum values a maintainer's tool asks for ([`Found::keeping_values`]); no value tree is built.
//!
//! The body was already decoded by the typed path, so it is valid JSON of the right shape; any
//! surprise (a type the table does not expect, invalid JSON) ends or skips that part quietly.
//! Nesting is bounded by `serde_json`'s recursion limit.

use super::shape::{Field, Item, Object, Values};
use super::DriftKind;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Longest path kept, in bytes; a longer one (an absurd key) is cut and ends in `…`.
pub(crate) const MAX_PATH_BYTES: usize = 256;

/// What one walk found, each (kind, path) once, at most `limit` of them.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) items: Vec<(DriftKind, String)>,
    /// Unknown enum values with their path, each pair once, when kept (tools only).
    pub(crate) values: Option<Vec<(String, String)>>,
    limit: usize,
    /// The path being noted, reused so a repeated finding costs no allocation.
    scratch: String,
}

impl Found {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            items: Vec::new(),
            values: None,
            limit,
            scratch: String::new(),
        }
    }

    /// The same, keeping each unknown enum value (as JSON text) beside its path: for tools
    /// that show a maintainer what was sent, never for production logs.
    pub(crate) fn keeping_values(limit: usize) -> Self {
        Self {
            values: Some(Vec::new()),
            ..Self::new(limit)
        }
    }

    /// Keeps `value` at `path` when values are kept.
    fn note_value(&mut self, path: &str, value: impl FnOnce() -> String) {
        let limit = self.limit;
        if let Some(values) = &mut self.values {
            let value = value();
            let seen = values.iter().any(|(p, v)| p == path && *v == value);
            if !seen && values.len() < limit {
                values.push((path.to_owned(), value));
            }
        }
    }

    /// Notes `path` (followed by the key `last`, when given) unless already noted.
    fn note(&mut self, kind: DriftKind, path: &str, last: Option<&str>) {
        let full = &mut self.scratch;
        full.clear();
        full.push_str(path);
        if let Some(last) = last {
            push_key(full, last);
        }
        if full.len() > MAX_PATH_BYTES {
            let mut cut = MAX_PATH_BYTES;
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            full.truncate(cut);
            full.push('…');
        }
        let seen = self.items.iter().any(|(k, p)| *k == kind && p == full);
        if !seen && self.items.len() < self.limit {
            self.items.push((kind, full.clone()));
        }
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Walks `body`, an object shaped like `envelope` whose `slot` key holds an object shaped like
/// `inner` (a response's `data`, a callback's `event`).
pub(crate) fn walk(
    body: &[u8],
    envelope: &'static Object,
    slot: &'static str,
    inner: &'static Object,
    found: &mut Found,
) {
    let mut walker = Walker {
        path: String::new(),
        found,
    };
    let seed = ObjectSeed {
        walker: &mut walker,
        object: envelope,
        slot: Some((slot, inner)),
    };
    // An error only cuts the walk short; what was found so far stays.
    let _ = seed.deserialize(&mut serde_json::Deserializer::from_slice(body));
}

struct Walker<'f> {
    /// Path of the value being walked, e.g. `data.items[]`.
    path: String,
    found: &'f mut Found,
}

/// An object of a known type; at the top level, one key may hold another type (`slot`).
struct ObjectSeed<'w, 'f> {
    walker: &'w mut Walker<'f>,
    object: &'static Object,
    slot: Option<(&'static str, &'static Object)>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ValueVisitor {
            walker: self.walker,
            arrays: 0,
            item: Item::Object(self.object),
            slot: self.slot,
        })
    }
}

/// A value of a known field: `arrays` lists around an `item`.
struct FieldSeed<'w, 'f> {
    walker: &'w mut Walker<'f>,
    arrays: u8,
    item: Item,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.arrays == 0 && matches!(self.item, Item::Any) {
            return d.deserialize_ignored_any(IgnoredAny).map(drop);
        }
        d.deserialize_any(ValueVisitor {
            walker: self.walker,
            arrays: self.arrays,
            item: self.item,
            slot: None,
        })
    }
}

struct ValueVisitor<'w, 'f> {
    walker: &'w mut Walker<'f>,
    arrays: u8,
    item: Item,
    slot: Option<(&'static str, &'static Object)>,
}

impl ValueVisitor<'_, '_> {
    /// The enum this value must be one of, if it is a plain enum value.
    fn values(&self) -> Option<&'static Values> {
        match (self.arrays, self.item) {
            (0, Item::Values(v)) => Some(v),
            _ => None,
        }
    }

    fn check(self, known: impl FnOnce(&Values) -> bool, shown: impl FnOnce() -> String) {
        if let Some(values) = self.values() {
            if !known(values) {
                let w = self.walker;
                w.found.note(DriftKind::Value, &w.path, None);
                w.found.note_value(&w.path, shown);
            }
        }
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let object = match (self.arrays, self.item) {
            (0, Item::Object(o)) => o,
            _ => {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(());
            }
        };
        let w = self.walker;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let key = key.as_str();
            let field = match self.slot {
                Some((slot, inner)) if slot == key => Some(Field::object(slot, inner)),
                _ => object.field(key).copied(),
            };
            let Some(field) = field else {
                w.found.note(DriftKind::Field, &w.path, Some(key));
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let len = w.path.len();
            push_key(&mut w.path, key);
            map.next_value_seed(FieldSeed {
                walker: &mut *w,
                arrays: field.arrays,
                item: field.item,
            })?;
            w.path.truncate(len);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(inner) = self.arrays.checked_sub(1) else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let w = self.walker;
        let len = w.path.len();
        w.path.push_str("[]");
        while seq
            .next_element_seed(FieldSeed {
                walker: &mut *w,
                arrays: inner,
                item: self.item,
            })?
            .is_some()
        {}
        // On an error the whole walk ends, so the path needs no repair then.
        w.path.truncate(len);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.check(
            |values| values.strings.contains(&v),
            || serde_json::Value::from(v).to_string(),
        );
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.check(|values| values.integers.contains(&v), || v.to_string());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.check(
            |values| i64::try_from(v).is_ok_and(|v| values.integers.contains(&v)),
            || v.to_string(),
        );
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.check(|_| false, || v.to_string());
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.check(|_| false, || v.to_string());
        Ok(())
    }

    /// `null` is an absent value, never drift.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// An object key, borrowed from the body unless it held escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v))
    }
}
