//! Seeing a graph: DOT and Mermaid export, the per-node [`Profile`] and the
//! execution timeline.
//!
//! - [`Graph::to_dot`] and [`Graph::to_mermaid`] draw one node per graph
//!   node (sources as circles, compute nodes as boxes), one edge per wire
//!   labelled with its port type (`Port<f64>`, `RefPorts<f64> ×64`), and
//!   each fused segment as a cluster showing the segments inside it and
//!   the wires between them (for a `segment!`, under the names its body
//!   gives them).
//!   [`Graph::export`] adds the profile: runs, mean time and a colour by
//!   share of the compute time.
//! - [`Graph::enable_profiling`] counts, per node, runs, cutoff skips and
//!   compute time; [`Graph::profile`] returns them. Off by default, and then
//!   free: the scheduler is compiled without the hook.
//! - [`Graph::enable_trace`] records every node execution (start, duration,
//!   thread) of the generations that follow, in a bounded ring;
//!   [`Graph::write_trace`] writes it as Chrome trace-event JSON, which
//!   [Perfetto](https://ui.perfetto.dev) and `chrome://tracing` open.
//!
//! # Examples
//!
//! ```
//! use flowgraph::core::Pool;
//! use flowgraph::typed::*;
//!
//! let mut b = GraphBuilder::new();
//! let s = b.push_source(Source::new(1_i64));
//! let inc: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x + 1));
//! let x = b.push(inc, *s);
//! let mut g = Graph::from_builder(b);
//! assert!(g.to_dot().contains("n0 -> n1 [label=\"Port<i64>\"]"));
//!
//! g.enable_trace(10_000);
//! let mut pool = Pool::new(1);
//! for i in 0..3 {
//!     *g.state_mut(s) = i;
//!     g.stabilize(&mut pool);
//! }
//! assert_eq!(g.profile().node(x.node()).runs, 3);
//! assert!(g.trace_json().contains("\"cat\":\"node\""));
//! ```
#![deny(unsafe_code)]

pub(crate) mod dot;
pub(crate) mod fused;
pub(crate) mod hook;
pub(crate) mod mermaid;
pub(crate) mod model;
pub(crate) mod profile;
pub(crate) mod shape;
pub(crate) mod topology;
pub(crate) mod trace;

use std::time::Instant;

pub use profile::{NodeProfile, Profile};
#[doc(hidden)]
pub use shape::{PortDesc, PortKind, PortTree, Structure, WireTree, Wiring};

use crate::core::Pool;
use crate::export::model::Model;
use crate::export::profile::Profiler;
use crate::typed::Graph;

/// A drawing of a graph, with options: from [`Graph::export`].
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let neg: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, 0 - x));
/// b.push(neg, *s);
/// let mut g = Graph::from_builder(b);
/// g.enable_profiling();
/// *g.state_mut(s) = 2;
/// g.stabilize(&mut Pool::new(1));
/// let dot = g.export().with_profile().to_dot();
/// assert!(dot.contains("1 runs · mean"));
/// ```
#[derive(Debug)]
pub struct Export<'g> {
    graph: &'g Graph,
    profile: bool,
}

impl Export<'_> {
    /// Colours each node by its share of the compute time and prints its
    /// runs and mean time (from [`Graph::profile`]; nothing if profiling was
    /// off).
    pub fn with_profile(mut self) -> Self {
        self.profile = true;
        self
    }

    fn model(&self) -> Model {
        let profile = self.profile.then(|| self.graph.profile());
        let profile = profile.filter(Profile::is_enabled);
        Model::of_graph(
            &self.graph.topo,
            &|v| self.graph.node_name(v),
            profile.as_ref(),
        )
    }

    /// The drawing in Graphviz DOT (render it with `dot -Tsvg`).
    pub fn to_dot(&self) -> String {
        dot::render(&self.model())
    }

    /// The drawing as a Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        mermaid::render(&self.model())
    }
}

