//! The table types the generator fills (`generated/schema.rs`): what the spec says the platform
//! sends, reduced to what drift checking needs (field wire names, nesting, enum values).
//!
//! Tables are plain statics that point at each other, so a lookup is a binary search and a
//! pointer hop, never a parse. Not a stable API: generated code and [`super`] use it.

/// An object type: its known fields.
#[derive(Debug)]
pub struct Object {
    /// Rust name of the type, for documentation and debugging.
    pub name: &'static str,
    /// Known fields, sorted by wire name (the generator sorts them) for binary search.
    pub fields: &'static [Field],
}

impl Object {
    /// An object without fields: the `data` of operations that answer `{}`.
    pub const EMPTY: Object = Object {
        name: "Empty",
        fields: &[],
    };

    /// The field with this wire name.
    pub(crate) fn field(&self, wire: &str) -> Option<&'static Field> {
        let fields: &'static [Field] = self.fields;
        fields
            .binary_search_by(|f| f.wire.cmp(wire))
            .ok()
            .map(|i| &fields[i])
    }
}

/// One field of an [`Object`]: what any of its values is.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Name on the wire.
    pub wire: &'static str,
    /// How many arrays wrap the item (`0` for a plain value, `1` for a list, …).
    pub arrays: u8,
    /// What each item is.
    pub item: Item,
}

impl Field {
    /// A field whose every value is known: a scalar or a free-form JSON object.
    pub const fn any(wire: &'static str) -> Self {
        Self {
            wire,
            arrays: 0,
            item: Item::Any,
        }
    }

    /// A field holding an object of a known type.
    pub const fn object(wire: &'static str, object: &'static Object) -> Self {
        Self {
            wire,
            arrays: 0,
            item: Item::Object(object),
        }
    }

    /// A field holding a value of an enum.
    pub const fn value(wire: &'static str, values: &'static Values) -> Self {
        Self {
            wire,
            arrays: 0,
            item: Item::Values(values),
        }
    }

    /// The same field, one array deeper: a list of what it held.
    pub const fn array(self) -> Self {
        Self {
            arrays: self.arrays + 1,
            ..self
        }
    }
}

/// What one item of a [`Field`] is.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    /// Any value: a scalar or a free-form object.
    Any,
    /// An object of this type.
    Object(&'static Object),
    /// One of these enum values.
    Values(&'static Values),
}

/// The wire values an enum lists.
#[derive(Debug)]
pub struct Values {
    /// Rust name of the enum.
    pub name: &'static str,
    /// Listed values of a string enum.
    pub strings: &'static [&'static str],
    /// Listed values of an integer enum.
    pub integers: &'static [i64],
}

/// The response `data` of one operation.
#[derive(Debug)]
pub struct Operation {
    /// Operation id, e.g. `chat.get`.
    pub id: &'static str,
    /// Type of `data`.
    pub data: &'static Object,
}

/// The body of one event type, and the envelope it arrives in.
#[derive(Debug)]
pub struct Event {
    /// Event type, e.g. `im.chat.updated_v1`.
    pub event_type: &'static str,
    /// The callback's envelope (`{schema, header, event}` or the legacy one); its `event` field
    /// holds [`body`](Self::body).
    pub envelope: &'static Object,
    /// Type of `event`.
    pub body: &'static Object,
}
