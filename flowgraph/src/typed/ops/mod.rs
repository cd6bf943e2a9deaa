//! Combinators: fuse small segments into one node (spec §7).
//!
//! Each combinator is a [`Segment`](crate::typed::Segment) whose state is
//! built from its parts' states, and whose `compute` calls its parts'
//! `compute` in turn. Notify flags travel through unchanged: a part that cuts
//! a notification off (returns `false`) is seen exactly so by the part that
//! follows it, and by the nodes downstream of the fused node.
//!
//! | combinator | method | inputs → outputs |
//! |---|---|---|
//! | [`Id<T>`] | — | `T → T` |
//! | [`Comp(f, g)`](Comp) | [`f.then(g)`](crate::typed::Segment::then) | `F::Inputs → G::Outputs` |
//! | [`Left<T, U>`] / [`Right<T, U>`] | — | `(T, U) → T` / `(T, U) → U` |
//! | [`Fork(f, g)`](Fork) | [`f.fork(g)`](crate::typed::Segment::fork) | `F::Inputs → (F::Outputs, G::Outputs)` |
//! | [`Par(f, g)`](Par) | [`f.par(g)`](crate::typed::Segment::par) | `(F::Inputs, G::Inputs) → (F::Outputs, G::Outputs)` |
//! | [`Arr::new(\|values, ctx\| …)`](Arr) | — | a stateful closure |
#![deny(unsafe_code)]

mod arr;
mod comp;
mod fork;
mod id;
mod par;
mod project;

pub use arr::{Arr, Ctx};
pub use comp::Comp;
pub use fork::Fork;
pub use id::Id;
pub use par::Par;
pub use project::{Left, Right};
