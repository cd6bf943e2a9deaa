//! [`Cluster`], [`DistBuilder`] and [`DistGraph`]: one graph, built the same
//! way by every rank, run across all of them.
//!
//! # How a generation runs
//!
//! 1. *Agreement.* Each rank owning sources sends the ids of those it poked
//!    to every other rank, and waits for the lists of the other owners. Every
//!    rank then knows the global set of poked sources, and — since every rank
//!    recorded the same topology — the global dirty cone. A rank that owns no
//!    source sends nothing and nobody waits for it, so an owner that depends
//!    on no other rank may run generations ahead (pipelining): its messages
//!    wait in per-edge and per-rank queues, in order. Every 64th generation
//!    every rank takes part, which bounds the lead to 64 generations.
//! 2. *Receivers.* Each rank pokes its receivers whose remote edge lies in the
//!    cone: a receiver is a source to the local engine, so the local cone is
//!    exactly the global cone restricted to this rank's nodes.
//! 3. *Local run.* The local engine runs that cone. A sender hands one
//!    message per generation to MPI (threaded mode: queues it to the
//!    communication thread and returns at once; direct mode: starts the send
//!    inline and returns once it completed, at once for a small message); a
//!    receiver blocks until its message arrives.
//!
//! # Why no rank can deadlock
//!
//! When the local cone holds a receiver, the generation runs on the serial
//! scheduler, which runs nodes in increasing id order on one thread; and ids
//! are the same, topological, push order on every rank. Call a *task* a node
//! run on one rank, ordered by id, a sender before the receiver of the same
//! edge (they share the id). Take the first task that never finishes. Every
//! earlier task on its rank finished, so it is not waiting for the scheduler.
//! It is not an ordinary node, which never waits. In threaded mode a sender
//! never waits either (it only queues its message); the communication threads
//! never block (non-blocking sends, tested while receives are drained), so
//! every queued message is delivered. In direct mode a rank that waits inside
//! the library — for a message or for a send to complete — drains every
//! incoming message meanwhile, so a send completes once its peer waits or
//! reaches the generation (which it must: `stabilize` is collective), and a
//! sender finishes too. So the task is a receiver, whose sender is an earlier
//! task, which finished and sent its message; it is delivered and the
//! receiver finishes: a contradiction. The
//! agreement cannot deadlock either: every rank sends before it waits, and
//! early lists of the next generation wait in per-rank queues.
//!
//! With only senders in the local cone the generation may run on the caller's
//! pool; receivers never run on pool workers, so no worker ever blocks.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use mpi::topology::SimpleCommunicator;

use crate::core::{Pool, Stats, Wire};
use crate::mpi::comm::{self, Cmd, Link, WaitError};
use crate::mpi::edge::{EdgeCtx, Remote};
use crate::typed::{
    Connect, Graph, GraphBuilder, Handle, Interface, RefViewPort, RefViewPorts, Segment,
    SourceHandle, ValueView, ViewPort,
};

/// Every rank takes part in the agreement of every `SYNC_EVERY`-th
/// generation, source owner or not.
const SYNC_EVERY: u64 = 64;

/// How long a rank waits for a message before it gives up by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The MPI job as this process sees it. MPI runs on the thread that created
/// it ([`init`](Cluster::init)) or on a communication thread that it owns
/// ([`init_threaded`](Cluster::init_threaded)).
///
/// Create one per process, before any graph, and keep it alive until every
/// graph is dropped (graphs borrow it). Dropping it performs a shutdown
/// handshake with every rank and finalizes MPI; dropping it while panicking
/// aborts the whole job (`MPI_Abort`) instead, so no other rank waits for this
/// one forever.
pub struct Cluster {
    link: Arc<Link>,
    comm: Option<JoinHandle<()>>,
    graphs: AtomicU32,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .finish()
    }
}

/// Why [`Cluster::init`] failed.
#[derive(Debug, Clone)]
pub struct InitError(String);

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "flowgraph: cannot start MPI: {}", self.0)
    }
}

