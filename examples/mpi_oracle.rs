//! A random graph spread over every rank, checked against the same graph run
//! in one process.
//!
//! Every rank builds the same random DAG (same seed): nodes placed on random
//! ranks, inputs from other ranks crossing through `remote`, in both
//! directions. Each generation pokes random sources (each on its owner rank),
//! then every rank compares the values, notify flags and run counts of the
//! nodes it owns (remote receivers included) with a single-process oracle
//! graph it runs alongside.
//!
//! ```text
//! mpirun -n 3 target/release/examples/mpi_oracle
//! ```

use flowgraph::core::Pool;
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph, Remote};
use flowgraph::typed::*;

/// A deterministic generator (splitmix64): the same on every rank.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `a + b`, always notifying.
struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((_, a), (_, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (true, a.wrapping_add(b))
    }
}

/// `x / 4`, notifying only when it changed (cuts propagation).
struct Quarter;
impl Segment for Quarter {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), last: &'b mut i64, init: bool) -> (bool, i64) {
        let q = x / 4;
        let changed = init || q != *last;
        *last = q;
        (changed, q)
    }
}

/// Counts its runs into the value: any extra or missing run shows. Its value
/// changes on every run, so it always notifies (a remote edge carries a value
/// only when it notifies).
struct Count;
impl Segment for Count {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), runs: &'b mut i64, _: bool) -> (bool, i64) {
        *runs += 1;
        (true, x.wrapping_mul(31).wrapping_add(*runs))
    }
}

/// Builds a vector in its state and exposes it by reference.
struct Spread;
impl Segment for Spread {
    type Inputs = Port<i64>;
    type Outputs = RefPort<Vec<i64>>;
    type State = Vec<i64>;
    fn init(self) -> Vec<i64> {
        Vec::new()
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        v: &'b mut Vec<i64>,
        _: bool,
    ) -> (bool, &'a Vec<i64>) {
        v.clear();
        v.extend((0..(x.rem_euclid(5) + 1)).map(|i| x.wrapping_mul(i)));
        (n, v)
    }
}

/// Sums a vector read by reference.
struct Sum;
impl Segment for Sum {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, v): (bool, &'a Vec<i64>), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, v.iter().fold(0_i64, |a, &x| a.wrapping_add(x)))
    }
}

/// What the random graph needs from a builder: the distributed one, or the
/// single-process oracle (which ignores placement).
trait Build {
    fn source(&mut self, rank: usize, v: i64) -> SourceHandle<Source<i64>>;
    fn node<S: Segment + 'static, H: Connect<S::Inputs>>(
        &mut self,
        rank: usize,
        s: S,
        inputs: H,
    ) -> <S::Outputs as Interface>::Handles;
    fn cross<P: Remote>(&mut self, h: Handle<P>, to: usize) -> Handle<P>;
}

impl Build for DistBuilder<'_> {
    fn source(&mut self, rank: usize, v: i64) -> SourceHandle<Source<i64>> {
        self.on_rank(rank, |b| b.push_source(Source::new(v)))
    }
    fn node<S: Segment + 'static, H: Connect<S::Inputs>>(
        &mut self,
        rank: usize,
        s: S,
        inputs: H,
    ) -> <S::Outputs as Interface>::Handles {
        self.on_rank(rank, |b| b.push(s, inputs))
    }
    fn cross<P: Remote>(&mut self, h: Handle<P>, to: usize) -> Handle<P> {
        self.remote(h, to)
    }
}

impl Build for GraphBuilder {
    fn source(&mut self, _: usize, v: i64) -> SourceHandle<Source<i64>> {
        self.push_source(Source::new(v))
    }
    fn node<S: Segment + 'static, H: Connect<S::Inputs>>(
        &mut self,
        _: usize,
        s: S,
        inputs: H,
    ) -> <S::Outputs as Interface>::Handles {
        self.push(s, inputs)
    }
    fn cross<P: Remote>(&mut self, h: Handle<P>, _: usize) -> Handle<P> {
        h
    }
}

/// One observable output, with the rank that may read it.
enum Out {
    Val(usize, Handle<Port<i64>>),
    Vec(usize, Handle<RefPort<Vec<i64>>>),
}

struct Built {
    sources: Vec<(usize, SourceHandle<Source<i64>>)>,
    outs: Vec<Out>,
    /// Remote edges going to a higher rank, and to a lower one.
    crossings: [usize; 2],
}

