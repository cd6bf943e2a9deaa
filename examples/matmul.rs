//! A data-parallel node: one node multiplies two square `f64` matrices, its
//! rows split across the pool with `flowgraph::par::for_each_chunk`.
//!
//! `cargo run --release --example matmul -- THREADS REPS [N]` (defaults:
//! all cores, 50 repetitions, N = 256) pokes the left matrix and stabilizes
//! REPS times, prints the time per product, and checks the last product
//! against a plain serial multiplication.

use std::time::Instant;

use flowgraph::core::Pool;
use flowgraph::par;
use flowgraph::typed::*;

/// Rows of the product per part of the split.
const ROWS: usize = 8;

/// `C = A B` for a fixed `B` (row-major, `n × n`).
struct MatMul {
    n: usize,
    b: Vec<f64>,
}

impl Segment for MatMul {
    type Inputs = RefPort<Vec<f64>>;
    type Outputs = RefPort<Vec<f64>>;
    type State = (MatMul, Vec<f64>);
    fn init(self) -> (MatMul, Vec<f64>) {
        let c = vec![0.0; self.n * self.n];
        (self, c)
    }
    fn compute<'a, 'b: 'a>(
        (notify, a): (bool, &'a Vec<f64>),
        (m, c): &'b mut (MatMul, Vec<f64>),
        _: bool,
    ) -> (bool, &'a Vec<f64>) {
        let (n, b) = (m.n, &m.b);
        par::for_each_chunk(c, ROWS * n, |part, rows| {
            for (r, out) in rows.chunks_mut(n).enumerate() {
                let i = part * ROWS + r;
                out.fill(0.0);
                for (k, &aik) in a[i * n..(i + 1) * n].iter().enumerate() {
                    for (o, &bkj) in out.iter_mut().zip(&b[k * n..(k + 1) * n]) {
                        *o += aik * bkj;
                    }
                }
            }
        });
        (notify, c)
    }
}

fn matrix(n: usize, seed: u64) -> Vec<f64> {
    (0..(n * n) as u64)
        .map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed) % 1000) as f64 / 1000.0)
        .collect()
}

fn run(threads: usize, reps: usize, n: usize) {
    let b = matrix(n, 2);
    let mut bld = GraphBuilder::new();
    let a = bld.push_source(RefSource::new(matrix(n, 1)));
    let c = bld.push(MatMul { n, b: b.clone() }, *a);
    let mut g = Graph::from_builder(bld);
    let mut pool = Pool::new(threads);
    let started = Instant::now();
    for rep in 0..reps {
        g.state_mut(a)[0] = rep as f64;
        g.stabilize(&mut pool);
    }
    let per = started.elapsed() / reps.max(1) as u32;
    println!("{n}×{n} on {threads} thread(s): {per:?} per product ({reps} products)");

    let a = g.ref_view(*a).clone();
    let mut want = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            for j in 0..n {
                want[i * n + j] += a[i * n + k] * b[k * n + j];
            }
        }
    }
    assert_eq!(
        g.ref_view(c),
        &want,
        "the split product equals the serial one"
    );
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.next().flatten().unwrap_or(cores);
    let reps = args.next().flatten().unwrap_or(50);
    let n = args.next().flatten().unwrap_or(256);
    run(threads, reps, n);
}

#[test]
fn matmul() {
    for threads in [1, 2, 4] {
        run(threads, 3, 40);
    }
}
