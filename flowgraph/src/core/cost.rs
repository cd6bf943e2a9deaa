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
//!   that (one in [`RARELY`] for poked sources whose cone was last found
//!   under a quarter of the work per node that repays the pool). Only a
//!   timed generation reads the clock: once per node on the serial
//!   scheduler (a node's time runs from the previous node's end), around
//!   each node on the parallel one; every other generation reads no clock
//!   at all. The clock's own cost is measured once and subtracted. A pool
//!   with workers therefore pays about one clock read per node run in one
//!   generation of 64 (of 1024 for a trivial graph), even when every
//!   generation stays serial.
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
//! - **Measured.** The estimates time computes, not what the parallel
//!   scheduler adds around them (countdowns, cache lines crossing between
//!   cores), and that depends on the graph's shape: at ~116 ns a node, two
//!   threads gain 1.2× on a wavefront and lose on independent tasks. So
//!   for a cone the estimates send to the pool at under
//!   [`MEASURE_BELOW_NODE_NS`] per node, the wall time of each untimed
//!   generation is measured (two clock reads per generation) and kept per
//!   scheduler for the last set of poked sources: [`PHASE`] generations
//!   run on the pool, as many serially, then the faster one runs, and the
//!   other is tried again for two generations in every [`PROBE_CLOSE`] (in
//!   every [`PROBE_FAR`] when they differ by more than a quarter), so a
//!   graph that changes can change back. The first generation after a
//!   switch is not counted: it pays for waking the workers or moving the
//!   caches. Heavier cones use the pool without measuring: from ~350 ns a
//!   node, it gained on every shape of the peer suite.
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
/// From this estimated cost per node up, a cone the estimates send to the
/// pool runs there without measuring which scheduler is faster.
const MEASURE_BELOW_NODE_NS: f64 = 300.0;
/// One generation in this many (of those measured for the same poked
/// sources) tries the scheduler that measured slower, when the two are
/// within a quarter of each other...
const PROBE_CLOSE: u64 = 64;
/// ...and one in this many when they are further apart.
const PROBE_FAR: u64 = 1024;
/// The first generations of a set of poked sources: this many on the
/// pool, then this many serially, before choosing by their times.
const PHASE: u64 = 3;
/// The first generations are all timed: the first times the computes
/// behind cheap build calls, the second may already use the pool.
const WARM: u64 = 2;
/// After them, one generation in this many is timed...
const EVERY: u64 = 64;
/// ...or in this many, for a cone far from repaying the pool: a graph of
/// trivial nodes does not pay a clock read per node every 64 generations.
const RARELY: u64 = 1024;
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
    /// The poked sources whose cone was last found far from repaying the
    /// pool (under a quarter of the work per node it needs): timed rarely.
    far_for: Option<u64>,
    /// Measured generations of the last measured set of poked sources.
    measured: Measured,
}

/// Wall times of the generations of one set of poked sources, per
/// scheduler: moving averages in ns, 0 while not measured.
#[derive(Default)]
struct Measured {
    /// Fingerprint of the poked sources.
    key: u64,
    serial_ns: f64,
    parallel_ns: f64,
    /// Generations chosen for this key so far.
    seen: u64,
    /// The scheduler chosen last.
    last: Option<bool>,
    /// The last choice switched scheduler: its time is not measured.
    switched: bool,
}

