//! `GraphBuilder::set_priority`: priorities reorder work on the pool, never
//! change results; a missing node is refused by name. (The order itself is
//! checked deterministically by the core's unit tests, on the parallel
//! scheduler run by one thread.)

use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

/// Adds its two inputs, spinning 20 µs in every compute so that the
/// generation is worth the pool.
struct Add;
impl Segment for Add {
    type Inputs = (Port<u64>, Port<u64>);
    type Outputs = Port<u64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, u64), (bool, u64)),
        _: &'b mut (),
        init: bool,
    ) -> (bool, u64) {
        if !init && !cfg!(miri) {
            let t = Instant::now();
            while t.elapsed() < Duration::from_micros(20) {
                std::hint::spin_loop();
            }
        }
        (n || m, a.wrapping_mul(31).wrapping_add(b))
    }
}

/// A layered DAG of `Add` nodes, each reading two earlier nodes; returns
/// every node's value after `gens` generations on `threads` threads.
fn run(threads: usize, priorities: &[(usize, i32)], ranking: bool, gens: u64) -> (Vec<u64>, u64) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_u64));
    let mut hs = vec![*s];
    let mut seed = 7_u64;
    for _ in 0..60 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let i = (seed >> 33) as usize % hs.len();
        let j = (seed >> 17) as usize % hs.len();
        let h = b.push(Add, (hs[i], hs[j]));
        hs.push(h);
    }
    for &(node, p) in priorities {
        b.set_priority(node, p);
    }
    let mut g = Graph::from_builder(b);
    g.__set_ranking(ranking);
    let mut pool = Pool::new(threads);
    for k in 0..gens {
        *g.state_mut(s) = k + 2;
        g.stabilize(&mut pool);
    }
    let parallel = g.stats().parallel_generations;
    (hs.iter().map(|&h| g.view(h)).collect(), parallel)
}

#[test]
fn priorities_never_change_results() {
    let gens = if cfg!(miri) { 2 } else { 6 };
    let (expected, _) = run(1, &[], true, gens);
    let overrides = [(5, 3), (17, -2), (40, 100), (60, 1)];
    for threads in [2, 4] {
        for ranking in [true, false] {
            let (got, parallel) = run(threads, &overrides, ranking, gens);
            assert_eq!(got, expected, "{threads} threads, ranking {ranking}");
            if !cfg!(miri) {
                assert!(parallel > 0, "heavy nodes never reached the pool");
            }
        }
    }
}

#[test]
#[should_panic(expected = "set_priority: node #3 does not exist (the builder has 2 nodes)")]
fn a_missing_node_is_refused() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_u64));
    b.push(Add, (*s, *s));
    b.set_priority(3, 1);
}
