//! What the builder records for the exporters: each node's interfaces (as
//! a function, evaluated only when exporting), its combinator tree if it is
//! fused, and where each input leaf comes from.

use crate::core::{self, Engine, Wire, WireKind};
use crate::export::fused::{fused_label, is_fused};
use crate::export::shape::{segment_label, PortDesc, PortKind, PortTree, Structure};
use crate::typed::{Interface, Segment};

/// The port trees `(inputs, outputs)` of a segment type.
type Ports = fn() -> (PortTree, PortTree);

fn ports_of<S: Segment>() -> (PortTree, PortTree) {
    (S::Inputs::port_tree(), S::Outputs::port_tree())
}

struct NodeRecord {
    ports: Ports,
    fused: Option<Box<Structure>>,
    /// End of this node's run in `Topology::inputs`.
    inputs_end: u32,
    group_out: bool,
}

/// Where one input leaf (or one element of a fan-in) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InputWire {
    /// The consumer's input leaf.
    pub(crate) leaf: u32,
    /// The producer and its output leaf.
    pub(crate) node: u32,
    pub(crate) from_leaf: u32,
}

/// The recorded topology of a graph.
#[derive(Default)]
pub(crate) struct Topology {
    nodes: Vec<NodeRecord>,
    inputs: Vec<InputWire>,
    /// `(node, output leaf, length)` of every group output, in node order.
    group_lens: Vec<(u32, u32, usize)>,
}

impl std::fmt::Debug for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topology")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl Topology {
    /// Records node `segment`, wired by `wires` (called by the builder).
    pub(crate) fn record<S: Segment>(&mut self, segment: &S, wires: &[Wire]) {
        for (leaf, w) in wires.iter().enumerate() {
            let leaf = leaf as u32;
            match &w.0 {
                &WireKind::Single { node, leaf: l } | &WireKind::Group { node, leaf: l } => {
                    self.inputs.push(InputWire {
                        leaf,
                        node,
                        from_leaf: l,
                    })
                }
                WireKind::FanIn(list) => {
                    self.inputs.extend(list.iter().map(|&(node, l)| InputWire {
                        leaf,
                        node,
                        from_leaf: l,
                    }))
                }
            }
        }
        let fused = segment.__fused().filter(is_fused).map(Box::new);
        self.nodes.push(NodeRecord {
            ports: ports_of::<S>,
            fused,
            inputs_end: self.inputs.len() as u32,
            group_out: S::Outputs::HAS_GROUP,
        });
    }

    /// Notes the lengths of group outputs, fixed by the build calls.
    pub(crate) fn freeze(&mut self, engine: &Engine) {
        for (v, n) in self.nodes.iter().enumerate() {
            if !n.group_out {
                continue;
            }
            let mut leaves = Vec::new();
            (n.ports)().1.leaves(&mut leaves);
            for (j, p) in leaves.iter().enumerate() {
                if matches!(p.kind, PortKind::RefViews | PortKind::Views) {
                    let len = core::group_len(engine, v as u32, j as u32);
                    self.group_lens.push((v as u32, j as u32, len));
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Node `v`'s interfaces, as port trees.
    pub(crate) fn ports(&self, v: usize) -> (PortTree, PortTree) {
        (self.nodes[v].ports)()
    }

    /// Node `v`'s combinator tree, if it is drawn as a cluster.
    pub(crate) fn fused(&self, v: usize) -> Option<&Structure> {
        self.nodes[v].fused.as_deref()
    }

    /// Where node `v`'s inputs come from, in input-leaf order.
    pub(crate) fn inputs(&self, v: usize) -> &[InputWire] {
        let start = match v {
            0 => 0,
            v => self.nodes[v - 1].inputs_end as usize,
        };
        &self.inputs[start..self.nodes[v].inputs_end as usize]
    }

    /// The length of group output `leaf` of `node`, if it is one.
    pub(crate) fn group_len(&self, node: u32, leaf: u32) -> Option<usize> {
        self.group_lens
            .iter()
            .find(|&&(n, l, _)| (n, l) == (node, leaf))
            .map(|&(_, _, len)| len)
    }

    /// The label of output `leaf` of `node`, given its port: `Port<f64>`,
    /// `RefPorts<f64> ×64`, `Ports<f64> ×64`.
    pub(crate) fn port_label(&self, node: u32, leaf: u32, port: &PortDesc) -> String {
        match self.group_len(node, leaf) {
            Some(len) if matches!(port.kind, PortKind::RefViews | PortKind::Views) => {
                format!("{} ×{len}", port.label())
            }
            _ => port.label(),
        }
    }

    /// A short label for node `v` of segment type `name`.
    pub(crate) fn label(&self, v: usize, name: &str) -> String {
        match self.fused(v) {
            Some(s) => fused_label(s),
            None => segment_label(name),
        }
    }
}
