//! The platform's wire conventions: serde helpers used by the generated types, open enums, and the
//! request limits the spec declares.

mod codec;
mod limits;
mod open_enum;

#[doc(hidden)]
pub use codec::{de_int_enum, de_str_enum, int64_string, lenient_string};
pub use limits::Validate;
#[doc(hidden)]
pub use limits::{items, join, length, range};
pub use open_enum::UnknownValue;
