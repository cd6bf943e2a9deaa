//! Benchmarks of distributed graphs, run under `mpirun -n 2` (criterion does
//! not fit `mpirun`): medians over many iterations, reported as ratios
//! against baselines measured in the same run.
//!
//! 1. *Round trip.* A value goes from rank 0 to rank 1 and back through two
//!    remote edges, one generation per trip, against a raw rsmpi blocking
//!    ping-pong of the same bytes (a `Vec<u8>`, serialized with postcard).
//! 2. *Overlap.* Rank 0 runs `A` then `A2`, rank 1 runs `B` on `A`'s output,
//!    each a fixed amount of work `W`. Communication overlaps `A2`, and rank
//!    0 (the only source owner) may start the next generation while rank 1
//!    still runs `B`, so a generation costs about `2W`, against `3W` when the
//!    same graph runs on one rank.
//!
//! With the argument `threaded`, the cluster runs MPI on a communication
//! thread (`Cluster::init_threaded`) instead of the calling thread. With
//! `round-trip`, only the round trips run (e.g. under a profiler);
//! `FLOWGRAPH_BENCH_SIZES=8,1024` picks their sizes, and
//! `FLOWGRAPH_BENCH_ITERS` the number of iterations.
//!
//! ```text
//! cargo build --release --features mpi --example mpi_bench
//! mpirun -n 2 target/release/examples/mpi_bench
//! mpirun -n 2 target/release/examples/mpi_bench threaded
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::mpi::rsmpi::traits::{Communicator, Destination, Equivalence, Source as _};
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
use flowgraph::typed::*;

/// Forwards a vector by reference (the echo of the round trip).
struct Echo;
impl Segment for Echo {
    type Inputs = RefPort<Vec<u8>>;
    type Outputs = RefPort<Vec<u8>>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (n, v): (bool, &'a Vec<u8>),
        _: &'b mut (),
        _: bool,
    ) -> (bool, &'a Vec<u8>) {
        (n, v)
    }
}

