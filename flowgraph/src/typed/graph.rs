//! [`GraphBuilder`] records the topology; [`Graph`] is the frozen, runnable
//! graph.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::{self, Engine, PendingNode, Pool, SegmentFactory, Stats, Wire};
use crate::export::hook::Off;
use crate::export::profile::Profiler;
use crate::export::topology::Topology;
use crate::typed::handle::{Connect, Handle, SourceHandle};
use crate::typed::interface::{Interface, Layout, RefViewPorts, ValueView, ViewPort, ViewPorts};
use crate::typed::read::{NoHandles, NoInputs, Poke, RefViewLeaf, ViewLeaf};
use crate::typed::segment::Segment;

/// The next builder id. 64 bits never wrap (a new builder per nanosecond
/// would take 584 years), so a handle can never pass another graph's check;
/// the increment is checked all the same.
static NEXT_GRAPH: AtomicU64 = AtomicU64::new(1);

fn next_graph_id() -> u64 {
    NEXT_GRAPH
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| id.checked_add(1))
        .expect("flowgraph: graph ids exhausted")
}

/// Records nodes in push order; node ids are therefore a topological order.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// assert_eq!(b.len(), 1);
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(*s), 1);
/// ```
pub struct GraphBuilder {
    id: u64,
    nodes: Vec<PendingNode>,
    sources: Vec<u32>,
    /// `set_priority` overrides: (node, priority).
    priorities: Vec<(u32, i32)>,
    topo: Topology,
}

impl Default for GraphBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for GraphBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphBuilder")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        GraphBuilder {
            id: next_graph_id(),
            nodes: Vec::new(),
            sources: Vec::new(),
            priorities: Vec::new(),
            topo: Topology::default(),
        }
    }

    /// The number of nodes pushed so far.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Wires `segment` to `inputs` (handles shaped like `S::Inputs`) and
    /// returns its output handles (shaped like `S::Outputs`).
    ///
    /// # Panics
    ///
    /// If a handle comes from another builder, or the graph would exceed
    /// `u32::MAX` nodes.
    pub fn push<S, H>(&mut self, segment: S, inputs: H) -> <S::Outputs as Interface>::Handles
    where
        S: Segment + 'static,
        H: Connect<S::Inputs>,
    {
        let id = self.add(segment, inputs);
        S::Outputs::handles(self.id, id, 0)
    }

    /// Pushes an input-less source segment and returns the handle through
    /// which `Graph::state_mut` pokes it.
    pub fn push_source<S>(&mut self, source: S) -> SourceHandle<S>
    where
        S: Segment + 'static,
        S::Inputs: NoInputs,
    {
        let id = self.add(source, NoHandles);
        self.sources.push(id);
        SourceHandle::new(self.id, id)
    }

    /// Sets the scheduling priority of node `node` (its id: nodes are
    /// numbered in push order from 0, so a node pushed when [`len`](Self::len)
    /// was `k` is node `k`). The default is 0.
    ///
    /// On a pool of several threads, a ready node of higher priority runs
    /// before one of lower priority; among equal priorities, the node with
    /// the longest estimated path of work below it runs first (its critical
    /// path). A node's priority is raised to the highest priority of the
    /// nodes that consume its outputs, directly or not, since they wait for
    /// it. Priorities change the order of work, never the results; the
    /// serial scheduler (one thread, or cones too cheap for the pool) runs
    /// nodes in id order.
    ///
    /// # Panics
    ///
    /// If `node` is not a node pushed so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::core::Pool;
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(1_i64));
    /// let double: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x * 2));
    /// let next: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x + 1));
    /// let urgent = b.len();
    /// let y = b.push(double, *s);
    /// let z = b.push(next, *s);
    /// b.set_priority(urgent, 10); // `y` runs before `z` when both are ready
    /// let mut g = Graph::from_builder(b);
    /// *g.state_mut(s) = 5;
    /// g.stabilize(&mut Pool::new(2));
    /// assert_eq!((g.view(y), g.view(z)), (10, 6));
    /// ```
    pub fn set_priority(&mut self, node: usize, priority: i32) {
        assert!(
            node < self.nodes.len(),
            "flowgraph: set_priority: node #{node} does not exist (the builder has {} nodes)",
            self.nodes.len()
        );
        self.priorities.push((node as u32, priority));
    }

    /// This builder's id, as stored in its handles.
    #[cfg(feature = "mpi")]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Pushes `segment` with wires already checked (by `add`, or by the
    /// distributed builder); returns the node id.
    pub(crate) fn push_wired<S: Segment + 'static>(&mut self, segment: S, wires: Vec<Wire>) -> u32 {
        let id = u32::try_from(self.nodes.len())
            .expect("flowgraph: a graph holds at most u32::MAX nodes");
        // A wrong wire count (a hand-written `Connect`) is refused when the
        // graph is frozen, naming the node.
        self.topo.record(&segment, &wires);
        self.nodes.push(PendingNode {
            factory: Box::new(SegmentFactory(segment)),
            wires,
            name: std::any::type_name::<S>(),
        });
        id
    }

    fn add<S, H>(&mut self, segment: S, inputs: H) -> u32
    where
        S: Segment + 'static,
        H: Connect<S::Inputs>,
    {
        let mut wires = Vec::with_capacity(<S::Inputs as Interface>::Repr::LEAVES);
        inputs.wires(self.id, &mut wires);
        self.push_wired(segment, wires)
    }
}

