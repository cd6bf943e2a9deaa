//! A two-rank pipeline (the README's worked example): rank 0 owns the
//! source and smooths the samples, rank 1 keeps a histogram of them and
//! sends a summary back to rank 0. Runs on any number of ranks (with one,
//! everything stays on rank 0).
//!
//! ```text
//! cargo build --release --features mpi --example mpi_pipeline
//! mpirun -n 2 target/release/examples/mpi_pipeline
//! ```

use flowgraph::core::Pool;
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
use flowgraph::typed::*;

/// Exponential smoothing of the input, by value.
struct Smooth;
impl Segment for Smooth {
    type Inputs = Port<f64>;
    type Outputs = Port<f64>;
    type State = f64;
    fn init(self) -> f64 {
        0.0
    }
    fn compute<'a, 'b: 'a>((_, x): (bool, f64), s: &'b mut f64, _: bool) -> (bool, f64) {
        *s = 0.5 * *s + 0.5 * x;
        (true, *s)
    }
}

/// A histogram of every value seen, exposed by reference.
struct Histogram;
impl Segment for Histogram {
    type Inputs = Port<f64>;
    type Outputs = RefPort<Vec<u32>>;
    type State = Vec<u32>;
    fn init(self) -> Vec<u32> {
        vec![0; 4]
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, f64),
        h: &'b mut Vec<u32>,
        init: bool,
    ) -> (bool, &'a Vec<u32>) {
        if n && !init {
            h[(x as usize).min(3)] += 1;
        }
        (n, h)
    }
}

/// The fullest bucket of a histogram read by reference.
struct Mode;
impl Segment for Mode {
    type Inputs = RefPort<Vec<u32>>;
    type Outputs = Port<usize>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, h): (bool, &'a Vec<u32>), _: &'b mut (), _: bool) -> (bool, usize) {
        let best = (0..h.len()).max_by_key(|&i| (h[i], std::cmp::Reverse(i)));
        (n, best.unwrap_or(0))
    }
}

fn main() {
    let cluster = Cluster::init().expect("MPI");
    let other = 1 % cluster.size(); // rank 1, or rank 0 when alone

    let mut b = DistBuilder::new(&cluster);
    // Rank 0 (the default placement).
    let samples = b.push_source(Source::new(0.0_f64));
    let smooth = b.push(Smooth, *samples);
    // Rank 1: the value crosses explicitly; `f64` is serializable.
    let hist = b.on_rank(other, |b| {
        let x = b.remote(smooth, other);
        b.push(Histogram, x)
    });
    // Back on rank 0: the histogram arrives into a buffer owned by rank 0,
    // read by reference like any local `RefPort`.
    let hist_here = b.remote(hist, 0);
    let mode = b.push(Mode, hist_here);
    let mut g = DistGraph::from_builder(b);

    let mut pool = Pool::new(1);
    for i in 0..100 {
        if cluster.rank() == 0 {
            *g.state_mut(samples) = f64::from(i % 4);
        }
        g.stabilize(&mut pool); // collective: every rank calls it
    }
    if cluster.rank() == other {
        let h = g.ref_view(hist);
        assert_eq!(h, &[2, 73, 25, 0]);
        println!("rank {other}: histogram {h:?}");
    }
    if cluster.rank() == 0 {
        assert_eq!(g.ref_view(hist_here), &[2, 73, 25, 0]);
        assert_eq!(g.view(mode), 1);
        println!(
            "rank 0: the most frequent smoothed bucket is {}",
            g.view(mode)
        );
    }

    // Every rank draws the same picture: one cluster per rank, each remote
    // edge dashed and labelled with the type it carries.
    let dot = g.to_dot();
    if cluster.size() > 1 {
        for want in [
            "subgraph cluster_rank0 {",
            "subgraph cluster_rank1 {",
            "n1 -> n2 [label=\"Port<f64>\", style=dashed];",
            "n3 -> n4 [label=\"RefPort<Vec<u32>>\", style=dashed];",
            "n2 [shape=circle, margin=0, label=\"#2\\nfrom rank 0\"];",
        ] {
            assert!(dot.contains(want), "{want} in {dot}");
        }
        assert_eq!(dot.matches("style=dashed").count(), 2, "{dot}");
    }
    // Alone, rank 0 keeps both values: no remote nodes, no dashed edges.
    let (edges, remote) = if cluster.size() > 1 { (5, 2) } else { (3, 0) };
    assert_eq!(dot.matches(" -> ").count(), edges, "{dot}");
    let mmd = g.to_mermaid();
    assert_eq!(mmd.matches(" -.->").count(), remote, "{mmd}");
}
