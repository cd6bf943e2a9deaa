//! Procedural macros for `flowgraph`. Use them through the `flowgraph` crate,
//! which re-exports them: `use flowgraph::segment;`.
//!
//! Each entry point is a thin shim over a module that works on
//! `proc_macro2` token streams, so the phases can be unit-tested.

mod arrow;
mod attrs;
mod errors;
#[cfg(test)]
mod fuzz;
mod interface;

/// The widest tuple an interface may be.
const MAX_ARITY: usize = 12;

/// The arity check of both macro families: if `found` elements exceed
/// [`MAX_ARITY`], the message "`subject`, but interfaces are tuples of at
/// most 12: `fix`", where `subject` names the count (`this tuple has 13
/// wires`).
fn too_wide(found: usize, subject: impl FnOnce(usize) -> String, fix: &str) -> Option<String> {
    (found > MAX_ARITY).then(|| {
        format!(
            "{}, but interfaces are tuples of at most {MAX_ARITY}: {fix}",
            subject(found)
        )
    })
}

/// Turns a plain function into a `Segment`; documented in `flowgraph`.
#[proc_macro_attribute]
pub fn segment_fn(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    attrs::segment_fn(attr.into(), item.into()).into()
}

/// Turns a struct with a `compute` method into a `Segment`; documented in `flowgraph`.
#[proc_macro_attribute]
pub fn segment_impl(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    attrs::segment_impl(attr.into(), item.into()).into()
}

/// The arrow notation for fused segments; documented on its re-export
/// `flowgraph::segment`.
#[proc_macro]
pub fn segment(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    arrow::segment(input.into()).into()
}

/// Makes a struct of interfaces an interface; documented on its re-export
/// `flowgraph::Interface`.
#[proc_macro_derive(Interface)]
pub fn derive_interface(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    interface::derive(input.into()).into()
}
