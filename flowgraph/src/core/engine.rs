//! The erased graph: the frozen node table, the wiring between payload
//! blocks, and the scheduler that runs one generation.
//!
//! # Wiring
//!
//! A producer writes its output payload into its own output block (what
//! `view` reads), then *scatters* each output leaf into the input blocks of its
//! consumers: a plain byte copy per edge. A consumer's input block therefore
//! always holds its latest inputs. Group inputs (`RefViewPorts`) own two
//! *planes* (flags and references) that producers scatter into element-wise;
//! the group payload in the input block is re-derived from the planes right
//! before each compute (a *fix-up*), so the slices it holds are always fresh.
//!
//! # Generations
//!
//! `state_mut` records dirty sources. `stabilize` runs exactly the *cone*: the
//! nodes reachable from dirty sources. Node ids are a topological order, so
//! the serial scheduler runs scheduled nodes in increasing id order (see
//! `frontier.rs`); its cost is proportional to the cone, never to the graph.
//! Before a node first receives a payload in a generation, its input notify
//! flags are cleared, so inputs from producers outside the cone read "no
//! change" (unless all its inputs come from one producer, which then rewrites
//! every flag itself). The parallel scheduler marks the cone first (counting each node's
//! predecessors inside it), then runs it on the pool with atomic countdowns.
//!
//! # Safety invariants
//!
//! - **Single writer.** Each input leaf (or plane element) has exactly one
//!   producing edge. A node's input block is written only by its producers,
//!   and only before the node runs in that generation (both schedulers run a
//!   node after all its producers in the cone have scattered; the parallel
//!   countdown is `AcqRel`). A node's output block and state are written only
//!   by the node's own compute.
//! - **Per-generation lifetime.** Payloads point into producers' states and
//!   blocks. A node whose state is touched (it runs, or is poked) has every
//!   consumer in the cone, so every stale pointer is overwritten before it is
//!   read. Blocks and states live in an arena, allocated once and freed only
//!   when the engine drops.
//! - **Read guard / poison.** Reads are refused while a source is poked and
//!   not yet stabilized, and forever after a compute panicked (downstream
//!   payloads may dangle).

use std::any::{Any, TypeId};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use bumpalo::Bump;

use crate::core::frontier::Frontier;
use crate::core::layout::{copy_bytes, GroupCodec, LeafKind, LeafLayout, LeafType, REF_SIZE};
use crate::core::node::{NodeFactory, NodeParts, RunFn};
use crate::core::pool::{run_local, Batch, Pool};

/// Where one input leaf of a pending node comes from. Opaque outside the
/// crate: only the sealed `Connect` impls make wires, and the engine checks
/// each against the producer's leaf anyway (`Tables::wire_input`).
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

/// A byte copy from a producer's output block into a consumer; `len == 0`
/// marks a group edge, described by `groups[group]`.
#[derive(Clone, Copy)]
struct Edge {
    src: *const u8,
    dst: *mut u8,
    len: u32,
    group: u32,
}

/// A group output copied into a consumer's planes.
#[derive(Clone, Copy)]
struct GroupEdge {
    flags: *mut bool,
    refs: *mut *const (),
    len: usize,
    codec: GroupCodec,
}

/// A consumer of a node, with the end of its run of edges.
#[derive(Clone, Copy)]
struct Succ {
    node: u32,
    edges_end: u32,
}

/// Notify flags to clear before a node's first input arrives in a generation.
#[derive(Clone, Copy)]
struct Clear {
    flags: *mut bool,
    len: usize,
}

/// A group input payload to re-derive from its planes before each compute.
#[derive(Clone, Copy)]
struct Fixup {
    dst: *mut u8,
    flags: *const bool,
    refs: *const *const (),
    len: usize,
    codec: GroupCodec,
}

/// A group output whose length must not change after the build call.
#[derive(Clone, Copy)]
struct GroupCheck {
    src: *const u8,
    len: usize,
    leaf: u32,
    codec: GroupCodec,
}

/// The rare per-node work around a compute: group fix-ups and checks.
#[derive(Clone, Copy)]
struct Extra {
    fixups: (u32, u32),
    checks: (u32, u32),
}

