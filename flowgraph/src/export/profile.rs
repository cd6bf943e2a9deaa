//! The per-node profile: what the [`Profiler`] hook counts while a graph
//! runs, and the [`Profile`] a user reads back.
//!
//! Counters are atomics so one profiler serves the serial scheduler and the
//! pool's workers alike. Each node runs on one thread at a time and a
//! generation ends before the next begins, so a counter is never updated by
//! two threads at once: plain relaxed loads and stores suffice (no locked
//! read-modify-write).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::export::shape::Nanos;
use crate::export::trace::Ring;

/// Per-node counters.
#[derive(Default)]
struct Counters {
    runs: AtomicU64,
    skips: AtomicU64,
    total_ns: AtomicU64,
    max_ns: AtomicU64,
    /// The last generation that ran the node; 0 if none.
    last: AtomicU64,
}

/// Adds `by` to a counter that only the calling thread updates (see the
/// module docs).
#[inline(always)]
fn bump(c: &AtomicU64, by: u64) {
    c.store(c.load(Relaxed).wrapping_add(by), Relaxed);
}

/// The profiling hook's state, owned by the `Graph` while profiling is on.
pub(crate) struct Profiler {
    /// Time zero of the trace.
    epoch: Instant,
    /// The generation being run (1-based, as `Stats::generations`).
    generation: AtomicU64,
    /// True while the timeline records.
    tracing: bool,
    nodes: Box<[Counters]>,
    /// The timeline; `None` until a trace was enabled.
    ring: Option<Mutex<Ring>>,
}

impl Profiler {
    pub(crate) fn new(nodes: usize) -> Profiler {
        Profiler {
            epoch: Instant::now(),
            generation: AtomicU64::new(0),
            tracing: false,
            nodes: (0..nodes).map(|_| Counters::default()).collect(),
            ring: None,
        }
    }

    /// Starts a fresh timeline keeping the last `max_events` node executions.
    pub(crate) fn start_trace(&mut self, max_events: usize) {
        self.ring = Some(Mutex::new(Ring::new(max_events)));
        self.tracing = true;
    }

    /// Stops recording the timeline; what it recorded stays readable.
    pub(crate) fn stop_trace(&mut self) {
        self.tracing = false;
    }

    pub(crate) fn tracing(&self) -> bool {
        self.tracing
    }

    pub(crate) fn ring(&self) -> Option<std::sync::MutexGuard<'_, Ring>> {
        self.ring
            .as_ref()
            .map(|r| r.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Called before the engine runs generation `generation`.
    pub(crate) fn begin(&mut self, generation: u64) {
        *self.generation.get_mut() = generation;
    }

    pub(crate) fn record_run(&self, node: u32, start: Instant, end: Instant) {
        let ns = end.saturating_duration_since(start).as_nanos() as u64;
        let c = &self.nodes[node as usize];
        let generation = self.generation.load(Relaxed);
        bump(&c.runs, 1);
        bump(&c.total_ns, ns);
        if ns > c.max_ns.load(Relaxed) {
            c.max_ns.store(ns, Relaxed);
        }
        c.last.store(generation, Relaxed);
        if self.tracing {
            if let Some(ring) = &self.ring {
                let at = start.saturating_duration_since(self.epoch).as_nanos() as u64;
                let mut ring = ring.lock().unwrap_or_else(|e| e.into_inner());
                ring.push_node(node, generation, at, ns);
            }
        }
    }

    /// Adds `by` (wrapping: `u64::MAX` takes one back) to node `node`'s skips.
    pub(crate) fn record_skip(&self, node: u32, by: u64) {
        bump(&self.nodes[node as usize].skips, by);
    }

    /// A snapshot of the counters, labelled with `label(node)`, with the
    /// critical path along `successors`.
    pub(crate) fn snapshot<'s, L, S, I>(&self, generations: u64, label: L, successors: S) -> Profile
    where
        L: Fn(usize) -> String,
        S: Fn(usize) -> I,
        I: Iterator<Item = usize> + 's,
    {
        let nodes: Vec<NodeProfile> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(id, c)| {
                let last = c.last.load(Relaxed);
                NodeProfile {
                    id,
                    label: label(id),
                    runs: c.runs.load(Relaxed),
                    skips: c.skips.load(Relaxed),
                    total: Duration::from_nanos(c.total_ns.load(Relaxed)),
                    max: Duration::from_nanos(c.max_ns.load(Relaxed)),
                    last_generation: (last > 0).then_some(last),
                }
            })
            .collect();
        let critical = critical_path(&nodes, successors);
        Profile {
            enabled: true,
            generations,
            nodes,
            critical,
        }
    }
}

