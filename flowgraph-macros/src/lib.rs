//! Procedural macros for `flowgraph`. Use them through the `flowgraph` crate,
//! which re-exports them: `use flowgraph::segment;`.
//!
//! Each entry point is a thin shim over a module that works on
//! `proc_macro2` token streams, so the phases can be unit-tested.

mod arrow;
mod derive;
mod errors;
#[cfg(test)]
mod fuzz;

/// The widest tuple an interface may be (both macros check it).
const MAX_ARITY: usize = 12;

/// Turns a plain function into a `Segment`; documented in `flowgraph`.
#[proc_macro_attribute]
pub fn segment_fn(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    derive::segment_fn(attr.into(), item.into()).into()
}

/// Turns a struct with a `compute` method into a `Segment`; documented in `flowgraph`.
#[proc_macro_attribute]
pub fn segment_impl(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    derive::segment_impl(attr.into(), item.into()).into()
}

/// The arrow notation for fused segments; documented on its re-export
/// `flowgraph::segment`.
#[proc_macro]
pub fn segment(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    arrow::segment(input.into()).into()
}