/// Busy for a fixed time: stands for `W` of real work.
struct Work(Duration);
impl Segment for Work {
    type Inputs = Port<u64>;
    type Outputs = Port<u64>;
    type State = Duration;
    fn init(self) -> Duration {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, u64), w: &'b mut Duration, _: bool) -> (bool, u64) {
        let start = Instant::now();
        let mut acc = x;
        while start.elapsed() < *w {
            acc = black_box(acc.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        (n, x + 1)
    }
}

/// The median and the first decile of `v`. On a machine shared with other
/// work the median includes waits for a core; the decile shows the cost
/// when the threads run undisturbed.
#[derive(Clone, Copy)]
struct Times {
    median: Duration,
    p10: Duration,
}

fn times(mut v: Vec<Duration>) -> Times {
    v.sort();
    Times {
        median: v[v.len() / 2],
        p10: v[v.len() / 10],
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Median generation time of the round trip of `len` bytes, on rank 0.
fn graph_round_trip(cluster: &Cluster, len: usize, iters: usize) -> Times {
    let mut b = DistBuilder::new(cluster);
    let s = b.push_source(RefSource::new(vec![0_u8; len]));
    let there = b.remote(*s, 1);
    let echoed = b.on_rank(1, |b| b.push(Echo, there));
    let back = b.remote(echoed, 0);
    let mut g = DistGraph::from_builder(b);
    let mut pool = Pool::new(1);
    let mut samples = Vec::with_capacity(iters);
    for i in 0..iters + iters / 10 {
        let start = Instant::now();
        if cluster.rank() == 0 {
            g.state_mut(s)[0] = i as u8;
        }
        g.stabilize(&mut pool);
        if cluster.rank() == 0 {
            assert_eq!(g.ref_view(back)[0], i as u8);
        }
        if i >= iters / 10 {
            samples.push(start.elapsed());
        }
    }
    times(samples)
}

/// Median round trip of a raw rsmpi blocking ping-pong of `len` bytes.
fn raw_round_trip(cluster: &Cluster, len: usize, iters: usize) -> Times {
    cluster.with_mpi(move |world| {
        let me = world.rank();
        let mut buf = vec![0_u8; len];
        let mut samples = Vec::with_capacity(iters);
        for i in 0..iters + iters / 10 {
            let start = Instant::now();
            match me {
                0 => {
                    buf[0] = i as u8;
                    world.process_at_rank(1).send_with_tag(&buf[..], 77);
                    world
                        .process_at_rank(1)
                        .receive_into_with_tag(&mut buf[..], 77);
                    assert_eq!(buf[0], i as u8);
                }
                1 => {
                    world
                        .process_at_rank(0)
                        .receive_into_with_tag(&mut buf[..], 77);
                    world.process_at_rank(0).send_with_tag(&buf[..], 77);
                }
                _ => {}
            }
            if i >= iters / 10 {
                samples.push(start.elapsed());
            }
        }
        times(samples)
    })
}

/// Median round trip of a raw ping-pong built from the calls the library
/// makes: `MPI_Isend` tested to completion, `MPI_Improbe` polled, then
/// `MPI_Mrecv` into a vector.
fn raw_probe_round_trip(cluster: &Cluster, len: usize, iters: usize) -> Times {
    cluster.with_mpi(move |world| {
        let me = world.rank();
        let peer = world.process_at_rank(1 - me);
        let mut buf = vec![0_u8; len];
        let mut samples = Vec::with_capacity(iters);
        let send = |buf: &[u8]| {
            flowgraph::mpi::rsmpi::request::scope(|scope| {
                let mut req = peer.immediate_send(scope, buf);
                while let Err(r) = req.test() {
                    req = r;
                }
            })
        };
        let recv = |buf: &mut Vec<u8>| loop {
            if let Some((msg, status)) = world.any_process().immediate_matched_probe() {
                buf.resize(status.count(u8::equivalent_datatype()) as usize, 0);
                msg.matched_receive_into(&mut buf[..]);
                return;
            }
        };
        for i in 0..iters + iters / 10 {
            let start = Instant::now();
            match me {
                0 => {
                    buf[0] = i as u8;
                    send(&buf);
                    recv(&mut buf);
                    assert_eq!(buf[0], i as u8);
                }
                1 => {
                    recv(&mut buf);
                    send(&buf);
                }
                _ => {}
            }
            if i >= iters / 10 {
                samples.push(start.elapsed());
            }
        }
        times(samples)
    })
}

/// Median generation time of the round trip's two nodes (a source and an
/// echo) in a plain, single-process [`Graph`]: the local engine's share,
/// which each rank pays once per generation.
fn local_round_trip(len: usize, iters: usize) -> Times {
    let mut b = GraphBuilder::new();
    let s = b.push_source(RefSource::new(vec![0_u8; len]));
    let echoed = b.push(Echo, *s);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    let mut samples = Vec::with_capacity(iters);
    for i in 0..iters + iters / 10 {
        let start = Instant::now();
        g.state_mut(s)[0] = i as u8;
        g.stabilize(&mut pool);
        assert_eq!(g.ref_view(echoed)[0], i as u8);
        if i >= iters / 10 {
            samples.push(start.elapsed());
        }
    }
    times(samples)
}

/// Median generation time of the overlap pipeline, distributed (`ranks`
/// = 2) or in one process (`ranks` = 1: every node on rank 0).
fn pipeline(cluster: &Cluster, w: Duration, on_two: bool, iters: usize) -> Times {
    let other = if on_two { 1 } else { 0 };
    let mut b = DistBuilder::new(cluster);
    let s = b.push_source(Source::new(0_u64));
    let a = b.push(Work(w), *s);
    let x = b.remote(a, other);
    let a2 = b.push(Work(w), *s);
    let bb = b.on_rank(other, |b| b.push(Work(w), x));
    let mut g = DistGraph::from_builder(b);
    let mut pool = Pool::new(1);
    let mut samples = Vec::with_capacity(iters);
    for i in 0..iters + iters / 10 {
        let start = Instant::now();
        if cluster.rank() == 0 {
            *g.state_mut(s) = i as u64;
        }
        g.stabilize(&mut pool);
        if cluster.rank() == 0 {
            assert_eq!(g.view(a2), i as u64 + 1);
        }
        if cluster.rank() == other {
            assert_eq!(g.view(bb), i as u64 + 2);
        }
        if i >= iters / 10 {
            samples.push(start.elapsed());
        }
    }
    times(samples)
}

fn main() {
    // `threaded`: MPI on a communication thread instead of this one.
    let threaded = std::env::args().any(|a| a == "threaded");
    let cluster = if threaded {
        Cluster::init_threaded()
    } else {
        Cluster::init()
    }
    .expect("MPI");
    assert!(cluster.size() >= 2, "run with mpirun -n 2");
    let me = cluster.rank();
    let iters: usize = std::env::var("FLOWGRAPH_BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let sizes: Vec<usize> = std::env::var("FLOWGRAPH_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![8, 1024, 64 * 1024]);
    for len in sizes {
        let raw = raw_round_trip(&cluster, len, iters);
        let graph = graph_round_trip(&cluster, len, iters);
        let probe = raw_probe_round_trip(&cluster, len, iters);
        let local = local_round_trip(len, iters);
        if me == 0 {
            println!(
                "round trip {len:>6} B: remote edges {:8.1} us (p10 {:7.1}), raw ping-pong {:6.1} us (p10 {:5.1}); \
                 ratio {:.1}x (p10 {:.1}x)",
                us(graph.median),
                us(graph.p10),
                us(raw.median),
                us(raw.p10),
                ratio(graph.median, raw.median),
                ratio(graph.p10, raw.p10)
            );
            println!(
                "    breakdown: raw isend/improbe ping-pong {:6.1} us (p10 {:5.1}); \
                 source and echo in a local graph (engine) {:6.1} us (p10 {:5.1})",
                us(probe.median),
                us(probe.p10),
                us(local.median),
                us(local.p10)
            );
        }
    }
    if std::env::args().any(|a| a == "round-trip") {
        return;
    }
    let w = Duration::from_micros(500);
    let n = (iters / 10).max(20);
    let alone = pipeline(&cluster, w, false, n);
    let split = pipeline(&cluster, w, true, n);
    if me == 0 {
        println!(
            "pipeline, W = {} us: one rank {:7.1} us, two ranks {:7.1} us per generation (median); \
             ratio {:.2} (p10 {:.2}; full overlap 0.67)",
            us(w),
            us(alone.median),
            us(split.median),
            ratio(split.median, alone.median),
            ratio(split.p10, alone.p10)
        );
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
