//! One execution of a DAG by each Rust system. Every system computes the
//! same values (see `Dag::sequential`) and reports the same checksum.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use flowgraph::core::Pool;
use flowgraph::typed::*;

use crate::workload::{checksum, spin, Dag};

/// A system ready to run one DAG repeatedly.
pub trait Runner {
    /// One full execution with input value `x`.
    fn run(&mut self, x: u64);
    /// The checksum of the last execution.
    fn checksum(&mut self) -> u64;
    /// flowgraph's counters (other systems have none).
    fn stats(&self) -> Option<flowgraph::core::Stats> {
        None
    }
}

// Nodes of arity 1–4 over by-value ports, the way a user wires such a DAG.
struct N1 {
    k: u64,
}
#[flowgraph::segment_impl]
impl N1 {
    fn compute(&self, a: u64) -> u64 {
        spin(self.k, a)
    }
}
struct N2 {
    k: u64,
}
#[flowgraph::segment_impl]
impl N2 {
    fn compute(&self, a: u64, b: u64) -> u64 {
        spin(self.k, a.wrapping_add(b))
    }
}
struct N3 {
    k: u64,
}
#[flowgraph::segment_impl]
impl N3 {
    fn compute(&self, a: u64, b: u64, c: u64) -> u64 {
        spin(self.k, a.wrapping_add(b).wrapping_add(c))
    }
}
struct N4 {
    k: u64,
}
#[flowgraph::segment_impl]
impl N4 {
    fn compute(&self, a: u64, b: u64, c: u64, d: u64) -> u64 {
        spin(self.k, a.wrapping_add(b).wrapping_add(c).wrapping_add(d))
    }
}

/// flowgraph: one source feeds every root; a generation pokes it and runs
/// the whole graph (every node notifies).
pub struct Flow {
    g: Graph,
    src: SourceHandle<Source<u64>>,
    nodes: Vec<Handle<Port<u64>>>,
    pool: Pool,
}

impl Flow {
    pub fn new(dag: &Dag, k: u64, threads: usize) -> Flow {
        let mut b = GraphBuilder::new();
        let src = b.push_source(Source::new(0_u64));
        let mut nodes: Vec<Handle<Port<u64>>> = Vec::with_capacity(dag.n);
        for v in 0..dag.n {
            let p: Vec<_> = dag.preds(v).iter().map(|&u| nodes[u as usize]).collect();
            let h = match p[..] {
                [] => b.push(N1 { k }, *src),
                [a] => b.push(N1 { k }, a),
                [a, c] => b.push(N2 { k }, (a, c)),
                [a, c, d] => b.push(N3 { k }, (a, c, d)),
                [a, c, d, e] => b.push(N4 { k }, (a, c, d, e)),
                _ => panic!("in-degree {} > 4", p.len()),
            };
            nodes.push(h);
        }
        Flow {
            g: Graph::from_builder(b),
            src,
            nodes,
            pool: Pool::new(threads),
        }
    }
}

impl Runner for Flow {
    fn run(&mut self, x: u64) {
        *self.g.state_mut(self.src) = x;
        self.g.stabilize(&mut self.pool);
    }
    fn checksum(&mut self) -> u64 {
        checksum(self.nodes.iter().map(|&h| self.g.view(h)))
    }
    fn stats(&self) -> Option<flowgraph::core::Stats> {
        Some(self.g.stats())
    }
}

/// Plain sequential code: a loop over the nodes in topological order.
pub struct Seq<'d> {
    dag: &'d Dag,
    k: u64,
    values: Vec<u64>,
}

impl<'d> Seq<'d> {
    pub fn new(dag: &'d Dag, k: u64) -> Self {
        Seq {
            dag,
            k,
            values: vec![0; dag.n],
        }
    }
}

impl Runner for Seq<'_> {
    fn run(&mut self, x: u64) {
        self.dag.sequential(self.k, x, &mut self.values);
        std::hint::black_box(&self.values);
    }
    fn checksum(&mut self) -> u64 {
        checksum(self.values.iter().copied())
    }
}

/// State shared by the rayon runners. Values are relaxed atomics (plain
/// moves on x86); the countdowns' acquire/release orders them.
struct Shared<'d> {
    dag: &'d Dag,
    k: u64,
    x: u64,
    values: Vec<AtomicU64>,
    pending: Vec<AtomicU32>,
}

