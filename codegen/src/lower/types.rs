//! Enums, shared types and fields: type expressions resolved to ids, docs assembled.

use super::symbols::{Symbols, PRIMITIVES};
use crate::diag::{Diagnostics, Loc};
use crate::ir::*;
use crate::json_text::json_text;
use crate::names;
use crate::raw::{self, Map, RawField};
use crate::suggest;

impl Symbols<'_> {
    /// Resolves a type expression: a primitive, a declared enum or type, or `[T]`.
    pub fn parse_ty(&self, s: &str) -> Result<Ty, String> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return Ok(Ty::Array(Box::new(self.parse_ty(inner)?)));
        }
        Ok(match s {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "boolean" => Ty::Boolean,
            "int64_string" | "unix_seconds_string" | "unix_millis_string" => Ty::Int64String,
            "lenient_string" => Ty::LenientString,
            "json" => Ty::Json,
            "file" => Ty::File,
            name if self.enums.contains_key(name) => Ty::Enum(Named {
                id: self.enums[name],
                name: name.to_owned(),
            }),
            name if self.types.contains_key(name) => Ty::Struct(self.struct_ref(self.types[name])),
            "object" | "array" => {
                return Err(format!(
                    "`{s}` needs a name: declare the type in types.yaml or write `[T]`"
                ))
            }
            other => {
                let known = PRIMITIVES
                    .iter()
                    .copied()
                    .chain(self.enums.keys().map(String::as_str))
                    .chain(self.types.keys().map(String::as_str));
                return Err(suggest::with_suggestion(
                    format!("unknown type `{other}`"),
                    other,
                    known,
                ));
            }
        })
    }
}

/// One enum of `enums.yaml`. Variant names are checked in `validate`.
pub fn lower_enum(name: &str, e: &raw::RawEnum, loc: &Loc, diags: &mut Diagnostics) -> EnumDef {
    let repr = match e.repr.as_str() {
        "string" => EnumRepr::String,
        "integer" => EnumRepr::Integer,
        other => {
            diags.error(
                &loc.key("type"),
                format!("enum type must be `string` or `integer`, not `{other}`"),
            );
            EnumRepr::String
        }
    };
    let mut variants: Vec<Variant> = Vec::new();
    for (i, v) in e.values.iter().enumerate() {
        let vloc = Loc::new(&loc.file, format!("{}.values[{i}]", loc.path));
        let value = match (repr, &v.value) {
            (EnumRepr::String, serde_json::Value::String(s)) => WireValue::Str(s.clone()),
            (EnumRepr::Integer, serde_json::Value::Number(n)) if n.is_i64() => {
                WireValue::Int(n.as_i64().unwrap_or_default())
            }
            (_, other) => {
                diags.error(
                    &vloc.key("value"),
                    format!("value {other} does not match the enum type `{}`", e.repr),
                );
                continue;
            }
        };
        let source = match (&v.name, &value) {
            (Some(n), _) => n.clone(),
            (None, WireValue::Str(s)) => s.clone(),
            (None, WireValue::Int(i)) => i.to_string(),
        };
        variants.push(Variant {
            name: names::pascal(&source),
            value,
            doc: v.doc.clone(),
            source,
            loc: vloc,
        });
    }
    let mut doc = vec![e.doc.clone()];
    doc.extend(e.note.iter().cloned());
    if let Some(d) = &e.default {
        doc.push(format!("Platform default: `{}`.", json_text(d)));
    }
    EnumDef {
        name: name.to_owned(),
        doc,
        repr,
        variants,
        loc: loc.clone(),
    }
}

