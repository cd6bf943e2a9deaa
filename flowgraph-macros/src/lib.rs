//! Procedural macros for `flowgraph`. Use them through the `flowgraph` crate,
//! which re-exports them: `use flowgraph::segment;`.
//!
//! Each entry point is a thin shim over a module that works on
//! `proc_macro2` token streams, so the phases can be unit-tested.

mod arrow;
mod derive;
