//! Procedural macros for `flowgraph`. Use them through the `flowgraph` crate,
//! which re-exports them.