/// The DOT of a distributed graph of `ranks` ranks.
#[cfg(feature = "mpi")]
pub(crate) fn dist_dot(ranks: usize, nodes: &[model::DistNode<'_>]) -> String {
    dot::render(&Model::of_dist(ranks, nodes))
}

/// The Mermaid flowchart of a distributed graph of `ranks` ranks.
#[cfg(feature = "mpi")]
pub(crate) fn dist_mermaid(ranks: usize, nodes: &[model::DistNode<'_>]) -> String {
    mermaid::render(&Model::of_dist(ranks, nodes))
}

impl Graph {
    /// The graph in Graphviz DOT: one node per graph node (`#id` and the
    /// segment's type name; sources as circles), one edge per wire labelled
    /// with its port type, and each fused segment as a cluster of the
    /// segments inside it. Render it with `dot -Tsvg graph.dot > graph.svg`.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(RefSource::new(vec![1_u32, 2]));
    /// let len: Arr<RefPort<Vec<u32>>, Port<usize>, _> = Arr::new(|(n, v): (bool, &Vec<u32>), _| (n, v.len()));
    /// b.push(len, *s);
    /// let dot = Graph::from_builder(b).to_dot();
    /// assert!(dot.contains("n0 [shape=circle, margin=0, label=\"#0\\nRefSource<Vec<u32>>\"]"));
    /// assert!(dot.contains("n0 -> n1 [label=\"RefPort<Vec<u32>>\"]"));
    /// ```
    pub fn to_dot(&self) -> String {
        self.export().to_dot()
    }

    /// The graph as a Mermaid flowchart, drawn as [`to_dot`](Graph::to_dot)
    /// draws it.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(1.5_f64));
    /// let half: Arr<Port<f64>, Port<f64>, _> = Arr::new(|(n, x), _| (n, x / 2.0));
    /// b.push(half, *s);
    /// let mmd = Graph::from_builder(b).to_mermaid();
    /// assert!(mmd.starts_with("flowchart LR"));
    /// assert!(mmd.contains("n0 -->|\"Port#lt;f64#gt;\"| n1"));
    /// ```
    pub fn to_mermaid(&self) -> String {
        self.export().to_mermaid()
    }

    /// A drawing with options (see [`Export`]).
    pub fn export(&self) -> Export<'_> {
        Export {
            graph: self,
            profile: false,
        }
    }

    /// Starts counting, per node, runs, cutoff skips and compute time, from
    /// the next [`stabilize`](Graph::stabilize) on (build calls are not
    /// counted). Does nothing if profiling is already on.
    ///
    /// Profiling costs two clock reads per node run; when it is off the
    /// scheduler runs without any hook.
    pub fn enable_profiling(&mut self) {
        if self.profiler.is_none() {
            self.profiler = Some(Box::new(Profiler::new(self.len())));
        }
    }

    /// Stops profiling and tracing, and drops what they recorded.
    pub fn disable_profiling(&mut self) {
        self.profiler = None;
    }

    /// Records every node execution of the generations that follow — node,
    /// start, duration, thread — keeping the last `max_events` (a ring).
    /// Turns profiling on; restarts the timeline if one was recording.
    ///
    /// Read it with [`trace_json`](Graph::trace_json) or
    /// [`write_trace`](Graph::write_trace).
    pub fn enable_trace(&mut self, max_events: usize) {
        self.enable_profiling();
        if let Some(p) = &mut self.profiler {
            p.start_trace(max_events);
        }
    }

    /// Stops recording the timeline; what it holds stays readable. The
    /// profile goes on counting.
    pub fn disable_trace(&mut self) {
        if let Some(p) = &mut self.profiler {
            p.stop_trace();
        }
    }

    /// The per-node profile recorded since
    /// [`enable_profiling`](Graph::enable_profiling); every count is zero
    /// (and [`Profile::is_enabled`] false) if profiling is off.
    pub fn profile(&self) -> Profile {
        let label = |v: usize| self.topo.label(v, self.node_name(v));
        match &self.profiler {
            None => Profile::off((0..self.len()).map(label)),
            Some(p) => p.snapshot(self.stats().generations, label, |v| self.successors(v)),
        }
    }

    /// The timeline as Chrome trace-event JSON: one complete event (`"ph":
    /// "X"`, category `node`) per node execution, on the lane of the thread
    /// that ran it, and one per generation (category `generation`) on lane
    /// 0. Open it in [Perfetto](https://ui.perfetto.dev) or
    /// `chrome://tracing`. Empty if no trace was enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::core::Pool;
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(0_u8));
    /// let mut g = Graph::from_builder(b);
    /// g.enable_trace(100);
    /// *g.state_mut(s) = 1;
    /// g.stabilize(&mut Pool::new(1));
    /// let json = g.trace_json();
    /// assert_eq!(json.matches("\"cat\":\"node\"").count(), 1);
    /// ```
    pub fn trace_json(&self) -> String {
        let label = |v: u32| {
            format!(
                "#{v} {}",
                self.topo.label(v as usize, self.node_name(v as usize))
            )
        };
        match self.profiler.as_ref().and_then(|p| p.ring()) {
            Some(ring) => ring.to_json(&label),
            None => trace::Ring::new(0).to_json(&label),
        }
    }

    /// Writes [`trace_json`](Graph::trace_json) to `path`.
    ///
    /// # Errors
    ///
    /// As [`std::fs::write`].
    pub fn write_trace(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        std::fs::write(path, self.trace_json())
    }

    /// `stabilize` with the profiler's hook around each node.
    pub(crate) fn stabilize_profiled(&mut self, pool: &mut Pool) {
        let generation = self.engine.stats().generations + 1;
        let Some(p) = self.profiler.as_deref_mut() else {
            unreachable!("called with profiling on")
        };
        p.begin(generation);
        let before = self.engine.stats();
        let start = p.tracing().then(Instant::now);
        self.engine.stabilize(pool, &*p);
        if let Some(start) = start {
            let after = self.engine.stats();
            let end = Instant::now();
            let epoch = p.epoch();
            if let Some(mut ring) = p.ring() {
                ring.push_generation(
                    generation,
                    start.saturating_duration_since(epoch).as_nanos() as u64,
                    end.saturating_duration_since(start).as_nanos() as u64,
                    after.parallel_generations > before.parallel_generations,
                    after.last_cone,
                );
            }
        }
    }
}
