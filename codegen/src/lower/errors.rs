//! The error catalog: documented codes and the codes nearly every operation returns.

use crate::diag::{Diagnostics, Loc};
use crate::ir::ErrorCode;
use crate::names;
use crate::raw::ErrorsFile;

/// Codes sorted by code, and the common codes. Variant names are checked in `validate`.
pub fn lower_errors(
    file: &str,
    errors: &ErrorsFile,
    diags: &mut Diagnostics,
) -> (Vec<ErrorCode>, Vec<i64>) {
    let mut codes: Vec<ErrorCode> = errors
        .errors
        .iter()
        .map(|(code, e)| ErrorCode {
            code: *code,
            name: names::pascal(&e.name),
            http_status: e.http_status,
            meaning: e.meaning.clone(),
            retryable: e.retryable,
            class: e.class,
            source: e.name.clone(),
            loc: Loc::new(file, format!("errors.{code}")),
        })
        .collect();
    codes.sort_by_key(|e| e.code);
    for (i, code) in errors.common.iter().enumerate() {
        if !errors.errors.contains_key(code) {
            diags.error(
                &Loc::new(file, format!("common[{i}]")),
                format!("error code {code} is not in `errors`"),
            );
        }
    }
    (codes, errors.common.clone())
}