const NO_EXTRA: u32 = u32::MAX;

const NOT_SOURCE: u8 = 0;
const IDLE: u8 = 1;
const POKED: u8 = 2;

/// The hot, per-node record: one cache line.
#[repr(align(64))]
struct Node {
    run: RunFn,
    state: *mut u8,
    inputs: *mut u8,
    outputs: *mut u8,
    succs: (u32, u32),
    edges_start: u32,
    clears: (u32, u32),
    extra: u32,
}

/// The cold, per-node record.
struct NodeInfo {
    name: &'static str,
    output_leaves: Vec<LeafLayout>,
    drop_state: Option<unsafe fn(*mut u8)>,
    state: *mut u8,
    /// The state's type, checked by `state_mut`.
    state_ty: TypeId,
}

/// Owned plane storage of a group input.
struct Planes {
    flags: *mut [bool],
    refs: *mut [*const ()],
}

impl Drop for Planes {
    fn drop(&mut self) {
        // SAFETY: both came from `Box::into_raw` in `Planes::new` and are
        // freed exactly once, here.
        unsafe {
            drop(Box::from_raw(self.flags));
            drop(Box::from_raw(self.refs));
        }
    }
}

impl Planes {
    fn new(len: usize) -> Planes {
        Planes {
            flags: Box::into_raw(vec![false; len].into_boxed_slice()),
            refs: Box::into_raw(vec![std::ptr::null::<()>(); len].into_boxed_slice()),
        }
    }

    fn flags(&self) -> *mut bool {
        self.flags.cast()
    }

    fn refs(&self) -> *mut *const () {
        self.refs.cast()
    }
}

/// Below this estimated cost per node, a generation runs serially: waking a
/// worker and moving cache lines between cores costs more than it saves.
const PARALLEL_MIN_NODE_NS: f64 = 400.0;
/// Below this estimated cost for a whole cone, a generation runs serially.
const PARALLEL_MIN_CONE_NS: f64 = 40_000.0;

/// Counters describing what a graph's scheduler has done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Generations run by `stabilize` (empty ones included).
    pub generations: u64,
    /// Node computes run by `stabilize` (build calls excluded).
    pub nodes_run: u64,
    /// Nodes run by the last `stabilize`.
    pub last_cone: usize,
    /// Generations that ran on the pool's worker threads.
    pub parallel_generations: u64,
}

/// The frozen node table and wiring; immutable once built.
struct Tables {
    nodes: Vec<Node>,
    info: Vec<NodeInfo>,
    succs: Vec<Succ>,
    edges: Vec<Edge>,
    groups: Vec<GroupEdge>,
    clears: Vec<Clear>,
    extras: Vec<Extra>,
    fixups: Vec<Fixup>,
    checks: Vec<GroupCheck>,
    planes: Vec<Planes>,
    /// States and payload blocks. Declared last: dropped after the states
    /// were dropped in place by `Drop for Tables`.
    arena: Bump,
}

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

/// Drops a panic payload that will not be resumed. Its own `Drop` may panic
/// too, with a payload that is dropped in turn; a chain of payloads that
/// keep panicking is cut short by leaking the last one rather than letting
/// it unwind through the engine.
fn drop_payload(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    for _ in 0..4 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(again) => payload = again,
        }
    }
    std::mem::forget(payload);
}

/// The frozen, type-erased graph and its scheduler.
pub(crate) struct Engine {
    t: Tables,
    gen: u32,
    /// `stamp[v] == gen` iff `v` was scheduled in the current generation.
    stamp: Vec<u32>,
    frontier: Frontier,
    pending: Vec<AtomicU32>,
    cone: Vec<u32>,
    dirty: Vec<u32>,
    /// Work lists of a cone run on the caller alone.
    scratch: [Vec<u32>; 2],
    /// Per node: `NOT_SOURCE`, `IDLE` or `POKED` (one array, so a poke
    /// touches one cache line besides the node's own).
    source: Vec<u8>,
    /// The node whose compute panicked, if any: the graph is dead.
    poison: Option<u32>,
    /// Moving estimate of one node's cost, in nanoseconds.
    node_ns: f64,
    stats: Stats,
}

