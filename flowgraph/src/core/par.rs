//! Data-parallel work inside a compute: a *task* of `n` chunks that the
//! pool's threads claim one by one, the calling thread included.
//!
//! # Context
//!
//! `CURRENT` is the pool whose threads may help the calling thread. Pool
//! workers set it for their whole life; `Pool::enter` sets it on the caller
//! for the length of a `stabilize`, whatever scheduler the engine picks (so
//! one heavy node in an otherwise serial generation still splits its work).
//! It is null everywhere else, on a one-thread pool, and on threads a compute
//! spawns: there a task runs serially, in chunk order, with no atomics.
//!
//! # Protocol
//!
//! A task lives on its owner's stack. The owner *lists* it in
//! `Queue::tasks` (under the queue's mutex), then claims and runs chunks
//! itself. A helper enters a listed task by incrementing `helpers` under the
//! same lock, claims chunks until none are left, then (under the lock again)
//! unlists the task and decrements `helpers`, its last access to the task.
//! Once the owner has no chunk left to claim it unlists the task (no one can
//! enter any more) and waits for `helpers == 0`. Every chunk was then claimed
//! (`next >= n`) and every claimed chunk has finished, so nothing touches the
//! task or what its chunks borrow after the owner returns or unwinds.
//!
//! - A chunk is claimed by exactly one `next.fetch_add` (`Relaxed`: the
//!   chunks' data was published by the listing, under the lock), so chunks
//!   never run twice and `&mut` sub-slices handed to them are disjoint.
//! - A helper's writes happen before its `helpers` decrement (`Release`);
//!   the owner reads `helpers` with `Acquire` (or under the lock), so the
//!   chunks' results are visible to it when it returns.
//! - The owner never needs help: it runs every chunk nobody else claimed, so
//!   a task finishes even when every other thread is busy with graph nodes.
//!   While waiting for helpers it runs chunks of other listed tasks (nested
//!   or concurrent ones), never graph nodes. A thread only ever waits for
//!   chunks of a task it owns, which were claimed by threads now running
//!   work created later than that task, so waits cannot form a cycle.
//! - A chunk's panic is caught and kept (the first one); chunks not started
//!   yet are skipped; the owner resumes it once the task settled, on the
//!   thread that called, inside the node's compute, which poisons the graph.
//! - The region between listing and settling must not unwind (helpers would
//!   keep a pointer to a dead frame): it runs under `AbortOnUnwind`.

use std::any::Any;
use std::cell::{Cell, UnsafeCell};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crossbeam_utils::{Backoff, CachePadded};

use crate::core::pool::{Queue, Shared};
use crate::core::unwind::{drop_payload, AbortOnUnwind};

thread_local! {
    /// The pool whose threads may help this thread; null for none.
    static CURRENT: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
}

/// Sets this thread's pool context until dropped, then restores the previous
/// one (a compute may stabilize another graph on another pool).
pub(crate) struct ContextGuard {
    previous: *const Shared,
}

impl ContextGuard {
    /// Makes `shared` (or none, if null) this thread's pool.
    ///
    /// The caller must keep `*shared` alive until the guard drops.
    pub(crate) fn set(shared: *const Shared) -> ContextGuard {
        ContextGuard {
            previous: CURRENT.replace(shared),
        }
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        CURRENT.set(self.previous);
    }
}

/// The number of threads that may run chunks for the calling thread.
pub(crate) fn threads() -> usize {
    let shared = CURRENT.get();
    if shared.is_null() {
        1
    } else {
        // SAFETY: a non-null context is kept alive by whoever set it (a
        // worker's `Arc`, or `Pool::enter` borrowing the pool).
        unsafe { &*shared }.threads
    }
}

/// One data-parallel task, on its owner's stack.
pub(crate) struct Task<'a> {
    /// The next chunk to claim; hammered by every participant, so it gets a
    /// cache line of its own, away from the read-only fields.
    next: CachePadded<AtomicUsize>,
    /// Entered helpers that may still touch the task (incremented under the
    /// queue lock while listed).
    helpers: AtomicUsize,
    n: usize,
    body: &'a (dyn Fn(usize) + Sync),
    panicked: AtomicBool,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

/// A listed task, its lifetime erased (see the protocol).
#[derive(Clone, Copy)]
pub(crate) struct TaskPtr(*const Task<'static>);

// SAFETY: a `Task` is `Sync` (atomics, a mutex, a `Sync` body); the protocol
// keeps it alive while it is listed or entered.
unsafe impl Send for TaskPtr {}

impl Task<'_> {
    /// Claims and runs chunks until none are left.
    fn run_chunks(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.n {
                return;
            }
            if self.panicked.load(Ordering::Relaxed) {
                continue;
            }
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.body)(i))) {
                self.panicked.store(true, Ordering::Relaxed);
                let mut slot = self.panic.lock().unwrap_or_else(PoisonError::into_inner);
                if slot.is_none() {
                    *slot = Some(payload);
                } else {
                    drop_payload(payload);
                }
            }
        }
    }
}

