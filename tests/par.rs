//! Data-parallel nodes (`flowgraph::par`): computes that split their work
//! across the pool that runs the graph. Results equal the serial ones on any
//! pool; splits nest; a panicking part poisons the graph and leaves the pool
//! usable; outside `stabilize` everything runs serially; many nodes splitting
//! at once never deadlock.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::par;
use flowgraph::typed::*;

mod common;
use common::{panic_message, Watchdog};

/// Input length, and the chunk or grain size of the splits.
fn sizes() -> (usize, usize) {
    if cfg!(miri) {
        (48, 5)
    } else {
        (20_000, 256)
    }
}

fn f(i: usize, x: u64) -> u64 {
    x.wrapping_mul(6364136223846793005)
        .wrapping_add(i as u64)
        .rotate_left(17)
}

/// `y[i] = f(i, x[i])`, chunk by chunk.
struct MapChunks(usize);
impl Segment for MapChunks {
    type Inputs = RefPort<Vec<u64>>;
    type Outputs = RefPort<Vec<u64>>;
    type State = (usize, Vec<u64>);
    fn init(self) -> (usize, Vec<u64>) {
        (self.0, Vec::new())
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, &'a Vec<u64>),
        (size, y): &'b mut (usize, Vec<u64>),
        _: bool,
    ) -> (bool, &'a Vec<u64>) {
        let size = *size;
        y.resize(x.len(), 0);
        par::for_each_chunk(y, size, |c, out| {
            for (k, o) in out.iter_mut().enumerate() {
                let i = c * size + k;
                *o = f(i, x[i]);
            }
        });
        (n, y)
    }
}

/// The sum of `x` over `for_range` blocks, each block summed by a
/// recursive `join`.
struct SumRanges(usize);
impl Segment for SumRanges {
    type Inputs = RefPort<Vec<u64>>;
    type Outputs = Port<u64>;
    type State = usize;
    fn init(self) -> usize {
        self.0
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, &'a Vec<u64>),
        grain: &'b mut usize,
        _: bool,
    ) -> (bool, u64) {
        let total = AtomicU64::new(0);
        par::for_range(0..x.len(), *grain, |r| {
            total.fetch_add(join_sum(&x[r]), Relaxed);
        });
        (n, total.into_inner())
    }
}

/// Wrapping sum by divide and conquer through `par::join`.
fn join_sum(v: &[u64]) -> u64 {
    if v.len() <= 8 {
        return v.iter().fold(0, |a, &b| a.wrapping_add(b));
    }
    let (lo, hi) = v.split_at(v.len() / 2);
    let (a, b) = par::join(|| join_sum(lo), || join_sum(hi));
    a.wrapping_add(b)
}

fn input(gen: u64) -> Vec<u64> {
    let (len, _) = sizes();
    (0..len as u64)
        .map(|i| i.wrapping_mul(gen + 1) ^ 0x5555)
        .collect()
}

#[test]
fn results_equal_serial_on_1_2_4_threads() {
    let _w = Watchdog::arm("results_equal_serial_on_1_2_4_threads", 120);
    let (_, size) = sizes();
    for threads in [1, 2, 4] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(RefSource::new(input(0)));
        let y = b.push(MapChunks(size), *s);
        let total = b.push(SumRanges(size), y);
        let direct = b.push(SumRanges(size * 3), *s);
        let mut g = Graph::from_builder(b);
        for gen in 1..4 {
            let x = input(gen);
            let want: Vec<u64> = x.iter().enumerate().map(|(i, &v)| f(i, v)).collect();
            let sum = |v: &[u64]| v.iter().fold(0_u64, |a, &b| a.wrapping_add(b));
            *g.state_mut(s) = x.clone();
            g.stabilize(&mut pool);
            assert_eq!(g.ref_view(y), &want, "{threads} threads, generation {gen}");
            assert_eq!(g.view(total), sum(&want), "{threads} threads");
            assert_eq!(g.view(direct), sum(&x), "{threads} threads");
        }
    }
}

/// Records the threads a split's parts ran on, and `par::threads()`.
struct Probe;
impl Segment for Probe {
    type Inputs = Port<u64>;
    type Outputs = Port<usize>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, _): (bool, u64), _: &'b mut (), _: bool) -> (bool, usize) {
        (n, par::threads())
    }
}

#[test]
fn threads_reports_the_pool_inside_stabilize_and_1_elsewhere() {
    for threads in [1, 2, 4] {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_u64));
        let p = b.push(Probe, *s);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.view(p), 1, "the build call runs outside `stabilize`");
        *g.state_mut(s) = 1;
        g.stabilize(&mut Pool::new(threads));
        assert_eq!(g.view(p), threads);
    }
    assert_eq!(par::threads(), 1);
}

