//! The parallel scheduler: marks the static cone of the poked sources
//! (counting each node's producers inside it), then runs it on the pool with
//! atomic countdowns. A node whose countdown reaches zero runs if some
//! producer *woke* it, and is skipped otherwise; either way it counts down
//! its own consumers, so the batch settles.
//!
//! Priorities: the successors a node makes ready are handed to the pool
//! sorted by their rank (`rank.rs`), lowest first, so the pool runs the
//! highest next; the roots are sorted highest first.
//!
//! Orderings: a producer sets its consumer's wake bits (`Relaxed`) before
//! its `AcqRel` countdown; the thread whose countdown reaches zero therefore
//! sees every producer's scatter and wake bits (the countdowns form one
//! release sequence).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::core::cost::CostModel;
use crate::core::marks::Marks;
use crate::core::pool::{Batch, Pool};
use crate::core::serial::Outcome;
use crate::core::tables::Tables;
use crate::core::unwind::{drop_payload, Caught};
use crate::export::hook::Hook;

/// Wake bits: a producer that ran wrote the node's inputs.
const TOUCHED: u8 = 1;
/// Wake bits: some input is not quiet; the node runs.
const WOKEN: u8 = 2;

/// The parallel scheduler's per-node counters and its cone.
pub(crate) struct Parallel {
    pending: Vec<AtomicU32>,
    wake: Vec<AtomicU8>,
    cone: Vec<u32>,
}

impl Parallel {
    pub(crate) fn new(n: usize) -> Parallel {
        Parallel {
            pending: (0..n).map(|_| AtomicU32::new(0)).collect(),
            wake: (0..n).map(|_| AtomicU8::new(0)).collect(),
            // Sized up front: the first parallel generation allocates nothing.
            cone: Vec::with_capacity(n),
        }
    }

    /// Marks the static cone of `dirty` in a generation of `marks` just
    /// started: collects it and counts each node's producers inside it.
    /// Returns its size and the sum of its nodes' capped cost estimates, in
    /// ns.
    pub(crate) fn mark_cone(
        &mut self,
        t: &Tables,
        marks: &Marks,
        dirty: &[u32],
        cost: &CostModel,
    ) -> (usize, f64) {
        self.cone.clear();
        for &s in dirty {
            marks.touch(s);
            *self.pending[s as usize].get_mut() = 0;
            *self.wake[s as usize].get_mut() = WOKEN;
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
                    *self.pending[v].get_mut() = 0;
                    *self.wake[v].get_mut() = 0;
                    self.cone.push(s.node);
                }
                *self.pending[v].get_mut() += 1;
            }
        }
        (self.cone.len(), ns as f64)
    }

    /// Runs the cone marked by `mark_cone` for the `roots` poked sources
    /// on `pool`, with `hook` around each node, ready nodes by `keys`
    /// (highest first). With `timed`, each compute is timed into its
    /// estimate.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run<H: Hook>(
        &mut self,
        t: &Tables,
        marks: &Marks,
        roots: usize,
        pool: &mut Pool,
        prune: bool,
        hook: &H,
        keys: Option<&[u64]>,
        timed: Option<&CostModel>,
    ) -> Outcome {
        let nodes = self.cone.len();
        // The cone starts with the poked sources.
        let roots = &mut self.cone[..roots];
        if let Some(keys) = keys {
            roots.sort_unstable_by_key(|&v| std::cmp::Reverse(keys[v as usize]));
        }
        let batch = ConeBatch {
            t,
            hook,
            marks,
            pending: &self.pending,
            wake: &self.wake,
            prune,
            keys,
            timed,
            ran: AtomicUsize::new(0),
            skipped: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
        };
        pool.run(&batch, roots, nodes, self.pending.len());
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
    pending: &'e [AtomicU32],
    wake: &'e [AtomicU8],
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
    fn run(&self, u: u32, ready: &mut Vec<u32>) -> Option<bool> {
        let t = self.t;
        let wake = self.wake[u as usize].load(Ordering::Relaxed);
        let ran = wake & WOKEN != 0 && !self.poisoned.load(Ordering::Relaxed) && {
            self.marks.schedule(u);
            let r = catch_unwind(AssertUnwindSafe(|| {
                let mark = self.hook.start();
                let clock = self.timed.map(|_| CostModel::start());
                // SAFETY: `u`'s countdown reached zero (or it is a root), so
                // all its producers in the cone finished scattering (AcqRel
                // below), and only this thread runs `u`.
                unsafe { t.exec(u, false, Some(self.marks)) };
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
        } else if wake == TOUCHED {
            self.hook.skip(u);
            Some(false)
        } else {
            None
        };
        let first = ready.len();
        // A node that did not run (skipped, or after a panic) scatters
        // nothing, but the countdowns still drain so the batch settles.
        let (succs, mut e) = t.succ_edges(u);
        for s in succs {
            if ran {
                // SAFETY: single writer: only `u` writes these destinations,
                // and their consumer waits for the countdown below.
                let woken = unsafe { t.scatter(s, &mut e) } || !self.prune;
                let bits = if woken { TOUCHED | WOKEN } else { TOUCHED };
                self.wake[s.node as usize].fetch_or(bits, Ordering::Relaxed);
            }
            if self.pending[s.node as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                ready.push(s.node);
            }
        }
        // Lowest first: the pool runs the last one next.
        if let Some(keys) = self.keys {
            ready[first..].sort_unstable_by_key(|&v| keys[v as usize]);
        }
        outcome
    }

    fn settle(&self, ran: usize, skipped: usize) {
        self.ran.fetch_add(ran, Ordering::Relaxed);
        self.skipped.fetch_add(skipped, Ordering::Relaxed);
    }
}
