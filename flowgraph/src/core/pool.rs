//! The thread pool: `n` threads in all, the calling thread included.
//!
//! A pool runs one *batch* at a time (`stabilize` takes `&mut Pool`). A batch
//! is a set of root node ids plus a [`Batch`] object that runs a node and
//! reports the successors it made ready, sorted by priority (highest last).
//!
//! # Scheduling
//!
//! Every thread has its own work-stealing deque of ready nodes
//! (`deque.rs`): the owner pushes and pops at one end (LIFO), thieves take
//! the other end (FIFO, the oldest entry, and up to half of the rest in one
//! go, so that a wide fan-out is not handed over one entry at a time).
//! The thread that
//! finishes a node runs its highest-priority newly ready successor itself
//! (no queue hop) and pushes the others in increasing priority, so its next
//! pop is the next highest and what a thief takes is the lowest and oldest.
//! The roots are claimed from a shared cursor in chunks (a quarter of what
//! is left per thread), highest priority first.
//!
//! Nothing on this path takes a lock: the mutex and condition variable are
//! only for threads that go to sleep. An idle thread first spins (bounded,
//! with [`Backoff`], for [`SPIN`]), so that back-to-back generations and the
//! gaps between a node and its successors do not pay a futex wake-up.
//! Counts of finished nodes are kept per thread and added to the shared
//! countdown when the thread runs out of work, not once per node or chain.
//!
//! # Protocol: why no thread touches a batch after the caller returns
//!
//! A batch and its roots live on the caller's stack. `Shared::state` holds a
//! *published* bit (bit 0) and twice the number of threads *entered* in the
//! batch (the other bits); `Shared::current` holds the batch pointer.
//!
//! - The caller writes `current` only while the bit is clear and no thread
//!   is entered (before publishing; the previous batch ended with
//!   `state == 0`), then sets the bit (`Release`).
//! - A worker *enters* with one `fetch_add(2)` (`Acquire`). Only if the
//!   value it returns has the bit set does it read `current` and touch the
//!   batch (that `Acquire` sees the caller's write of `current`); either way
//!   it leaves with `fetch_sub(2)` (`Release`), its last access.
//! - The deques' buffers are sized (and emptied) by the caller in the same
//!   window as `current`, so the same argument covers them; outside a batch
//!   other threads read only their `top`/`bottom` atomics.
//! - Ready node ids exist only inside a batch: a queued or claimed id is a
//!   node that has not run, so the countdown `remaining` is not zero while
//!   any thread holds one, and every deque is empty when it reaches zero.
//! - The caller clears the bit once `remaining == 0`, then waits until
//!   `state == 0`. A thread entered before the clear is counted until it
//!   leaves; one that enters after sees the bit clear and touches nothing.
//!   So when the caller returns, no thread is inside the batch, and none
//!   can enter it.
//!
//! Sleeping (the only use of the lock): a sleeper takes the lock, counts
//! itself in `sleepers` (`SeqCst`), re-checks for work, and waits. A thread
//! that makes work (queued nodes, a published batch, a finished batch)
//! issues a `SeqCst` fence and, only if `sleepers > 0`, takes the lock and
//! notifies: one of the two sees the other's write, and the notification
//! cannot fall between the sleeper's check and its wait.
//!
//! The same threads run the data-parallel tasks of `par.rs`, listed in
//! `Queue::tasks` by a compute that splits its work: an idle thread takes a
//! graph node first, else helps a listed task. A thread runs with this pool
//! as its context (`par::ContextGuard`): workers always, the caller inside
//! [`Pool::enter`].

use std::cell::UnsafeCell;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_utils::{Backoff, CachePadded};

use crate::core::deque::{Deque, Steal};

use crate::core::par::{self, ContextGuard, TaskPtr};
use crate::core::unwind::AbortOnUnwind;

