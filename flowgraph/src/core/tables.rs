//! The frozen graph: per-node records, the edges between payload blocks,
//! and their construction from the builder's pending nodes.
//!
//! A producer writes its output payload into its own output block (what
//! `view` reads), then *scatters* each output leaf into the input blocks of
//! its consumers: a plain byte copy per [`Edge`]. A consumer's input block
//! therefore always holds its latest inputs. Group inputs (`RefViewPorts`)
//! own two *planes* (flags and references) that producers scatter into
//! element-wise; the group payload in the input block is re-derived from the
//! planes right before each compute (a *fix-up*), so the slices it holds
//! are always fresh.

use std::alloc::Layout;
use std::any::TypeId;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use bumpalo::Bump;

use crate::core::layout::{GroupCodec, LeafKind, LeafLayout, LeafType};
use crate::core::node::{NodeParts, RunFn};
use crate::core::unwind::drop_payload;
use crate::core::wire::{PendingNode, Wire, WireKind};

/// A byte copy from a producer's output block into a consumer. `len == 0`
/// marks a group edge, described by `groups[aux]`; otherwise `aux` says
/// whether the copy *wakes* its consumer: [`WAKE_ALWAYS`] for a leaf that
/// carries a borrow, else the offset of the producer's notify flag from
/// `src` (a lifetime-free by-value leaf wakes only when it notifies).
#[derive(Clone, Copy)]
pub(crate) struct Edge {
    pub(crate) src: *const u8,
    pub(crate) dst: *mut u8,
    pub(crate) len: u32,
    pub(crate) aux: u32,
}

/// `Edge::aux` of a copy that always wakes its consumer: `i32::MIN`, which
/// is never the offset of a flag (see [`flag_offset`]).
pub(crate) const WAKE_ALWAYS: u32 = i32::MIN as u32;

/// The `Edge::aux` of a copy from the value at `value` that wakes when the
/// flag at `flag` (offsets in the same leaf) is set: their signed distance,
/// stored as `u32` (negative when the flag comes first, e.g. `(bool, u8)`;
/// never `WAKE_ALWAYS`: a leaf is far smaller than 2 GiB).
fn flag_offset(flag: usize, value: usize) -> u32 {
    let d = i32::try_from(flag as isize - value as isize)
        .ok()
        .filter(|&d| d != i32::MIN)
        .expect("payload leaf larger than 2 GiB");
    d as u32
}

/// A group output copied into a consumer's planes (its staging planes, for
/// a by-value group): `len` flags and `len` values of `codec.elem_size`
/// bytes.
#[derive(Clone, Copy)]
pub(crate) struct GroupEdge {
    pub(crate) flags: *mut bool,
    pub(crate) values: *mut u8,
    pub(crate) len: usize,
    pub(crate) codec: GroupCodec,
}

/// A consumer of a node, with the end of its run of edges.
#[derive(Clone, Copy)]
pub(crate) struct Succ {
    pub(crate) node: u32,
    pub(crate) edges_end: u32,
}

/// Input notify flags written by `producer`: cleared right before the node
/// runs in a generation where `producer` did not run, so they read "no
/// change". (Never earlier: a group output may forward its input planes,
/// so a node's planes change only when it runs.)
#[derive(Clone, Copy)]
pub(crate) struct Clear {
    pub(crate) flags: *mut bool,
    pub(crate) len: usize,
    pub(crate) producer: u32,
}

/// A group input payload to re-derive from its planes before each compute.
/// A by-value group first copies its staging planes (what producers
/// scatter into) over its live planes (what the payload points to).
#[derive(Clone, Copy)]
pub(crate) struct Fixup {
    pub(crate) dst: *mut u8,
    pub(crate) flags: *mut bool,
    pub(crate) values: *mut u8,
    pub(crate) len: usize,
    pub(crate) codec: GroupCodec,
    /// The staging planes of a by-value group (flags, values).
    pub(crate) staged: Option<(*const bool, *const u8)>,
}

/// A group output whose length must not change after the build call.
#[derive(Clone, Copy)]
pub(crate) struct GroupCheck {
    pub(crate) src: *const u8,
    pub(crate) len: usize,
    pub(crate) leaf: u32,
    pub(crate) codec: GroupCodec,
}

/// The rare per-node work around a compute: group fix-ups and checks.
#[derive(Clone, Copy)]
pub(crate) struct Extra {
    pub(crate) fixups: (u32, u32),
    pub(crate) checks: (u32, u32),
}

