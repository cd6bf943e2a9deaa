//! The read guard and the poison state.
//!
//! After `state_mut`, what the poked source's consumers borrow may dangle
//! until `stabilize` rewrites it, so reading a node that a pending poke can
//! reach panics. Pointers only flow along edges, so a node outside the
//! static cone of every pending poke holds nothing the pokes can move, and
//! reading it is allowed. That cone is computed at the first read after a
//! poke (cost proportional to it) and kept until the next poke.
//!
//! After a compute panicked, downstream payloads may dangle for good: the
//! graph is poisoned and every access panics, naming the node.

use std::cell::RefCell;

use crate::core::tables::Tables;

#[derive(Default)]
pub(crate) struct ReadGuard {
    /// The node whose compute panicked, if any: the graph is dead.
    poison: Option<u32>,
    cone: RefCell<PendingCone>,
}

/// The static cone of the pending pokes, by epoch.
#[derive(Default)]
struct PendingCone {
    /// False once a poke may have grown the cone.
    valid: bool,
    epoch: u32,
    /// `mark[v] == epoch` iff a pending poke reaches `v`.
    mark: Vec<u32>,
    /// The first pending poke that reaches `v`, for messages.
    by: Vec<u32>,
    stack: Vec<u32>,
}

impl ReadGuard {
    pub(crate) fn poison(&mut self, node: u32) {
        self.poison = Some(node);
    }

    #[cfg(feature = "mpi")]
    pub(crate) fn poisoned_by(&self) -> Option<u32> {
        self.poison
    }

    /// A source was added to the pending pokes.
    pub(crate) fn poked(&mut self) {
        self.cone.get_mut().valid = false;
    }

    /// # Panics
    /// If the graph is poisoned.
    pub(crate) fn check_poison(&self, t: &Tables) {
        if let Some(node) = self.poison {
            panic!(
                "flowgraph: the graph is poisoned: {} panicked during `stabilize`; a poisoned graph cannot be used again",
                t.describe(node)
            );
        }
    }

    /// # Panics
    /// If the graph is poisoned, or a pending poke (in `dirty`) reaches
    /// `node`.
    pub(crate) fn check_readable(&self, t: &Tables, dirty: &[u32], node: u32) {
        self.check_poison(t);
        if dirty.is_empty() {
            return;
        }
        let mut c = self.cone.borrow_mut();
        if !c.valid {
            c.mark_cone(t, dirty);
        }
        if c.mark[node as usize] == c.epoch {
            panic!(
                "flowgraph: cannot read {}: {} was poked with `state_mut` and the graph was not stabilized since; \
                 call `stabilize` before reading",
                t.describe(node),
                t.describe(c.by[node as usize])
            );
        }
    }
}

impl PendingCone {
    fn mark_cone(&mut self, t: &Tables, dirty: &[u32]) {
        let n = t.nodes.len();
        if self.mark.len() != n {
            self.mark = vec![0; n];
            self.by = vec![0; n];
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        for &s in dirty {
            if self.mark[s as usize] == epoch {
                continue;
            }
            self.mark[s as usize] = epoch;
            self.by[s as usize] = s;
            self.stack.push(s);
            while let Some(u) = self.stack.pop() {
                for succ in t.succ_edges(u).0 {
                    let v = succ.node as usize;
                    if self.mark[v] != epoch {
                        self.mark[v] = epoch;
                        self.by[v] = s;
                        self.stack.push(succ.node);
                    }
                }
            }
        }
        self.valid = true;
    }
}
