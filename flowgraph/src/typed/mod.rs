//! The typed API: segments, interfaces, handles, builders and graphs.

mod graph;
pub(crate) mod handle;
pub(crate) mod interface;
mod mismatch;
mod notify;
mod ops;
mod read;
mod segment;
mod source;

pub use crate::arena::Arena;
pub use graph::{Graph, GraphBuilder};
pub use handle::{Connect, Handle, SourceHandle};
#[doc(hidden)]
pub use interface::Layout;
pub use interface::{
    Interface, Port, Ports, RefPort, RefPorts, RefViewPort, RefViewPorts, Scalar, Slice, ValueView,
    ViewPort, ViewPorts,
};
pub use notify::Notify;
pub use ops::{Arr, Comp, Ctx, Fork, Id, Left, Par, Right};
pub use read::{NoInputs, Poke, RefViewLeaf, ViewLeaf};
pub use segment::{Operator, Segment};
pub use source::{RefSource, Source};