// SAFETY: the tables own every state (each `Send`) and every payload block
// and plane (payloads are `Send + Sync`); their raw pointers only point into
// storage they own. The arena is only used while building.
unsafe impl Send for Tables {}
// SAFETY: shared access happens only inside a parallel batch, where threads
// read the tables and write through their pointers under the single-writer
// protocol of the module docs: each node's state, output block and every
// edge destination has exactly one writer, ordered by the countdowns. The
// arena is not touched after building.
unsafe impl Sync for Tables {}

impl Engine {
    /// Freezes `pending` into a graph, running every build call in id order.
    ///
    /// # Panics
    ///
    /// Resumes the panic of a build call that panics.
    pub(crate) fn new(pending: Vec<PendingNode>, sources: &[u32]) -> Engine {
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
        let started = Instant::now();
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
            // With a single producer, every input flag is rewritten whenever
            // the node is in the cone: nothing to clear.
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
            // SAFETY: every input leaf was written by `wire_input`; nothing
            // else runs concurrently.
            unsafe { t.exec(id, true) };
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
        let node_ns = if n > 0 {
            started.elapsed().as_nanos() as f64 / n as f64
        } else {
            0.0
        };
        Engine {
            t,
            gen: 0,
            stamp: vec![0; n],
            frontier: Frontier::new(n),
            pending: (0..n).map(|_| AtomicU32::new(0)).collect(),
            cone: Vec::new(),
            dirty: Vec::new(),
            scratch: Default::default(),
            source: {
                let mut v = vec![NOT_SOURCE; n];
                for &s in sources {
                    v[s as usize] = IDLE;
                }
                v
            },
            poison: None,
            node_ns,
            stats: Stats::default(),
        }
    }
}

