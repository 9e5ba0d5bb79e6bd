//! A downstream family made from a spec of its own (`spec/`, a made-up "notes" API) by the
//! proc-macro: `notes::prelude::NotesApi` gives the runtime's `Client` its operation, and
//! `notes::events::NotesNotePinnedV1` is a typed event any dispatcher routes with `.on::<E>`.

/// The "notes" family, expanded from `spec/` at compile time.
pub mod notes {
    lark_codegen_macros::generate!("spec");
}
