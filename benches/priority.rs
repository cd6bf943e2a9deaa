//! Critical-path priority: one chain of heavy nodes beside many short
//! independent ones, on 2 threads.
//!
//! A source feeds `SHORT` independent nodes of `SHORT_US` µs each and the
//! head of a chain of `CHAIN` nodes of `CHAIN_US` µs each; the chain's head
//! is pushed in the middle of the short ones, so in the order the nodes
//! become ready it is neither first nor last. The lower bound on 2 threads
//! is `max(critical path, total work / 2)`; the target is a makespan within
//! 1.1× of it. The same graph runs with priorities (the default: the chain,
//! the longest path below the source, starts first) and without them (ready
//! nodes queued in the order they became ready), in the same run.
//!
//! Before criterion's own measurements, the bench prints the median
//! makespan of each variant against the bound.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use flowgraph::core::Pool;
use flowgraph::typed::*;

const CHAIN: usize = 50;
const CHAIN_US: u64 = 20;
const SHORT: usize = 200;
const SHORT_US: u64 = 5;

/// Spins `us` µs in every compute (not in its build call).
struct Spin(u64);
impl Segment for Spin {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = u64;
    fn init(self) -> u64 {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, u64), us: &'b mut u64, init: bool) -> (bool, u64) {
        if !init {
            let t = Instant::now();
            while t.elapsed() < Duration::from_micros(*us) {
                std::hint::spin_loop();
            }
        }
        (n, x.wrapping_add(1))
    }
}

fn graph(ranking: bool) -> (Graph, SourceHandle<Source<u64>>) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_u64));
    for i in 0..SHORT {
        if i == SHORT / 2 {
            let mut h = *s;
            for _ in 0..CHAIN {
                h = b.push(Spin(CHAIN_US), h);
            }
        }
        b.push(Spin(SHORT_US), *s);
    }
    let mut g = Graph::from_builder(b);
    g.__set_ranking(ranking);
    (g, s)
}

/// The lower bound on 2 threads, in µs.
fn bound_us() -> f64 {
    let critical = (CHAIN as u64 * CHAIN_US) as f64;
    let total = critical + (SHORT as u64 * SHORT_US) as f64;
    critical.max(total / 2.0)
}

fn makespan_us(g: &mut Graph, s: SourceHandle<Source<u64>>, pool: &mut Pool) -> f64 {
    *g.state_mut(s) += 1;
    let t = Instant::now();
    g.stabilize(pool);
    t.elapsed().as_secs_f64() * 1e6
}

fn bench(c: &mut Criterion) {
    let mut pool = Pool::new(2);
    let bound = bound_us();
    eprintln!("priority: bound max(critical path, work / 2) = {bound:.0} µs");
    for (name, ranking) in [("priorities", true), ("no_priorities", false)] {
        let (mut g, s) = graph(ranking);
        for _ in 0..20 {
            makespan_us(&mut g, s, &mut pool);
        }
        let mut m: Vec<f64> = (0..101)
            .map(|_| makespan_us(&mut g, s, &mut pool))
            .collect();
        m.sort_by(f64::total_cmp);
        let parallel = g.stats().parallel_generations;
        eprintln!(
            "priority: {name}: median makespan {:.0} µs = {:.3}× the bound (min {:.0} µs; {parallel} of {} generations parallel)",
            m[50],
            m[50] / bound,
            m[0],
            g.stats().generations
        );
    }
    let mut group = c.benchmark_group("priority");
    for (name, ranking) in [("priorities", true), ("no_priorities", false)] {
        let (mut g, s) = graph(ranking);
        group.bench_function(name, |b| {
            b.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