impl std::error::Error for InitError {}

impl Cluster {
    /// Initializes MPI on the calling thread (thread level `Funneled`), which
    /// then makes every MPI call itself, inline: the *direct* mode, the
    /// fastest. That thread must be the one that calls
    /// [`DistGraph::stabilize`] and drops the cluster; nodes running on pool
    /// workers may still send (their messages leave when the generation ends
    /// on this thread). Messages move only while this thread is inside the
    /// library (`stabilize`, `with_mpi`, the drop).
    ///
    /// # Errors
    ///
    /// If MPI was already initialized in this process.
    pub fn init() -> Result<Cluster, InitError> {
        let link = comm::direct::start(DEFAULT_TIMEOUT).map_err(InitError)?;
        Ok(Cluster {
            link,
            comm: None,
            graphs: AtomicU32::new(0),
        })
    }

    /// Starts a communication thread, which initializes MPI (thread level
    /// `Funneled`: only that thread ever calls MPI) and moves messages in
    /// the background, between `stabilize` calls too. Any thread may then
    /// call `stabilize`; each message costs hand-offs between threads, so a
    /// round trip is slower than with [`init`](Cluster::init).
    ///
    /// # Errors
    ///
    /// If MPI was already initialized in this process, or the thread cannot
    /// be spawned.
    pub fn init_threaded() -> Result<Cluster, InitError> {
        let (link, comm) = comm::start(DEFAULT_TIMEOUT).map_err(InitError)?;
        Ok(Cluster {
            link,
            comm: Some(comm),
            graphs: AtomicU32::new(0),
        })
    }

    /// This process's rank in the world communicator.
    pub fn rank(&self) -> usize {
        self.link.rank
    }

    /// The number of ranks.
    pub fn size(&self) -> usize {
        self.link.size
    }

    /// How long a rank waits for a message (a peer's agreement, a remote
    /// edge's value) before it declares the peer dead and panics. The default
    /// is 60 s.
    pub fn set_timeout(&self, timeout: Duration) {
        self.link.set_timeout(timeout);
    }

    /// Runs `f` with the world communicator on the thread that makes the
    /// MPI calls (the caller in direct mode, the communication thread
    /// otherwise) and returns its result: raw MPI for what graphs do not
    /// cover (e.g. a baseline in a benchmark). `f` must not leave requests
    /// pending.
    ///
    /// # Panics
    ///
    /// In direct mode, if called from another thread than the one that
    /// created the cluster.
    pub fn with_mpi<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&SimpleCommunicator) -> R + Send + 'static,
    {
        if self.link.is_direct() {
            return comm::direct::run(&self.link, f);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.link.send(Cmd::Run(Box::new(move |world| {
            let _ = tx.send(f(world));
        })));
        rx.recv()
            .expect("flowgraph: the communication thread died while running `with_mpi`")
    }

    fn next_graph(&self) -> u32 {
        self.graphs.fetch_add(1, Ordering::Relaxed)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.link.is_direct() {
            if !self.link.on_owner() {
                // MPI can only be finalized or aborted by its thread.
                eprintln!(
                    "flowgraph: a direct-mode cluster was dropped on another thread than the one that created it; aborting"
                );
                std::process::abort();
            }
            if std::thread::panicking() {
                // Peers may be blocked on us; take the whole job down.
                abort_notice(self.rank());
                comm::direct::abort(101);
            }
            comm::direct::shutdown(&self.link);
            return;
        }
        if std::thread::panicking() {
            // Peers may be blocked on us; take the whole job down.
            abort_notice(self.rank());
            self.link.send(Cmd::Abort(101));
        } else {
            self.link.send(Cmd::Shutdown);
        }
        if let Some(comm) = self.comm.take() {
            let _ = comm.join();
        }
    }
}

