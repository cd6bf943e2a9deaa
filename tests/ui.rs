//! Compile-time checks: mis-wired graphs must not compile, with a message a
//! user can act on. One file per mistake under `ui-tests/fail/`, its expected
//! diagnostics committed beside it as `.stderr`; working spellings under
//! `ui-tests/pass/`.
//!
//! After an intended change of a message, regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui-tests/fail/*.rs");
    t.pass("ui-tests/pass/*.rs");
}
