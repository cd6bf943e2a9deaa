//! Per-generation marks on nodes: *touched* (a producer that ran wrote its
//! inputs) and *scheduled* (it will run), one `u32` per node,
//! `gen << 1 | scheduled`; and the generation each node last ran in, which
//! a node's compute compares to clear the flags of producers that did not
//! run. A new generation clears every mark by incrementing `gen`.

use std::sync::atomic::AtomicU32;

pub(crate) struct Marks {
    gen: u32,
    mark: Vec<u32>,
    /// `ran[v] == gen` iff `v` ran (started its compute) this generation.
    /// Atomic because the parallel scheduler's threads store and read it.
    pub(crate) ran: Vec<AtomicU32>,
}

impl Marks {
    pub(crate) fn new(n: usize) -> Marks {
        Marks {
            gen: 0,
            mark: vec![0; n],
            ran: (0..n).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// The current generation (never 0).
    pub(crate) fn gen(&self) -> u32 {
        self.gen
    }

    /// Starts a generation: every node is untouched, unscheduled, not run.
    pub(crate) fn next_generation(&mut self) {
        self.gen += 1;
        if self.gen == 1 << 31 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.ran.iter_mut().for_each(|r| *r.get_mut() = 0);
            self.gen = 1;
        }
    }

    /// Marks `v` touched; true if it was not yet touched this generation.
    #[inline(always)]
    pub(crate) fn touch(&mut self, v: u32) -> bool {
        let m = &mut self.mark[v as usize];
        if *m >> 1 == self.gen {
            return false;
        }
        *m = self.gen << 1;
        true
    }

    /// Marks `v` scheduled (and touched); true if it was not yet scheduled.
    #[inline(always)]
    pub(crate) fn schedule(&mut self, v: u32) -> bool {
        let m = &mut self.mark[v as usize];
        let scheduled = self.gen << 1 | 1;
        if *m == scheduled {
            return false;
        }
        *m = scheduled;
        true
    }
}
