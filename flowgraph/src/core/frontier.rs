//! The serial scheduler's frontier: the set of scheduled node ids, popped in
//! increasing order.
//!
//! A hierarchical bitset (64-way: each bit of a level-`k+1` word says "this
//! level-`k` word is non-empty") gives insert and pop-min in a handful of
//! loads whatever the graph's size, and a one-element register in front of it
//! keeps chains (one successor per node) off the bitset entirely.

const NONE: u32 = u32::MAX;

/// A set of node ids `< capacity`, popped smallest first.
#[derive(Debug)]
pub(crate) struct Frontier {
    /// The smallest id in the set, kept out of `levels`; `NONE` if empty.
    next: u32,
    /// `levels[0]` holds one bit per id; the last level is a single word.
    levels: Vec<Vec<u64>>,
    /// How many ids `levels` holds.
    count: usize,
}

impl Default for Frontier {
    /// An empty frontier of capacity zero; allocates nothing.
    fn default() -> Self {
        Frontier {
            next: NONE,
            levels: Vec::new(),
            count: 0,
        }
    }
}

impl Frontier {
    pub(crate) fn new(capacity: usize) -> Frontier {
        let mut levels = Vec::new();
        let mut words = capacity.div_ceil(64).max(1);
        loop {
            levels.push(vec![0u64; words]);
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
        Frontier {
            next: NONE,
            levels,
            count: 0,
        }
    }

    /// Adds `id` (not already present).
    #[inline(always)]
    pub(crate) fn push(&mut self, id: u32) {
        if self.next == NONE {
            self.next = id;
        } else if id < self.next {
            let old = std::mem::replace(&mut self.next, id);
            self.insert(old);
        } else {
            self.insert(id);
        }
    }

    /// Removes and returns the smallest id.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = if self.count == 0 {
            NONE
        } else {
            self.take_min()
        };
        Some(id)
    }

    fn insert(&mut self, id: u32) {
        self.count += 1;
        let mut i = id as usize;
        for level in &mut self.levels {
            let word = &mut level[i >> 6];
            let was_empty = *word == 0;
            *word |= 1 << (i & 63);
            if !was_empty {
                return;
            }
            i >>= 6;
        }
    }

    #[inline(never)]
    fn take_min(&mut self) -> u32 {
        self.count -= 1;
        let mut i = 0usize;
        for level in self.levels.iter().rev() {
            i = (i << 6) | level[i].trailing_zeros() as usize;
        }
        let id = i as u32;
        for level in &mut self.levels {
            let word = &mut level[i >> 6];
            *word &= !(1 << (i & 63));
            if *word != 0 {
                break;
            }
            i >>= 6;
        }
        id
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        while self.pop().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::Frontier;

    #[test]
    fn pops_in_increasing_order() {
        for cap in [1usize, 63, 64, 65, 4096, 4097, 300_000] {
            let mut f = Frontier::new(cap);
            let mut ids: Vec<u32> = (0..cap as u32).step_by(1 + cap / 97).collect();
            ids.reverse();
            for &i in &ids {
                f.push(i);
            }
            ids.sort_unstable();
            let popped: Vec<u32> = std::iter::from_fn(|| f.pop()).collect();
            assert_eq!(popped, ids, "capacity {cap}");
        }
    }

    #[test]
    fn interleaved_monotone_use() {
        // The scheduler's pattern: pop the minimum, push larger unscheduled ids.
        let n = if cfg!(miri) { 300 } else { 10_000 };
        let mut f = Frontier::new(n);
        let mut scheduled = vec![false; n];
        f.push(0);
        scheduled[0] = true;
        let mut seen = Vec::new();
        while let Some(u) = f.pop() {
            seen.push(u);
            for v in [u * 2 + 1, u * 3 + 2, u + 64] {
                if (v as usize) < n && !scheduled[v as usize] {
                    scheduled[v as usize] = true;
                    f.push(v);
                }
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(seen, sorted);
        assert_eq!(seen.len(), scheduled.iter().filter(|&&s| s).count());
    }
}