/// Removes `task` from the listed tasks, if still there.
fn unlist(shared: &Shared, q: &mut Queue, task: *const Task<'_>) {
    if let Some(i) = q.tasks.iter().position(|t| std::ptr::eq(t.0, task.cast())) {
        q.tasks.remove(i);
        shared.listed.store(q.tasks.len(), Ordering::Relaxed);
    }
}

/// Runs chunks of the oldest listed task (the coarsest work, for nested
/// joins) until it has none left. `q.tasks` must not be empty.
pub(crate) fn help<'q>(shared: &'q Shared, q: MutexGuard<'q, Queue>) -> MutexGuard<'q, Queue> {
    let ptr = q.tasks[0];
    // SAFETY: the task is listed, and we enter it under the lock, so its
    // owner waits for our decrement below before its frame goes away.
    let task = unsafe { &*ptr.0 };
    task.helpers.fetch_add(1, Ordering::Relaxed);
    drop(q);
    let guard = AbortOnUnwind("a data-parallel task");
    task.run_chunks();
    let mut q = shared.lock();
    unlist(shared, &mut q, ptr.0);
    // Our last access to the task: the owner may return as soon as it sees 0.
    let left = task.helpers.fetch_sub(1, Ordering::Release) - 1;
    std::mem::forget(guard);
    if left == 0 && q.sleeping > 0 {
        shared.wake.notify_all();
    }
    q
}

/// Runs `body(0)`, …, `body(n - 1)`, on the pool's threads when this thread
/// has a pool context, else in order on this thread.
///
/// Every call has returned (or unwound) when this returns. If some panicked,
/// calls not started yet are skipped, and the first panic is resumed here.
pub(crate) fn run(n: usize, body: &(dyn Fn(usize) + Sync)) {
    let shared = CURRENT.get();
    // A chunk count near `usize::MAX` could overflow `next` (each participant
    // overshoots it once); such a split is pointless anyway.
    if shared.is_null() || n <= 1 || n > usize::MAX / 2 {
        return (0..n).for_each(body);
    }
    // SAFETY: a non-null context is kept alive by whoever set it (a worker's
    // `Arc`, or `Pool::enter` borrowing the pool) while we run on its thread.
    let shared = unsafe { &*shared };
    let task = Task {
        next: CachePadded::new(AtomicUsize::new(0)),
        helpers: AtomicUsize::new(0),
        n,
        body,
        panicked: AtomicBool::new(false),
        panic: Mutex::new(None),
    };
    // SAFETY: only the lifetime is erased; the task is unlisted and every
    // helper has left (`helpers == 0`) before this frame returns or unwinds
    // (`AbortOnUnwind` covers the whole region).
    let ptr =
        TaskPtr(unsafe { std::mem::transmute::<*const Task<'_>, *const Task<'static>>(&task) });
    let guard = AbortOnUnwind("a data-parallel task");
    {
        let mut q = shared.lock();
        q.tasks.push(ptr);
        shared.listed.store(q.tasks.len(), Ordering::Relaxed);
        if q.sleeping > 0 {
            shared.wake.notify_all();
        }
    }
    task.run_chunks();
    let mut q = shared.lock();
    unlist(shared, &mut q, &task);
    // Helpers are usually within one chunk of done: spin and yield a little
    // before sleeping, since a sleeping thread takes long to wake.
    let backoff = Backoff::new();
    while task.helpers.load(Ordering::Acquire) != 0 {
        if !q.tasks.is_empty() {
            q = help(shared, q);
        } else if !backoff.is_completed() {
            drop(q);
            backoff.snooze();
            q = shared.lock();
        } else {
            q.sleeping += 1;
            q = shared.wait(q);
            q.sleeping -= 1;
        }
    }
    drop(q);
    std::mem::forget(guard);
    if let Some(payload) = task
        .panic
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        resume_unwind(payload);
    }
}

/// A closure run at most once by whichever thread claims it, and its result.
struct Once<F, R> {
    f: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<R>>,
}

// SAFETY: `call` runs on one thread only (each chunk is claimed once) and
// `into_result` after the task settled, so the cells are never accessed
// concurrently; `F` and `R` cross threads, hence `Send`.
unsafe impl<F: Send, R: Send> Sync for Once<F, R> {}

impl<F: FnOnce() -> R, R> Once<F, R> {
    fn new(f: F) -> Self {
        Once {
            f: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(None),
        }
    }

    /// Runs the closure.
    ///
    /// # Safety
    /// At most one call, and no concurrent `into_result`.
    unsafe fn call(&self) {
        // SAFETY: exclusive access, by the caller's contract.
        let f = unsafe { (*self.f.get()).take() }.expect("a join half runs once");
        let r = f();
        // SAFETY: as above.
        unsafe { *self.result.get() = Some(r) };
    }

