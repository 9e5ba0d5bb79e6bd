//! Where file parts may appear: a multipart body's fields are text parts (a string, integer,
//! boolean or enum) or file parts (`type: file`), and `type: file` appears nowhere else.

use crate::diag::Diagnostics;
use crate::ir::*;

pub fn check_files(api: &Api, diags: &mut Diagnostics) {
    for op in &api.operations {
        for f in op.path_params.iter().chain(&op.query) {
            if contains_file(&f.ty) {
                diags.error(&f.loc.key("type"), NOT_HERE);
            }
        }
        if let Some(b) = op.body.as_ref().filter(|b| b.multipart) {
            if !b.required {
                diags.error(
                    &op.loc.key("body"),
                    "a multipart body is always sent: write `required: true`",
                );
            }
        }
    }
    for s in &api.structs {
        for f in &s.fields {
            if s.form {
                check_part(f, diags);
            } else if contains_file(&f.ty) {
                diags.error(&f.loc.key("type"), NOT_HERE);
            }
        }
    }
}

const NOT_HERE: &str =
    "`type: file` is a file part: only a field of a multipart body (`body: {multipart: true}`) can be one";

/// A field of a multipart body: one text part or one file part.
fn check_part(f: &Field, diags: &mut Diagnostics) {
    let text = matches!(
        f.ty,
        Ty::String | Ty::Integer | Ty::Boolean | Ty::Int64String | Ty::LenientString | Ty::Enum(_)
    );
    if !text && f.ty != Ty::File {
        diags.error(
            &f.loc.key("type"),
            "a multipart body field is a text part (string, integer, boolean, enum) or a file \
             part (`type: file`)",
        );
    }
}

fn contains_file(ty: &Ty) -> bool {
    match ty {
        Ty::File => true,
        Ty::Array(inner) => contains_file(inner),
        _ => false,
    }
}