/// One batch of work, shared by every thread of the pool while it runs.
pub(crate) trait Batch: Sync {
    /// Runs `job` (a node id, with what the batch keeps beside it) and
    /// appends the jobs it made ready to `ready`, in
    /// increasing priority (the last one runs next, on this thread). Returns
    /// whether the node's compute ran (`Some(true)`), was skipped by a
    /// cutoff (`Some(false)`), or neither (after a panic).
    ///
    /// Must not unwind: a batch lives on the publishing caller's stack and
    /// other threads may still be inside it. The pool enforces this with
    /// [`run_guarded`], which aborts the process if it does.
    fn run(&self, job: u32, ready: &mut Vec<u32>) -> Option<bool>;
    /// Adds what one thread's stretch of work did: `ran` computes run and
    /// `skipped` nodes skipped. Called once per stretch, before its nodes
    /// are counted as finished.
    fn settle(&self, ran: usize, skipped: usize);
}

/// The lock-protected part of the pool: what sleeping needs, and the
/// data-parallel tasks.
pub(crate) struct Queue {
    /// Threads waiting on `Shared::wake`.
    pub(crate) sleeping: usize,
    /// Data-parallel tasks with chunks left to claim, oldest first.
    pub(crate) tasks: Vec<TaskPtr>,
}

/// The published batch and its roots (highest priority first).
#[derive(Clone, Copy)]
struct Published {
    batch: *const (dyn Batch + 'static),
    roots: *const u32,
    len: usize,
}

/// Bit 0 of `Shared::state`: a batch is published.
const PUBLISHED: usize = 1;
/// One entered thread, in `Shared::state`.
const ENTERED: usize = 2;

pub(crate) struct Shared {
    queue: Mutex<Queue>,
    pub(crate) wake: Condvar,
    /// Threads in all, the caller included.
    pub(crate) threads: usize,
    /// `Queue::tasks.len()`, stored under the lock: a hint that idle threads
    /// read without it.
    pub(crate) listed: AtomicUsize,
    /// `PUBLISHED` and `ENTERED` × entered threads (see the protocol).
    state: CachePadded<AtomicUsize>,
    /// Nodes of the batch not finished yet.
    remaining: CachePadded<AtomicUsize>,
    /// The next root to claim.
    next_root: CachePadded<AtomicUsize>,
    /// The published batch's number of roots (0 between batches): a hint
    /// for idle threads, which read no pointer before they enter.
    roots_len: AtomicUsize,
    /// Threads counted as asleep (or about to be): read on the hot path
    /// without the lock.
    sleepers: CachePadded<AtomicUsize>,
    shutdown: AtomicBool,
    /// The published batch: written by the caller only while unpublished
    /// and no thread is entered; read only by entered threads that saw the
    /// `PUBLISHED` bit.
    current: UnsafeCell<Option<Published>>,
    /// Every thread's deque; index 0 is the caller's. Thread `i` alone
    /// pushes and pops deque `i`; any thread steals.
    deques: Vec<Deque>,
}

// SAFETY: every field but `current` is `Sync`. `current` is written only while no other thread may read it and
// read only by entered threads after the `Acquire` that published it (see
// the protocol); the pointers inside reach `Sync` data (`Batch: Sync`, `u32`).
unsafe impl Sync for Shared {}
// SAFETY: as above; `Shared` owns nothing tied to a thread.
unsafe impl Send for Shared {}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock only means a panic elsewhere; the queue's own
        // invariants hold between statements, so keep going.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn wait<'a>(&self, guard: MutexGuard<'a, Queue>) -> MutexGuard<'a, Queue> {
        self.wake
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the sleepers, if any (see the protocol).
    #[inline]
    fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::Relaxed) > 0 {
            let _q = self.lock();
            self.wake.notify_all();
        }
    }

    /// Sleeps unless `awake()` holds once this thread is counted as asleep.
    fn sleep_unless(&self, awake: impl Fn(&Queue) -> bool) {
        let mut q = self.lock();
        q.sleeping += 1;
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if !awake(&q) {
            q = self.wait(q);
        }
        self.sleepers.fetch_sub(1, Ordering::Relaxed);
        q.sleeping -= 1;
    }

    /// Whether some deque or the roots hold work.
    fn has_work(&self) -> bool {
        self.deques.iter().any(|d| !d.is_empty())
            || self.state.load(Ordering::Relaxed) & PUBLISHED != 0 && self.roots_left()
    }

    fn roots_left(&self) -> bool {
        self.next_root.load(Ordering::Relaxed) < self.roots_len.load(Ordering::Relaxed)
    }

    /// Runs one thread's share of the published batch `p`: its own deque,
    /// then roots, then what it steals, until none is left.
    /// Returns whether it ran anything.
    fn work(&self, p: Published, me: usize, ready: &mut Vec<u32>) -> bool {
        // SAFETY: the caller of `work` is entered (or is the publisher), so
        // the batch outlives this call (protocol).
        let batch = unsafe { &*p.batch };
        let mut done = Tally::default();
        while let Some(job) = self.find(p, me) {
            run_chain(self, batch, job, &self.deques[me], ready, &mut done);
        }
        // Counted once, when this thread runs out of work: one write to
        // the shared counters per stretch of work, not per chain (a chain
        // is a single node when nodes are independent).
        if done.finished == 0 {
            return false;
        }
        batch.settle(done.ran, done.skipped);
        if self.remaining.fetch_sub(done.finished, Ordering::AcqRel) == done.finished {
            self.notify();
        }
        true
    }

    /// The next node for thread `me`: its own deque (newest first), else a
    /// chunk of roots, else a steal.
    fn find(&self, p: Published, me: usize) -> Option<u32> {
        let local = &self.deques[me];
        if let Some(job) = local.pop() {
            return Some(job);
        }
        let start = self.next_root.load(Ordering::Relaxed);
        if start < p.len {
            let left = p.len - start;
            let chunk = (left / (4 * self.threads)).max(1);
            let start = self.next_root.fetch_add(chunk, Ordering::Relaxed);
            if start < p.len {
                let end = p.len.min(start + chunk);
                // SAFETY: the roots live as long as the batch, and
                // `start < end <= len`; each index is claimed once.
                let roots = unsafe { std::slice::from_raw_parts(p.roots.add(start), end - start) };
                // Lowest first, so the next pops take the highest.
                roots[1..].iter().rev().for_each(|&r| local.push(r));
                if roots.len() > 1 {
                    self.notify();
                }
                return Some(roots[0]);
            }
        }
        let n = self.deques.len();
        loop {
            let mut retry = false;
            for i in 1..n {
                match self.deques[(me + i) % n].steal_batch(local, STEAL_BATCH) {
                    Steal::Success(job) => {
                        if !local.is_empty() {
                            // Part of a batch went to our deque.
                            self.notify();
                        }
                        return Some(job);
                    }
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }
}

/// A pool of `n` threads in all, the calling thread included.
///
/// `Pool::new(1)` runs everything on the caller; `Pool::new(k)` starts `k - 1`
/// workers that spin briefly, then sleep, between batches. One pool serves
/// any number of graphs.
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// let pool = Pool::new(2);
/// assert_eq!(pool.threads(), 2);
/// ```
pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    /// The caller's list of newly ready nodes, kept so a warm batch
    /// allocates nothing.
    ready: Vec<u32>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("threads", &self.threads())
            .finish()
    }
}

