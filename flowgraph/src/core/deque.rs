//! One thread's deque of ready nodes: a Chase–Lev work-stealing deque
//! without wrap-around or resizing during a batch.
//!
//! The owner pushes and pops at the bottom (LIFO); thieves take the top
//! (FIFO, the oldest entry). Each node of a batch is pushed at most once, to
//! one deque, so a buffer of the batch's node count never fills. The owner
//! rewrites a slot only after popping it (a pop and a later push), and a
//! thief takes slot `top` only when its compare-and-swap on `top` wins, so
//! an entry a pop took is never also stolen (the last one is raced for by
//! that same compare-and-swap). Slots are `AtomicU32`s all the same (`Relaxed`; the `Release`
//! store of `bottom` publishes them), so no access is a data race in the
//! language's sense either.
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

    /// Empties the deque and makes room for `capacity` pushes.
    ///
    /// # Safety
    /// No other thread may access the deque's buffer during the call, nor
    /// afterwards without synchronizing with it.
    pub(crate) unsafe fn reset(&self, capacity: usize) {
        self.top.store(0, Ordering::Relaxed);
        self.bottom.store(0, Ordering::Relaxed);
        // SAFETY: exclusive access to the buffer, by the caller's contract.
        let buf = unsafe { &mut *self.buf.get() };
        if buf.len() < capacity {
            *buf = (0..capacity).map(|_| AtomicU32::new(0)).collect();
        }
    }

    fn buf(&self) -> &[AtomicU32] {
        // SAFETY: the buffer is replaced only by `reset`, never while a
        // batch runs, which is the only time `push`, `pop` and `steal` run.
        unsafe { &*self.buf.get() }
    }

    /// Pushes `x` at the bottom. Owner only; at most `capacity` pushes
    /// between resets.
    #[inline]
    pub(crate) fn push(&self, x: u32) {
        let b = self.bottom.load(Ordering::Relaxed);
        self.buf()[b as usize].store(x, Ordering::Relaxed);
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
        let x = self.buf()[b as usize].load(Ordering::Relaxed);
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
        let x = self.buf()[t as usize].load(Ordering::Relaxed);
        match self
            .top
            .compare_exchange(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
        {
            Ok(_) => Steal::Success(x),
            Err(_) => Steal::Retry,
        }
    }

    /// Whether the deque looks empty (a hint: it may change at once).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.top.load(Ordering::Relaxed) >= self.bottom.load(Ordering::Relaxed)
    }
}