/// Says why this rank is about to `MPI_Abort` the job: a panic hook may
/// have kept the panic itself quiet.
fn abort_notice(rank: usize) {
    eprintln!(
        "flowgraph: rank {rank}: a panic unwound past the cluster; aborting the MPI job (error code 101)"
    );
}

/// What every rank records about a node.
struct Meta {
    rank: usize,
    name: &'static str,
    succs: Vec<u32>,
    /// The producing rank, for a remote edge.
    edge_from: Option<usize>,
    is_source: bool,
}

/// Re-pokes a receiver of the local graph.
type Poke = Box<dyn Fn(&mut Graph) + Send>;

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
    cluster: &'c Cluster,
    inner: GraphBuilder,
    gid: u32,
    rank: usize,
    nodes: Vec<Meta>,
    pokes: Vec<(u32, Poke)>,
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
        S: Segment<Inputs = ()> + 'static,
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
        P::handles(self.inner.id(), id, 0)
    }
}

/// A graph spanning the ranks of a [`Cluster`]: the distributed counterpart
/// of [`Graph`].
///
/// [`stabilize`](DistGraph::stabilize) is collective: every rank calls it
/// for every generation, in the same order. Reads and pokes are local: a rank
/// reads and pokes only the nodes placed on it.
pub struct DistGraph<'c> {
    cluster: &'c Cluster,
    graph: Graph,
    gid: u32,
    nodes: Vec<Meta>,
    /// Per node: the poke of this rank's receiver of a remote edge.
    pokes: Vec<Option<Poke>>,
    poked: Vec<u32>,
    is_poked: Vec<bool>,
    stamp: Vec<u32>,
    gen: u32,
    queue: Vec<u32>,
    serial: Pool,
    /// The ranks owning at least one source, in order.
    owners: Vec<usize>,
    /// Every rank, in order.
    everyone: Vec<usize>,
    /// Generations run by `stabilize`.
    generation: u64,
    /// Why the last `stabilize` failed, once one did: the graph is then dead
    /// on this rank. Reads consult only this, not the cluster's live poison
    /// flag, so that a poison arriving in the background (from a rank that
    /// failed later) cannot make a read of a generation that completed here
    /// panic depending on timing; the next `stabilize` reports it.
    dead: Option<String>,
}

impl std::fmt::Debug for DistGraph<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistGraph")
            .field("nodes", &self.nodes.len())
            .field("rank", &self.cluster.rank())
            .finish()
    }
}