/// Builds the random graph of `seed` over `ranks` ranks; with
/// `sources_on_0`, every source lives on rank 0 (the other ranks own none,
/// so rank 0 may run generations ahead of them).
fn build<B: Build>(b: &mut B, seed: u64, ranks: usize, nodes: usize, sources_on_0: bool) -> Built {
    let mut rng = Rng(seed);
    let mut vals: Vec<(usize, Handle<Port<i64>>)> = Vec::new();
    let mut vecs: Vec<(usize, Handle<RefPort<Vec<i64>>>)> = Vec::new();
    let mut sources = Vec::new();
    let mut outs = Vec::new();
    let mut crossings = [0; 2];
    // Brings a value to `to`, recording the receiver as an output of `to`.
    fn fetch<B: Build, P: Remote>(
        b: &mut B,
        (from, h): (usize, Handle<P>),
        to: usize,
        (outs, crossings): (&mut Vec<Out>, &mut [usize; 2]),
        wrap: fn(usize, Handle<P>) -> Out,
    ) -> Handle<P> {
        if from == to {
            return h;
        }
        crossings[usize::from(to < from)] += 1;
        let r = b.cross(h, to);
        outs.push(wrap(to, r));
        r
    }
    for i in 0..nodes {
        let rank = rng.below(ranks);
        if i < 6 || rng.below(8) == 0 {
            let rank = if sources_on_0 { 0 } else { rank };
            let s = b.source(rank, rng.below(100) as i64);
            sources.push((rank, s));
            vals.push((rank, *s));
            outs.push(Out::Val(rank, *s));
            continue;
        }
        let pick =
            |rng: &mut Rng, list: &Vec<(usize, Handle<Port<i64>>)>| list[rng.below(list.len())];
        match rng.below(if vecs.is_empty() { 4 } else { 5 }) {
            0 => {
                let (x, y) = (pick(&mut rng, &vals), pick(&mut rng, &vals));
                let x = fetch(b, x, rank, (&mut outs, &mut crossings), Out::Val);
                let y = fetch(b, y, rank, (&mut outs, &mut crossings), Out::Val);
                let h = b.node(rank, Add, (x, y));
                vals.push((rank, h));
                outs.push(Out::Val(rank, h));
            }
            1 => {
                let x = fetch(
                    b,
                    pick(&mut rng, &vals),
                    rank,
                    (&mut outs, &mut crossings),
                    Out::Val,
                );
                let h = b.node(rank, Quarter, x);
                vals.push((rank, h));
                outs.push(Out::Val(rank, h));
            }
            2 => {
                let x = fetch(
                    b,
                    pick(&mut rng, &vals),
                    rank,
                    (&mut outs, &mut crossings),
                    Out::Val,
                );
                let h = b.node(rank, Count, x);
                vals.push((rank, h));
                outs.push(Out::Val(rank, h));
            }
            3 => {
                let x = fetch(
                    b,
                    pick(&mut rng, &vals),
                    rank,
                    (&mut outs, &mut crossings),
                    Out::Val,
                );
                let h = b.node(rank, Spread, x);
                vecs.push((rank, h));
                outs.push(Out::Vec(rank, h));
            }
            _ => {
                let v = vecs[rng.below(vecs.len())];
                let v = fetch(b, v, rank, (&mut outs, &mut crossings), Out::Vec);
                let h = b.node(rank, Sum, v);
                vals.push((rank, h));
                outs.push(Out::Val(rank, h));
            }
        }
    }
    Built {
        sources,
        outs,
        crossings,
    }
}

/// Compares every output this rank owns; returns how many were checked.
fn compare(g: &DistGraph<'_>, d: &Built, o: &Graph, ob: &Built, gen: usize) -> usize {
    let me = g.rank();
    let mut checked = 0;
    for (x, y) in d.outs.iter().zip(&ob.outs) {
        match (x, y) {
            (Out::Val(r, h), Out::Val(_, oh)) if *r == me => {
                assert_eq!(
                    g.view(*h),
                    o.view(*oh),
                    "rank {me}, generation {gen}: value of node #{}",
                    h.node()
                );
                assert_eq!(
                    g.notified(*h),
                    o.notified(*oh),
                    "rank {me}, generation {gen}: flag of node #{}",
                    h.node()
                );
                checked += 1;
            }
            (Out::Vec(r, h), Out::Vec(_, oh)) if *r == me => {
                assert_eq!(
                    g.ref_view(*h),
                    o.ref_view(*oh),
                    "rank {me}, generation {gen}: vector of node #{}",
                    h.node()
                );
                assert_eq!(
                    g.notified(*h),
                    o.notified(*oh),
                    "rank {me}, generation {gen}: flag of node #{}",
                    h.node()
                );
                checked += 1;
            }
            (Out::Val(..), Out::Val(..)) | (Out::Vec(..), Out::Vec(..)) => {}
            _ => unreachable!("both builds follow the same random sequence"),
        }
    }
    checked
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
    let (me, ranks) = (cluster.rank(), cluster.size());
    let mut pool = Pool::new(2);
    let mut total = 0;
    let mut crossings = 0;
    for seed in 1..=5_u64 {
        let nodes = 30 + 10 * seed as usize;
        let sources_on_0 = seed == 5;
        let mut db = DistBuilder::new(&cluster);
        let d = build(&mut db, seed, ranks, nodes, sources_on_0);
        let mut ob = GraphBuilder::new();
        let od = build(&mut ob, seed, ranks, nodes, sources_on_0);
        if ranks > 1 {
            assert!(
                d.crossings[0] > 0 && d.crossings[1] > 0,
                "seed {seed}: edges must cross ranks both ways: {:?}",
                d.crossings
            );
        }
        crossings += d.crossings[0] + d.crossings[1];
        let mut g = DistGraph::from_builder(db);
        let mut o = Graph::from_builder(ob);
        // A distributed graph runs static cones (no cutoffs): so does its oracle.
        o.set_cutoffs(false);
        total += compare(&g, &d, &o, &od, 0);
        let mut pokes = Rng(seed * 1000);
        for gen in 1..=150 {
            for ((rank, s), (_, os)) in d.sources.iter().zip(&od.sources) {
                if pokes.below(4) == 0 {
                    let v = pokes.below(1000) as i64 - 500;
                    if *rank == me {
                        *g.state_mut(*s) = v;
                    }
                    *o.state_mut(*os) = v;
                }
            }
            g.stabilize(&mut pool);
            o.stabilize(&mut pool);
            total += compare(&g, &d, &o, &od, gen);
        }
    }
    assert!(total > 0, "rank {me} owns no node to check");
    println!(
        "rank {me}/{ranks}: {total} values matched the single-process graph ({crossings} remote edges)"
    );
}