pub(crate) const NO_EXTRA: u32 = u32::MAX;

/// The hot, per-node record: one cache line.
#[repr(align(64))]
pub(crate) struct Node {
    pub(crate) run: RunFn,
    pub(crate) state: *mut u8,
    pub(crate) inputs: *mut u8,
    pub(crate) outputs: *mut u8,
    pub(crate) succs: (u32, u32),
    pub(crate) edges_start: u32,
    pub(crate) clears: (u32, u32),
    pub(crate) extra: u32,
}

/// The cold, per-node record.
pub(crate) struct NodeInfo {
    pub(crate) name: &'static str,
    pub(crate) output_leaves: Vec<LeafLayout>,
    drop_state: Option<unsafe fn(*mut u8)>,
    state: *mut u8,
    /// The state's type, checked by `state_mut`.
    pub(crate) state_ty: TypeId,
}

/// Owned plane storage of a group input: `len` flags and `len` values of
/// `elem_size` bytes (zeroed until the wiring copies every element in).
struct Planes {
    flags: *mut [bool],
    values: *mut u8,
    layout: Layout,
}

impl Drop for Planes {
    fn drop(&mut self) {
        // SAFETY: `flags` came from `Box::into_raw` and `values` (when its
        // layout is not empty) from `alloc_zeroed` with `layout`, in
        // `Planes::new`; both are freed exactly once, here. The elements are
        // `Copy` (references or `Copy` views): nothing to drop.
        unsafe {
            drop(Box::from_raw(self.flags));
            if self.layout.size() != 0 {
                std::alloc::dealloc(self.values, self.layout);
            }
        }
    }
}

impl Planes {
    fn new(len: usize, codec: &GroupCodec) -> Planes {
        let size = codec
            .elem_size
            .checked_mul(len)
            .expect("flowgraph: group plane larger than the address space");
        let layout = Layout::from_size_align(size, codec.elem_align)
            .expect("flowgraph: group plane larger than the address space");
        let values = if size == 0 {
            // A dangling, aligned pointer: valid for zero-sized accesses.
            std::ptr::without_provenance_mut(codec.elem_align)
        } else {
            // SAFETY: `layout` has a non-zero size.
            let p = unsafe { std::alloc::alloc_zeroed(layout) };
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            p
        };
        Planes {
            flags: Box::into_raw(vec![false; len].into_boxed_slice()),
            values,
            layout,
        }
    }

    fn flags(&self) -> *mut bool {
        self.flags.cast()
    }

    fn values(&self) -> *mut u8 {
        self.values
    }
}

/// The frozen node table and wiring; immutable once built.
pub(crate) struct Tables {
    pub(crate) nodes: Vec<Node>,
    pub(crate) info: Vec<NodeInfo>,
    pub(crate) succs: Vec<Succ>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) groups: Vec<GroupEdge>,
    pub(crate) clears: Vec<Clear>,
    pub(crate) extras: Vec<Extra>,
    pub(crate) fixups: Vec<Fixup>,
    pub(crate) checks: Vec<GroupCheck>,
    planes: Vec<Planes>,
    /// States and payload blocks. Declared last: dropped after the states
    /// were dropped in place by `Drop for Tables`.
    arena: Bump,
}

// SAFETY: the tables own every state (each `Send`) and every payload block
// and plane (payloads are `Send + Sync`); their raw pointers only point into
// storage they own. The arena is only used while building.
unsafe impl Send for Tables {}
// SAFETY: shared access happens only inside a parallel batch, where threads
// read the tables and write through their pointers under the single-writer
// protocol (`core` docs): each node's state, output block and every edge
// destination has exactly one writer, ordered by the countdowns. The arena
// is not touched after building.
unsafe impl Sync for Tables {}

impl Drop for Tables {
    /// Drops every state, even when one `Drop` panics; the first such panic
    /// is resumed once all are dropped (the arena and planes are freed
    /// afterwards, during the unwind, as fields).
    fn drop(&mut self) {
        let mut first_panic = None;
        for info in &self.info {
            if let Some(drop_state) = info.drop_state {
                // SAFETY: the state was built in the arena by this node's
                // factory (which chose `drop_state` for its type) and is
                // dropped exactly once, here; the arena is freed afterwards.
                let r = catch_unwind(AssertUnwindSafe(|| unsafe { drop_state(info.state) }));
                if let Err(payload) = r {
                    match first_panic {
                        None => first_panic = Some(payload),
                        Some(_) => drop_payload(payload),
                    }
                }
            }
        }
        if let Some(payload) = first_panic {
            std::panic::resume_unwind(payload);
        }
    }
}