impl Pool {
    /// Creates a pool of `threads` threads in all, the caller included.
    ///
    /// # Panics
    ///
    /// Panics if `threads == 0`, or if the OS refuses to spawn a thread.
    pub fn new(threads: usize) -> Pool {
        assert!(
            threads > 0,
            "Pool::new(0): a pool needs at least the calling thread"
        );
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                sleeping: 0,
                tasks: Vec::new(),
            }),
            wake: Condvar::new(),
            threads,
            listed: AtomicUsize::new(0),
            state: CachePadded::new(AtomicUsize::new(0)),
            remaining: CachePadded::new(AtomicUsize::new(0)),
            next_root: CachePadded::new(AtomicUsize::new(0)),
            roots_len: AtomicUsize::new(0),
            sleepers: CachePadded::new(AtomicUsize::new(0)),
            shutdown: AtomicBool::new(false),
            current: UnsafeCell::new(None),
            deques: (0..threads).map(|_| Deque::new()).collect(),
        });
        let workers = (1..threads)
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("flowgraph-{i}"))
                    .spawn(move || worker(&shared, i))
                    .expect("flowgraph: failed to spawn a pool thread")
            })
            .collect();
        Pool {
            shared,
            workers,
            ready: Vec::with_capacity(READY_CAPACITY),
        }
    }

    /// The number of threads in all, the caller included.
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Runs `f` with this pool as the calling thread's context, so that the
    /// data-parallel calls of computes run meanwhile (`crate::par`) share
    /// their work with the pool's workers. A one-thread pool clears the
    /// context instead: its computes split nothing.
    pub(crate) fn enter<R>(&mut self, f: impl FnOnce(&mut Pool) -> R) -> R {
        let shared = if self.workers.is_empty() {
            std::ptr::null()
        } else {
            Arc::as_ptr(&self.shared)
        };
        // `&mut self` keeps the pool, hence `Shared`, alive until the guard
        // drops at the end of this call.
        let _context = ContextGuard::set(shared);
        f(self)
    }

    /// Runs `batch` from `roots` (highest priority first), `nodes` nodes in
    /// all, to completion on every thread of the pool. `room` (at least
    /// `nodes`) sizes the deques: the graph's size, so that a warm graph's
    /// batches allocate nothing whatever their cone.
    pub(crate) fn run(&mut self, batch: &dyn Batch, roots: &[u32], nodes: usize, room: usize) {
        if self.workers.is_empty() {
            return run_local(batch, roots, &mut self.ready);
        }
        if nodes == 0 {
            return;
        }
        let shared = &*self.shared;
        let ready = &mut self.ready;
        // SAFETY: only the lifetime is erased. The batch is unpublished below
        // before this function returns, after every entered thread has left
        // (`state == 0`), so it is never dereferenced after `batch` dies.
        let batch_ptr = unsafe {
            std::mem::transmute::<*const (dyn Batch + '_), *const (dyn Batch + 'static)>(batch)
        };
        let p = Published {
            batch: batch_ptr,
            roots: roots.as_ptr(),
            len: roots.len(),
        };
        debug_assert_eq!(shared.state.load(Ordering::Relaxed), 0);
        // SAFETY: unpublished and nobody entered (the last batch ended with
        // `state == 0`, and entering threads that see the bit clear never
        // read `current` or a deque's buffer): no other thread reads them
        // now, and the `Release` below publishes these writes.
        unsafe {
            *shared.current.get() = Some(p);
            for d in &shared.deques {
                // A deque holds at most the batch's nodes at once.
                d.reset(room.max(nodes));
            }
        }
        shared.remaining.store(nodes, Ordering::Relaxed);
        shared.next_root.store(0, Ordering::Relaxed);
        shared.roots_len.store(roots.len(), Ordering::Relaxed);
        shared.state.fetch_or(PUBLISHED, Ordering::Release);
        shared.notify();
        // Between publishing and the end of the wait below, other threads
        // use the batch: an unwind here would free it under them.
        let guard = AbortOnUnwind("a scheduler batch");
        let done = || shared.remaining.load(Ordering::Acquire) == 0;
        let (mut since, mut idle) = (Instant::now(), Backoff::new());
        loop {
            if shared.work(p, 0, ready) {
                (since, idle) = (Instant::now(), Backoff::new());
            }
            if shared.listed.load(Ordering::Relaxed) > 0 {
                let q = shared.lock();
                if !q.tasks.is_empty() {
                    drop(par::help(shared, q));
                }
                (since, idle) = (Instant::now(), Backoff::new());
                continue;
            }
            if done() {
                break;
            }
            if since.elapsed() < SPIN {
                idle.snooze();
                continue;
            }
            shared.sleep_unless(|q| done() || shared.has_work() || !q.tasks.is_empty());
        }
        shared.state.fetch_and(!PUBLISHED, Ordering::AcqRel);
        let backoff = Backoff::new();
        while shared.state.load(Ordering::Acquire) != 0 {
            backoff.snooze();
        }
        shared.roots_len.store(0, Ordering::Relaxed);
        // SAFETY: unpublished and nobody entered.
        unsafe { *shared.current.get() = None };
        std::mem::forget(guard);
    }
}