/// A frozen graph: poke sources with [`state_mut`](Graph::state_mut), run a
/// generation with [`stabilize`](Graph::stabilize), read with
/// [`view`](Graph::view) / [`ref_view`](Graph::ref_view).
///
/// Only the nodes downstream of poked sources run (the dirty cone).
///
/// ```compile_fail
/// // A graph is `Send` but not `Sync`: share it through a lock.
/// fn sync<T: Sync>() {}
/// sync::<flowgraph::typed::Graph>();
/// ```
pub struct Graph {
    id: u64,
    pub(crate) engine: Engine,
    /// What the exporters draw.
    pub(crate) topo: Topology,
    /// `Some` while profiling is on.
    pub(crate) profiler: Option<Box<Profiler>>,
    _not_sync: std::marker::PhantomData<std::cell::Cell<()>>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("nodes", &self.engine.len())
            .finish()
    }
}

impl Graph {
    /// Freezes the topology and runs every node's build call (`init == true`)
    /// once, in push order.
    ///
    /// # Panics
    ///
    /// Resumes the panic of a build call that panics.
    pub fn from_builder(b: GraphBuilder) -> Graph {
        let engine = Engine::new(b.nodes, &b.sources, &b.priorities);
        let mut topo = b.topo;
        topo.freeze(&engine);
        Graph {
            id: b.id,
            engine,
            topo,
            profiler: None,
            _not_sync: std::marker::PhantomData,
        }
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.engine.len()
    }

    /// True for a graph without nodes.
    pub fn is_empty(&self) -> bool {
        self.engine.len() == 0
    }