impl Tables {
    /// Connects input leaf `input` of node `id` (at `dst`) and gathers its
    /// current value from the producer.
    ///
    /// # Panics
    ///
    /// If the wire names a node that is not an earlier node, a leaf that
    /// does not exist, or a leaf whose payload type differs from the input's
    /// (checked here so that no wire can reinterpret bytes).
    #[allow(
        clippy::too_many_arguments,
        reason = "one call site, in the build loop"
    )]
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
                add(self, node, Edge::copy(src, dst, size));
                self.clears.push(Clear {
                    // SAFETY: `flag` is the flag's offset inside this leaf.
                    flags: unsafe { dst.add(flag) }.cast(),
                    len: 1,
                });
            }
            (WireKind::FanIn(list), LeafKind::Group(codec)) => {
                let planes = Planes::new(list.len());
                for (i, &(node, l)) in list.iter().enumerate() {
                    let layout = self.check_wire(id, input, node, l, codec.member);
                    let LeafKind::Single { flag, value, .. } = layout.kind else {
                        unreachable!("the member type is a single leaf's")
                    };
                    let src = self.output_leaf(node, l);
                    // SAFETY: `i < len` of both planes; `flag`/`value` are
                    // offsets inside the producer's leaf, whose payload type
                    // was just checked to be `(bool, &T)`.
                    let (fdst, rdst, fsrc, rsrc) = unsafe {
                        (
                            planes.flags().add(i),
                            planes.refs().add(i),
                            src.add(flag),
                            src.add(value),
                        )
                    };
                    add(self, node, Edge::copy(fsrc, fdst.cast(), 1));
                    add(self, node, Edge::copy(rsrc, rdst.cast(), REF_SIZE));
                }
                self.push_group_input(dst, planes, list.len(), codec);
            }
            (&WireKind::Group { node, leaf: l }, LeafKind::Group(codec)) => {
                self.check_wire(id, input, node, l, leaf.ty);
                let src = self.output_leaf(node, l);
                // SAFETY: the producer's output block is initialized, and its
                // leaf holds the same group payload type (checked above).
                let (_, _, len, _) = unsafe { (codec.read)(src) };
                let planes = Planes::new(len);
                self.groups.push(GroupEdge {
                    flags: planes.flags(),
                    refs: planes.refs(),
                    len,
                    codec,
                });
                let edge = Edge {
                    src,
                    dst: std::ptr::null_mut(),
                    len: 0,
                    group: self.groups.len() as u32 - 1,
                };
                add(self, node, edge);
                self.push_group_input(dst, planes, len, codec);
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
    fn checked_layout(&self, node: u32, l: u32) -> LeafLayout {
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

    fn push_group_input(&mut self, dst: *mut u8, planes: Planes, len: usize, codec: GroupCodec) {
        self.clears.push(Clear {
            flags: planes.flags(),
            len,
        });
        self.fixups.push(Fixup {
            dst,
            flags: planes.flags(),
            refs: planes.refs(),
            len,
            codec,
        });
        self.planes.push(planes);
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

    fn output_layout(&self, node: u32, leaf: u32) -> LeafLayout {
        self.info[node as usize].output_leaves[leaf as usize]
    }

    fn output_leaf(&self, node: u32, leaf: u32) -> *mut u8 {
        let off = self.output_layout(node, leaf).offset;
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
    fn describe(&self, node: u32) -> String {
        format!("node #{node} (`{}`)", self.info[node as usize].name)
    }

    /// Performs one edge's copy.
    ///
    /// # Safety
    /// The producer's output block must be initialized, and no one may be
    /// reading the destination concurrently (single-writer protocol).
    #[inline(always)]
    unsafe fn apply(&self, edge: &Edge) {
        if edge.len != 0 {
            // SAFETY: `src` and `dst` were computed from layouts inside
            // distinct live blocks (or planes) of at least `len` bytes.
            unsafe { copy_bytes(edge.src, edge.dst, edge.len as usize) }
        } else {
            let g = &self.groups[edge.group as usize];
            // SAFETY: the producer's output block is initialized; its group
            // length was checked against `len` when it ran, and the planes
            // hold `len` elements.
            unsafe {
                let (fsrc, rsrc, _, _) = (g.codec.read)(edge.src);
                std::ptr::copy_nonoverlapping(fsrc, g.flags, g.len);
                std::ptr::copy_nonoverlapping(rsrc, g.refs, g.len);
            }
        }
    }

    /// Runs node `id`'s compute: group fix-ups, the thunk, group checks.
    ///
    /// # Safety
    /// The node's input block must be complete for this generation, and no
    /// other thread may run this node or write its inputs concurrently.
    #[inline(always)]
    unsafe fn exec(&self, id: u32, init: bool) {
        let node = &self.nodes[id as usize];
        if node.extra == NO_EXTRA {
            // SAFETY: the blocks belong to this node (built by the factory
            // whose thunk `run` is); the caller guarantees exclusive access.
            unsafe { (node.run)(node.state, node.inputs, node.outputs, init) };
        } else {
            // SAFETY: as above.
            unsafe { self.exec_extra(id, init) };
        }
    }

    /// `exec` for nodes with group inputs or outputs.
    ///
    /// # Safety
    /// As `exec`.
    #[inline(never)]
    unsafe fn exec_extra(&self, id: u32, init: bool) {
        let node = &self.nodes[id as usize];
        let extra = self.extras[node.extra as usize];
        for f in &self.fixups[extra.fixups.0 as usize..extra.fixups.1 as usize] {
            // SAFETY: the planes live as long as the engine and hold `len`
            // initialized elements; `dst` is this node's input leaf.
            unsafe { (f.codec.write)(f.dst, f.flags, f.refs, f.len) };
        }
        // SAFETY: as in `exec`.
        unsafe { (node.run)(node.state, node.inputs, node.outputs, init) };
        for c in &self.checks[extra.checks.0 as usize..extra.checks.1 as usize] {
            // SAFETY: the compute just initialized the output block.
            let (_, _, flen, rlen) = unsafe { (c.codec.read)(c.src) };
            if flen != c.len || rlen != c.len {
                panic!(
                    "flowgraph: {}: group output {} changed length from {} to {} (flags) / {} (references); \
                     a group must keep the length it had in the build call",
                    self.describe(id),
                    c.leaf,
                    c.len,
                    flen,
                    rlen
                );
            }
        }
    }

    /// Clears node `id`'s input notify flags.
    ///
    /// # Safety
    /// No one may be reading or writing the node's inputs concurrently.
    #[inline(always)]
    unsafe fn clear_inputs(&self, id: u32) {
        let node = &self.nodes[id as usize];
        for c in &self.clears[node.clears.0 as usize..node.clears.1 as usize] {
            // SAFETY: `flags` points to `len` flags in this node's own input
            // storage; the caller guarantees exclusive access.
            unsafe { std::ptr::write_bytes(c.flags, 0, c.len) };
        }
    }

    /// Node `id`'s consumers, and the index of its first edge.
    #[inline(always)]
    fn succ_edges(&self, id: u32) -> (&[Succ], u32) {
        let node = &self.nodes[id as usize];
        (
            &self.succs[node.succs.0 as usize..node.succs.1 as usize],
            node.edges_start,
        )
    }
}

impl Edge {
    fn copy(src: *const u8, dst: *mut u8, len: usize) -> Edge {
        Edge {
            src,
            dst,
            len: u32::try_from(len).expect("payload leaf larger than 4 GiB"),
            group: 0,
        }
    }
}

impl Engine {
    pub(crate) fn len(&self) -> usize {
        self.t.nodes.len()
    }

    pub(crate) fn stats(&self) -> Stats {
        self.stats
    }

    /// # Panics
    /// If `node` is not a node of this graph.
    pub(crate) fn name(&self, node: usize) -> &'static str {
        self.t.info[self.node_id(node) as usize].name
    }

    /// # Panics
    /// If `node` is not a node of this graph.
    pub(crate) fn successors(&self, node: usize) -> impl Iterator<Item = u32> + '_ {
        self.t
            .succ_edges(self.node_id(node))
            .0
            .iter()
            .map(|s| s.node)
    }

    /// `node` as an id, checked against the graph's size.
    fn node_id(&self, node: usize) -> u32 {
        assert!(
            node < self.len(),
            "flowgraph: node #{node} does not exist (the graph has {} nodes)",
            self.len()
        );
        node as u32
    }

    /// Panics if the graph is poisoned or a poke is pending.
    fn check_readable(&self, node: u32) {
        self.check_poison();
        if let Some(&s) = self.dirty.first() {
            panic!(
                "flowgraph: cannot read {}: {} was poked with `state_mut` and the graph was not stabilized since; \
                 call `stabilize` before reading",
                self.t.describe(node),
                self.t.describe(s)
            );
        }
    }

    /// The node whose compute poisoned the graph (hook for `mpi`).
    #[cfg(feature = "mpi")]
    pub(crate) fn poisoned_by(&self) -> Option<u32> {
        self.poison
    }

    fn check_poison(&self) {
        if let Some(node) = self.poison {
            panic!(
                "flowgraph: the graph is poisoned: {} panicked during `stabilize`; a poisoned graph cannot be used again",
                self.t.describe(node)
            );
        }
    }

    /// A pointer to output leaf `leaf` of `node`, for reading a payload of
    /// type `ty` (`None`: only its notify flag).
    ///
    /// # Panics
    /// If the graph is poisoned, a poke awaits `stabilize` (read guard), or
    /// the leaf does not exist or holds another payload type.
    pub(crate) fn read_leaf(&self, node: u32, leaf: u32, ty: Option<LeafType>) -> *const u8 {
        let layout = self.t.checked_layout(node, leaf);
        if let Some(ty) = ty {
            assert!(
                layout.ty == ty,
                "flowgraph: cannot read a `{}` from {} output leaf {leaf}, which holds a `{}`",
                ty.name,
                self.t.describe(node),
                layout.ty.name
            );
        }
        self.check_readable(node);
        self.t.output_leaf(node, leaf)
    }

    pub(crate) fn output_kind(&self, node: u32, leaf: u32) -> LeafKind {
        self.t.checked_layout(node, leaf).kind
    }

    /// The state of source `node`, marking it dirty; `state_ty` is the type
    /// the caller will access it as.
    ///
    /// # Panics
    /// If the graph is poisoned, `node` is not a source, or its state is not
    /// of type `state_ty`.
    pub(crate) fn poke(&mut self, node: u32, state_ty: TypeId) -> *mut u8 {
        self.check_poison();
        let kind = *self.source.get(node as usize).unwrap_or_else(|| {
            panic!(
                "flowgraph: node #{node} does not exist (the graph has {} nodes)",
                self.len()
            )
        });
        assert!(
            self.t.info[node as usize].state_ty == state_ty,
            "flowgraph: {}: `state_mut` with a handle of another segment type",
            self.t.describe(node)
        );
        match kind {
            IDLE => {
                self.source[node as usize] = POKED;
                self.dirty.push(node);
            }
            POKED => {}
            _ => panic!("flowgraph: {} is not a source", self.t.describe(node)),
        }
        self.t.nodes[node as usize].state
    }

    /// Runs one generation: exactly the cone of the dirty sources.
    ///
    /// # Panics
    /// Resumes the first panic of a compute (the graph is then poisoned);
    /// panics if the graph was already poisoned.
    pub(crate) fn stabilize(&mut self, pool: &mut Pool) {
        self.check_poison();
        self.stats.generations += 1;
        if self.dirty.is_empty() {
            self.stats.last_cone = 0;
            return;
        }
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.gen = 1;
        }
        let parallel = pool.threads() > 1 && self.node_ns >= PARALLEL_MIN_NODE_NS;
        // The cost estimate only matters with workers to hand work to; a
        // serial generation refreshes it one time in 64 (reading the clock
        // costs as much as running a few trivial nodes).
        let timed = pool.threads() > 1 && (parallel || self.stats.generations % 64 == 0);
        let started = timed.then(Instant::now);
        let result = if parallel {
            self.mark_cone();
            let cone = self.cone.len();
            if cone >= 2 && cone as f64 * self.node_ns >= PARALLEL_MIN_CONE_NS {
                self.stats.parallel_generations += 1;
                self.run_batch(Some(pool))
            } else {
                self.run_batch(None)
            }
        } else {
            self.run_serial()
        };
        for &s in &self.dirty {
            self.source[s as usize] = IDLE;
        }
        self.dirty.clear();
        if let Some(t) = started {
            if self.stats.last_cone > 0 {
                let per = t.elapsed().as_nanos() as f64 / self.stats.last_cone as f64;
                self.node_ns = 0.75 * self.node_ns + 0.25 * per;
            }
        }
        self.stats.nodes_run += self.stats.last_cone as u64;
        if let Err((node, payload)) = result {
            self.poison = Some(node);
            std::panic::resume_unwind(payload);
        }
    }

    /// The serial scheduler: pops scheduled ids in increasing order; no atomics.
    fn run_serial(&mut self) -> Result<(), (u32, Box<dyn Any + Send>)> {
        let gen = self.gen;
        // Taking the frontier out leaves an empty default: no allocation.
        let mut frontier = std::mem::take(&mut self.frontier);
        frontier.clear();
        for &s in &self.dirty {
            self.stamp[s as usize] = gen;
            frontier.push(s);
        }
        let t = &self.t;
        let stamp = &mut self.stamp;
        let mut current = u32::MAX;
        let mut ran = 0usize;
        let result = catch_unwind(AssertUnwindSafe(|| {
            while let Some(u) = frontier.pop() {
                current = u;
                // SAFETY: all of `u`'s producers in the cone have a smaller id
                // and already ran (ids are topological; the frontier pops the
                // smallest), so its inputs are complete; we are alone.
                unsafe { t.exec(u, false) };
                ran += 1;
                let (succs, mut e) = t.succ_edges(u);
                for s in succs {
                    let v = s.node as usize;
                    if stamp[v] != gen {
                        stamp[v] = gen;
                        // SAFETY: serial: nothing else touches `v`'s inputs.
                        unsafe { t.clear_inputs(s.node) };
                        frontier.push(s.node);
                    }
                    while e < s.edges_end {
                        // SAFETY: `u` just wrote its outputs; `v` has not run.
                        unsafe { t.apply(&t.edges[e as usize]) };
                        e += 1;
                    }
                }
            }
        }));
        self.frontier = frontier;
        self.stats.last_cone = ran;
        result.map_err(|payload| (current, payload))
    }

    /// Marks the cone for the parallel scheduler: collects it in `cone`,
    /// counts each node's predecessors inside it, clears input flags.
    fn mark_cone(&mut self) {
        let gen = self.gen;
        self.cone.clear();
        for &s in &self.dirty {
            self.stamp[s as usize] = gen;
            *self.pending[s as usize].get_mut() = 0;
            self.cone.push(s);
        }
        let mut i = 0;
        while i < self.cone.len() {
            let u = self.cone[i];
            i += 1;
            for s in self.t.succ_edges(u).0 {
                let v = s.node as usize;
                if self.stamp[v] != gen {
                    self.stamp[v] = gen;
                    *self.pending[v].get_mut() = 0;
                    // SAFETY: no batch runs yet; we have `&mut self`.
                    unsafe { self.t.clear_inputs(s.node) };
                    self.cone.push(s.node);
                }
                *self.pending[v].get_mut() += 1;
            }
        }
    }

    fn run_batch(&mut self, pool: Option<&mut Pool>) -> Result<(), (u32, Box<dyn Any + Send>)> {
        let batch = ConeBatch {
            t: &self.t,
            pending: &self.pending,
            remaining: AtomicUsize::new(self.cone.len()),
            not_run: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
        };
        match pool {
            Some(pool) => pool.run(&batch, &self.dirty),
            None => run_local(&batch, &self.dirty, &mut self.scratch),
        }
        // The batch has settled: no thread touches it any more.
        self.stats.last_cone = self.cone.len() - batch.not_run.into_inner();
        let mut panics = batch.panics.into_inner().unwrap_or_else(|e| e.into_inner());
        if panics.is_empty() {
            return Ok(());
        }
        let first = panics.swap_remove(0);
        // Payloads of later panics are dropped here, outside the batch,
        // where a `Drop` that panics cannot unwind through the pool.
        panics.into_iter().for_each(|(_, p)| drop_payload(p));
        Err(first)
    }
}