/// Runs `batch` from `roots` on the calling thread alone, by the same
/// priority rule (highest ready first, successors before older work).
fn run_local(batch: &dyn Batch, roots: &[u32], ready: &mut Vec<u32>) {
    let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
    let mut done = Tally::default();
    while let Some(node) = stack.pop() {
        done.count(run_guarded(batch, node, ready));
        stack.append(ready);
    }
    batch.settle(done.ran, done.skipped);
}

/// `batch.run(node, ready)`, aborting the process if it unwinds: an unwind
/// here would free a batch that other threads still use, or leave a worker
/// dead and the caller waiting forever. `Batch::run` catches every panic of
/// user code, so this fires only on a bug in the engine.
#[inline(always)]
fn run_guarded(batch: &dyn Batch, node: u32, ready: &mut Vec<u32>) -> Option<bool> {
    let guard = AbortOnUnwind("a scheduler batch");
    let r = batch.run(node, ready);
    std::mem::forget(guard);
    r
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        {
            let _q = self.shared.lock();
            self.shared.wake.notify_all();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// What one thread finished and has not yet counted in the shared
/// counters.
#[derive(Default)]
struct Tally {
    finished: usize,
    ran: usize,
    skipped: usize,
}

impl Tally {
    /// Counts one node that `Batch::run` reported as `outcome`.
    fn count(&mut self, outcome: Option<bool>) {
        match outcome {
            Some(true) => self.ran += 1,
            Some(false) => self.skipped += 1,
            None => {}
        }
        self.finished += 1;
    }
}

/// Runs `job`, then keeps running the highest newly ready successor inline;
/// the other successors go to this thread's deque. Adds the chain's nodes
/// to `done`.
fn run_chain(
    shared: &Shared,
    batch: &dyn Batch,
    job: u32,
    local: &Deque,
    ready: &mut Vec<u32>,
    done: &mut Tally,
) {
    let mut node = job;
    loop {
        done.count(run_guarded(batch, node, ready));
        let Some(next) = ready.pop() else { break };
        if !ready.is_empty() {
            ready.drain(..).for_each(|r| local.push(r));
            shared.notify();
        }
        node = next;
    }
}

/// At most this many entries are stolen in one go, beyond the first.
const STEAL_BATCH: usize = 32;

/// Initial room in each thread's list of newly ready nodes.
const READY_CAPACITY: usize = 256;

/// How long an idle worker spins before it sleeps: longer than the gap
/// between back-to-back generations of a busy graph, shorter than what a
/// spinning thread would steal from other programs. Waking a sleeping
/// thread costs 7–40 µs on the machines measured; spinning this long costs
/// at most as much once per idle period.
const SPIN: Duration = Duration::from_micros(100);

fn worker(shared: &Shared, me: usize) {
    // The closure that runs us holds an `Arc` of `shared` for our whole life.
    let _context = ContextGuard::set(shared);
    let mut ready = Vec::with_capacity(READY_CAPACITY);
    let mut since = Instant::now();
    let mut backoff = Backoff::new();
    loop {
        if shared.shutdown.load(Ordering::Acquire) {
            return;
        }
        if shared.state.load(Ordering::Relaxed) & PUBLISHED != 0 && shared.has_work() {
            let s = shared.state.fetch_add(ENTERED, Ordering::Acquire);
            if s & PUBLISHED != 0 {
                // SAFETY: entered while published: the caller wrote
                // `current` before publishing (our `Acquire` sees it) and
                // keeps the batch alive until we leave.
                let worked = match unsafe { *shared.current.get() } {
                    Some(p) => shared.work(p, me, &mut ready),
                    None => false,
                };
                // Our last access to the batch.
                shared.state.fetch_sub(ENTERED, Ordering::Release);
                if worked {
                    since = Instant::now();
                    backoff = Backoff::new();
                    continue;
                }
            } else {
                shared.state.fetch_sub(ENTERED, Ordering::Release);
            }
            // Work seen but taken by another thread: keep backing off.
            backoff.snooze();
            continue;
        }
        if shared.listed.load(Ordering::Relaxed) > 0 {
            let q = shared.lock();
            if !q.tasks.is_empty() {
                drop(par::help(shared, q));
            }
            since = Instant::now();
            backoff = Backoff::new();
            continue;
        }
        if since.elapsed() < SPIN {
            backoff.snooze();
            continue;
        }
        shared.sleep_unless(|q| {
            shared.shutdown.load(Ordering::Relaxed)
                || shared.state.load(Ordering::Relaxed) & PUBLISHED != 0 && shared.has_work()
                || !q.tasks.is_empty()
        });
        since = Instant::now();
        backoff = Backoff::new();
    }
}