impl<'c> DistGraph<'c> {
    /// Freezes the topology and runs the build calls of this rank's nodes in
    /// id order (collective: remote edges carry the build-call values).
    ///
    /// # Panics
    ///
    /// Resumes the panic of a build call, on this rank or (as a poison
    /// message) on another.
    pub fn from_builder(b: DistBuilder<'c>) -> DistGraph<'c> {
        let DistBuilder {
            cluster,
            inner,
            gid,
            nodes,
            pokes: list,
            ..
        } = b;
        let n = nodes.len();
        let graph = match catch_unwind(AssertUnwindSafe(|| Graph::from_builder(inner))) {
            // Every rank expects one message per remote edge in the static
            // cone, so nodes are never skipped by a cutoff here.
            Ok(mut g) => {
                g.set_cutoffs(false);
                g
            }
            Err(payload) => {
                if !cluster.link.is_poisoned() {
                    cluster.link.poison(format!(
                        "rank {}: a build call panicked: {}",
                        cluster.rank(),
                        panic_text(&*payload)
                    ));
                }
                resume_unwind(payload)
            }
        };
        cluster.link.flush();
        let mut owners: Vec<usize> = nodes
            .iter()
            .filter(|m| m.is_source)
            .map(|m| m.rank)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let mut pokes: Vec<Option<Poke>> = (0..n).map(|_| None).collect();
        for (id, p) in list {
            pokes[id as usize] = Some(p);
        }
        DistGraph {
            cluster,
            graph,
            gid,
            nodes,
            pokes,
            poked: Vec::new(),
            is_poked: vec![false; n],
            stamp: vec![0; n],
            gen: 0,
            queue: Vec::new(),
            serial: Pool::new(1),
            owners,
            everyone: (0..cluster.size()).collect(),
            generation: 0,
            dead: None,
        }
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.cluster.rank()
    }

    /// The number of nodes (on all ranks).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for a graph without nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The rank node `node` is placed on.
    ///
    /// # Panics
    ///
    /// If there is no such node.
    pub fn placement(&self, node: usize) -> usize {
        self.nodes[node].rank
    }

    /// What this rank's scheduler has done so far (nodes placed elsewhere
    /// never run here).
    pub fn stats(&self) -> Stats {
        self.graph.stats()
    }

    /// Panics if the graph is dead on this rank.
    fn check_alive(&self) {
        if let Some(why) = &self.dead {
            panic!("flowgraph: the distributed graph is poisoned: {why}");
        }
    }

    /// Marks the graph dead on this rank for `why` (a poison reason).
    fn die(&mut self, why: String) {
        if self.dead.is_none() {
            self.dead = Some(why);
        }
    }

    fn check_local(&self, node: u32, what: &str) {
        self.check_alive();
        let m = &self.nodes[node as usize];
        if m.rank != self.rank() {
            panic!(
                "flowgraph: cannot {what} node #{node} (`{}`) on rank {}: it is placed on rank {}; \
                 {what} it there, or send its value here with `remote`",
                m.name,
                self.rank(),
                m.rank
            );
        }
    }

    /// Reads a by-value output of a node placed on this rank.
    ///
    /// # Panics
    ///
    /// If the node is placed on another rank, the graph is poisoned, or a
    /// poke awaits `stabilize`.
    pub fn view<V>(&self, h: Handle<ViewPort<V>>) -> V::View<'_>
    where
        V: ValueView,
        ViewPort<V>: Interface,
        for<'a> V::View<'a>: Copy,
    {
        self.check_local(h.node, "read");
        self.graph.view(h)
    }

    /// Reads a by-reference output of a node placed on this rank.
    ///
    /// # Panics
    ///
    /// As [`view`](DistGraph::view).
    pub fn ref_view<V: ValueView>(&self, h: Handle<RefViewPort<V>>) -> &V::View<'_> {
        self.check_local(h.node, "read");
        self.graph.ref_view(h)
    }

