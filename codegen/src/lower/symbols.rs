//! The declaration pass: every struct, enum and handle the spec will produce, named and given its
//! id before anything is lowered, so references resolve to ids on first sight.
//!
//! Ids are positions in the IR's sorted lists (structs and enums by name, handles by key); two
//! structs with one name get two ids, so `validate` can report the collision.

use crate::diag::{join_key, Diagnostics, Loc};
use crate::ir::{EnumId, HandleId, Named, StructId};
use crate::load::RawSpec;
use crate::names;
use crate::raw::{RawOperation, RawResponse};
use crate::suggest;
use std::collections::BTreeMap;

/// Primitive type names of the spec, for "did you mean" on a misspelt one.
pub const PRIMITIVES: &[&str] = &[
    "string",
    "integer",
    "boolean",
    "int64_string",
    "unix_seconds_string",
    "unix_millis_string",
    "lenient_string",
    "json",
    "file",
];

/// One operation to lower: its file, id, and raw text; duplicates are already dropped.
pub struct OpDecl<'a> {
    pub file: &'a str,
    pub id: &'a str,
    pub op: &'a RawOperation,
    pub loc: Loc,
}

/// What an operation's `response:` declares.
pub enum ResponseShape<'a> {
    Ref(&'a str),
    Fields(&'a crate::raw::Map<crate::raw::RawField>),
    Empty,
    Download,
    /// Not exactly one of `ref`, `fields`, `empty: true`, `download: true`.
    Invalid,
}

impl<'a> ResponseShape<'a> {
    pub fn of(r: &'a RawResponse) -> Self {
        match (&r.reference, &r.fields, r.empty, r.download) {
            (Some(r), None, false, false) => ResponseShape::Ref(r),
            (None, Some(fields), false, false) => ResponseShape::Fields(fields),
            (None, None, true, false) => ResponseShape::Empty,
            (None, None, false, true) => ResponseShape::Download,
            _ => ResponseShape::Invalid,
        }
    }
}

/// `<group>.<method>`, split; `None` for an id without a dot.
pub fn split_operation_id(id: &str) -> Option<(&str, &str)> {
    id.split_once('.')
}

/// Every declared name with its id.
pub struct Symbols<'a> {
    /// Struct names, by id.
    pub struct_names: Vec<String>,
    /// Types of `types.yaml`, by name.
    pub types: BTreeMap<String, StructId>,
    /// Generated request bodies and response structs, by operation id.
    pub bodies: BTreeMap<&'a str, StructId>,
    pub responses: BTreeMap<&'a str, StructId>,
    /// Event bodies, by event type.
    pub events: BTreeMap<&'a str, StructId>,
    pub enums: BTreeMap<String, EnumId>,
    pub handles: BTreeMap<String, HandleId>,
    /// Operations to lower, in spec order.
    pub operations: Vec<OpDecl<'a>>,
}

enum Origin<'a> {
    Type(&'a str),
    Body(&'a str),
    Response(&'a str),
    Event(&'a str),
}

impl<'a> Symbols<'a> {
    /// Declares everything in `raw`; reports duplicate operation ids.
    pub fn declare(raw: &'a RawSpec, diags: &mut Diagnostics) -> Self {
        let mut operations: Vec<OpDecl<'a>> = Vec::new();
        let mut first_file: BTreeMap<&str, &str> = BTreeMap::new();
        for (file, ops) in &raw.operations {
            for (id, op) in &ops.operations {
                let loc = Loc::new(file, join_key("operations", id));
                if let Some(first) = first_file.get(id.as_str()) {
                    diags.error(
                        &loc,
                        format!("duplicate operation id `{id}` (first in {first})"),
                    );
                    continue;
                }
                first_file.insert(id, file);
                operations.push(OpDecl { file, id, op, loc });
            }
        }

        // Declaration order breaks ties between equal names, as the IR's stable sort does.
        let mut declared: Vec<(String, Origin<'a>)> = Vec::new();
        if let Some((_, f)) = &raw.types {
            declared.extend(f.types.keys().map(|n| (n.clone(), Origin::Type(n))));
        }
        for d in &operations {
            if split_operation_id(d.id).is_none() {
                continue;
            }
            let base = names::pascal(d.id);
            if d.op.body.is_some() {
                declared.push((format!("{base}Body"), Origin::Body(d.id)));
            }
            if let ResponseShape::Fields(_) = ResponseShape::of(&d.op.response) {
                declared.push((format!("{base}Response"), Origin::Response(d.id)));
            }
        }
        if let Some((_, f)) = &raw.events {
            declared.extend(
                f.events
                    .keys()
                    .map(|t| (names::event_name(t), Origin::Event(t))),
            );
        }
        declared.sort_by(|a, b| a.0.cmp(&b.0));

        let mut symbols = Symbols {
            struct_names: Vec::with_capacity(declared.len()),
            types: BTreeMap::new(),
            bodies: BTreeMap::new(),
            responses: BTreeMap::new(),
            events: BTreeMap::new(),
            enums: sorted_ids(raw.enums.iter().flat_map(|(_, f)| f.enums.keys()), EnumId),
            handles: sorted_ids(
                raw.handles.iter().flat_map(|(_, f)| f.handles.keys()),
                HandleId,
            ),
            operations,
        };
        for (i, (name, origin)) in declared.into_iter().enumerate() {
            let id = StructId(i);
            match origin {
                Origin::Type(n) => {
                    symbols.types.entry(n.to_owned()).or_insert(id);
                }
                Origin::Body(op) => {
                    symbols.bodies.insert(op, id);
                }
                Origin::Response(op) => {
                    symbols.responses.insert(op, id);
                }
                Origin::Event(t) => {
                    symbols.events.insert(t, id);
                }
            }
            symbols.struct_names.push(name);
        }
        symbols
    }

    /// A reference to struct `id`.
    pub fn struct_ref(&self, id: StructId) -> Named<StructId> {
        Named {
            id,
            name: self.struct_names[id.0].clone(),
        }
    }

    /// A declared type of `types.yaml`, or a problem naming the nearest known one.
    pub fn type_ref(&self, name: &str) -> Result<Named<StructId>, String> {
        match self.types.get(name) {
            Some(id) => Ok(self.struct_ref(*id)),
            None => Err(suggest::with_suggestion(
                format!("unknown type `{name}`"),
                name,
                self.types.keys().map(String::as_str),
            )),
        }
    }

    /// A declared handle, or a problem naming the nearest known one.
    pub fn handle_ref(&self, key: &str) -> Result<Named<HandleId>, String> {
        match self.handles.get(key) {
            Some(id) => Ok(Named {
                id: *id,
                name: key.to_owned(),
            }),
            None => Err(suggest::with_suggestion(
                format!("unknown handle `{key}`"),
                key,
                self.handles.keys().map(String::as_str),
            )),
        }
    }
}

/// Ids for unique keys: their positions in sorted order.
fn sorted_ids<'k, I>(
    keys: impl Iterator<Item = &'k String>,
    id: fn(usize) -> I,
) -> BTreeMap<String, I> {
    let mut keys: Vec<&String> = keys.collect();
    keys.sort();
    keys.into_iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), id(i)))
        .collect()
}