    fn into_result(self) -> R {
        self.result
            .into_inner()
            .expect("a settled join ran both halves")
    }
}

/// Runs `a` and `b`, potentially in parallel, and returns both results.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if CURRENT.get().is_null() {
        return (a(), b());
    }
    let a = Once::new(a);
    let b = Once::new(b);
    run(2, &|i| {
        // SAFETY: `run` calls each index once, and we read the results only
        // after it returned.
        unsafe {
            if i == 0 {
                a.call()
            } else {
                b.call()
            }
        }
    });
    (a.into_result(), b.into_result())
}

/// A pointer to a slice's elements that chunks share.
struct SlicePtr<T>(*mut T);

// SAFETY: chunks reach disjoint elements through it (see `for_each_chunk`),
// each from one thread; moving `&mut T` across threads needs `T: Send`.
unsafe impl<T: Send> Sync for SlicePtr<T> {}

impl<T> SlicePtr<T> {
    // A method, so closures capture the whole `SlicePtr` (which is `Sync`),
    // not its raw-pointer field.
    fn get(&self) -> *mut T {
        self.0
    }
}

/// Calls `f(i, chunk)` for the `i`-th run of `size` elements of `slice` (the
/// last may be shorter), on the pool's threads when there are any.
///
/// # Panics
/// If `size == 0`; resumes the first panic of `f`.
pub(crate) fn for_each_chunk<T, F>(slice: &mut [T], size: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    assert!(
        size > 0,
        "flowgraph::par::for_each_chunk: the chunk size must be at least 1"
    );
    let len = slice.len();
    let base = SlicePtr(slice.as_mut_ptr());
    run(len.div_ceil(size), &|i| {
        let start = i * size;
        let end = len.min(start + size);
        // SAFETY: `start..end` lies inside the slice, which stays mutably
        // borrowed until `run` returns; `run` calls each `i` once, so the
        // sub-slices handed out never overlap.
        let chunk = unsafe { std::slice::from_raw_parts_mut(base.get().add(start), end - start) };
        f(i, chunk);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Pool;
    use std::sync::atomic::AtomicU64;

    fn sizes() -> (usize, usize) {
        if cfg!(miri) {
            (40, 3)
        } else {
            (10_000, 7)
        }
    }

    /// Runs `f` with `threads`' context set, as `stabilize` does.
    fn within<R>(threads: usize, f: impl FnOnce() -> R) -> R {
        let mut pool = Pool::new(threads);
        pool.enter(|_| f())
    }

    #[test]
    fn chunks_cover_the_slice_once() {
        let (n, size) = sizes();
        for threads in [1, 2, 4] {
            let mut v = vec![0_u64; n];
            within(threads, || {
                for_each_chunk(&mut v, size, |i, c| {
                    assert!(c.len() == size || i == n.div_ceil(size) - 1);
                    for (k, x) in c.iter_mut().enumerate() {
                        *x += (i * size + k) as u64 + 1;
                    }
                })
            });
            assert!(v.iter().enumerate().all(|(k, &x)| x == k as u64 + 1));
        }
    }

    #[test]
    fn join_nests_and_returns_both() {
        fn sum(lo: u64, hi: u64) -> u64 {
            if hi - lo <= 4 {
                return (lo..hi).sum();
            }
            let mid = (lo + hi) / 2;
            let (a, b) = join(|| sum(lo, mid), || sum(mid, hi));
            a + b
        }
        let n = if cfg!(miri) { 64 } else { 100_000 };
        for threads in [1, 2, 4] {
            assert_eq!(within(threads, || sum(0, n)), n * (n - 1) / 2);
        }
        assert_eq!(sum(0, n), n * (n - 1) / 2);
    }

    #[test]
    fn a_panic_settles_every_chunk_first() {
        let (n, _) = sizes();
        let started = AtomicU64::new(0);
        let finished = AtomicU64::new(0);
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
            within(2, || {
                run(n, &|i| {
                    started.fetch_add(1, Ordering::Relaxed);
                    if i == 1 {
                        panic!("chunk 1");
                    }
                    finished.fetch_add(1, Ordering::Relaxed);
                })
            })
        }));
        let msg = *r
            .expect_err("the chunk's panic")
            .downcast::<&str>()
            .unwrap();
        assert_eq!(msg, "chunk 1");
        // Whatever started also ended, and the panicking chunk did not
        // finish (chunk 0 may be skipped if its claimer saw the panic first).
        let (s, f) = (started.into_inner(), finished.into_inner());
        assert!(s >= 1 && f == s - 1, "started {s}, finished {f}");
    }

    #[test]
    fn serial_without_context() {
        let order = Mutex::new(Vec::new());
        run(5, &|i| order.lock().unwrap().push(i));
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(threads(), 1);
        assert_eq!(within(3, threads), 3);
        assert_eq!(within(1, threads), 1);
    }
}
