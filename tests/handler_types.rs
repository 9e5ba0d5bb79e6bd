//! Event handlers are checked at compile time, and a wrong signature is reported at the
//! user's closure with a message naming the expected shape (`#[diagnostic::on_unimplemented]`).
//!
//! After an intended change of the compiler's messages, regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p workspace-tests --test handler_types` and review the diff
//! of `ui/handler_*.stderr`.

#[test]
fn handler_types() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/handler_wrong_signature.rs");
}