impl Tables {
    /// Freezes `pending`, running every build call in id order. Returns the
    /// tables and each build call's time, in nanoseconds.
    ///
    /// # Panics
    ///
    /// Resumes the panic of a build call that panics; panics if a wire is
    /// inconsistent (see [`Tables::wire_input`]).
    pub(crate) fn build(pending: Vec<PendingNode>) -> (Tables, Vec<u32>) {
        let n = pending.len();
        let mut t = Tables {
            nodes: Vec::with_capacity(n),
            info: Vec::with_capacity(n),
            succs: Vec::new(),
            edges: Vec::new(),
            groups: Vec::new(),
            clears: Vec::new(),
            extras: Vec::new(),
            fixups: Vec::new(),
            checks: Vec::new(),
            planes: Vec::new(),
            arena: Bump::new(),
        };
        // Edges grouped by producer, then by consumer (consumers arrive in id order).
        let mut out_edges: Vec<Vec<(u32, Edge)>> = Vec::with_capacity(n);
        let mut build_ns = Vec::with_capacity(n);
        for (id, p) in pending.into_iter().enumerate() {
            let id = id as u32;
            let parts: NodeParts = p.factory.build(&t.arena);
            t.info.push(NodeInfo {
                name: p.name,
                output_leaves: parts.output_leaves,
                drop_state: parts.drop_state,
                state: parts.state,
                state_ty: parts.state_ty,
            });
            let clears_start = t.clears.len() as u32;
            let fixups_start = t.fixups.len() as u32;
            assert_eq!(
                parts.input_leaves.len(),
                p.wires.len(),
                "flowgraph: node #{id} (`{}`) has {} input leaves but {} wires",
                p.name,
                parts.input_leaves.len(),
                p.wires.len()
            );
            for (input, (leaf, wire)) in parts.input_leaves.iter().zip(&p.wires).enumerate() {
                // SAFETY: `leaf.offset` lies inside the input block (layout
                // from the sealed interface of this very node).
                let dst = unsafe { parts.inputs.add(leaf.offset) };
                t.wire_input(id, input, dst, leaf, wire, &mut out_edges);
            }
            let mut producers: Vec<u32> = p.wires.iter().flat_map(Wire::producers).collect();
            producers.sort_unstable();
            producers.dedup();
            // With a single producer, the node runs only when that producer
            // ran and rewrote every input flag: nothing to clear.
            if producers.len() <= 1 {
                t.clears.truncate(clears_start as usize);
            }
            t.nodes.push(Node {
                run: parts.run,
                state: parts.state,
                inputs: parts.inputs,
                outputs: parts.outputs,
                succs: (0, 0),
                edges_start: 0,
                clears: (clears_start, t.clears.len() as u32),
                extra: NO_EXTRA,
            });
            out_edges.push(Vec::new());
            // The build call: inputs are complete (producers ran before us).
            // Group outputs are checked after it, so no extra yet.
            t.set_extra(id, (fixups_start, t.fixups.len() as u32), (0, 0));
            let started = Instant::now();
            // SAFETY: every input leaf was written by `wire_input`; nothing
            // else runs concurrently. (A build call clears no flags: every
            // producer ran its build call.)
            unsafe { t.exec(id, true, None) };
            build_ns.push(started.elapsed().as_nanos().min(u32::MAX as u128) as u32);
            t.record_group_lengths(id);
        }
        // Flatten the edges.
        for (id, list) in out_edges.into_iter().enumerate() {
            let succ_start = t.succs.len() as u32;
            t.nodes[id].edges_start = t.edges.len() as u32;
            let mut last: Option<u32> = None;
            for (consumer, edge) in list {
                if last != Some(consumer) {
                    t.succs.push(Succ {
                        node: consumer,
                        edges_end: 0,
                    });
                    last = Some(consumer);
                }
                t.edges.push(edge);
                t.succs.last_mut().expect("pushed above").edges_end = t.edges.len() as u32;
            }
            t.nodes[id].succs = (succ_start, t.succs.len() as u32);
        }
        (t, build_ns)
    }

