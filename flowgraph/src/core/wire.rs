//! What the builder records for the engine: a pending node and, for each of
//! its input leaves, the [`Wire`] that says where the leaf comes from.

use crate::core::node::NodeFactory;

/// Where one input leaf of a pending node comes from. Opaque outside the
/// crate: only the library's `Connect` impls make wires (a derived
/// interface's handles delegate to them), and the engine checks each
/// against the producer's leaf and counts them anyway (`Tables::wire_input`).
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Wire(pub(crate) WireKind);

impl Wire {
    /// A wire from leaf `leaf` of node `node` to a single input leaf.
    pub(crate) fn single(node: u32, leaf: u32) -> Wire {
        Wire(WireKind::Single { node, leaf })
    }

    /// The producer nodes this wire reads from, in member order.
    pub(crate) fn producers(&self) -> impl Iterator<Item = u32> + '_ {
        let (one, many) = match &self.0 {
            WireKind::Single { node, .. } | WireKind::Group { node, .. } => (Some(*node), &[][..]),
            WireKind::FanIn(list) => (None, &list[..]),
        };
        one.into_iter().chain(many.iter().map(|&(n, _)| n))
    }
}

/// The three kinds of [`Wire`].
#[derive(Clone, Debug)]
pub(crate) enum WireKind {
    /// A single leaf `leaf` of node `node`.
    Single { node: u32, leaf: u32 },
    /// A group input gathered from single by-reference leaves.
    FanIn(Vec<(u32, u32)>),
    /// A group input fed by another node's group output.
    Group { node: u32, leaf: u32 },
}

/// A node as recorded by the builder, not yet frozen.
pub(crate) struct PendingNode {
    pub(crate) factory: Box<dyn NodeFactory>,
    pub(crate) wires: Vec<Wire>,
    pub(crate) name: &'static str,
}