/// What runs a generation the estimates send to the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    /// Run it on the pool (else serially).
    pub(crate) parallel: bool,
    /// Measure its wall time and pass it to [`CostModel::measured`].
    pub(crate) measure: bool,
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
            far_for: None,
            measured: Measured::default(),
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

    /// Whether generation `generation`, with poked sources `dirty`, times
    /// its nodes: one in [`EVERY`], or one in [`RARELY`] when the cone of
    /// `dirty` was last found far from repaying the pool.
    pub(crate) fn timed(&self, threads: usize, generation: u64, dirty: &[u32]) -> bool {
        let every = if self.far_for.is_some() && self.far_for == Some(fingerprint(dirty)) {
            RARELY
        } else {
            EVERY
        };
        threads > 1 && (generation <= WARM || generation % every == 0)
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
        let key = fingerprint(dirty);
        if !repays {
            self.serial_for = Some(key);
        }
        let far = cone_ns < cone as f64 * PARALLEL_MIN_NODE_NS / 4.0;
        self.far_for = far.then_some(key);
        repays
    }

    /// Chooses the scheduler for a generation with poked sources `dirty`
    /// whose cone the estimates send to the pool, at `ns_per_node` of
    /// estimated work per node; `timed` generations (slowed by their clock
    /// reads) are not measured.
    pub(crate) fn choose(&mut self, dirty: &[u32], ns_per_node: f64, timed: bool) -> Choice {
        if ns_per_node >= MEASURE_BELOW_NODE_NS {
            return Choice {
                parallel: true,
                measure: false,
            };
        }
        let key = fingerprint(dirty);
        let m = &mut self.measured;
        if timed {
            // Slowed by its clock reads: neither measured nor counted.
            return Choice {
                parallel: m.key != key || m.last.unwrap_or(true),
                measure: false,
            };
        }
        if m.key != key {
            *m = Measured {
                key,
                ..Measured::default()
            };
        }
        m.seen += 1;
        let parallel = if m.seen <= PHASE {
            // The pool first, as the estimates say; then serially.
            true
        } else if m.seen <= 2 * PHASE {
            false
        } else if m.parallel_ns == 0.0 || m.serial_ns == 0.0 {
            // Not measured yet (timed generations are not): keep trying.
            m.parallel_ns == 0.0
        } else {
            let faster = m.parallel_ns <= m.serial_ns;
            let ratio = m.parallel_ns / m.serial_ns;
            let every = if (0.8..=1.25).contains(&ratio) {
                PROBE_CLOSE
            } else {
                PROBE_FAR
            };
            // A probe is two generations: the first after a switch is not
            // measured (wake-ups, caches).
            faster != (m.seen % every < 2)
        };
        m.switched = m.last != Some(parallel);
        m.last = Some(parallel);
        Choice {
            parallel,
            measure: true,
        }
    }

    /// Folds the wall time of a generation chosen by [`CostModel::choose`]
    /// with `measure` into the last key's average for its scheduler; the
    /// first generation after a switch of scheduler is left out (it pays
    /// for waking the workers or moving the caches, not a steady state).
    pub(crate) fn measured(&mut self, parallel: bool, ns: f64) {
        let m = &mut self.measured;
        if m.switched {
            return;
        }
        let avg = if parallel {
            &mut m.parallel_ns
        } else {
            &mut m.serial_ns
        };
        let ns = ns.max(1.0);
        *avg = if *avg == 0.0 {
            ns
        } else {
            0.75 * *avg + 0.25 * ns
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The choices for one key, measuring `serial` and `parallel` ns.
    fn run(m: &mut CostModel, n: usize, serial: f64, parallel: f64) -> Vec<bool> {
        (0..n)
            .map(|_| {
                let c = m.choose(&[7], 200.0, false);
                assert!(c.measure);
                m.measured(c.parallel, if c.parallel { parallel } else { serial });
                c.parallel
            })
            .collect()
    }

    #[test]
    fn measures_both_then_runs_the_faster_and_probes_the_other() {
        let phases = [true, true, true, false, false, false];
        // Serial faster by more than a quarter: no probe this early.
        let mut m = CostModel::new(&[0; 4]);
        let c = run(&mut m, 300, 1000.0, 1500.0);
        assert_eq!(c[..6], phases);
        assert!(c[6..].iter().all(|&p| !p));
        // Close times: the slower one is tried for two generations in 64.
        let mut m = CostModel::new(&[0; 4]);
        let c = run(&mut m, 300, 1000.0, 1100.0);
        let probes: Vec<usize> = (6..300).filter(|&i| c[i]).collect();
        // `seen` is the index + 1.
        assert_eq!(probes, [63, 64, 127, 128, 191, 192, 255, 256]);
        // A faster pool keeps the pool, probing serially.
        let mut m = CostModel::new(&[0; 4]);
        let c = run(&mut m, 300, 1000.0, 900.0);
        let serial: Vec<usize> = (6..300).filter(|&i| !c[i]).collect();
        assert_eq!(serial, [63, 64, 127, 128, 191, 192, 255, 256]);
    }

    #[test]
    fn the_first_generation_after_a_switch_is_not_counted() {
        let mut m = CostModel::new(&[0; 4]);
        // A slow first generation on each scheduler changes nothing.
        for (i, ns) in [9e9, 1500.0, 1500.0, 9e9, 1000.0, 1000.0]
            .into_iter()
            .enumerate()
        {
            let c = m.choose(&[7], 200.0, false);
            assert_eq!(c.parallel, i < 3);
            m.measured(c.parallel, ns);
        }
        assert_eq!(
            (m.measured.parallel_ns, m.measured.serial_ns),
            (1500.0, 1000.0)
        );
        assert!(!m.choose(&[7], 200.0, false).parallel);
    }

    #[test]
    fn heavy_cones_and_timed_generations_are_not_measured() {
        let mut m = CostModel::new(&[0; 4]);
        let heavy = m.choose(&[1], MEASURE_BELOW_NODE_NS, false);
        assert_eq!(
            heavy,
            Choice {
                parallel: true,
                measure: false
            }
        );
        let timed = m.choose(&[1], 200.0, true);
        assert_eq!(
            timed,
            Choice {
                parallel: true,
                measure: false
            }
        );
    }

    #[test]
    fn timed_generations_do_not_count_towards_the_phases() {
        let mut m = CostModel::new(&[0; 4]);
        for _ in 0..5 {
            assert!(m.choose(&[7], 200.0, true).parallel);
        }
        // The three generations on the pool are still to come.
        let c = run(&mut m, 6, 1000.0, 1500.0);
        assert_eq!(c, [true, true, true, false, false, false]);
        // Now serial: a timed generation keeps to it, measuring nothing.
        let t = m.choose(&[7], 200.0, true);
        assert_eq!((t.parallel, t.measure), (false, false));
    }

    #[test]
    fn cones_far_from_repaying_are_timed_rarely() {
        let mut m = CostModel::new(&[0; 4]);
        assert!(m.timed(2, EVERY, &[3]));
        // 10 000 nodes at 10 ns: far below 150 ns a node.
        assert!(!m.cone_repays(&[3], 10_000, 100_000.0));
        assert!(!m.timed(2, EVERY, &[3]));
        assert!(m.timed(2, RARELY, &[3]));
        // Other poked sources, and warm-up generations, are timed as before.
        assert!(m.timed(2, EVERY, &[4]));
        assert!(m.timed(2, 1, &[3]));
        // Close to repaying (100 ns a node): timed as before.
        assert!(!m.cone_repays(&[3], 1000, 100_000.0));
        assert!(m.timed(2, EVERY, &[3]));
    }

    #[test]
    fn another_key_starts_afresh() {
        let mut m = CostModel::new(&[0; 4]);
        run(&mut m, 10, 1000.0, 1500.0);
        assert!(!m.choose(&[7], 200.0, false).parallel);
        // A new set of poked sources: the pool first again.
        assert!(m.choose(&[8], 200.0, false).parallel);
    }
}