    /// Connects input leaf `input` of node `id` (at `dst`) and gathers its
    /// current value from the producer.
    ///
    /// # Panics
    ///
    /// If the wire names a node that is not an earlier node, a leaf that
    /// does not exist, or a leaf whose payload type differs from the input's
    /// (checked here so that no wire can reinterpret bytes).
    fn wire_input(
        &mut self,
        id: u32,
        input: usize,
        dst: *mut u8,
        leaf: &LeafLayout,
        wire: &Wire,
        out_edges: &mut [Vec<(u32, Edge)>],
    ) {
        let mut add = |this: &Tables, producer: u32, edge: Edge| {
            // SAFETY: the producer already ran its build call, so its output
            // block is initialized; `dst` is this node's own input storage.
            unsafe { this.apply(&edge) };
            out_edges[producer as usize].push((id, edge));
        };
        match (&wire.0, leaf.kind) {
            (&WireKind::Single { node, leaf: l }, LeafKind::Single { size, flag, .. }) => {
                self.check_wire(id, input, node, l, leaf.ty);
                let src = self.output_leaf(node, l);
                let wake = if leaf.lifetime_free {
                    flag as u32
                } else {
                    WAKE_ALWAYS
                };
                add(self, node, Edge::copy(src, dst, size, wake));
                self.clears.push(Clear {
                    // SAFETY: `flag` is the flag's offset inside this leaf.
                    flags: unsafe { dst.add(flag) }.cast(),
                    len: 1,
                    producer: node,
                });
            }
            (WireKind::FanIn(list), LeafKind::Group(codec)) => {
                // A by-value group's members land in its staging planes.
                let planes = Planes::new(list.len(), &codec);
                let stage = codec.by_value.then(|| Planes::new(list.len(), &codec));
                let target = stage.as_ref().unwrap_or(&planes);
                for (i, &(node, l)) in list.iter().enumerate() {
                    let layout = self.check_wire(id, input, node, l, codec.member);
                    let LeafKind::Single { flag, value, .. } = layout.kind else {
                        unreachable!("the member type is a single leaf's")
                    };
                    let src = self.output_leaf(node, l);
                    // SAFETY: `i < len` of both planes (each value
                    // `elem_size` bytes); `flag`/`value` are offsets inside
                    // the producer's leaf, whose payload type was just
                    // checked to be the member's (`(bool, &T)` or `(bool, T)`,
                    // so its value has `elem_size` bytes).
                    let (fdst, vdst, fsrc, vsrc) = unsafe {
                        (
                            target.flags().add(i),
                            target.values().add(i * codec.elem_size),
                            src.add(flag),
                            src.add(value),
                        )
                    };
                    // References always wake; a lifetime-free by-value
                    // member wakes only when its producer's flag is set
                    // (both edges read that flag: offset 0 from the flag,
                    // `flag - value` from the value).
                    let (fwake, vwake) = if layout.lifetime_free {
                        (0, flag_offset(flag, value))
                    } else {
                        (WAKE_ALWAYS, WAKE_ALWAYS)
                    };
                    add(self, node, Edge::copy(fsrc, fdst.cast(), 1, fwake));
                    if codec.elem_size != 0 {
                        add(self, node, Edge::copy(vsrc, vdst, codec.elem_size, vwake));
                    }
                    self.clears.push(Clear {
                        flags: fdst,
                        len: 1,
                        producer: node,
                    });
                }
                self.push_group_input(dst, planes, stage, list.len(), codec);
            }
            (&WireKind::Group { node, leaf: l }, LeafKind::Group(codec)) => {
                self.check_wire(id, input, node, l, leaf.ty);
                let src = self.output_leaf(node, l);
                // SAFETY: the producer's output block is initialized, and its
                // leaf holds the same group payload type (checked above).
                let (_, _, len, _) = unsafe { (codec.read)(src) };
                let planes = Planes::new(len, &codec);
                let stage = codec.by_value.then(|| Planes::new(len, &codec));
                let target = stage.as_ref().unwrap_or(&planes);
                let (tflags, tvalues) = (target.flags(), target.values());
                self.groups.push(GroupEdge {
                    flags: tflags,
                    values: tvalues,
                    len,
                    codec,
                });
                let edge = Edge {
                    src,
                    dst: std::ptr::null_mut(),
                    len: 0,
                    aux: self.groups.len() as u32 - 1,
                };
                add(self, node, edge);
                self.clears.push(Clear {
                    flags: tflags,
                    len,
                    producer: node,
                });
                self.push_group_input(dst, planes, stage, len, codec);
            }
            (_, kind) => panic!(
                "flowgraph: {}: input leaf {input} is a {} but its wire is a {}",
                self.describe(id),
                match kind {
                    LeafKind::Single { .. } => "single port",
                    LeafKind::Group(_) => "group",
                },
                match wire.0 {
                    WireKind::Single { .. } => "single-leaf wire",
                    WireKind::FanIn(_) => "fan-in",
                    WireKind::Group { .. } => "group wire",
                }
            ),
        }
    }

