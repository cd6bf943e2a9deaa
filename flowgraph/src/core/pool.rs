//! The thread pool: `n` threads in all, the calling thread included.
//!
//! A pool runs one *batch* at a time (`stabilize` takes `&mut Pool`). A batch
//! is a set of ready node ids plus a [`Batch`] object that runs a node and
//! reports the successors it made ready. The thread that finishes a node runs
//! one newly ready successor itself (no queue hop) and queues the others.
//!
//! Protocol (all under `Shared::queue`'s mutex):
//! - `batch` is non-null exactly while a batch is published; it points to an
//!   object on the publishing caller's stack.
//! - A worker that pops a job increments `active` before releasing the lock and
//!   decrements it when it no longer touches the batch.
//! - The caller returns only once the batch reports done *and* `active == 0`,
//!   so no worker can observe the batch after the caller's frame is gone.
//! - Every change that can end a wait (new jobs, batch done, `active` reaching
//!   zero, shutdown) happens under the lock and is followed by a notify.
//!
//! The same threads run the data-parallel tasks of `par.rs`, listed in
//! `Queue::tasks` by a compute that splits its work: an idle thread takes a
//! graph job first, else helps a listed task. A thread runs with this pool as
//! its context (`par::ContextGuard`): workers always, the caller inside
//! [`Pool::enter`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_utils::Backoff;

use crate::core::par::{self, ContextGuard, TaskPtr};
use crate::core::unwind::AbortOnUnwind;

/// One batch of work, shared by every thread of the pool while it runs.
pub(crate) trait Batch: Sync {
    /// Runs `node` and appends the nodes it made ready to `ready`.
    ///
    /// Must not unwind: a batch lives on the publishing caller's stack and
    /// other threads may still be inside it. The pool enforces this with
    /// [`run_guarded`], which aborts the process if it does.
    fn run(&self, node: u32, ready: &mut Vec<u32>);
    /// True once every node of the batch has run.
    fn is_done(&self) -> bool;
}

pub(crate) struct Queue {
    jobs: Vec<u32>,
    batch: Option<BatchPtr>,
    active: usize,
    /// Threads waiting on `Shared::wake`.
    pub(crate) sleeping: usize,
    shutdown: bool,
    /// Data-parallel tasks with chunks left to claim, oldest first.
    pub(crate) tasks: Vec<TaskPtr>,
}

#[derive(Clone, Copy)]
struct BatchPtr(*const (dyn Batch + 'static));

// SAFETY: a `Batch` is `Sync`, so sharing a pointer to it between threads is
// sound; its lifetime is managed by the protocol in the module docs.
unsafe impl Send for BatchPtr {}

pub(crate) struct Shared {
    queue: Mutex<Queue>,
    pub(crate) wake: Condvar,
    /// Threads in all, the caller included.
    pub(crate) threads: usize,
    /// `Queue::tasks.len()`, stored under the lock: a hint that lingering
    /// workers read without it.
    pub(crate) listed: AtomicUsize,
}

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
}

/// A pool of `n` threads in all, the calling thread included.
///
/// `Pool::new(1)` runs everything on the caller; `Pool::new(k)` starts `k - 1`
/// workers that sleep between batches. One pool serves any number of graphs.
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
                // Room up front, so that the first batches do not allocate
                // (a warm graph's generations allocate nothing).
                jobs: Vec::with_capacity(READY_CAPACITY * threads),
                batch: None,
                active: 0,
                sleeping: 0,
                shutdown: false,
                tasks: Vec::new(),
            }),
            wake: Condvar::new(),
            threads,
            listed: AtomicUsize::new(0),
        });
        let workers = (1..threads)
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("flowgraph-{i}"))
                    .spawn(move || worker(&shared))
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

    /// Runs `batch` from `roots` to completion on every thread of the pool.
    pub(crate) fn run(&mut self, batch: &dyn Batch, roots: &[u32]) {
        if self.workers.is_empty() {
            return run_local(batch, roots);
        }
        let ready = &mut self.ready;
        // SAFETY: only the lifetime is erased. The pointer is withdrawn below
        // before this function returns, after every worker has let go of it
        // (`active == 0`), so it is never dereferenced after `batch` dies.
        let ptr = BatchPtr(unsafe {
            std::mem::transmute::<*const (dyn Batch + '_), *const (dyn Batch + 'static)>(batch)
        });
        {
            let mut q = self.shared.lock();
            q.batch = Some(ptr);
            q.jobs.extend_from_slice(roots);
            if q.sleeping > 0 {
                self.shared.wake.notify_all();
            }
        }
        let mut q = self.shared.lock();
        loop {
            if let Some(job) = q.jobs.pop() {
                drop(q);
                run_chain(&self.shared, batch, job, ready);
                q = self.shared.lock();
                continue;
            }
            if !q.tasks.is_empty() {
                q = par::help(&self.shared, q);
                continue;
            }
            if batch.is_done() && q.active == 0 {
                break;
            }
            q.sleeping += 1;
            q = self.shared.wait(q);
            q.sleeping -= 1;
        }
        q.batch = None;
    }
}

