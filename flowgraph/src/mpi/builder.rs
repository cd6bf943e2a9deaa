//! [`DistBuilder`]: every rank records the same graph, placing each node on
//! one rank; this rank builds only its own nodes, and stand-ins for the
//! others'.

use std::sync::Arc;

use crate::core::Wire;
use crate::mpi::cluster::Cluster;
use crate::mpi::edge::{EdgeCtx, Remote};
use crate::typed::{
    Connect, Graph, GraphBuilder, Handle, Interface, NoInputs, Segment, SourceHandle,
};

/// What every rank records about a node.
pub(super) struct Meta {
    pub(super) rank: usize,
    pub(super) name: &'static str,
    pub(super) succs: Vec<u32>,
    /// The nodes it reads.
    pub(super) producers: Vec<u32>,
    /// For a remote edge, its value's type name and size.
    pub(super) value: Option<(&'static str, usize)>,
    /// The producing rank, for a remote edge.
    pub(super) edge_from: Option<usize>,
    pub(super) is_source: bool,
}

/// Re-pokes a receiver of the local graph.
pub(super) type Repoke = Box<dyn Fn(&mut Graph) + Send>;

/// Stands for a node placed on another rank: no state, no inputs, never runs.
struct Elsewhere;

impl Segment for Elsewhere {
    type Inputs = ();
    type Outputs = ();
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(_: (), _: &'b mut (), _: bool) {}
}

/// Records a distributed graph. Every rank must push the same nodes in the
/// same order (SPMD); each node is *placed* on one rank and runs only there.
///
/// Nodes go to the current rank ([`on_rank`](DistBuilder::on_rank) scopes
/// change it; it starts at 0). A node may only read nodes of its own rank;
/// a value crosses ranks through [`remote`](DistBuilder::remote), which
/// needs a serializable value type.
///
/// # Examples
///
/// ```no_run
/// use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
/// use flowgraph::typed::*;
///
/// let cluster = Cluster::init().unwrap();
/// let mut b = DistBuilder::new(&cluster);
/// let s = b.push_source(Source::new(1_i64)); // on rank 0
/// let there = b.remote(*s, 1); // the same value, readable on rank 1
/// let g = DistGraph::from_builder(b);
/// if cluster.rank() == 1 {
///     assert_eq!(g.view(there), 1);
/// }
/// ```
pub struct DistBuilder<'c> {
    pub(super) cluster: &'c Cluster,
    pub(super) inner: GraphBuilder,
    pub(super) gid: u32,
    pub(super) rank: usize,
    pub(super) nodes: Vec<Meta>,
    pub(super) pokes: Vec<(u32, Repoke)>,
}

impl std::fmt::Debug for DistBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistBuilder")
            .field("nodes", &self.nodes.len())
            .field("rank", &self.rank)
            .finish()
    }
}

impl<'c> DistBuilder<'c> {
    /// An empty builder; nodes go to rank 0 until told otherwise.
    ///
    /// # Panics
    ///
    /// If the cluster already made 2³² builders (graph ids never wrap).
    pub fn new(cluster: &'c Cluster) -> Self {
        DistBuilder {
            cluster,
            inner: GraphBuilder::new(),
            gid: cluster.next_graph(),
            rank: 0,
            nodes: Vec::new(),
            pokes: Vec::new(),
        }
    }

    /// The rank new nodes are placed on.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Places the nodes pushed by `f` on `rank`, then restores the current
    /// rank.
    ///
    /// # Panics
    ///
    /// If `rank` is not below the number of ranks.
    pub fn on_rank<R>(&mut self, rank: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.check_rank(rank);
        let saved = std::mem::replace(&mut self.rank, rank);
        let r = f(self);
        self.rank = saved;
        r
    }

    /// The rank node `node` is placed on.
    ///
    /// # Panics
    ///
    /// If there is no such node.
    pub fn placement(&self, node: usize) -> usize {
        self.nodes[node].rank
    }

    fn check_rank(&self, rank: usize) {
        assert!(
            rank < self.cluster.size(),
            "flowgraph: rank {rank} does not exist: the job has {} ranks",
            self.cluster.size()
        );
    }

    fn me(&self) -> usize {
        self.cluster.rank()
    }

    fn describe(&self, node: u32) -> String {
        let m = &self.nodes[node as usize];
        format!("node #{node} (`{}`) on rank {}", m.name, m.rank)
    }

