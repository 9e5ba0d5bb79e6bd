//! Spec drift seen in production: response fields and enum values the spec does not know.

pub(crate) mod shape;