/// One parallel generation: the marked cone, run with atomic countdowns.
struct ConeBatch<'e> {
    t: &'e Tables,
    pending: &'e [AtomicU32],
    remaining: AtomicUsize,
    /// Cone nodes that did not complete a compute (they panicked, or came
    /// after a panic), so `Stats` counts only nodes that ran.
    not_run: AtomicUsize,
    poisoned: AtomicBool,
    /// Every panic caught, first first; never dropped inside the batch.
    panics: Mutex<Vec<(u32, Box<dyn Any + Send>)>>,
}

impl Batch for ConeBatch<'_> {
    fn run(&self, u: u32, ready: &mut Vec<u32>) {
        let t = self.t;
        let ran = !self.poisoned.load(Ordering::Relaxed) && {
            // SAFETY: `u`'s countdown reached zero (or it is a root), so all
            // its producers in the cone finished scattering (AcqRel below),
            // and only this thread runs `u`.
            let r = catch_unwind(AssertUnwindSafe(|| unsafe { t.exec(u, false) }));
            match r {
                Ok(()) => true,
                Err(payload) => {
                    self.poisoned.store(true, Ordering::Relaxed);
                    // Pushing moves the payload: nothing is dropped here.
                    let mut panics = self.panics.lock().unwrap_or_else(|e| e.into_inner());
                    panics.push((u, payload));
                    false
                }
            }
        };
        if !ran {
            self.not_run.fetch_add(1, Ordering::Relaxed);
        }
        // After a panic nothing computes or scatters, but the countdowns
        // still drain so the batch settles.
        let scatter = !self.poisoned.load(Ordering::Relaxed);
        let (succs, mut e) = t.succ_edges(u);
        for s in succs {
            while scatter && e < s.edges_end {
                // SAFETY: single writer: only `u` writes these destinations,
                // and their consumer waits for the countdown below.
                unsafe { t.apply(&t.edges[e as usize]) };
                e += 1;
            }
            if self.pending[s.node as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                ready.push(s.node);
            }
        }
        self.remaining.fetch_sub(1, Ordering::AcqRel);
    }

    fn is_done(&self) -> bool {
        self.remaining.load(Ordering::Acquire) == 0
    }
}
