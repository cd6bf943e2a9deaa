//! Fusion benchmarks: combinators must cost nothing over the same code
//! written by hand (target ≤ 1.2×), and fusing tiny nodes must beat running
//! them as separate nodes.
//!
//! - `compute`: one call of a 16-step chain fused with `then`, against one
//!   segment doing the same 16 steps by hand (no graph involved).
//! - `graph_{1,2}_threads`: poke a source and `stabilize` a graph whose only
//!   other node is the hand-written segment, or the fused chain, against the
//!   same 16 steps as 16 separate nodes.
//!
//! Every step is a multiply-add whose constants come from `black_box`, so
//! the optimizer cannot fold the chain.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgraph::core::Pool;
use flowgraph::typed::*;

const STEPS: usize = 16;

/// The constants of step `i`, hidden from the optimizer.
fn constants(i: usize) -> (i64, i64) {
    black_box((
        6_364_136_223_846_793_005 ^ ((i as i64) << 1),
        1_442_695_040 + i as i64,
    ))
}

/// One trivial step: `x * m + a`.
struct Step(usize);

impl Segment for Step {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = (i64, i64);

    fn init(self) -> (i64, i64) {
        constants(self.0)
    }

    #[inline]
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        &mut (m, a): &'b mut (i64, i64),
        _: bool,
    ) -> (bool, i64) {
        (n, x.wrapping_mul(m).wrapping_add(a))
    }
}

/// The 16 steps written by hand in one segment.
struct Hand;

impl Segment for Hand {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = [(i64, i64); STEPS];

    fn init(self) -> [(i64, i64); STEPS] {
        std::array::from_fn(constants)
    }

    #[inline]
    fn compute<'a, 'b: 'a>(
        (n, mut x): (bool, i64),
        steps: &'b mut [(i64, i64); STEPS],
        _: bool,
    ) -> (bool, i64) {
        for &(m, a) in steps.iter() {
            x = x.wrapping_mul(m).wrapping_add(a);
        }
        (n, x)
    }
}

/// The 16 steps fused with `then`.
fn fused() -> impl Segment<Inputs = Port<i64>, Outputs = Port<i64>> {
    Step(0)
        .then(Step(1))
        .then(Step(2))
        .then(Step(3))
        .then(Step(4))
        .then(Step(5))
        .then(Step(6))
        .then(Step(7))
        .then(Step(8))
        .then(Step(9))
        .then(Step(10))
        .then(Step(11))
        .then(Step(12))
        .then(Step(13))
        .then(Step(14))
        .then(Step(15))
}

/// Calls `S::compute` once per iteration, on the previous output.
fn bench_compute<S: Segment<Inputs = Port<i64>, Outputs = Port<i64>>>(
    c: &mut Criterion,
    name: &str,
    segment: S,
) {
    let mut state = segment.init();
    let mut x = 1_i64;
    c.benchmark_group("compute").bench_function(name, |b| {
        b.iter(|| {
            x = S::compute(black_box((true, x)), &mut state, false).1;
        })
    });
    black_box(x);
}

/// Runs a fresh `segment` on each of `xs` in turn.
fn outputs<S: Segment<Inputs = Port<i64>, Outputs = Port<i64>>>(
    segment: S,
    xs: &[i64],
) -> Vec<i64> {
    let mut state = segment.init();
    xs.iter()
        .map(|&x| S::compute((true, x), &mut state, false).1)
        .collect()
}

fn compute(c: &mut Criterion) {
    let xs = [0, 1, -7, i64::MAX];
    assert_eq!(outputs(Hand, &xs), outputs(fused(), &xs));
    bench_compute(c, "hand", Hand);
    bench_compute(c, "fused_then", fused());
}

/// Which form the 16 steps take in the graph.
#[derive(Clone, Copy)]
enum Form {
    Hand,
    Fused,
    Unfused,
}

fn bench_graph(c: &mut Criterion, threads: usize) {
    let mut group = c.benchmark_group(format!("graph_{threads}_threads"));
    for (name, form) in [
        ("hand", Form::Hand),
        ("fused", Form::Fused),
        ("unfused", Form::Unfused),
    ] {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_i64));
        let out = match form {
            Form::Hand => b.push(Hand, *s),
            Form::Fused => b.push(fused(), *s),
            Form::Unfused => (0..STEPS).fold(*s, |h, i| b.push(Step(i), h)),
        };
        let mut g = Graph::from_builder(b);
        let mut pool = Pool::new(threads);
        group.bench_function(name, |bn| {
            bn.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
                black_box(g.view(out))
            })
        });
    }
    group.finish();
}

fn graphs(c: &mut Criterion) {
    // The three forms agree.
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(5_i64));
    let outs = [
        b.push(Hand, *s),
        b.push(fused(), *s),
        (0..STEPS).fold(*s, |h, i| b.push(Step(i), h)),
    ];
    let g = Graph::from_builder(b);
    assert!(outs.iter().all(|&h| g.view(h) == g.view(outs[0])));

    bench_graph(c, 1);
    bench_graph(c, 2);
}

criterion_group!(benches, compute, graphs);
criterion_main!(benches);
