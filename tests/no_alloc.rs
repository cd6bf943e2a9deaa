//! `stabilize` allocates nothing once a graph is warm, on either scheduler.
//! (A process-global allocator, hence a test binary of its own.) Only the
//! threads that run the graph count: the test's own and every thread that
//! ran a compute (the pool's workers), not the test harness's other threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use flowgraph::core::Pool;
use flowgraph::typed::*;

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations count.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

/// Counts this thread's allocations from now on.
fn count_this_thread() {
    COUNTED.with(|c| c.set(true));
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: a thread being torn down counts as not counted.
        if COUNTED.try_with(Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, RefPort<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, i64), (bool, &'a i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        count_this_thread();
        (n || m, a + *b)
    }
}

struct Sum;
impl Segment for Sum {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (_, v): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        count_this_thread();
        (true, v.iter().copied().sum())
    }
}

#[test]
fn warm_stabilize_does_not_allocate() {
    count_this_thread();
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    let y = b.push_source(RefSource::new(2_i64));
    let mut h = *x;
    for _ in 0..50 {
        h = b.push(Add, (h, *y));
    }
    let total = b.push(Sum, [*y, *y, *y]);
    let mut g = Graph::from_builder(b);
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        for _ in 0..40 {
            *g.state_mut(x) += 1;
            g.stabilize(&mut pool);
        }
        // Warm: every work list has reached its size, on whichever path
        // the cost estimate picks (on a loaded machine, even trivial nodes
        // can look heavy enough for the pool).
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for i in 0..100 {
            *g.state_mut(x) += 1;
            if i % 3 == 0 {
                *g.state_mut(y) += 1;
            }
            g.stabilize(&mut pool);
            g.stabilize(&mut pool);
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(
            after - before,
            0,
            "stabilize allocated on {threads} thread(s)"
        );
    }
    assert_eq!(g.view(h), g.view(*x) + 50 * *g.ref_view(*y));
    assert_eq!(g.view(total), 3 * *g.ref_view(*y));
    warm_parallel_generations_do_not_allocate();
}

/// Spins 20 µs in every compute (not in its build call): heavy enough for
/// the pool.
struct Heavy;
impl Segment for Heavy {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        init: bool,
    ) -> (bool, i64) {
        count_this_thread();
        if !init {
            let t = std::time::Instant::now();
            while t.elapsed() < std::time::Duration::from_micros(20) {
                std::hint::spin_loop();
            }
        }
        (n || m, a.wrapping_add(b))
    }
}

/// The parallel scheduler and the pool's deques, warm, allocate nothing
/// either: a diamond lattice of heavy nodes on 2 threads. (Called from the
/// one test, since the allocation counter is global.)
fn warm_parallel_generations_do_not_allocate() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    let mut row = vec![*x; 8];
    for _ in 0..6 {
        row = (0..8)
            .map(|i| b.push(Heavy, (row[i], row[(i + 1) % 8])))
            .collect();
    }
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    for _ in 0..20 {
        *g.state_mut(x) += 1;
        g.stabilize(&mut pool);
    }
    let (before, parallel) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        g.stats().parallel_generations,
    );
    for _ in 0..30 {
        *g.state_mut(x) += 1;
        g.stabilize(&mut pool);
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert!(
        g.stats().parallel_generations >= parallel + 30,
        "heavy generations ran serially"
    );
    assert_eq!(after - before, 0, "a warm parallel generation allocated");
}
