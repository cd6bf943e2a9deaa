//! When a generation is worth the pool: a moving estimate of one node's
//! cost, seeded by the build calls and refreshed by timed generations.

use std::time::Instant;

/// Below this estimated cost per node, a generation runs serially: waking a
/// worker and moving cache lines between cores costs more than it saves.
const PARALLEL_MIN_NODE_NS: f64 = 400.0;
/// Below this estimated cost for a whole cone, a generation runs serially.
const PARALLEL_MIN_CONE_NS: f64 = 40_000.0;

pub(crate) struct CostModel {
    /// Moving estimate of one node's cost, in nanoseconds.
    node_ns: f64,
}

impl CostModel {
    /// Seeds the estimate with the build calls' mean time.
    pub(crate) fn new(build_ns_per_node: f64) -> CostModel {
        CostModel {
            node_ns: build_ns_per_node,
        }
    }

    /// Whether generation `generation` should consider the pool.
    pub(crate) fn wants_pool(&self, threads: usize) -> bool {
        threads > 1 && self.node_ns >= PARALLEL_MIN_NODE_NS
    }

    /// Whether a cone of `cone` nodes repays waking the workers.
    pub(crate) fn cone_repays(&self, cone: usize) -> bool {
        cone >= 2 && cone as f64 * self.node_ns >= PARALLEL_MIN_CONE_NS
    }

    /// Starts a clock if this generation refreshes the estimate: every
    /// parallel one, each of the first eight (so heavy computes behind cheap
    /// build calls reach the pool at once), then one serial generation in 64
    /// (reading the clock costs as much as running a few trivial nodes).
    /// Without workers the estimate is never used.
    pub(crate) fn clock(&self, threads: usize, parallel: bool, generation: u64) -> Option<Instant> {
        (threads > 1 && (parallel || generation <= 8 || generation % 64 == 0)).then(Instant::now)
    }

    /// Folds a timed generation that ran `ran` nodes into the estimate.
    pub(crate) fn update(&mut self, started: Option<Instant>, ran: usize) {
        if let (Some(t), true) = (started, ran > 0) {
            let per = t.elapsed().as_nanos() as f64 / ran as f64;
            self.node_ns = 0.75 * self.node_ns + 0.25 * per;
        }
    }
}
