//! One thread's deque of ready nodes: a Chase–Lev work-stealing deque in a
//! ring buffer that is not resized during a batch.
//!
//! The owner pushes and pops at the bottom (LIFO); thieves take the top
//! (FIFO, the oldest entry), one entry or a batch of them, each with its own
//! compare-and-swap. A deque never holds more entries than the batch has
//! nodes, which the ring is sized for, so a push never overwrites a live
//! entry. The owner rewrites a slot only after it was popped or stolen,
//! and a thief takes slot `top` only when its compare-and-swap on `top`
//! wins, so an entry a pop took is never also stolen (the last one is raced
//! for by that same compare-and-swap); a thief that read a slot rewritten
//! meanwhile loses its compare-and-swap and drops what it read. Slots are
//! `AtomicU32`s all the same (`Relaxed`; the `Release` store of `bottom`
//! publishes them), so no access is a data race in the language's sense
//! either.
//!
//! `reset` (between batches) empties the deque and grows its buffer; the
//! pool calls it only while no other thread may touch the buffer (see the
//! pool's protocol). Outside a batch, other threads read only `top` and
//! `bottom` (`is_empty`).

use std::cell::UnsafeCell;
use std::sync::atomic::{fence, AtomicIsize, AtomicU32, Ordering};

use crossbeam_utils::CachePadded;

/// What a steal found.
pub(crate) enum Steal {
    Empty,
    /// Lost a race for the top entry: try again.
    Retry,
    Success(u32),
}

pub(crate) struct Deque {
    /// One past the newest entry; written by the owner only.
    bottom: CachePadded<AtomicIsize>,
    /// The oldest entry not yet taken; advanced by compare-and-swap.
    top: CachePadded<AtomicIsize>,
    buf: UnsafeCell<Box<[AtomicU32]>>,
}

// SAFETY: `buf` is replaced only by `reset`, whose caller guarantees that no
// other thread accesses the deque's buffer meanwhile; every other access is
// through atomics.
unsafe impl Sync for Deque {}

impl Deque {
    pub(crate) fn new() -> Deque {
        Deque {
            bottom: CachePadded::new(AtomicIsize::new(0)),
            top: CachePadded::new(AtomicIsize::new(0)),
            buf: UnsafeCell::new(Box::new([])),
        }
    }

    /// Empties the deque and makes room for `capacity` entries at once.
    ///
    /// # Safety
    /// No other thread may access the deque's buffer during the call, nor
    /// afterwards without synchronizing with it.
    pub(crate) unsafe fn reset(&self, capacity: usize) {
        self.top.store(0, Ordering::Relaxed);
        self.bottom.store(0, Ordering::Relaxed);
        // SAFETY: exclusive access to the buffer, by the caller's contract.
        let buf = unsafe { &mut *self.buf.get() };
        let capacity = capacity.max(1).next_power_of_two();
        if buf.len() < capacity {
            *buf = (0..capacity).map(|_| AtomicU32::new(0)).collect();
        }
    }

    /// The slot of index `i` in the ring (its length is a power of two).
    fn slot(&self, i: isize) -> &AtomicU32 {
        // SAFETY: the buffer is replaced only by `reset`, never while a
        // batch runs, which is the only time `push`, `pop` and `steal` run.
        let buf = unsafe { &*self.buf.get() };
        &buf[i as usize & (buf.len() - 1)]
    }

    /// Pushes `x` at the bottom. Owner only; at most `capacity` entries at
    /// once.
    #[inline]
    pub(crate) fn push(&self, x: u32) {
        let b = self.bottom.load(Ordering::Relaxed);
        self.slot(b).store(x, Ordering::Relaxed);
        self.bottom.store(b + 1, Ordering::Release);
    }

    /// Pops the newest entry. Owner only.
    #[inline]
    pub(crate) fn pop(&self) -> Option<u32> {
        let b = self.bottom.load(Ordering::Relaxed) - 1;
        if b < self.top.load(Ordering::Relaxed) {
            // Empty (a thief only ever raises `top`): nothing to undo.
            return None;
        }
        // `Release` on every store of `bottom`: a thief's `Acquire` load of
        // any of them sees the writes of the slots below it.
        self.bottom.store(b, Ordering::Release);
        fence(Ordering::SeqCst);
        let t = self.top.load(Ordering::Relaxed);
        if t > b {
            self.bottom.store(b + 1, Ordering::Release);
            return None;
        }
        let x = self.slot(b).load(Ordering::Relaxed);
        if t == b {
            // The last entry: race the thieves for it.
            let won = self
                .top
                .compare_exchange(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok();
            self.bottom.store(b + 1, Ordering::Release);
            return won.then_some(x);
        }
        Some(x)
    }

    /// Takes the oldest entry. Any thread.
    #[inline]
    pub(crate) fn steal(&self) -> Steal {
        let t = self.top.load(Ordering::Acquire);
        fence(Ordering::SeqCst);
        let b = self.bottom.load(Ordering::Acquire);
        if t >= b {
            return Steal::Empty;
        }
        let x = self.slot(t).load(Ordering::Relaxed);
        match self
            .top
            .compare_exchange(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
        {
            Ok(_) => Steal::Success(x),
            Err(_) => Steal::Retry,
        }
    }

    /// Takes the oldest entry and then, one by one, up to half of what was
    /// left after it (at most `max` more), pushing those onto `dest`, the
    /// calling thread's own deque. The thief's compare-and-swaps then find
    /// `top` in its own cache, and the owner's next pop meets one changed
    /// `top` per batch instead of one per entry.
    pub(crate) fn steal_batch(&self, dest: &Deque, max: usize) -> Steal {
        let t = self.top.load(Ordering::Relaxed);
        let b = self.bottom.load(Ordering::Relaxed);
        let first = match self.steal() {
            Steal::Success(x) => x,
            other => return other,
        };
        let more = ((b - t - 1) / 2).clamp(0, max as isize);
        for _ in 0..more {
            match self.steal() {
                Steal::Success(x) => dest.push(x),
                _ => break,
            }
        }
        Steal::Success(first)
    }

    /// Whether the deque looks empty (a hint: it may change at once).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.top.load(Ordering::Relaxed) >= self.bottom.load(Ordering::Relaxed)
    }
}
