//! Critical-path priorities: which ready node the parallel scheduler runs
//! first.
//!
//! A node's *rank* is the longest path from it to a sink, weighted by the
//! cost estimates (`cost.rs`; each node weighs at least 1 ns, so before any
//! compute is timed the rank is the build calls' path length, and nodes of
//! trivial build calls rank by their number of nodes below). A user priority
//! (`GraphBuilder::set_priority`, default 0) is a class above that: a ready
//! node of a higher class always runs before one of a lower class, and a
//! node's class is the highest of its own and its consumers' (a node that a
//! high-priority node waits for is as urgent). Ranks are computed at freeze
//! and again after each timed generation, in reverse id order (ids are a
//! topological order), in place: no allocation.

use crate::core::cost::CostModel;
use crate::core::tables::Tables;

pub(crate) struct Ranks {
    /// Per node: `class << 32 | path`, higher runs first.
    key: Vec<u64>,
    /// Per node: the priority the user set.
    user: Vec<i32>,
    /// Scratch: the longest weighted path to a sink, in ns.
    path: Vec<u64>,
    /// Scratch: the propagated class.
    class: Vec<i32>,
}

impl Ranks {
    pub(crate) fn new(t: &Tables, cost: &CostModel, user: Vec<i32>) -> Ranks {
        let n = user.len();
        let mut r = Ranks {
            key: vec![0; n],
            user,
            path: vec![0; n],
            class: vec![0; n],
        };
        r.recompute(t, cost);
        r
    }

    /// The priority keys, by node id.
    pub(crate) fn keys(&self) -> &[u64] {
        &self.key
    }

    /// Recomputes every key from the current estimates.
    pub(crate) fn recompute(&mut self, t: &Tables, cost: &CostModel) {
        for u in (0..self.key.len()).rev() {
            let (mut path, mut class) = (0_u64, self.user[u]);
            for s in t.succ_edges(u as u32).0 {
                let v = s.node as usize;
                path = path.max(self.path[v]);
                class = class.max(self.class[v]);
            }
            path += u64::from(cost.node_ns(u as u32).max(1));
            self.path[u] = path;
            self.class[u] = class;
            let biased = (class as i64 - i32::MIN as i64) as u64;
            self.key[u] = biased << 32 | path.min(u32::MAX as u64);
        }
    }
}