/// A split of two parts, each waiting (up to a bound) for the other to
/// start: true iff they ran on two threads, one of them a worker of the pool.
struct Rendezvous;
impl Segment for Rendezvous {
    type Inputs = Port<u64>;
    type Outputs = Port<bool>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, _): (bool, u64), _: &'b mut (), init: bool) -> (bool, bool) {
        if init {
            return (n, false);
        }
        type Seen = Option<(std::thread::ThreadId, Option<String>)>;
        let seen: [Mutex<Seen>; 2] = Default::default();
        par::for_range(0..2, 1, |r| {
            let t = std::thread::current();
            *seen[r.start].lock().unwrap() = Some((t.id(), t.name().map(str::to_owned)));
            // Whichever thread claimed first holds its part until the other
            // part started elsewhere (or the bound passed).
            let other = &seen[1 - r.start];
            let t = Instant::now();
            while other.lock().unwrap().is_none() && t.elapsed() < Duration::from_secs(20) {
                std::thread::yield_now();
            }
        });
        let [a, b] = seen.map(|m| m.into_inner().unwrap().expect("both parts ran"));
        let worker =
            |name: &Option<String>| name.as_deref().is_some_and(|n| n.starts_with("flowgraph-"));
        (n, a.0 != b.0 && (worker(&a.1) || worker(&b.1)))
    }
}

#[test]
fn the_graphs_own_workers_take_parts() {
    let _w = Watchdog::arm("the_graphs_own_workers_take_parts", 120);
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_u64));
    let r = b.push(Rendezvous, *s);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    *g.state_mut(s) = 1;
    g.stabilize(&mut pool);
    assert!(
        g.view(r),
        "part 1 ran on a worker of the pool, not the caller"
    );
}

/// Splits `x` into nested `join`s four levels deep inside `for_range`
/// parts, counting the leaves.
struct Nested;
impl Segment for Nested {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, u64), _: &'b mut (), _: bool) -> (bool, u64) {
        fn tree(depth: u32, x: u64) -> u64 {
            if depth == 0 {
                return x;
            }
            let (a, b) = par::join(|| tree(depth - 1, x), || tree(depth - 1, x + 1));
            a + b
        }
        let total = AtomicU64::new(0);
        par::for_range(0..8, 1, |r| {
            total.fetch_add(tree(4, x + r.start as u64), Relaxed);
        });
        (n, total.into_inner())
    }
}

#[test]
fn nested_joins() {
    let _w = Watchdog::arm("nested_joins", 120);
    fn want(x: u64) -> u64 {
        // Leaf values of `tree(4, y)` are y + (bit count of the path), so
        // the tree sums to 16 y + 32; the range adds y = x + r.
        (0..8).map(|r| 16 * (x + r) + 32).sum()
    }
    for threads in [1, 2, 4] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_u64));
        let v = b.push(Nested, *s);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.view(v), want(0));
        for x in [3, 10] {
            *g.state_mut(s) = x;
            g.stabilize(&mut pool);
            assert_eq!(g.view(v), want(x), "{threads} threads");
        }
    }
}

/// Parts of a split that started and that finished.
#[derive(Default)]
struct Counts {
    started: AtomicUsize,
    finished: AtomicUsize,
}

/// Splits into 64 parts, one of which panics once `x` reaches 1.
struct Splitter(Arc<Counts>);
impl Segment for Splitter {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = Arc<Counts>;
    fn init(self) -> Arc<Counts> {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, u64), c: &'b mut Arc<Counts>, _: bool) -> (bool, u64) {
        let c = &**c;
        par::for_range(0..64, 1, |r| {
            c.started.fetch_add(1, Relaxed);
            if x >= 1 && r.start == 5 {
                panic!("part 5 of the split failed");
            }
            c.finished.fetch_add(1, Relaxed);
        });
        (n, x)
    }
}

