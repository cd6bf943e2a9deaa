//! The cost of profiling, against a baseline measured in the same run.
//!
//! - `baseline`: the scheduler called directly, as before profiling existed
//!   (`Graph::__stabilize_no_hook`);
//! - `off`: `Graph::stabilize` with profiling off (the shipped default: one
//!   check per generation, the scheduler compiled without the hook), which
//!   must stay within 1 % of `baseline`;
//! - `on`: per-node counters (two clock reads per node);
//! - `trace`: counters and the timeline ring.
//!
//! Workloads, one thread, trivial bodies (where any per-node cost shows):
//! `chain`, an unfused chain of 100k nodes; `wavefront`, a 300×300 grid of
//! 2-input nodes, each reading its left and upper neighbours.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowgraph::core::Pool;
use flowgraph::typed::*;

struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((na, a), (nb, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (na || nb, a.wrapping_add(b))
    }
}

const CHAIN: usize = 100_000;
const SIDE: usize = 300;

fn chain_graph() -> (Graph, SourceHandle<Source<i64>>, Handle<Port<i64>>) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let mut h = *s;
    for _ in 0..CHAIN {
        h = b.push(Inc, h);
    }
    (Graph::from_builder(b), s, h)
}

fn wavefront_graph() -> (Graph, SourceHandle<Source<i64>>, Handle<Port<i64>>) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let mut above: Vec<Handle<Port<i64>>> = Vec::with_capacity(SIDE);
    for i in 0..SIDE {
        let mut row = Vec::with_capacity(SIDE);
        for j in 0..SIDE {
            let h = match (i, j) {
                (0, 0) => b.push(Inc, *s),
                (0, _) => b.push(Inc, row[j - 1]),
                (_, 0) => b.push(Inc, above[0]),
                _ => b.push(Add, (above[j], row[j - 1])),
            };
            row.push(h);
        }
        above = row;
    }
    (Graph::from_builder(b), s, above[SIDE - 1])
}

type Build = fn() -> (Graph, SourceHandle<Source<i64>>, Handle<Port<i64>>);

fn workload(c: &mut Criterion, name: &str, build: Build) {
    let mut group = c.benchmark_group(name);
    let (mut g, s, tail) = build();
    group.throughput(Throughput::Elements(g.len() as u64));
    let mut pool = Pool::new(1);
    group.bench_function("baseline", |bn| {
        bn.iter(|| {
            *g.state_mut(s) += 1;
            g.__stabilize_no_hook(&mut pool);
            black_box(g.view(tail))
        })
    });
    group.bench_function("off", |bn| {
        bn.iter(|| {
            *g.state_mut(s) += 1;
            g.stabilize(&mut pool);
            black_box(g.view(tail))
        })
    });
    g.enable_profiling();
    group.bench_function("on", |bn| {
        bn.iter(|| {
            *g.state_mut(s) += 1;
            g.stabilize(&mut pool);
            black_box(g.view(tail))
        })
    });
    assert!(g.profile().runs() > 0);
    g.enable_trace(1 << 20);
    group.bench_function("trace", |bn| {
        bn.iter(|| {
            *g.state_mut(s) += 1;
            g.stabilize(&mut pool);
            black_box(g.view(tail))
        })
    });
    g.disable_profiling();
    group.finish();
}

fn chain(c: &mut Criterion) {
    workload(c, "profile_chain_100k", chain_graph);
}

fn wavefront(c: &mut Criterion) {
    workload(c, "profile_wavefront_300x300", wavefront_graph);
}

criterion_group!(benches, chain, wavefront);
criterion_main!(benches);
