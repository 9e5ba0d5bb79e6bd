//! Token kinds are checked at compile time: a tenant-only operation cannot be called through a
//! user-token handle, and the error says why ("accepts only a tenant access token").
//!
//! After an intended change of the compiler's messages, regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p workspace-tests --test token_types` and review the diff of
//! `ui/*.stderr`.

#[test]
fn token_types() {
    let t = trybuild::TestCases::new();
    t.pass("ui/tenant_token_tenant_only.rs");
    t.compile_fail("ui/user_token_tenant_only.rs");
    t.compile_fail("ui/user_source_tenant_only.rs");
}
