//! Checks of the limits the spec declares, run before a request is sent.

use crate::error::Error;

/// A request part that can check its own limits.
pub trait Validate {
    /// Checks every declared limit; `at` is the path of this value in the request.
    fn validate(&self, at: &str) -> Result<(), Error>;
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: &str) -> Result<(), Error> {
        self.as_ref().map_or(Ok(()), |v| v.validate(at))
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: &str) -> Result<(), Error> {
        self.iter()
            .enumerate()
            .try_for_each(|(i, v)| v.validate(&format!("{at}[{i}]")))
    }
}

/// Joins a parent path and a field name.
pub fn join(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}

/// String length in characters.
pub fn length(
    at: &str,
    field: &str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Error> {
    count(at, field, value.chars().count(), min, max, "characters")
}

/// Integer range, inclusive.
pub fn range(
    at: &str,
    field: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Error> {
    if min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max) {
        let bounds = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => String::new(),
        };
        return Err(Error::validation(
            join(at, field),
            format!("must be {bounds}, is {value}"),
        ));
    }
    Ok(())
}

/// Number of items in a list.
pub fn items(
    at: &str,
    field: &str,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Error> {
    count(at, field, len, min, max, "items")
}

/// A count (of characters or items) within its bounds.
fn count(
    at: &str,
    field: &str,
    n: usize,
    min: Option<usize>,
    max: Option<usize>,
    unit: &str,
) -> Result<(), Error> {
    let broken = match (min, max) {
        (Some(min), _) if n < min => format!("must have at least {min} {unit}, has {n}"),
        (_, Some(max)) if n > max => format!("must have at most {max} {unit}, has {n}"),
        _ => return Ok(()),
    };
    Err(Error::validation(join(at, field), broken))
}
