//! The engine's only contact with profiling: a hook called around each node
//! execution, chosen once per generation.
//!
//! The engine is generic over [`Hook`]. `Graph::stabilize` passes [`Off`]
//! (every call compiles to nothing) unless profiling is on, so the disabled
//! path costs one branch per generation, not per node.

use std::time::Instant;

/// Called by the schedulers around each node execution.
pub(crate) trait Hook: Sync {
    /// What `start` hands to `done`.
    type Mark: Copy;
    /// Right before node execution.
    fn start(&self) -> Self::Mark;
    /// Right after node `node` executed (not called if it panicked).
    fn done(&self, node: u32, start: Self::Mark);
    /// Node `node` was reached by a cutoff-pruned wave: it counts as
    /// skipped unless [`unskip`](Hook::unskip) follows in the generation.
    fn skip(&self, node: u32);
    /// Node `node`, counted by `skip`, was woken after all.
    fn unskip(&self, node: u32);
}

/// Profiling off.
pub(crate) struct Off;

impl Hook for Off {
    type Mark = ();
    #[inline(always)]
    fn start(&self) {}
    #[inline(always)]
    fn done(&self, _: u32, _: ()) {}
    #[inline(always)]
    fn skip(&self, _: u32) {}
    #[inline(always)]
    fn unskip(&self, _: u32) {}
}

impl Hook for crate::export::profile::Profiler {
    type Mark = Instant;

    #[inline]
    fn start(&self) -> Instant {
        Instant::now()
    }

    #[inline]
    fn done(&self, node: u32, start: Instant) {
        self.record_run(node, start, Instant::now());
    }

    #[inline]
    fn skip(&self, node: u32) {
        self.record_skip(node, 1);
    }

    #[inline]
    fn unskip(&self, node: u32) {
        self.record_skip(node, u64::MAX);
    }
}
