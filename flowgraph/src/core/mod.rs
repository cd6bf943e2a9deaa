//! The runtime core: the thread [`Pool`], the type-erased node table, the
//! scheduler and the poison state. All of the crate's `unsafe` lives here.
#![allow(unsafe_code, reason = "the one module allowed to use unsafe code")]

mod bridge;
mod engine;
mod frontier;
pub(crate) mod layout;
mod node;
mod pool;

pub(crate) use bridge::{group_view, notified, ref_view, state_mut, view};
pub(crate) use engine::{Engine, PendingNode};
pub use engine::{Stats, Wire};
pub(crate) use node::SegmentFactory;
pub use pool::Pool;
