//! When a generation is worth the pool: per-node cost estimates, seeded by
//! the build calls and refreshed by sampled generations.
//!
//! # The model
//!
//! - **Per node.** Each node has its own estimate, in nanoseconds: the time
//!   of its build call at freeze, replaced by the first timed run of its
//!   compute, then a moving average (¾ old, ¼ new) of its timed runs. A few
//!   heavy nodes among many trivial ones are therefore seen as such.
//! - **Sampled.** A generation is *timed* when the pool has workers and it
//!   is one of the first [`WARM`] generations or one in [`EVERY`] after
//!   that. Only a timed generation reads the clock: once per node on the
//!   serial scheduler (a node's time runs from the previous node's end),
//!   around each node on the parallel one; every other generation reads no
//!   clock at all. The clock's own cost is measured once and subtracted.
//!   A pool with workers therefore pays about one clock read per node run
//!   in one generation of 64, even when every generation stays serial.
//! - **Decision.** A generation that may repay the pool (the graph's total
//!   estimate reaches [`PARALLEL_MIN_CONE_NS`]) marks its static cone and
//!   sums the cone's estimates `W` over its `n` nodes, each capped at
//!   [`NODE_CAP_NS`] (a lone heavy node gains nothing from the pool, and a
//!   preempted timing must not tip a trivial cone). It runs on the pool
//!   when `W ≥ PARALLEL_MIN_CONE_NS` (what a wake-up of the workers costs,
//!   with margin) and `W ≥ n × PARALLEL_MIN_NODE_NS` (the work per node
//!   repays the parallel scheduler's per-node countdowns and the cache lines
//!   that cross between cores). A serial decision is remembered for the same
//!   set of poked sources until the estimates are refreshed, so a graph of
//!   trivial nodes does not mark its cone every generation.
//! - **Starting right.** Heavy build calls make the first generation
//!   parallel; heavy computes behind cheap build calls are timed by the
//!   first generation, so the second one is parallel.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::Instant;

/// Below this estimated cost per node of a cone, a generation runs
/// serially: the parallel scheduler's atomics and cross-core cache lines
/// would eat the gain.
const PARALLEL_MIN_NODE_NS: f64 = 150.0;
/// Below this estimated cost for a whole cone, a generation runs serially:
/// waking the workers costs more than it saves.
const PARALLEL_MIN_CONE_NS: f64 = 40_000.0;
/// A node counts at most this much towards a cone's work in the decision:
/// one node cannot run on two threads at once, so beyond this it adds
/// nothing to what the pool can gain, and one timed run that was preempted
/// (milliseconds, on a loaded machine) cannot tip a cone of trivial nodes
/// onto the pool by itself.
const NODE_CAP_NS: u32 = 40_000;
/// The first generations are all timed: the first times the computes
/// behind cheap build calls, the second may already use the pool.
const WARM: u64 = 2;
/// After them, one generation in this many is timed.
const EVERY: u64 = 64;
/// An estimate not yet replaced by a timed compute (from the build call).
const SEEDED: u32 = 1 << 31;
/// Estimates saturate here (about 2.1 s).
const MAX_NS: u32 = SEEDED - 1;

pub(crate) struct CostModel {
    /// Per node: the estimate in ns, with `SEEDED` while it is the build
    /// call's time. Atomic (`Relaxed`): in a parallel timed generation the
    /// thread that runs a node writes its estimate.
    est: Vec<AtomicU32>,
    /// Sum of every node's estimate, in ns.
    total_ns: f64,
    /// The last serial decision, for a fingerprint of the poked sources.
    serial_for: Option<u64>,
}

/// The cost of one clock read, in ns, measured once per process.
fn clock_ns() -> u32 {
    static NS: OnceLock<u32> = OnceLock::new();
    *NS.get_or_init(|| {
        let start = Instant::now();
        let mut last = start;
        for _ in 0..64 {
            last = Instant::now();
        }
        (last.duration_since(start).as_nanos() / 64) as u32
    })
}

