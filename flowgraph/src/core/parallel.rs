//! The parallel scheduler: marks the static cone of the poked sources
//! (counting each node's producers inside it), then runs it on the pool with
//! atomic countdowns. A node whose countdown reaches zero runs if some
//! producer *woke* it, and is skipped otherwise; either way it counts down
//! its own consumers, so the batch settles.
//!
//! # One word per node, and a cone that stays marked
//!
//! Each node has one `AtomicU64` slot: its low half is the countdown of the
//! current cone (in-cone producers not finished yet) with three bits the
//! producers set — `TOUCHED` (one ran), `WOKEN` (one ran and its inputs are
//! not quiet), `CLEAR` (some input flag may be stale: a producer in the cone
//! did not run, or one is outside the cone) — and its high half is the value
//! the low half starts from. So an edge costs one cache line, the
//! consumer's, besides the payload it copies. The producer whose countdown
//! reaches zero restores the low half from the high half (no one else
//! touches the slot for the rest of the batch) and hands the three bits to
//! whichever thread runs the node inside its *job*: the node id with the
//! same bits on top. After a batch, every slot of the cone is therefore
//! ready for the next one: a generation with the same poked sources and
//! estimates skips marking altogether, which would otherwise be serial work
//! in every generation.
//!
//! Priorities: the successors a node makes ready are handed to the pool
//! sorted by their rank (`rank.rs`), lowest first, so the pool runs the
//! highest next; the roots are sorted highest first.
//!
//! Orderings: a producer sets its consumer's bits (`Relaxed`) before its
//! `AcqRel` countdown; the thread whose countdown reaches zero therefore
//! sees every producer's scatter and bits (the countdowns form one release
//! sequence), and passes them on with the job (through the deque's own
//! synchronization, or on the same thread).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::core::cost::CostModel;
use crate::core::marks::Marks;
use crate::core::pool::{Batch, Pool};
use crate::core::prefetch;
use crate::core::serial::Outcome;
use crate::core::tables::Tables;
use crate::core::unwind::{drop_payload, Caught};
use crate::export::hook::Hook;

/// A slot's (and a job's) node count or id bits.
const COUNT: u64 = (1 << 29) - 1;
/// Some input flag may be stale: clear them before the compute.
const CLEAR: u64 = 1 << 29;
/// A producer that ran wrote the node's inputs.
const TOUCHED: u64 = 1 << 30;
/// Some input is not quiet; the node runs.
const WOKEN: u64 = 1 << 31;
/// The bits a job carries above its node id.
const BITS: u64 = CLEAR | TOUCHED | WOKEN;
/// The low half of a slot.
const LOW: u64 = u32::MAX as u64;

/// Consumers handled together: their copies first, then their countdowns.
const CHUNK: usize = 8;

/// The most nodes a graph may hold: a job keeps its bits above the id.
pub(crate) const MAX_NODES: usize = COUNT as usize + 1;

/// The parallel scheduler's per-node slots and its cone.
pub(crate) struct Parallel {
    /// Per node: countdown and bits (low half), starting value (high half).
    slots: Vec<AtomicU64>,
    /// Per node: its producers in the whole graph.
    producers: Vec<u32>,
    /// The marked cone, poked sources first.
    cone: Vec<u32>,
    /// The jobs of the poked sources, highest priority first.
    roots: Vec<u32>,
    /// The poked sources whose cone is marked and ready to run; empty when
    /// no marking is valid (the estimates changed since).
    marked_for: Vec<u32>,
    /// The marked cone's estimated work per node, in ns.
    ns_per_node: f64,
}

impl Parallel {
    /// # Panics
    /// If the graph holds more than [`MAX_NODES`] nodes.
    pub(crate) fn new(t: &Tables) -> Parallel {
        let n = t.nodes.len();
        assert!(
            n <= MAX_NODES,
            "flowgraph: a graph holds at most {MAX_NODES} nodes (this one has {n})"
        );
        let mut producers = vec![0_u32; n];
        for s in &t.succs {
            producers[s.node as usize] += 1;
        }
        Parallel {
            slots: (0..n).map(|_| AtomicU64::new(0)).collect(),
            producers,
            // Sized up front: the first parallel generation allocates nothing.
            cone: Vec::with_capacity(n),
            roots: Vec::new(),
            marked_for: Vec::new(),
            ns_per_node: 0.0,
        }
    }