impl Shared<'_> {
    fn body(&self, v: usize) {
        let p = self.dag.preds(v);
        let input = if p.is_empty() {
            self.x
        } else {
            p.iter().fold(0u64, |s, &u| {
                s.wrapping_add(self.values[u as usize].load(Ordering::Relaxed))
            })
        };
        self.values[v].store(spin(self.k, input), Ordering::Relaxed);
    }
}

/// `rayon::scope`: a node spawns each successor it makes ready, running the
/// last one inline (a continuation, as oneTBB and flowgraph do).
pub struct RayonScope<'d> {
    s: Shared<'d>,
    roots: Vec<u32>,
    pool: rayon::ThreadPool,
}

/// `rayon::join`: recursive splitting, for the workloads that are
/// divide-and-conquer shaped (the out-tree and independent tasks).
pub struct RayonJoin<'d> {
    s: Shared<'d>,
    tree: bool,
    pool: rayon::ThreadPool,
}

fn shared(dag: &Dag, k: u64) -> Shared<'_> {
    Shared {
        dag,
        k,
        x: 0,
        values: (0..dag.n).map(|_| AtomicU64::new(0)).collect(),
        pending: (0..dag.n).map(|_| AtomicU32::new(0)).collect(),
    }
}

fn rayon_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool")
}

impl<'d> RayonScope<'d> {
    pub fn new(dag: &'d Dag, k: u64, threads: usize) -> Self {
        RayonScope {
            s: shared(dag, k),
            roots: dag.roots(),
            pool: rayon_pool(threads),
        }
    }
}

fn scope_node<'s>(sc: &rayon::Scope<'s>, s: &'s Shared<'_>, mut v: usize) {
    loop {
        s.body(v);
        let mut next = None;
        for &w in s.dag.succs(v) {
            if s.pending[w as usize].fetch_sub(1, Ordering::AcqRel) == 1 {
                if let Some(prev) = next.replace(w as usize) {
                    sc.spawn(move |sc| scope_node(sc, s, prev));
                }
            }
        }
        match next {
            Some(w) => v = w,
            None => return,
        }
    }
}

impl Runner for RayonScope<'_> {
    fn run(&mut self, x: u64) {
        self.s.x = x;
        for v in 0..self.s.dag.n {
            let d = self.s.dag.preds(v).len() as u32;
            self.s.pending[v].store(d, Ordering::Relaxed);
        }
        let (s, roots) = (&self.s, &self.roots);
        self.pool.install(|| {
            rayon::scope(|sc| {
                for &r in roots {
                    sc.spawn(move |sc| scope_node(sc, s, r as usize));
                }
            })
        });
    }
    fn checksum(&mut self) -> u64 {
        checksum(self.s.values.iter().map(|v| v.load(Ordering::Relaxed)))
    }
}

impl<'d> RayonJoin<'d> {
    /// `None` when the DAG is neither a binary out-tree nor edge-free.
    pub fn new(dag: &'d Dag, k: u64, threads: usize) -> Option<Self> {
        let tree = !dag.preds.is_empty();
        if tree && (0..dag.n).any(|v| dag.succs(v) != binary_children(v, dag.n).as_slice()) {
            return None;
        }
        Some(RayonJoin {
            s: shared(dag, k),
            tree,
            pool: rayon_pool(threads),
        })
    }
}

fn binary_children(v: usize, n: usize) -> Vec<u32> {
    [2 * v + 1, 2 * v + 2]
        .into_iter()
        .filter(|&c| c < n)
        .map(|c| c as u32)
        .collect()
}

fn join_tree(s: &Shared<'_>, v: usize) {
    s.body(v);
    let (l, r) = (2 * v + 1, 2 * v + 2);
    if r < s.dag.n {
        rayon::join(|| join_tree(s, l), || join_tree(s, r));
    } else if l < s.dag.n {
        join_tree(s, l);
    }
}

fn join_range(s: &Shared<'_>, lo: usize, hi: usize) {
    if hi - lo == 1 {
        s.body(lo);
    } else {
        let mid = lo + (hi - lo) / 2;
        rayon::join(|| join_range(s, lo, mid), || join_range(s, mid, hi));
    }
}

impl Runner for RayonJoin<'_> {
    fn run(&mut self, x: u64) {
        self.s.x = x;
        let s = &self.s;
        if self.tree {
            self.pool.install(|| join_tree(s, 0));
        } else {
            self.pool.install(|| join_range(s, 0, s.dag.n));
        }
    }
    fn checksum(&mut self) -> u64 {
        checksum(self.s.values.iter().map(|v| v.load(Ordering::Relaxed)))
    }
}