#[test]
fn a_panicking_part_poisons_the_graph_and_the_pool_survives() {
    let _w = Watchdog::arm("a_panicking_part_poisons_the_graph", 120);
    for threads in [1, 2, 4] {
        let mut pool = Pool::new(threads);
        let counts = Arc::new(Counts::default());
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_u64));
        let side = b.push_source(Source::new(0_i64));
        let _ = b.push(common::Inc, *side);
        let id = b.len();
        let p = b.push(Splitter(Arc::clone(&counts)), *s);
        let mut g = Graph::from_builder(b);
        // The build call split without a panic.
        assert_eq!(counts.finished.swap(0, Relaxed), 64);
        counts.started.store(0, Relaxed);
        let first = panic_message(|| {
            *g.state_mut(s) = 7;
            g.stabilize(&mut pool)
        });
        assert_eq!(first, "part 5 of the split failed", "{threads} threads");
        // Every part that started had finished (or panicked) before the
        // panic left the compute (a part claimed before part 5 may still be
        // skipped if it saw the panic first); serially, exactly the parts
        // after 5 were skipped.
        let started = counts.started.load(Relaxed);
        let finished = counts.finished.load(Relaxed);
        assert!(
            started >= 1 && finished == started - 1,
            "started {started}, finished {finished}"
        );
        if threads == 1 {
            assert_eq!(started, 6);
        }
        let later = panic_message(|| g.view(p));
        assert!(
            later.contains("poisoned") && later.contains(&format!("node #{id}")),
            "{later}"
        );
        assert!(later.contains("Splitter"), "{later}");

        // The pool runs other graphs, splits included, as before.
        let (len, size) = sizes();
        let mut b = GraphBuilder::new();
        let s = b.push_source(RefSource::new(vec![0_u64; len]));
        let y = b.push(MapChunks(size), *s);
        let mut g = Graph::from_builder(b);
        let x = input(5);
        *g.state_mut(s) = x.clone();
        g.stabilize(&mut pool);
        let want: Vec<u64> = x.iter().enumerate().map(|(i, &v)| f(i, v)).collect();
        assert_eq!(g.ref_view(y), &want, "{threads} threads, after the panic");
    }
}

#[test]
fn outside_stabilize_everything_runs_serially_in_order() {
    let order = Mutex::new(Vec::new());
    par::for_range(0..10, 3, |r| order.lock().unwrap().push(r));
    assert_eq!(*order.lock().unwrap(), [0..3, 3..6, 6..9, 9..10]);
    let mut v = vec![0_usize; 7];
    let caller = std::thread::current().id();
    par::for_each_chunk(&mut v, 2, |i, c| {
        assert_eq!(std::thread::current().id(), caller);
        c.fill(i + 1);
    });
    assert_eq!(v, [1, 1, 2, 2, 3, 3, 4]);
    let (a, b) = par::join(
        || std::thread::current().id(),
        || std::thread::current().id(),
    );
    assert_eq!((a, b), (caller, caller));
    // Empty splits call nothing.
    par::for_range(5..5, 1, |_| unreachable!());
    par::for_each_chunk(&mut [] as &mut [u8], 1, |_, _| unreachable!());
    assert_eq!(
        panic_message(|| par::for_range(0..1, 0, |_| ())),
        "flowgraph::par::for_range: the grain must be at least 1"
    );
}

/// `x + 1`, spinning `iters` multiply-adds split into blocks of `grain`.
struct Busy {
    iters: usize,
    grain: usize,
}
impl Segment for Busy {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = (usize, usize);
    fn init(self) -> (usize, usize) {
        (self.iters, self.grain)
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, u64),
        &mut (iters, grain): &'b mut (usize, usize),
        _: bool,
    ) -> (bool, u64) {
        let total = AtomicU64::new(0);
        par::for_range(0..iters, grain, |r| {
            let mut acc = x;
            for i in r {
                acc = acc.wrapping_mul(6364136223846793005).wrapping_add(i as u64);
            }
            total.fetch_add(acc, Relaxed);
        });
        // Every node splits; the sum depends on every part, so a part run
        // twice or skipped changes it.
        (n, x + 1 + total.into_inner() % 2)
    }
}

fn busy_serial(x: u64, iters: usize, grain: usize) -> u64 {
    let mut total = 0_u64;
    for lo in (0..iters).step_by(grain) {
        let mut acc = x;
        for i in lo..iters.min(lo + grain) {
            acc = acc.wrapping_mul(6364136223846793005).wrapping_add(i as u64);
        }
        total = total.wrapping_add(acc);
    }
    x + 1 + total % 2
}

#[test]
fn many_nodes_splitting_at_once_never_deadlock() {
    let _w = Watchdog::arm("many_nodes_splitting_at_once_never_deadlock", 300);
    let (width, depth, iters, grain, gens) = if cfg!(miri) {
        (4, 2, 40, 7, 2)
    } else {
        (64, 3, 20_000, 1_000, 20)
    };
    for threads in [2, 4] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_u64));
        let mut layer: Vec<Handle<Port<u64>>> = (0..width)
            .map(|_| b.push(Busy { iters, grain }, *s))
            .collect();
        for _ in 1..depth {
            layer = layer
                .iter()
                .map(|&h| b.push(Busy { iters, grain }, h))
                .collect();
        }
        let mut g = Graph::from_builder(b);
        for gen in 1..=gens {
            *g.state_mut(s) = gen;
            g.stabilize(&mut pool);
            let mut want = gen;
            for _ in 0..depth {
                want = busy_serial(want, iters, grain);
            }
            for &h in &layer {
                assert_eq!(g.view(h), want, "{threads} threads, generation {gen}");
            }
        }
    }
}
