//! The serial scheduler: runs a generation on the calling thread with no
//! atomics, popping scheduled nodes in increasing id order (ids are a
//! topological order, so a node runs after every producer that wakes it).
//! Its cost is proportional to what runs and what it touches, never to the
//! graph's size.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::cost::CostModel;
use crate::core::frontier::Frontier;
use crate::core::marks::Marks;
use crate::core::tables::Tables;
use crate::core::unwind::Caught;
use crate::export::hook::Hook;

/// What one generation did.
pub(crate) struct Outcome {
    /// Nodes whose compute ran to completion.
    pub(crate) ran: usize,
    /// Nodes fed by a node that ran, but skipped: every input was quiet.
    pub(crate) skipped: usize,
    /// The first panic of a compute, if any.
    pub(crate) panic: Option<Caught>,
}

/// Runs one generation from the poked sources `dirty`, in a generation of
/// `marks` just started, with `hook` around each node. With `prune` off,
/// every consumer of a node that ran runs too (the static cone). With
/// `timed`, each compute is timed into its estimate.
pub(crate) fn run<H: Hook>(
    t: &Tables,
    marks: &Marks,
    frontier: &mut Frontier,
    dirty: &[u32],
    prune: bool,
    hook: &H,
    timed: Option<&CostModel>,
) -> Outcome {
    frontier.clear();
    for &s in dirty {
        marks.schedule(s);
        frontier.push(s);
    }
    let mut current = u32::MAX;
    let (mut ran, mut touched, mut woken) = (0usize, 0usize, 0usize);
    let mut clock = timed.map(|_| CostModel::start());
    let result = catch_unwind(AssertUnwindSafe(|| {
        while let Some(u) = frontier.pop() {
            current = u;
            let mark = hook.start();
            // SAFETY: every producer that writes `u`'s inputs has a smaller
            // id and already ran (ids are topological; the frontier pops the
            // smallest, and only nodes that ran push larger ids), so its
            // inputs are complete; we are alone. A scheduled node counts as
            // run for its consumers' stale-flag check.
            unsafe { t.exec(u, false, Some(marks)) };
            if let (Some(cost), Some(last)) = (timed, clock.as_mut()) {
                // One clock read per node: a node's time runs from the
                // previous node's end, the engine's steps between them
                // included (they are part of what running it costs).
                let now = CostModel::start();
                cost.record_between(u, *last, now);
                *last = now;
            }
            hook.done(u, mark);
            ran += 1;
            let (succs, mut e) = t.succ_edges(u);
            for s in succs {
                // SAFETY: `u` just wrote its outputs; `s` has not run.
                let wake = unsafe { t.scatter(s, &mut e) } || !prune;
                // SAFETY: `s.node` is a node id.
                let (first, newly) = unsafe { marks.visit(s.node, wake) };
                touched += usize::from(first);
                if first {
                    // Skipped, unless this or a later producer wakes it.
                    hook.skip(s.node);
                }
                if newly {
                    woken += 1;
                    hook.unskip(s.node);
                    frontier.push(s.node);
                }
            }
        }
    }));
    Outcome {
        ran,
        skipped: touched - woken,
        panic: result.err().map(|payload| (current, payload)),
    }
}
