//! The cost of profiling, against a baseline measured in the same run.
//!
//! - `baseline`: the scheduler called with the disabled hook and nothing
//!   else (`Graph::__stabilize_no_hook`: no check of the profiler);
//! - `off`: `Graph::stabilize` with profiling off (the shipped default: one
//!   check per generation, the scheduler compiled with the empty hook),
//!   which must stay within 1 % of `baseline`;
//! - `on`: per-node counters (two clock reads per node);
//! - `trace`: counters and the timeline ring.
//!
//! Workloads, one thread, trivial bodies (where any per-node cost shows):
//! `chain`, an unfused chain of 100k nodes; `wavefront`, a 128×128 grid of
//! 2-input nodes, each reading its left and upper neighbours.
//!
//! Wall clock may not resolve 1 % on a loaded machine; instruction counts
//! do. With `PROFILE_FIXED=WORKLOAD:PATH:GENERATIONS` (workload `chain` or
//! `wavefront`, path `baseline`, `off`, `on` or `trace`) the binary builds
//! the graph and runs that many generations of that path, nothing else, so
//! that `valgrind --tool=callgrind` (or a whole-process timer) measures one
//! path; the difference between two generation counts is the per-generation
//! cost:
//!
//! ```text
//! cargo bench --bench profile --no-run
//! PROFILE_FIXED=chain:off:200 valgrind --tool=callgrind target/release/deps/profile-…
//! ```

use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};
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
const SIDE: usize = 128;

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

/// The four ways of running a generation, in the order they are measured.
const PATHS: [&str; 4] = ["baseline", "off", "on", "trace"];

/// Sets `g` up for `path` (profiling and tracing on or off).
fn prepare(g: &mut Graph, path: &str) {
    g.disable_profiling();
    match path {
        "baseline" | "off" => {}
        "on" => g.enable_profiling(),
        "trace" => g.enable_trace(1 << 20),
        other => panic!("unknown path `{other}`: one of {PATHS:?}"),
    }
}

/// One generation of `path` (as set up by [`prepare`]).
#[inline(always)]
fn step(
    g: &mut Graph,
    pool: &mut Pool,
    s: SourceHandle<Source<i64>>,
    tail: Handle<Port<i64>>,
    baseline: bool,
) -> i64 {
    *g.state_mut(s) += 1;
    if baseline {
        g.__stabilize_no_hook(pool);
    } else {
        g.stabilize(pool);
    }
    black_box(g.view(tail))
}

fn workload(c: &mut Criterion, name: &str, build: Build) {
    let mut group = c.benchmark_group(name);
    let (mut g, s, tail) = build();
    group.throughput(Throughput::Elements(g.len() as u64));
    let mut pool = Pool::new(1);
    for path in PATHS {
        prepare(&mut g, path);
        let baseline = path == "baseline";
        let before = g.stats().generations;
        group.bench_function(path, |bn| {
            bn.iter(|| step(&mut g, &mut pool, s, tail, baseline))
        });
        // Checked only when the bench ran (a filter may skip it).
        if (path == "on" || path == "trace") && g.stats().generations > before {
            assert!(g.profile().runs() > 0);
        }
    }
    g.disable_profiling();
    group.finish();
}

fn chain(c: &mut Criterion) {
    workload(c, "profile_chain_100k", chain_graph);
}

fn wavefront(c: &mut Criterion) {
    workload(c, "profile_wavefront_128x128", wavefront_graph);
}

/// `PROFILE_FIXED=WORKLOAD:PATH:GENERATIONS`: builds the workload and runs
/// that many generations of one path.
fn fixed(spec: &str) {
    let parts: Vec<&str> = spec.split(':').collect();
    let [workload, path, generations] = parts[..] else {
        panic!("PROFILE_FIXED={spec}: expected WORKLOAD:PATH:GENERATIONS");
    };
    let build: Build = match workload {
        "chain" => chain_graph,
        "wavefront" => wavefront_graph,
        other => panic!("unknown workload `{other}`: `chain` or `wavefront`"),
    };
    let generations: u64 = generations
        .parse()
        .unwrap_or_else(|e| panic!("PROFILE_FIXED={spec}: {e}"));
    let (mut g, s, tail) = build();
    let mut pool = Pool::new(1);
    prepare(&mut g, path);
    let baseline = path == "baseline";
    let mut sum = 0_i64;
    for _ in 0..generations {
        sum = sum.wrapping_add(step(&mut g, &mut pool, s, tail, baseline));
    }
    println!("{workload} {path} {generations}: {sum}");
}

criterion_group!(benches, chain, wavefront);

fn main() {
    if let Ok(spec) = std::env::var("PROFILE_FIXED") {
        return fixed(&spec);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