/// Runs `batch` from `roots` on the calling thread alone.
fn run_local(batch: &dyn Batch, roots: &[u32]) {
    let mut ready = Vec::new();
    let mut stack = roots.to_vec();
    while let Some(node) = stack.pop() {
        run_guarded(batch, node, &mut ready);
        stack.append(&mut ready);
    }
}

/// `batch.run(node, ready)`, aborting the process if it unwinds: an unwind
/// here would free a batch that other threads still use, or leave a worker
/// dead and the caller waiting forever. `Batch::run` catches every panic of
/// user code, so this fires only on a bug in the engine.
#[inline(always)]
fn run_guarded(batch: &dyn Batch, node: u32, ready: &mut Vec<u32>) {
    let guard = AbortOnUnwind("a scheduler batch");
    batch.run(node, ready);
    std::mem::forget(guard);
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// Runs `job`, then keeps running one newly ready successor inline; the other
/// successors go to the queue.
fn run_chain(shared: &Shared, batch: &dyn Batch, job: u32, ready: &mut Vec<u32>) {
    let mut node = job;
    loop {
        run_guarded(batch, node, ready);
        let Some(next) = ready.pop() else { break };
        if !ready.is_empty() {
            let mut q = shared.lock();
            q.jobs.append(ready);
            if q.sleeping > 0 {
                shared.wake.notify_all();
            }
        }
        node = next;
    }
    if batch.is_done() {
        // Take the lock so a waiter cannot miss this notification.
        let _q = shared.lock();
        shared.wake.notify_all();
    }
}

/// How long a worker that just helped a data-parallel task waits for the
/// next one before it sleeps: a compute that splits its work usually splits
/// again within microseconds (the next generation, the next loop of the same
/// compute), sooner than a sleeping thread wakes.
/// Initial room in each thread's list of newly ready nodes.
const READY_CAPACITY: usize = 256;

const LINGER: Duration = Duration::from_micros(50);

fn worker(shared: &Shared) {
    // The closure that runs us holds an `Arc` of `shared` for our whole life.
    let _context = ContextGuard::set(shared);
    let mut ready = Vec::with_capacity(READY_CAPACITY);
    let mut linger = false;
    let mut q = shared.lock();
    loop {
        if q.shutdown {
            return;
        }
        if let (Some(ptr), Some(job)) = (q.batch, q.jobs.last().copied()) {
            q.jobs.pop();
            q.active += 1;
            drop(q);
            // SAFETY: `active` was incremented under the lock while the batch
            // was published, so the caller keeps it alive until we decrement.
            let batch = unsafe { &*ptr.0 };
            run_chain(shared, batch, job, &mut ready);
            q = shared.lock();
            q.active -= 1;
            if q.active == 0 {
                shared.wake.notify_all();
            }
            continue;
        }
        if !q.tasks.is_empty() {
            q = par::help(shared, q);
            linger = true;
            continue;
        }
        if std::mem::take(&mut linger) {
            drop(q);
            let (since, backoff) = (Instant::now(), Backoff::new());
            while shared.listed.load(Ordering::Relaxed) == 0 && since.elapsed() < LINGER {
                backoff.snooze();
            }
            q = shared.lock();
            continue;
        }
        q.sleeping += 1;
        q = shared.wait(q);
        q.sleeping -= 1;
    }
}
