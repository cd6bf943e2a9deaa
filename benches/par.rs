//! Data-parallel nodes: one node multiplying two 256 × 256 `f64` matrices,
//! its rows split with `par::for_each_chunk`, on 2 threads against 1.
//!
//! Each iteration pokes the left matrix and stabilizes the one-node cone,
//! so the whole cost is the node's compute. The target is ≥ 1.8× on 2 threads.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flowgraph::core::Pool;
use flowgraph::par;
use flowgraph::typed::*;

const N: usize = 256;
/// Rows of the product per part: 32 parts of about 0.5 M multiply-adds.
const ROWS: usize = 8;

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
            for (r, out) in rows.chunks_mut(N).enumerate() {
                let i = part * ROWS + r;
                out.fill(0.0);
                for (k, &aik) in a[i * N..(i + 1) * N].iter().enumerate() {
                    for (o, &bkj) in out.iter_mut().zip(&b[k * N..(k + 1) * N]) {
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

criterion_group!(benches, matmul);
criterion_main!(benches);
