//! The engine: the frozen tables and the state of their generations, behind
//! the calls the typed `Graph` makes (`poke`, `stabilize`, reads).
//!
//! `state_mut` records dirty sources. `stabilize` runs the generation on the
//! serial scheduler (`serial.rs`) or, when the cost model says the pool
//! repays its wake-ups, on the parallel one (`parallel.rs`). Both run what
//! notifications reach: a poked source, then every consumer with an input
//! that is not quiet (see `core`'s docs for the rule and why it is sound).

use std::any::TypeId;

use crate::core::cost::{Choice, CostModel};
use crate::core::frontier::Frontier;
use crate::core::guard::ReadGuard;
use crate::core::layout::{LeafKind, LeafType};
use crate::core::marks::Marks;
use crate::core::parallel::Parallel;
use crate::core::pool::Pool;
use crate::core::rank::Ranks;
use crate::core::serial::{self, Outcome};
use crate::core::tables::Tables;
use crate::core::wire::PendingNode;
use crate::export::hook::Hook;

const NOT_SOURCE: u8 = 0;
const IDLE: u8 = 1;
const POKED: u8 = 2;

/// Counters describing what a graph's scheduler has done.
///
/// A generation runs a poked source, then each node with an input that is
/// not *quiet*; a node fed by a node that ran, but whose inputs were all
/// quiet, is *skipped by a cutoff* (nodes further below a cutoff are neither
/// run nor counted: the cost of a generation is proportional to what it
/// runs and touches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Generations run by `stabilize` (empty ones included).
    pub generations: u64,
    /// Node computes run by `stabilize`, in all (build calls excluded; a
    /// compute that panicked is not counted).
    pub nodes_run: u64,
    /// Nodes skipped by a cutoff, in all.
    pub nodes_skipped: u64,
    /// Node computes run by the last `stabilize`.
    pub last_cone: usize,
    /// Nodes skipped by a cutoff in the last `stabilize`.
    pub last_skipped: usize,
    /// Generations that ran on the pool's worker threads.
    pub parallel_generations: u64,
}

/// The frozen, type-erased graph and its scheduler.
pub(crate) struct Engine {
    t: Tables,
    marks: Marks,
    frontier: Frontier,
    par: Parallel,
    dirty: Vec<u32>,
    /// Per node: `NOT_SOURCE`, `IDLE` or `POKED` (one array, so a poke
    /// touches one cache line besides the node's own).
    source: Vec<u8>,
    guard: ReadGuard,
    cost: CostModel,
    /// Critical-path priorities for the parallel scheduler.
    ranks: Ranks,
    /// The estimates changed since `ranks` was computed; recomputed before
    /// the next parallel generation (serial ones never need it).
    ranks_stale: bool,
    /// False: every consumer of a node that ran runs (no cutoffs).
    prune: bool,
    /// Tests: run every generation on the parallel scheduler.
    #[cfg(test)]
    force_parallel: bool,
    stats: Stats,
}

impl Engine {
    /// Freezes `pending` into a graph, running every build call in id order.
    /// `priorities` are the user's (node, priority) overrides.
    ///
    /// # Panics
    ///
    /// Resumes the panic of a build call that panics.
    pub(crate) fn new(
        pending: Vec<PendingNode>,
        sources: &[u32],
        priorities: &[(u32, i32)],
    ) -> Engine {
        let n = pending.len();
        let (t, build_ns) = Tables::build(pending);
        let cost = CostModel::new(&build_ns);
        let mut user = vec![0; n];
        for &(node, p) in priorities {
            user[node as usize] = p;
        }
        let ranks = Ranks::new(&t, &cost, user);
        let par = Parallel::new(&t);
        let mut source = vec![NOT_SOURCE; n];
        for &s in sources {
            source[s as usize] = IDLE;
        }
        Engine {
            t,
            marks: Marks::new(n),
            frontier: Frontier::new(n),
            par,
            dirty: Vec::new(),
            source,
            guard: ReadGuard::default(),
            cost,
            ranks,
            ranks_stale: false,
            prune: true,
            #[cfg(test)]
            force_parallel: false,
            stats: Stats::default(),
        }
    }

    /// Tests: every node's estimate becomes 1 ns (ranks are then path
    /// lengths in nodes), and every generation runs on the parallel
    /// scheduler, so that a one-thread pool runs it in priority order.
    #[cfg(test)]
    pub(crate) fn force_parallel_uniform(&mut self) {
        self.cost.set_uniform();
        self.ranks.recompute(&self.t, &self.cost);
        self.force_parallel = true;
    }

    /// Turns critical-path ranking on (the default) or off.
    pub(crate) fn set_ranking(&mut self, on: bool) {
        self.ranks.set_on(on);
        // The kept cone's roots are sorted by the old keys.
        self.par.forget();
    }