    /// Checks that leaf `l` of node `node` may feed input leaf `input` of
    /// node `id`, expecting payload type `want`; returns its layout.
    fn check_wire(&self, id: u32, input: usize, node: u32, l: u32, want: LeafType) -> LeafLayout {
        assert!(
            node < id,
            "flowgraph: {}: input leaf {input} names node #{node}, which was not pushed before it",
            self.describe(id)
        );
        let layout = self.checked_layout(node, l);
        assert!(
            layout.ty == want,
            "flowgraph: {}: input leaf {input} expects a `{}` but {} output leaf {l} holds a `{}`",
            self.describe(id),
            want.name,
            self.describe(node),
            layout.ty.name
        );
        layout
    }

    /// The layout of output leaf `l` of node `node`, panicking with a clear
    /// message when either does not exist.
    pub(crate) fn checked_layout(&self, node: u32, l: u32) -> LeafLayout {
        let info = self.info.get(node as usize).unwrap_or_else(|| {
            panic!(
                "flowgraph: node #{node} does not exist (the graph has {} nodes)",
                self.info.len()
            )
        });
        *info.output_leaves.get(l as usize).unwrap_or_else(|| {
            panic!(
                "flowgraph: {} has no output leaf {l} (it has {})",
                self.describe(node),
                info.output_leaves.len()
            )
        })
    }

    fn push_group_input(
        &mut self,
        dst: *mut u8,
        planes: Planes,
        stage: Option<Planes>,
        len: usize,
        codec: GroupCodec,
    ) {
        self.fixups.push(Fixup {
            dst,
            flags: planes.flags(),
            values: planes.values(),
            len,
            codec,
            staged: stage
                .as_ref()
                .map(|s| (s.flags().cast_const(), s.values().cast_const())),
        });
        self.planes.push(planes);
        self.planes.extend(stage);
    }

    /// Records node `id`'s fix-ups and checks, in its existing `Extra` entry
    /// if it has one, in a new one only if there is something to record.
    fn set_extra(&mut self, id: u32, fixups: (u32, u32), checks: (u32, u32)) {
        let extra = Extra { fixups, checks };
        let node = &mut self.nodes[id as usize];
        if node.extra != NO_EXTRA {
            self.extras[node.extra as usize] = extra;
        } else if fixups.0 != fixups.1 || checks.0 != checks.1 {
            node.extra = self.extras.len() as u32;
            self.extras.push(extra);
        }
    }

    /// A pointer to output leaf `leaf` of `node` (both known to exist).
    pub(crate) fn output_leaf(&self, node: u32, leaf: u32) -> *mut u8 {
        let off = self.info[node as usize].output_leaves[leaf as usize].offset;
        // SAFETY: the offset lies inside the node's output block.
        unsafe { self.nodes[node as usize].outputs.add(off) }
    }

    fn record_group_lengths(&mut self, id: u32) {
        let start = self.checks.len() as u32;
        for (leaf, layout) in self.info[id as usize].output_leaves.iter().enumerate() {
            if let LeafKind::Group(codec) = layout.kind {
                let src = self.output_leaf(id, leaf as u32);
                // SAFETY: the build call just initialized the output block.
                let (_, _, flen, rlen) = unsafe { (codec.read)(src) };
                assert_eq!(
                    flen,
                    rlen,
                    "flowgraph: {}: group output {leaf} has {flen} notify flags but {rlen} references; \
                     the two planes must have the same length",
                    self.describe(id)
                );
                self.checks.push(GroupCheck {
                    src,
                    len: flen,
                    leaf: leaf as u32,
                    codec,
                });
            }
        }
        let fixups = match self.nodes[id as usize].extra {
            NO_EXTRA => (0, 0),
            e => self.extras[e as usize].fixups,
        };
        self.set_extra(id, fixups, (start, self.checks.len() as u32));
    }

    /// `node #3 (`my::Seg`)`.
    pub(crate) fn describe(&self, node: u32) -> String {
        format!("node #{node} (`{}`)", self.info[node as usize].name)
    }
}
