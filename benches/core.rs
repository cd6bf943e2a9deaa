//! Core runtime benchmarks, each against a baseline measured in the same run.
//!
//! - `chain`: an unfused chain of 100k trivial nodes, one thread, against a
//!   loop over the same number of boxed closures.
//! - `incremental`: an empty `stabilize`, and a cone of a source and 10
//!   nodes inside a 110k-node graph: a different cone each time (cold
//!   caches), and the same cone again (hot).
//! - `heavy`: 256 independent nodes of tens of µs each, all cores vs one.
//! - `trivial_threads`: a wide graph of trivial nodes, all cores vs one
//!   (the pool must never make it slower).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
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

/// Spins for about `iters` multiply-adds (tens of µs for 20k).
struct Heavy(u64);
impl Segment for Heavy {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = u64;
    fn init(self) -> u64 {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), iters: &'b mut u64, _: bool) -> (bool, i64) {
        let mut acc = x;
        let k = black_box(6364136223846793005_i64);
        for _ in 0..*iters {
            acc = acc.wrapping_mul(k).wrapping_add(1442695040888963407);
        }
        (n, acc)
    }
}

const CHAIN: usize = 100_000;

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(CHAIN as u64));

    let mut closures: Vec<Box<dyn FnMut(i64) -> i64>> = (0..CHAIN)
        .map(|_| Box::new(|x: i64| x + 1) as Box<dyn FnMut(i64) -> i64>)
        .collect();
    group.bench_function("boxed_closures", |b| {
        b.iter(|| {
            let mut x = black_box(1_i64);
            for f in closures.iter_mut() {
                x = f(x);
            }
            black_box(x)
        })
    });

    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let mut h = *s;
    for _ in 0..CHAIN {
        h = b.push(Inc, h);
    }
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    group.bench_function("graph_1_thread", |bn| {
        bn.iter(|| {
            *g.state_mut(s) += 1;
            g.stabilize(&mut pool);
            black_box(g.view(h))
        })
    });
    group.finish();
}

/// 10k sources, each heading a chain of 10 nodes: 110k nodes in all.
fn incremental(c: &mut Criterion) {
    let mut group = c.benchmark_group("incremental");
    let mut b = GraphBuilder::new();
    let mut sources = Vec::new();
    let mut tails = Vec::new();
    for _ in 0..10_000 {
        let s = b.push_source(Source::new(0_i64));
        let mut h = *s;
        for _ in 0..10 {
            h = b.push(Inc, h);
        }
        sources.push(s);
        tails.push(h);
    }
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(std::thread::available_parallelism().map_or(1, |n| n.get()));
    group.bench_function("empty_stabilize_110k", |bn| {
        bn.iter(|| g.stabilize(&mut pool))
    });
    let mut i = 0;
    group.bench_function("cone_of_11_in_110k", |bn| {
        bn.iter(|| {
            i = (i + 7919) % sources.len();
            *g.state_mut(sources[i]) += 1;
            g.stabilize(&mut pool);
        })
    });
    // Checked only when the bench ran (a filter may skip it).
    if g.stats().last_cone != 0 {
        assert_eq!(g.stats().last_cone, 11);
    }
    // The same cone poked again and again: its nodes stay in cache.
    group.bench_function("cone_of_11_in_110k_hot", |bn| {
        bn.iter(|| {
            *g.state_mut(sources[i]) += 1;
            g.stabilize(&mut pool);
        })
    });
    // Checked only when the bench ran (a filter may skip it).
    if g.stats().last_cone != 0 {
        assert_eq!(g.stats().last_cone, 11);
    }
    black_box(g.view(tails[i]));
    group.finish();
}

fn heavy(c: &mut Criterion) {
    let mut group = c.benchmark_group("heavy_256");
    group.sample_size(20);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let outs: Vec<_> = (0..256).map(|_| b.push(Heavy(20_000), *s)).collect();
    let mut g = Graph::from_builder(b);
    for threads in [1, cores] {
        let mut pool = Pool::new(threads);
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |bn, _| {
            bn.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
            })
        });
    }
    black_box(g.view(outs[0]));
    group.finish();
}

fn trivial_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("trivial_wide_4k");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let outs: Vec<_> = (0..4096).map(|_| b.push(Inc, *s)).collect();
    let mut g = Graph::from_builder(b);
    for threads in [1, cores] {
        let mut pool = Pool::new(threads);
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |bn, _| {
            bn.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
            })
        });
    }
    black_box(g.view(outs[0]));
    group.finish();
}

criterion_group!(benches, chain, incremental, heavy, trivial_threads);
criterion_main!(benches);