/// The heaviest path through the graph by mean compute time: ids are a
/// topological order, so one forward sweep finds it.
fn critical_path<'s, S, I>(nodes: &[NodeProfile], successors: S) -> Vec<usize>
where
    S: Fn(usize) -> I,
    I: Iterator<Item = usize> + 's,
{
    let n = nodes.len();
    let mut into = vec![0u64; n];
    let mut prev = vec![usize::MAX; n];
    let mut best = (0u64, usize::MAX);
    for v in 0..n {
        let here = into[v] + nodes[v].mean().as_nanos() as u64;
        if here > best.0 {
            best = (here, v);
        }
        for s in successors(v) {
            if here > into[s] {
                into[s] = here;
                prev[s] = v;
            }
        }
    }
    let mut path = Vec::new();
    let mut v = best.1;
    while v != usize::MAX {
        path.push(v);
        v = prev[v];
    }
    path.reverse();
    path
}

/// What one node did while profiling was on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeProfile {
    /// The node's id.
    pub id: usize,
    /// A short label: the segment's type name without paths (for a fused
    /// segment, its parts).
    pub label: String,
    /// Computes run by `stabilize`.
    pub runs: u64,
    /// Times the node was in a generation's cone but skipped by a cutoff.
    pub skips: u64,
    /// Time spent in its compute, in all.
    pub total: Duration,
    /// The longest single compute.
    pub max: Duration,
    /// The last generation (as counted by `Stats::generations`) that ran it.
    pub last_generation: Option<u64>,
}

impl NodeProfile {
    /// The mean compute time (zero if it never ran).
    pub fn mean(&self) -> Duration {
        match self.runs {
            0 => Duration::ZERO,
            r => Duration::from_nanos((self.total.as_nanos() / r as u128) as u64),
        }
    }
}

/// Per-node run counts and compute times, from
/// [`Graph::profile`](crate::typed::Graph::profile).
///
/// Its `Display` is a table of the nodes that ran, heaviest first, then the
/// critical path. The precision caps the rows (`{:.5}` prints five; the
/// default is 20, `{:#}` prints all).
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let sq: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x * x));
/// let x = b.push(sq, *s);
/// let mut g = Graph::from_builder(b);
/// g.enable_profiling();
/// let mut pool = Pool::new(1);
/// for i in 0..10 {
///     *g.state_mut(s) = i;
///     g.stabilize(&mut pool);
/// }
/// let p = g.profile();
/// assert_eq!(p.node(x.node()).runs, 10);
/// assert_eq!(p.runs(), g.stats().nodes_run);
/// println!("{p}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    enabled: bool,
    generations: u64,
    nodes: Vec<NodeProfile>,
    critical: Vec<usize>,
}

impl Profile {
    /// The profile of a graph that never profiled: every count zero.
    pub(crate) fn off(labels: impl Iterator<Item = String>) -> Profile {
        Profile {
            enabled: false,
            generations: 0,
            nodes: labels
                .enumerate()
                .map(|(id, label)| NodeProfile {
                    id,
                    label,
                    runs: 0,
                    skips: 0,
                    total: Duration::ZERO,
                    max: Duration::ZERO,
                    last_generation: None,
                })
                .collect(),
            critical: Vec::new(),
        }
    }