    /// Whether the cone of `dirty` is still marked from the last parallel
    /// generation, so that this one can run it as it is.
    pub(crate) fn is_marked_for(&self, dirty: &[u32]) -> bool {
        !dirty.is_empty() && self.marked_for == dirty
    }

    /// Keeps the cone just marked for `dirty` for later generations.
    pub(crate) fn keep_for(&mut self, dirty: &[u32]) {
        self.marked_for.clear();
        self.marked_for.extend_from_slice(dirty);
    }

    /// Forgets the kept cone: the estimates it was chosen by changed.
    pub(crate) fn forget(&mut self) {
        self.marked_for.clear();
    }

    /// Marks the static cone of `dirty` in a generation of `marks` just
    /// started: collects it and sets each node's slot from its producers
    /// inside it. Returns its size and the sum of its nodes' capped cost
    /// estimates, in ns.
    pub(crate) fn mark_cone(
        &mut self,
        t: &Tables,
        marks: &Marks,
        dirty: &[u32],
        cost: &CostModel,
    ) -> (usize, f64) {
        self.marked_for.clear();
        self.cone.clear();
        self.roots.clear();
        for &s in dirty {
            marks.touch(s);
            *self.slots[s as usize].get_mut() = 0;
            self.cone.push(s);
        }
        let (mut i, mut ns) = (0, 0_u64);
        while i < self.cone.len() {
            let u = self.cone[i];
            i += 1;
            ns += u64::from(cost.capped_ns(u));
            for s in t.succ_edges(u).0 {
                let v = s.node as usize;
                if marks.touch(s.node) {
                    *self.slots[v].get_mut() = 0;
                    self.cone.push(s.node);
                }
                *self.slots[v].get_mut() += 1;
            }
        }
        for &v in &self.cone {
            let slot = self.slots[v as usize].get_mut();
            let inside = *slot;
            let outside = inside < u64::from(self.producers[v as usize]);
            let start = inside | if outside { CLEAR } else { 0 };
            *slot = start << 32 | start;
        }
        self.ns_per_node = ns as f64 / self.cone.len().max(1) as f64;
        (self.cone.len(), ns as f64)
    }

    /// The estimated work per node of the cone marked last, in ns.
    pub(crate) fn ns_per_node(&self) -> f64 {
        self.ns_per_node
    }

    /// Runs the cone marked by `mark_cone`, whose first `sources` nodes are
    /// the poked sources, on `pool`, with `hook` around each node, ready
    /// nodes by `keys` (highest first). With `timed`, each compute is timed
    /// into its estimate.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run<H: Hook>(
        &mut self,
        t: &Tables,
        marks: &Marks,
        sources: usize,
        pool: &mut Pool,
        prune: bool,
        hook: &H,
        keys: Option<&[u64]>,
        timed: Option<&CostModel>,
    ) -> Outcome {
        let nodes = self.cone.len();
        // No producer counts the poked sources down: their jobs carry
        // `WOKEN` from the start. Built and sorted once per marking: the
        // keys change only with the estimates or the ranking switch, and
        // then the cone is marked afresh.
        if self.roots.is_empty() {
            let woken = WOKEN as u32;
            self.roots
                .extend(self.cone[..sources].iter().map(|&s| s | woken));
            if let Some(keys) = keys {
                self.roots.sort_unstable_by_key(|&j| {
                    std::cmp::Reverse(keys[(j & COUNT as u32) as usize])
                });
            }
        }
        let batch = ConeBatch {
            t,
            hook,
            marks,
            slots: &self.slots,
            prune,
            keys,
            timed,
            ran: AtomicUsize::new(0),
            skipped: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
        };
        pool.run(&batch, &self.roots, nodes, self.slots.len());
        // The batch has settled: no thread touches it any more.
        let mut panics = batch.panics.into_inner().unwrap_or_else(|e| e.into_inner());
        let panic = (!panics.is_empty()).then(|| panics.swap_remove(0));
        // Payloads of later panics are dropped here, outside the batch,
        // where a `Drop` that panics cannot unwind through the pool.
        panics.into_iter().for_each(|(_, p)| drop_payload(p));
        Outcome {
            ran: batch.ran.into_inner(),
            skipped: batch.skipped.into_inner(),
            panic,
        }
    }
}

