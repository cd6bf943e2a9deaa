//! Per-generation marks on nodes, one `u32` each: `gen << 1` once a
//! producer that ran wrote the node's inputs (*touched*), `gen << 1 | 1`
//! once it is scheduled to run (or, on the parallel scheduler, runs). A
//! node's compute reads its producers' marks to clear the flags of those
//! that did not run. A new generation clears every mark by incrementing
//! `gen`. Atomic (`Relaxed`, plain moves) because the parallel scheduler's
//! threads store and read them; the countdowns order those accesses.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

pub(crate) struct Marks {
    gen: u32,
    mark: Vec<AtomicU32>,
}

impl Marks {
    pub(crate) fn new(n: usize) -> Marks {
        Marks {
            gen: 0,
            mark: (0..n).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// Starts a generation: every node is untouched and unscheduled.
    pub(crate) fn next_generation(&mut self) {
        self.gen += 1;
        if self.gen == 1 << 31 {
            self.mark.iter_mut().for_each(|m| *m.get_mut() = 0);
            self.gen = 1;
        }
    }

    /// Marks `v` touched; true if it was not yet touched this generation.
    pub(crate) fn touch(&self, v: u32) -> bool {
        let m = &self.mark[v as usize];
        if m.load(Relaxed) >> 1 == self.gen {
            return false;
        }
        m.store(self.gen << 1, Relaxed);
        true
    }

    /// Marks `v` scheduled (and touched).
    pub(crate) fn schedule(&self, v: u32) {
        self.mark[v as usize].store(self.gen << 1 | 1, Relaxed);
    }

    /// Whether `v` was scheduled (serial) or ran (parallel) this generation.
    #[inline(always)]
    pub(crate) fn ran(&self, v: u32) -> bool {
        self.mark[v as usize].load(Relaxed) == self.gen << 1 | 1
    }

    /// Marks `v` touched, and scheduled if `wake`; returns whether this was
    /// its first touch and whether it is newly scheduled. One load and at
    /// most one store: the serial scheduler's step per consumer.
    ///
    /// # Safety
    /// `v` must be less than the number of nodes.
    #[inline(always)]
    pub(crate) unsafe fn visit(&self, v: u32, wake: bool) -> (bool, bool) {
        // SAFETY: guaranteed by the caller.
        let m = unsafe { self.mark.get_unchecked(v as usize) };
        let cur = m.load(Relaxed);
        let scheduled = self.gen << 1 | 1;
        if cur == scheduled {
            return (false, false);
        }
        let first = cur >> 1 != self.gen;
        if first || wake {
            m.store(if wake { scheduled } else { self.gen << 1 }, Relaxed);
        }
        (first, wake)
    }
}
