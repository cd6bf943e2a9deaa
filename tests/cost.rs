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