    /// The segment type name of node `node`.
    ///
    /// # Panics
    ///
    /// If `node >= self.len()`.
    pub fn node_name(&self, node: usize) -> &'static str {
        self.engine.name(node)
    }

    /// The ids of the consumers of node `node`, in increasing order.
    pub fn successors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.engine.successors(node).map(|s| s as usize)
    }

    /// What the scheduler has done so far.
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    fn check<P>(&self, h: Handle<P>) {
        assert!(
            h.graph == self.id,
            "flowgraph: the handle of node #{} belongs to another graph",
            h.node
        );
    }

    /// Reads a by-value output.
    ///
    /// # Panics
    ///
    /// If a source was poked and the graph not stabilized since (read guard),
    /// or the graph is poisoned.
    pub fn view<P: ViewLeaf>(&self, h: Handle<P>) -> <P::View as ValueView>::View<'_> {
        P::read(self, h)
    }

    pub(crate) fn view_port<V>(&self, h: Handle<ViewPort<V>>) -> V::View<'_>
    where
        V: ValueView,
        ViewPort<V>: Interface,
        for<'a> V::View<'a>: Copy,
    {
        self.check(h);
        core::view(&self.engine, h)
    }

    /// Reads a by-reference output.
    ///
    /// # Panics
    ///
    /// As [`view`](Graph::view).
    pub fn ref_view<P: RefViewLeaf>(&self, h: Handle<P>) -> &<P::View as ValueView>::View<'_> {
        let h = P::handle(h);
        self.check(h);
        core::ref_view(&self.engine, h)
    }

    /// Reads a group output: its notify plane and its value plane.
    ///
    /// # Panics
    ///
    /// As [`view`](Graph::view).
    pub fn group_view<V: ValueView>(
        &self,
        h: Handle<RefViewPorts<V>>,
    ) -> (&[bool], &[&V::View<'_>]) {
        self.check(h);
        core::group_view(&self.engine, h)
    }

    /// Reads a by-value group output ([`ViewPorts`], e.g. `Ports<T>`): its
    /// notify plane and its value plane.
    ///
    /// # Panics
    ///
    /// As [`view`](Graph::view).
    pub fn values_view<V: ValueView>(&self, h: Handle<ViewPorts<V>>) -> (&[bool], &[V::View<'_>])
    where
        for<'a> V::View<'a>: Copy,
    {
        self.check(h);
        core::values_view(&self.engine, h)
    }

    /// Whether a single output leaf notified in the generation that last ran
    /// its node.
    ///
    /// # Panics
    ///
    /// As [`view`](Graph::view).
    pub fn notified<P: Interface<Handles = Handle<P>>>(&self, h: Handle<P>) -> bool {
        self.check(h);
        core::notified(&self.engine, h)
    }

    /// Hands out a source's state and marks it dirty for the next
    /// [`stabilize`](Graph::stabilize). Until then, reads panic.
    ///
    /// # Panics
    ///
    /// If the graph is poisoned or the handle belongs to another graph.
    pub fn state_mut<H: Poke>(&mut self, h: H) -> &mut <H::Source as Segment>::State {
        let h = h.source();
        assert!(
            h.graph == self.id,
            "flowgraph: the handle of source #{} belongs to another graph",
            h.node
        );
        core::state_mut(&mut self.engine, h)
    }

    /// Runs one generation: recomputes exactly the nodes downstream of the
    /// sources poked since the last call, in parallel on `pool` when the work
    /// is coarse enough to repay it.
    ///
    /// # Panics
    ///
    /// Resumes the first panic raised by a compute; the graph is then
    /// poisoned and every later call panics. The pool stays usable.
    pub fn stabilize(&mut self, pool: &mut Pool) {
        // The pool is this thread's context meanwhile, so computes that
        // split their work (`crate::par`) share it with the workers.
        pool.enter(|pool| {
            if self.profiler.is_none() {
                self.engine.stabilize(pool, &Off)
            } else {
                self.stabilize_profiled(pool)
            }
        })
    }

    /// Turns cutoffs on (the default) or off.
    ///
    /// With cutoffs, a generation runs what notifications reach: a node
    /// below a poked source is skipped when every input is quiet (its
    /// producer did not run, or ran without notifying over a by-value
    /// `Port<T>`). Without them, every node below a poked source runs (the
    /// static cone), as a distributed graph does.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::core::Pool;
    /// use flowgraph::typed::*;
    ///
    /// /// Passes a value on without ever notifying.
    /// struct Mute;
    /// impl Segment for Mute {
    ///     type Inputs = Port<i64>;
    ///     type Outputs = Port<i64>;
    ///     type State = ();
    ///     fn init(self) {}
    ///     fn compute<'a, 'b: 'a>((_, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
    ///         (false, x)
    ///     }
    /// }
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(1_i64));
    /// let m = b.push(Mute, *s);
    /// let after = b.push(Mute, m);
    /// let mut g = Graph::from_builder(b);
    /// let mut pool = Pool::new(1);
    /// *g.state_mut(s) = 2;
    /// g.stabilize(&mut pool);
    /// assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 1));
    /// assert_eq!(g.view(after), 1); // skipped: it keeps its output
    ///
    /// g.set_cutoffs(false);
    /// *g.state_mut(s) = 3;
    /// g.stabilize(&mut pool);
    /// assert_eq!(g.stats().last_cone, 3);
    /// assert_eq!(g.view(after), 3);
    /// ```
    pub fn set_cutoffs(&mut self, on: bool) {
        self.engine.set_cutoffs(on)
    }

    #[doc(hidden)]
    /// Turns the parallel scheduler's priority order off (`false`: ready
    /// nodes are queued in the order they became ready, priorities and
    /// critical paths ignored) or back on: the baseline that
    /// `benches/priority.rs` measures priorities against.
    pub fn __set_ranking(&mut self, on: bool) {
        self.engine.set_ranking(on)
    }

    #[doc(hidden)]
    /// `stabilize` without the profiling check, the scheduler always called
    /// with the disabled hook: the baseline `benches/profile.rs` measures
    /// `stabilize` against.
    pub fn __stabilize_no_hook(&mut self, pool: &mut Pool) {
        pool.enter(|pool| self.engine.stabilize(pool, &Off))
    }

    /// The node whose panic poisoned the graph, if any.
    #[cfg(feature = "mpi")]
    pub(crate) fn poisoned_by(&self) -> Option<usize> {
        self.engine.poisoned_by().map(|n| n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::{RefPort, RefSource, Source};

    /// Builder ids are 64 bits: two builders whose ids agree in their low 32
    /// bits are still different graphs (with 32-bit ids, the second would
    /// accept the first one's handles after 2³² builders).
    #[test]
    fn graph_ids_do_not_wrap_at_32_bits() {
        let mut a = GraphBuilder::new();
        let text = a.push_source(RefSource::new(String::from("a")));
        // Only ever move the shared counter forward (tests run in parallel).
        NEXT_GRAPH.fetch_max(a.id + (1 << 32), Ordering::Relaxed);
        let mut b = GraphBuilder::new();
        assert!(b.id >= a.id + (1 << 32));
        b.push_source(Source::new(1_u64));
        let g = Graph::from_builder(b);
        let msg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            g.ref_view::<RefPort<String>>(*text).len()
        }))
        .expect_err("a handle of another graph must be refused");
        let msg = msg.downcast_ref::<String>().expect("a formatted message");
        assert!(msg.contains("belongs to another graph"), "{msg}");
    }
}
