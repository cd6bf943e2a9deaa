//! Data-parallel nodes: one node multiplying two 256 × 256 `f64` matrices,
//! its rows split with `par::for_each_chunk`, on 2 threads against 1.
//!
//! Each iteration pokes the left matrix and stabilizes the one-node cone,
//! so the whole cost is the node's compute. The target is ≥ 1.8× on 2 threads.
//!
//! A part computes a block of rows of the product, streaming each row of
//! `B` once for the whole block (the block's rows of `C` stay in L1): the
//! row-at-a-time order streams all of `B` (512 KiB, more than a core's L2)
//! from L3 once per row of the product, 16 times as often.
//!
//! Beside it, for comparison: the same product through gemmkit's packed
//! GEMM, one block of rows per thread, and a node of 16 parts of pure
//! arithmetic (no memory traffic), which shows what 2 threads can gain on
//! the machine at all.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flowgraph::core::Pool;
use flowgraph::par;
use flowgraph::typed::*;

const N: usize = 256;
/// Rows of the product per part: 16 parts of about 1 M multiply-adds, so
/// that a thread slowed down by the machine takes fewer of them.
const ROWS: usize = 16;

/// `C = A B` for a fixed `B` (row-major, `N × N`), rows of `C` in parallel.
struct MatMul(Vec<f64>);
impl Segment for MatMul {
    type Inputs = RefPort<Vec<f64>>;
    type Outputs = RefPort<Vec<f64>>;
    type State = (Vec<f64>, Vec<f64>);
    fn init(self) -> (Vec<f64>, Vec<f64>) {
        (self.0, vec![0.0; N * N])
    }
    fn compute<'a, 'b: 'a>(
        (n, a): (bool, &'a Vec<f64>),
        (b, c): &'b mut (Vec<f64>, Vec<f64>),
        _: bool,
    ) -> (bool, &'a Vec<f64>) {
        let b = &*b;
        par::for_each_chunk(c, ROWS * N, |part, rows| {
            let a = &a[part * ROWS * N..(part + 1) * ROWS * N];
            rows.fill(0.0);
            for (k, bk) in b.chunks_exact(N).enumerate() {
                for (out, ai) in rows.chunks_exact_mut(N).zip(a.chunks_exact(N)) {
                    let aik = ai[k];
                    for (o, &bkj) in out.iter_mut().zip(bk) {
                        *o += aik * bkj;
                    }
                }
            }
        });
        (n, c)
    }
}

fn matrix(seed: u64) -> Vec<f64> {
    (0..(N * N) as u64)
        .map(|i| ((i.wrapping_mul(2654435761).wrapping_add(seed)) % 1000) as f64 / 1000.0)
        .collect()
}

fn matmul(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul_256");
    group.sample_size(20);
    group.throughput(Throughput::Elements((N * N * N) as u64));
    for threads in [1, 2] {
        let mut bld = GraphBuilder::new();
        let a = bld.push_source(RefSource::new(matrix(1)));
        let p = bld.push(MatMul(matrix(2)), *a);
        let mut g = Graph::from_builder(bld);
        let mut pool = Pool::new(threads);
        let mut x = 0.0;
        group.bench_function(BenchmarkId::new("threads", threads), |bench| {
            bench.iter(|| {
                x += 1.0;
                g.state_mut(a)[0] = x;
                g.stabilize(&mut pool);
                black_box(g.ref_view(p)[0])
            })
        });
    }
    group.finish();
}

/// Parts of pure arithmetic (no memory traffic): what 2 threads can gain on
/// this machine at all, the yardstick for the matrix product's speed-up.
struct Spin;
impl Segment for Spin {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = Vec<u64>;
    fn init(self) -> Vec<u64> {
        vec![0; 16]
    }
    fn compute<'a, 'b: 'a>(
        (n, seed): (bool, u64),
        parts: &'b mut Vec<u64>,
        _: bool,
    ) -> (bool, u64) {
        // 16 parts of 2^20 dependent multiply-adds, about as long as the
        // matrix product's parts.
        par::for_each_chunk(parts, 1, |i, out| {
            let mut x = seed ^ i as u64;
            for k in 0..1_u64 << 20 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(k);
            }
            out[0] = x;
        });
        (n, parts.iter().fold(0, |a, &x| a ^ x))
    }
}

fn spin(c: &mut Criterion) {
    let mut group = c.benchmark_group("spin_16_parts");
    group.sample_size(20);
    for threads in [1, 2] {
        let mut bld = GraphBuilder::new();
        let s = bld.push_source(Source::new(0_u64));
        let p = bld.push(Spin, *s);
        let mut g = Graph::from_builder(bld);
        let mut pool = Pool::new(threads);
        group.bench_function(BenchmarkId::new("threads", threads), |bench| {
            bench.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
                black_box(g.view(p))
            })
        });
    }
    group.finish();
}

/// The same product through gemmkit's packed GEMM, one block of rows per
/// thread (each packs `B` for itself).
struct Gemm(Vec<f64>);
impl Segment for Gemm {
    type Inputs = RefPort<Vec<f64>>;
    type Outputs = RefPort<Vec<f64>>;
    type State = (Vec<f64>, Vec<f64>);
    fn init(self) -> (Vec<f64>, Vec<f64>) {
        (self.0, vec![0.0; N * N])
    }
    fn compute<'a, 'b: 'a>(
        (n, a): (bool, &'a Vec<f64>),
        (b, c): &'b mut (Vec<f64>, Vec<f64>),
        _: bool,
    ) -> (bool, &'a Vec<f64>) {
        let b = &*b;
        let rows = N.div_ceil(par::threads());
        par::for_each_chunk(c, rows * N, |part, out| {
            let m = out.len() / N;
            let a = &a[part * rows * N..part * rows * N + m * N];
            gemmkit::gemm(
                1.0,
                gemmkit::MatRef::from_row_major(a, m, N),
                gemmkit::MatRef::from_row_major(b, N, N),
                0.0,
                gemmkit::MatMut::from_row_major(out, m, N),
                gemmkit::Parallelism::Serial,
            );
        });
        (n, c)
    }
}

fn gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm_256");
    group.sample_size(20);
    group.throughput(Throughput::Elements((N * N * N) as u64));
    for threads in [1, 2] {
        let mut bld = GraphBuilder::new();
        let a = bld.push_source(RefSource::new(matrix(1)));
        let p = bld.push(Gemm(matrix(2)), *a);
        let mut g = Graph::from_builder(bld);
        let mut pool = Pool::new(threads);
        let mut x = 0.0;
        group.bench_function(BenchmarkId::new("threads", threads), |bench| {
            bench.iter(|| {
                x += 1.0;
                g.state_mut(a)[0] = x;
                g.stabilize(&mut pool);
                black_box(g.ref_view(p)[0])
            })
        });
    }
    group.finish();
}

criterion_group!(benches, matmul, gemm, spin);
criterion_main!(benches);
