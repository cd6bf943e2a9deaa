#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod core;
pub mod typed;

#[doc(hidden)]
/// Paths used by generated code; not part of the public API.
pub mod __private {
    pub use crate::core::layout::{GroupCodec, LeafKind, LeafLayout};
}