    /// With `on == false`, every consumer of a node that ran runs too (the
    /// static cone), as a distributed graph needs: a remote edge in the
    /// static cone must send.
    pub(crate) fn set_cutoffs(&mut self, on: bool) {
        self.prune = on;
    }

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

    /// The node whose compute poisoned the graph (hook for `mpi`).
    #[cfg(feature = "mpi")]
    pub(crate) fn poisoned_by(&self) -> Option<u32> {
        self.guard.poisoned_by()
    }

    /// A pointer to output leaf `leaf` of `node`, for reading a payload of
    /// type `ty` (`None`: only its notify flag).
    ///
    /// # Panics
    /// If the graph is poisoned, a pending poke reaches `node` (read guard),
    /// or the leaf does not exist or holds another payload type.
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
        self.guard.check_readable(&self.t, &self.dirty, node);
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
        self.guard.check_poison(&self.t);
        let kind = self.source[self.node_id(node as usize) as usize];
        assert!(
            self.t.info[node as usize].state_ty == state_ty,
            "flowgraph: {}: `state_mut` with a handle of another segment type",
            self.t.describe(node)
        );
        match kind {
            IDLE => {
                self.source[node as usize] = POKED;
                self.dirty.push(node);
                self.guard.poked();
            }
            POKED => {}
            _ => panic!("flowgraph: {} is not a source", self.t.describe(node)),
        }
        self.t.nodes[node as usize].state
    }

    /// Runs one generation from the dirty sources, with `hook` around each
    /// node execution.
    ///
    /// # Panics
    /// Resumes the first panic of a compute (the graph is then poisoned);
    /// panics if the graph was already poisoned.
    pub(crate) fn stabilize<H: Hook>(&mut self, pool: &mut Pool, hook: &H) {
        self.guard.check_poison(&self.t);
        self.stats.generations += 1;
        if self.dirty.is_empty() {
            self.stats.last_cone = 0;
            self.stats.last_skipped = 0;
            return;
        }
        let threads = pool.threads();
        let timed = self
            .cost
            .timed(threads, self.stats.generations, &self.dirty);
        self.marks.next_generation();
        #[cfg(test)]
        let forced = self.force_parallel;
        #[cfg(not(test))]
        let forced = false;
        let kept = (forced || threads > 1) && self.par.is_marked_for(&self.dirty);
        // Whether the estimates send this generation to the pool.
        let candidate = if kept {
            // The last such generation had the same poked sources and
            // estimates: its cone is still marked, and still repays.
            true
        } else if forced {
            self.par
                .mark_cone(&self.t, &self.marks, &self.dirty, &self.cost);
            true
        } else {
            self.cost.may_repay(threads, &self.dirty) && {
                let (cone, cone_ns) =
                    self.par
                        .mark_cone(&self.t, &self.marks, &self.dirty, &self.cost);
                self.cost.cone_repays(&self.dirty, cone, cone_ns) || {
                    // The cone was marked but does not repay: start afresh.
                    self.marks.next_generation();
                    false
                }
            }
        };
        let choice = if candidate && !forced {
            self.cost.choose(&self.dirty, self.par.ns_per_node(), timed)
        } else {
            Choice {
                parallel: candidate,
                measure: false,
            }
        };
        let parallel = choice.parallel;
        if candidate && !kept {
            // Marked (and left so by a batch): kept for the next generation
            // even if this one runs serially.
            self.par.keep_for(&self.dirty);
            if !parallel {
                // Serially after all: marking touched the marks.
                self.marks.next_generation();
            }
        }
        if parallel && std::mem::take(&mut self.ranks_stale) {
            self.ranks.recompute(&self.t, &self.cost);
        }
        let clock = choice.measure.then(CostModel::start);
        let timing = timed.then_some(&self.cost);
        let outcome: Outcome = if parallel {
            self.stats.parallel_generations += 1;
            self.par.run(
                &self.t,
                &self.marks,
                self.dirty.len(),
                pool,
                self.prune,
                hook,
                self.ranks.keys(),
                timing,
            )
        } else {
            serial::run(
                &self.t,
                &self.marks,
                &mut self.frontier,
                &self.dirty,
                self.prune,
                hook,
                timing,
            )
        };
        if let Some(clock) = clock {
            self.cost
                .measured(parallel, clock.elapsed().as_nanos() as f64);
        }
        if timed {
            self.cost.refresh();
            self.ranks_stale = true;
            self.par.forget();
        }
        for &s in &self.dirty {
            self.source[s as usize] = IDLE;
        }
        self.dirty.clear();
        self.stats.last_cone = outcome.ran;
        self.stats.last_skipped = outcome.skipped;
        self.stats.nodes_run += outcome.ran as u64;
        self.stats.nodes_skipped += outcome.skipped as u64;
        if let Some((node, payload)) = outcome.panic {
            self.guard.poison(node);
            std::panic::resume_unwind(payload);
        }
    }
}