/// One parallel generation: the marked cone, run with atomic countdowns.
struct ConeBatch<'e, H> {
    t: &'e Tables,
    hook: &'e H,
    /// Marks of this generation: a node is marked run as it starts.
    marks: &'e Marks,
    slots: &'e [AtomicU64],
    prune: bool,
    /// Priority keys, by node id (`None`: no ordering).
    keys: Option<&'e [u64]>,
    timed: Option<&'e CostModel>,
    ran: AtomicUsize,
    skipped: AtomicUsize,
    poisoned: AtomicBool,
    /// Every panic caught, first first; never dropped inside the batch.
    panics: Mutex<Vec<Caught>>,
}

impl<H: Hook> Batch for ConeBatch<'_, H> {
    fn run(&self, job: u32, ready: &mut Vec<u32>) -> Option<bool> {
        let t = self.t;
        let (u, bits) = (job & COUNT as u32, u64::from(job) & BITS);
        let (succs, e) = t.succ_edges(u);
        let ran = bits & WOKEN != 0 && !self.poisoned.load(Ordering::Relaxed) && {
            // What the scatter reads after the compute: its consumers and
            // the first edges.
            prefetch::read(succs.as_ptr());
            let edges = t.edges.as_ptr().wrapping_add(e as usize);
            prefetch::read(edges);
            prefetch::read(edges.cast::<u8>().wrapping_add(64));
            self.marks.schedule(u);
            // Stale flags are cleared only when a producer may have left
            // them: one in the cone that did not run, or one outside it.
            let clear = (bits & CLEAR != 0).then_some(self.marks);
            let r = catch_unwind(AssertUnwindSafe(|| {
                let mark = self.hook.start();
                let clock = self.timed.map(|_| CostModel::start());
                // SAFETY: `u`'s countdown reached zero (or it is a root), so
                // all its producers in the cone finished scattering (AcqRel
                // below), and only this thread runs `u`. Without `clear`,
                // every producer of `u` ran this generation and wrote its
                // flags, so none is stale.
                unsafe { t.exec(u, false, clear) };
                if let (Some(cost), Some(clock)) = (self.timed, clock) {
                    cost.record(u, clock);
                }
                self.hook.done(u, mark);
            }));
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
        let outcome = if ran {
            Some(true)
        } else if bits & (TOUCHED | WOKEN) == TOUCHED {
            self.hook.skip(u);
            Some(false)
        } else {
            None
        };
        let first = ready.len();
        // A node that did not run (skipped, or after a panic) scatters
        // nothing and leaves its consumers' flags stale, but the countdowns
        // still drain so the batch settles.
        let mut e = e;
        // In chunks, first every copy, then every countdown: the copies'
        // cache misses overlap, where a locked instruction after each copy
        // would wait for it.
        for chunk in succs.chunks(CHUNK) {
            let mut set = [CLEAR; CHUNK];
            for (s, set) in chunk.iter().zip(&mut set) {
                prefetch::write(&self.slots[s.node as usize]);
                prefetch::read(&t.nodes[s.node as usize]);
                if ran {
                    // SAFETY: single writer: only `u` writes these
                    // destinations, and their consumer waits for the
                    // countdown below.
                    let woken = unsafe { t.scatter(s, &mut e) } || !self.prune;
                    *set = if woken { TOUCHED | WOKEN } else { TOUCHED };
                }
            }
            for (s, &set) in chunk.iter().zip(&set) {
                let slot = &self.slots[s.node as usize];
                // The first access takes the line for writing; the
                // countdown then finds it in this core's cache.
                slot.fetch_or(set, Ordering::Relaxed);
                let before = slot.fetch_sub(1, Ordering::AcqRel);
                if before & COUNT == 1 {
                    // The last producer: no one else touches the slot in
                    // this batch. Restore it for the next generation of
                    // this cone.
                    slot.store((before & !LOW) | before >> 32, Ordering::Relaxed);
                    ready.push(s.node | (before & BITS) as u32);
                }
            }
        }
        // Lowest first: the pool runs the last one next.
        if let Some(keys) = self.keys {
            ready[first..].sort_unstable_by_key(|&j| keys[(j & COUNT as u32) as usize]);
        }
        outcome
    }

    fn settle(&self, ran: usize, skipped: usize) {
        self.ran.fetch_add(ran, Ordering::Relaxed);
        self.skipped.fetch_add(skipped, Ordering::Relaxed);
    }
}