    /// Reads a group output of a node placed on this rank.
    ///
    /// # Panics
    ///
    /// As [`view`](DistGraph::view).
    pub fn group_view<V: ValueView>(
        &self,
        h: Handle<RefViewPorts<V>>,
    ) -> (&[bool], &[&V::View<'_>]) {
        self.check_local(h.node, "read");
        self.graph.group_view(h)
    }

    /// Whether an output leaf of a node placed on this rank notified when
    /// its node last ran.
    ///
    /// # Panics
    ///
    /// As [`view`](DistGraph::view).
    pub fn notified<P: Interface<Handles = Handle<P>>>(&self, h: Handle<P>) -> bool {
        self.check_local(h.node, "read");
        self.graph.notified(h)
    }

    /// Hands out the state of a source placed on this rank and marks it
    /// dirty for the next [`stabilize`](DistGraph::stabilize).
    ///
    /// # Panics
    ///
    /// If the source is placed on another rank (only its owner may poke it),
    /// or the graph is poisoned.
    pub fn state_mut<S: Segment>(&mut self, h: SourceHandle<S>) -> &mut S::State {
        self.check_local(h.node, "poke");
        if !self.is_poked[h.node as usize] {
            self.is_poked[h.node as usize] = true;
            self.poked.push(h.node);
        }
        self.graph.state_mut(h)
    }

    /// Runs one generation on every rank: collective, every rank must call
    /// it. Recomputes exactly the nodes downstream of the sources poked (on
    /// any rank) since the last call; this rank runs the ones placed on it.
    ///
    /// A generation whose local share includes a remote edge's receiving end
    /// runs on one thread, in id order (this is what rules out cross-rank
    /// deadlocks); otherwise it may use `pool` like [`Graph::stabilize`].
    ///
    /// # Panics
    ///
    /// Resumes the first panic of a local compute; panics when a node of
    /// another rank panicked, or a rank stopped answering within the timeout
    /// ([`Cluster::set_timeout`]). The graph is then poisoned on every rank.
    pub fn stabilize(&mut self, pool: &mut Pool) {
        // A poison that arrived since the last generation ends the graph
        // here at once, before any work or message.
        if let Some(why) = self.cluster.link.poison_reason() {
            self.die(why);
        }
        self.check_alive();
        let cluster = self.cluster;
        let link = &cluster.link;
        assert!(
            !link.is_direct() || link.on_owner(),
            "flowgraph: `stabilize` must run on the thread that created the cluster \
             (`Cluster::init`); use `Cluster::init_threaded` to call it from other threads"
        );
        // Only source owners have something to say; everyone speaks every
        // `SYNC_EVERY` generations, which bounds how far an owner runs ahead
        // (and the messages queued for a slower rank), and lets every rank
        // notice a dead peer.
        self.generation += 1;
        let senders = if self.generation % SYNC_EVERY == 0 {
            &self.everyone
        } else {
            &self.owners
        };
        let all = match link.agree(self.gid, &self.poked, senders) {
            Ok(all) => all,
            Err(e) => self.fail(e),
        };
        for &s in &self.poked {
            self.is_poked[s as usize] = false;
        }
        self.poked.clear();
        let receivers = self.mark_cone(&all);
        let pool = if receivers { &mut self.serial } else { pool };
        let graph = &mut self.graph;
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| graph.stabilize(pool))) {
            if !link.is_poisoned() {
                let node = self.graph.poisoned_by().unwrap_or(usize::MAX);
                let name = self.nodes.get(node).map_or("?", |m| m.name);
                link.poison(format!(
                    "rank {} panicked in node #{node} (`{name}`): {}",
                    self.cluster.rank(),
                    panic_text(&*payload)
                ));
            }
            let why = link.poison_reason().unwrap_or_default();
            self.die(why);
            resume_unwind(payload)
        }
        // Messages queued by senders that ran on pool workers.
        link.flush();
    }

    fn fail(&mut self, e: WaitError) -> ! {
        let me = self.cluster.rank();
        if let WaitError::TimedOut(_, ranks) = &e {
            self.cluster
                .link
                .poison(format!("rank {me} timed out waiting for rank(s) {ranks:?}"));
        }
        let why = format!("rank {me}: `stabilize` failed: {e}");
        self.die(why.clone());
        panic!("flowgraph: {why}")
    }

    /// Walks the global cone of `roots`, poking this rank's receivers in it.
    /// Returns true if any was poked.
    fn mark_cone(&mut self, roots: &[u32]) -> bool {
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.gen = 1;
        }
        let gen = self.gen;
        let me = self.cluster.rank();
        let mut any = false;
        self.queue.clear();
        for &s in roots {
            let m = self.nodes.get(s as usize);
            assert!(
                m.is_some_and(|m| m.is_source),
                "flowgraph: rank {me}: another rank poked node #{s}, which is not a source; \
                 every rank must build the same graph"
            );
            if self.stamp[s as usize] != gen {
                self.stamp[s as usize] = gen;
                self.queue.push(s);
            }
        }
        let mut i = 0;
        while i < self.queue.len() {
            let u = self.queue[i] as usize;
            i += 1;
            let m = &self.nodes[u];
            if m.edge_from.is_some() && m.rank == me {
                let poke = self.pokes[u].as_ref().expect("a receiver on its rank");
                poke(&mut self.graph);
                any = true;
            }
            for &v in &self.nodes[u].succs {
                if self.stamp[v as usize] != gen {
                    self.stamp[v as usize] = gen;
                    self.queue.push(v);
                }
            }
        }
        any
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a non-string panic payload)".to_string()
    }
}