    /// False if profiling was off: every count is then zero.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> &[NodeProfile] {
        &self.nodes
    }

    /// Node `id`.
    ///
    /// # Panics
    ///
    /// If there is no such node.
    pub fn node(&self, id: usize) -> &NodeProfile {
        &self.nodes[id]
    }

    /// Node computes in all (equals the growth of `Stats::nodes_run` while
    /// profiling was on).
    pub fn runs(&self) -> u64 {
        self.nodes.iter().map(|n| n.runs).sum()
    }

    /// Cutoff skips in all.
    pub fn skips(&self) -> u64 {
        self.nodes.iter().map(|n| n.skips).sum()
    }

    /// Compute time in all.
    pub fn total(&self) -> Duration {
        self.nodes.iter().map(|n| n.total).sum()
    }

    /// The heaviest path of the graph by mean compute time, as node ids from
    /// a source down: a generation that runs all of them takes at least the
    /// sum of their means, however many threads run it.
    pub fn critical_path(&self) -> &[usize] {
        &self.critical
    }

    /// The sum of the mean compute times along [`critical_path`](Profile::critical_path).
    pub fn critical_time(&self) -> Duration {
        self.critical.iter().map(|&v| self.nodes[v].mean()).sum()
    }

    /// `Stats::generations` when the profile was taken.
    pub fn generations(&self) -> u64 {
        self.generations
    }

    /// Each node's share of the total compute time, in `0.0..=1.0`.
    pub fn share(&self, id: usize) -> f64 {
        let total = self.total().as_nanos();
        match total {
            0 => 0.0,
            t => self.nodes[id].total.as_nanos() as f64 / t as f64,
        }
    }
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.enabled {
            return writeln!(
                f,
                "profiling is off: call `Graph::enable_profiling` before `stabilize`"
            );
        }
        let mut rows: Vec<&NodeProfile> = self
            .nodes
            .iter()
            .filter(|n| n.runs > 0 || n.skips > 0)
            .collect();
        rows.sort_by(|a, b| b.total.cmp(&a.total).then(a.id.cmp(&b.id)));
        let limit = if f.alternate() {
            usize::MAX
        } else {
            f.precision().unwrap_or(20)
        };
        writeln!(
            f,
            "{:>7}  {:<32} {:>8} {:>7} {:>10} {:>10} {:>10} {:>8} {:>6}",
            "node", "segment", "runs", "skips", "total", "mean", "max", "last gen", "share"
        )?;
        for n in rows.iter().take(limit) {
            writeln!(
                f,
                "{:>7}  {:<32} {:>8} {:>7} {:>10} {:>10} {:>10} {:>8} {:>5.1}%",
                format!("#{}", n.id),
                fit(&n.label, 32),
                n.runs,
                n.skips,
                Nanos(n.total.as_nanos() as u64),
                Nanos(n.mean().as_nanos() as u64),
                Nanos(n.max.as_nanos() as u64),
                n.last_generation.map_or("-".to_string(), |g| g.to_string()),
                100.0 * self.share(n.id),
            )?;
        }
        if rows.len() > limit {
            writeln!(f, "{:>7}  … {} more nodes", "", rows.len() - limit)?;
        }
        writeln!(
            f,
            "{} generations, {} node runs, {} skips, {} of compute",
            self.generations,
            self.runs(),
            self.skips(),
            Nanos(self.total().as_nanos() as u64)
        )?;
        if self.critical.is_empty() {
            return writeln!(f, "critical path: none (no node ran)");
        }
        write!(
            f,
            "critical path ({} mean):",
            Nanos(self.critical_time().as_nanos() as u64)
        )?;
        const SHOWN: usize = 12;
        for (i, &v) in self.critical.iter().enumerate() {
            if i == SHOWN / 2 && self.critical.len() > SHOWN {
                write!(f, " → … {} more", self.critical.len() - SHOWN)?;
            }
            if i >= SHOWN / 2 && i < self.critical.len() - SHOWN / 2 && self.critical.len() > SHOWN
            {
                continue;
            }
            let sep = if i == 0 { " " } else { " → " };
            write!(f, "{sep}#{v} {}", fit(&self.nodes[v].label, 24))?;
        }
        writeln!(f)
    }
}