    fn record(&mut self, rank: usize, name: &'static str, producers: &[u32]) -> u32 {
        let id = self.nodes.len() as u32;
        for &p in producers {
            let succs = &mut self.nodes[p as usize].succs;
            if succs.last() != Some(&id) {
                succs.push(id);
            }
        }
        self.nodes.push(Meta {
            rank,
            name,
            succs: Vec::new(),
            producers: producers.to_vec(),
            value: None,
            edge_from: None,
            is_source: false,
        });
        id
    }

    /// Wires `segment` to `inputs` on the current rank and returns its output
    /// handles, as [`GraphBuilder::push`]. On other ranks the segment is
    /// dropped without `init`.
    ///
    /// # Panics
    ///
    /// If an input is placed on another rank (cross with
    /// [`remote`](DistBuilder::remote)), or comes from another builder.
    pub fn push<S, H>(&mut self, segment: S, inputs: H) -> <S::Outputs as Interface>::Handles
    where
        S: Segment + 'static,
        H: Connect<S::Inputs>,
    {
        let mut wires = Vec::with_capacity(S::Inputs::LEAVES);
        inputs.wires(self.inner.id(), &mut wires);
        let mut producers = Vec::new();
        for w in &wires {
            producers.extend(w.producers());
        }
        let id = self.nodes.len() as u32;
        for &p in &producers {
            if self.nodes[p as usize].rank != self.rank {
                panic!(
                    "flowgraph: node #{id} (`{}`) on rank {} reads {}; cross ranks explicitly with `remote(handle, {})`",
                    std::any::type_name::<S>(),
                    self.rank,
                    self.describe(p),
                    self.rank
                );
            }
        }
        let pushed = if self.rank == self.me() {
            self.inner.push_wired(segment, wires)
        } else {
            self.inner.push_wired(Elsewhere, Vec::new())
        };
        let recorded = self.record(self.rank, std::any::type_name::<S>(), &producers);
        debug_assert_eq!((pushed, recorded), (id, id));
        S::Outputs::handles(self.inner.id(), id, 0)
    }

    /// Pushes a source on the current rank, as [`GraphBuilder::push_source`].
    /// Only its owner rank may poke it.
    pub fn push_source<S>(&mut self, source: S) -> SourceHandle<S>
    where
        S: Segment + 'static,
        S::Inputs: NoInputs,
    {
        let id = self.nodes.len() as u32;
        let pushed = if self.rank == self.me() {
            self.inner.push_source(source).node
        } else {
            self.inner.push_wired(Elsewhere, Vec::new())
        };
        let recorded = self.record(self.rank, std::any::type_name::<S>(), &[]);
        debug_assert_eq!((pushed, recorded), (id, id));
        self.nodes[id as usize].is_source = true;
        SourceHandle::new(self.inner.id(), id)
    }

    /// Sends the value of `handle` to rank `to`: returns a handle of the same
    /// port kind, placed on `to`, that nodes there may read (a `RefPort<T>`
    /// reads a buffer owned by `to`). Returns `handle` itself if it already
    /// lives on `to`.
    ///
    /// Each generation whose cone holds the producer sends one message: the
    /// notify flag, and the serialized value only when it notifies (the
    /// receiving side keeps the last value otherwise).
    ///
    /// # Panics
    ///
    /// If `to` is not a rank, or `handle` comes from another builder.
    pub fn remote<P: Remote>(&mut self, handle: Handle<P>, to: usize) -> Handle<P> {
        self.check_rank(to);
        assert!(
            handle.graph == self.inner.id(),
            "flowgraph: the handle of node #{} belongs to another builder",
            handle.node
        );
        let from = self.nodes[handle.node as usize].rank;
        if from == to {
            return handle;
        }
        let id = self.nodes.len() as u32;
        let ctx = EdgeCtx {
            link: Arc::clone(&self.cluster.link),
            graph: self.gid,
            edge: id,
            to,
        };
        let me = self.me();
        let pushed = if me == from {
            let wire = Wire::single(handle.node, handle.leaf);
            self.inner.push_wired(P::sender(ctx), vec![wire])
        } else if me == to {
            let h = self.inner.push_source(P::receiver(ctx, from));
            self.pokes.push((
                id,
                Box::new(move |g: &mut Graph| {
                    g.state_mut(h);
                }),
            ));
            h.node
        } else {
            self.inner.push_wired(Elsewhere, Vec::new())
        };
        let recorded = self.record(to, std::any::type_name::<P::Receiver>(), &[handle.node]);
        debug_assert_eq!((pushed, recorded), (id, id));
        self.nodes[id as usize].edge_from = Some(from);
        self.nodes[id as usize].value = Some(P::value());
        P::handles(self.inner.id(), id, 0)
    }
}
