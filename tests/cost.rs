//! The cost model: heavy computes behind cheap build calls reach the pool
//! within the first generations, not after 64. (Wall-clock spins can only
//! look heavier on a loaded machine, never lighter, so this cannot flake
//! towards a false pass.)

use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

/// Returns at once in its build call; spins 50 µs in every other compute.
struct LateHeavy;
impl Segment for LateHeavy {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), init: bool) -> (bool, i64) {
        if !init {
            let t = Instant::now();
            while t.elapsed() < Duration::from_micros(50) {
                std::hint::spin_loop();
            }
        }
        (n, x + 1)
    }
}

#[test]
fn heavy_computes_reach_the_pool_within_eight_generations() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let outs: Vec<_> = (0..16).map(|_| b.push(LateHeavy, *s)).collect();
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    for i in 1..=8 {
        *g.state_mut(s) = i;
        g.stabilize(&mut pool);
    }
    assert!(outs.iter().all(|&h| g.view(h) == 9));
    assert!(
        g.stats().parallel_generations > 0,
        "16 nodes of 50 µs ran serially for 8 generations"
    );
}

#[test]
fn heavy_computes_behind_cheap_build_calls_reach_the_pool_in_the_second_generation() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let outs: Vec<_> = (0..16).map(|_| b.push(LateHeavy, *s)).collect();
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    // The first generation times the computes (it may be parallel already
    // if a build call looked slow), the second uses the pool.
    *g.state_mut(s) = 1;
    g.stabilize(&mut pool);
    let first = g.stats().parallel_generations;
    *g.state_mut(s) = 2;
    g.stabilize(&mut pool);
    assert!(outs.iter().all(|&h| g.view(h) == 3));
    assert_eq!(g.stats().parallel_generations, first + 1);
}

/// Does nothing but pass its input on.
struct Trivial;
impl Segment for Trivial {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

/// Per-node estimates: a cone of heavy nodes reaches the pool even when
/// most of the graph is trivial (a graph-wide average per node, about
/// 400 ns here, would value this 17-node cone at 7 µs and keep it serial).
#[test]
fn a_heavy_cone_in_a_mostly_trivial_graph_reaches_the_pool() {
    let mut b = GraphBuilder::new();
    let heavy = b.push_source(Source::new(0_i64));
    let light = b.push_source(Source::new(0_i64));
    let outs: Vec<_> = (0..16).map(|_| b.push(LateHeavy, *heavy)).collect();
    for _ in 0..2000 {
        b.push(Trivial, *light);
    }
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    // Both cones run once (timed), then the heavy one alone.
    *g.state_mut(heavy) = 1;
    *g.state_mut(light) = 1;
    g.stabilize(&mut pool);
    let before = g.stats().parallel_generations;
    *g.state_mut(heavy) = 2;
    g.stabilize(&mut pool);
    assert_eq!(g.stats().last_cone, 17);
    assert!(outs.iter().all(|&h| g.view(h) == 3));
    assert_eq!(g.stats().parallel_generations, before + 1);
}