impl CostModel {
    /// Seeds the estimates with the build calls' times, in ns.
    pub(crate) fn new(build_ns: &[u32]) -> CostModel {
        let est: Vec<AtomicU32> = build_ns
            .iter()
            .map(|&ns| AtomicU32::new(ns.min(MAX_NS) | SEEDED))
            .collect();
        let mut m = CostModel {
            est,
            total_ns: 0.0,
            serial_for: None,
        };
        m.refresh();
        m
    }

    /// Node `v`'s estimate, in ns.
    #[inline(always)]
    pub(crate) fn node_ns(&self, v: u32) -> u32 {
        self.est[v as usize].load(Relaxed) & MAX_NS
    }

    /// Node `v`'s estimate as it counts towards a cone's work, in ns.
    #[inline(always)]
    pub(crate) fn capped_ns(&self, v: u32) -> u32 {
        self.node_ns(v).min(NODE_CAP_NS)
    }

    /// Whether generation `generation` times its nodes.
    pub(crate) fn timed(&self, threads: usize, generation: u64) -> bool {
        threads > 1 && (generation <= WARM || generation % EVERY == 0)
    }

    /// Whether a generation with these poked sources may repay the pool, so
    /// that its cone is worth marking.
    pub(crate) fn may_repay(&self, threads: usize, dirty: &[u32]) -> bool {
        threads > 1
            && self.total_ns >= PARALLEL_MIN_CONE_NS
            && self.serial_for != Some(fingerprint(dirty))
    }

    /// Whether a cone of `cone` nodes, `cone_ns` in all, repays the pool;
    /// remembers a serial decision for `dirty`.
    pub(crate) fn cone_repays(&mut self, dirty: &[u32], cone: usize, cone_ns: f64) -> bool {
        let repays = cone >= 2
            && cone_ns >= PARALLEL_MIN_CONE_NS
            && cone_ns >= cone as f64 * PARALLEL_MIN_NODE_NS;
        if !repays {
            self.serial_for = Some(fingerprint(dirty));
        }
        repays
    }

    /// A timer for one node of a timed generation.
    #[inline(always)]
    pub(crate) fn start() -> Instant {
        Instant::now()
    }

    /// Folds a timed compute of `v`, started at `started`, into its estimate.
    #[inline]
    pub(crate) fn record(&self, v: u32, started: Instant) {
        self.record_between(v, started, Instant::now());
    }

    /// Folds the time of `v` from `from` to `to` into its estimate.
    #[inline]
    pub(crate) fn record_between(&self, v: u32, from: Instant, to: Instant) {
        let ns = to.duration_since(from).as_nanos().min(MAX_NS as u128) as u32;
        let ns = ns.saturating_sub(clock_ns());
        let slot = &self.est[v as usize];
        let old = slot.load(Relaxed);
        let new = if old & SEEDED != 0 {
            ns
        } else {
            ((3 * old as u64 + ns as u64) / 4) as u32
        };
        slot.store(new, Relaxed);
    }

    /// Tests: every estimate becomes 1 ns.
    #[cfg(test)]
    pub(crate) fn set_uniform(&mut self) {
        self.est.iter_mut().for_each(|e| *e.get_mut() = 1);
        self.refresh();
    }

    /// After a timed generation: recomputes the total and forgets the
    /// remembered decision.
    pub(crate) fn refresh(&mut self) {
        self.total_ns = self
            .est
            .iter_mut()
            .map(|e| (*e.get_mut() & MAX_NS) as f64)
            .sum();
        self.serial_for = None;
    }
}

/// A fingerprint of a set of poked sources (in poke order).
fn fingerprint(dirty: &[u32]) -> u64 {
    dirty.iter().fold(dirty.len() as u64, |h, &s| {
        (h ^ s as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}
