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
//! and again before the first parallel generation after each timed one, in
//! reverse id order (ids are a topological order), in place: no allocation.

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
    /// False: no ordering at all (every key 0), for comparisons.
    on: bool,
}

impl Ranks {
    pub(crate) fn new(t: &Tables, cost: &CostModel, user: Vec<i32>) -> Ranks {
        let n = user.len();
        let mut r = Ranks {
            key: vec![0; n],
            user,
            path: vec![0; n],
            class: vec![0; n],
            on: true,
        };
        r.recompute(t, cost);
        r
    }

    /// The priority keys, by node id; `None` when ranking is off (ready
    /// nodes then go to the pool in the order they became ready).
    pub(crate) fn keys(&self) -> Option<&[u64]> {
        self.on.then_some(&self.key[..])
    }

    /// Turns ranking on (the default) or off.
    pub(crate) fn set_on(&mut self, on: bool) {
        self.on = on;
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use crate::core::Pool;
    use crate::typed::*;

    type Log = Arc<Mutex<Vec<&'static str>>>;

    /// A node that logs its tag each time its compute runs (not its build
    /// call).
    struct Logging(Log, &'static str);
    impl Segment for Logging {
        type Inputs = Port<i64>;
        type Outputs = Port<i64>;
        type State = (Log, &'static str);
        fn init(self) -> (Log, &'static str) {
            (self.0, self.1)
        }
        fn compute<'a, 'b: 'a>(
            (n, x): (bool, i64),
            (log, tag): &'b mut (Log, &'static str),
            init: bool,
        ) -> (bool, i64) {
            if !init {
                log.lock().unwrap().push(tag);
            }
            (n, x + 1)
        }
    }

    fn logging(log: &Log, tag: &'static str) -> Logging {
        Logging(Arc::clone(log), tag)
    }

    /// Five short nodes pushed before a chain of five: in id order the short
    /// ones would run first; by rank the chain's head runs first, and each
    /// chain node's successor runs right after it.
    fn graph(urgent: Option<usize>) -> Vec<&'static str> {
        let log: Log = Arc::default();
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_i64));
        const SHORT: [&str; 5] = ["a0", "a1", "a2", "a3", "a4"];
        const CHAIN: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];
        let first_short = b.len();
        for tag in SHORT {
            b.push(logging(&log, tag), *s);
        }
        let mut h = *s;
        for tag in CHAIN {
            h = b.push(logging(&log, tag), h);
        }
        if let Some(i) = urgent {
            b.set_priority(first_short + i, 1);
        }
        let mut g = Graph::from_builder(b);
        g.engine.force_parallel_uniform();
        *g.state_mut(s) = 1;
        g.stabilize(&mut Pool::new(1));
        assert_eq!(g.view(h), 6);
        let order = log.lock().unwrap().clone();
        assert_eq!(order.len(), 10);
        order
    }

    #[test]
    fn the_critical_chain_starts_first() {
        let order = graph(None);
        assert_eq!(order[..5], ["c0", "c1", "c2", "c3", "c4"], "{order:?}");
    }

    #[test]
    fn a_user_priority_runs_before_the_critical_chain() {
        let order = graph(Some(3));
        assert_eq!(order[0], "a3", "{order:?}");
        assert_eq!(order[1..6], ["c0", "c1", "c2", "c3", "c4"], "{order:?}");
    }
}