/// One type of `types.yaml`.
pub fn lower_type(
    name: &str,
    t: &raw::RawType,
    loc: Loc,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> StructDef {
    if t.keep_unknown && t.fields.keys().any(|k| k.as_str() == "extra") {
        diags.error(
            &loc.key("fields").key("extra"),
            "a type with `keep_unknown: true` keeps unknown fields in `extra`: rename this field",
        );
    }
    let mut doc = vec![t.doc.clone()];
    doc.extend(t.note.iter().cloned());
    doc.extend(t.constraints.iter().cloned());
    StructDef {
        name: name.to_owned(),
        doc,
        fields: lower_fields(&t.fields, &loc.key("fields"), symbols, diags),
        keep_unknown: t.keep_unknown,
        module: Module::Types,
        usage: Usage::default(),
        form: false,
        loc,
    }
}

/// Fields in spec order. Clashing Rust names are checked in `validate`.
pub fn lower_fields(
    fields: &Map<RawField>,
    loc: &Loc,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> Vec<Field> {
    fields
        .iter()
        .map(|(wire, f)| lower_field(wire, f, &loc.key(wire), symbols, diags))
        .collect()
}

fn lower_field(
    wire: &str,
    f: &RawField,
    loc: &Loc,
    symbols: &Symbols<'_>,
    diags: &mut Diagnostics,
) -> Field {
    let ty = symbols.parse_ty(&f.ty).unwrap_or_else(|msg| {
        diags.error(&loc.key("type"), msg);
        Ty::Json
    });
    let limits = Limits {
        min: f.min,
        max: f.max,
        min_length: f.min_length,
        max_length: f.max_length,
        min_items: f.min_items,
        max_items: f.max_items,
        max_bytes: f.max_bytes,
    };
    check_limits(&ty, &limits, loc, diags);
    Field {
        wire: wire.to_owned(),
        rust: f.rust_name.clone().unwrap_or_else(|| names::snake(wire)),
        rust_given: f.rust_name.is_some(),
        ty,
        required: f.required && !f.sdk_only,
        doc: field_doc(f),
        limits,
        default: f.default.clone(),
        example: f.example.clone(),
        constant: f.constant.clone(),
        sdk_only: f.sdk_only,
        loc: loc.clone(),
    }
}

/// Limits apply to the type they make sense for (an array's limits to its items).
fn check_limits(ty: &Ty, limits: &Limits, loc: &Loc, diags: &mut Diagnostics) {
    let base = match ty {
        Ty::Array(inner) => inner.as_ref(),
        other => other,
    };
    let is_array = matches!(ty, Ty::Array(_));
    if (limits.min.is_some() || limits.max.is_some())
        && !matches!(base, Ty::Integer | Ty::Int64String)
    {
        diags.error(loc, "`min`/`max` apply to integers only");
    }
    if (limits.min_length.is_some() || limits.max_length.is_some())
        && !matches!(base, Ty::String | Ty::LenientString)
    {
        diags.error(loc, "`min_length`/`max_length` apply to strings only");
    }
    if (limits.min_items.is_some() || limits.max_items.is_some()) && !is_array {
        diags.error(loc, "`min_items`/`max_items` apply to arrays only");
    }
    if limits.max_bytes.is_some() && *ty != Ty::File {
        diags.error(loc, "`max_bytes` applies to file parts (`type: file`) only");
    }
    if limits.max_bytes == Some(0) {
        diags.error(
            loc,
            "`max_bytes: 0` would refuse every file: a file part is never empty",
        );
    }
}

fn field_doc(f: &RawField) -> Vec<String> {
    let mut doc = vec![f.doc.clone()];
    doc.extend(f.constraint.iter().cloned());
    doc.extend(f.note.iter().cloned());
    if let Some(d) = &f.default {
        doc.push(format!("Platform default: `{}`.", json_text(d)));
    }
    if let Some(c) = &f.constant {
        doc.push(format!("Always `{}`.", json_text(c)));
    }
    if let Some(s) = &f.field_scope {
        doc.push(format!("Seeing `user_id` values needs the `{s}` scope."));
    }
    if f.sdk_only {
        doc.push(
            "Only in the official SDKs' types, not in the public docs: may be absent or change."
                .into(),
        );
    }
    doc
}
