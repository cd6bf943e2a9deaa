//! [`DistGraph`]: one graph, built the same way by every rank, run across
//! all of them.
//!
//! # How a generation runs
//!
//! 1. *Agreement.* Each rank owning sources (a *sender* of lists) sends the
//!    ids of those it poked to the other senders, and waits for their
//!    lists. Every sender then knows the global set of poked sources, and —
//!    since every rank recorded the same topology — the global dirty cone.
//!    The other ranks wait for every sender's list, which reaches them
//!    without a message of its own when it can: it rides along with the
//!    sender's first `DATA` message to them in this generation, if that
//!    message leaves before the sender waits for anything (one of its
//!    senders in the cone has a lower id than all of its receivers in the
//!    cone); otherwise it is sent on its own once the cone is known. A rank
//!    that owns no source sends no list and nobody waits for it, so an owner
//!    that depends on no other rank may run generations ahead (pipelining):
//!    its messages wait in per-edge and per-rank queues, in order. Every
//!    64th generation every rank takes part, which bounds the lead to 64
//!    generations.
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
//! receiver finishes: a contradiction.
//!
//! The agreement cannot deadlock either. Senders of lists send theirs to
//! each other before they wait, and early lists of the next generation wait
//! in per-rank queues. A rank that is no sender waits for each sender's
//! list; a list deferred to ride along with a `DATA` message leaves with the
//! sender's first message to that rank, which the sender's run reaches
//! without waiting: every task before it is an ordinary node or a sender
//! (none waits, as above), since the deferral requires a lower id than every
//! receiver of the sender's cone. On the caller's pool there is no receiver
//! at all, so the run ends, and any list no message took leaves then.
//!
//! With only senders in the local cone the generation may run on the caller's
//! pool; receivers never run on pool workers, so no worker ever blocks.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::core::{Pool, Stats};
use crate::mpi::builder::{DistBuilder, Meta, Repoke};
use crate::mpi::cluster::Cluster;
use crate::mpi::comm::WaitError;
use crate::mpi::fingerprint::{self, Refused};
use crate::typed::{
    Graph, Handle, Interface, Poke, RefViewLeaf, RefViewPorts, Segment, ValueView, ViewLeaf,
};

/// Every rank takes part in the agreement of every `SYNC_EVERY`-th
/// generation, source owner or not.
const SYNC_EVERY: u64 = 64;

/// A graph spanning the ranks of a [`Cluster`]: the distributed counterpart
/// of [`Graph`].
///
/// [`stabilize`](DistGraph::stabilize) is collective: every rank calls it
/// for every generation, in the same order. Reads and pokes are local: a rank
/// reads and pokes only the nodes placed on it.
///
/// # Compile-time checks
///
/// Reads, pokes and sources take the same handles as [`Graph`]'s, through
/// the same sealed traits ([`ViewLeaf`], [`RefViewLeaf`], [`Poke`],
/// [`NoInputs`](crate::typed::NoInputs)), so a handle of the wrong kind fails
/// to compile with the same message. The right calls:
///
/// ```no_run
/// use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
/// use flowgraph::typed::*;
///
/// fn calls(cluster: &Cluster) {
///     let mut b = DistBuilder::new(cluster);
///     let text = b.push_source(RefSource::new(String::new()));
///     let n = b.push_source(Source::new(0_u64));
///     let mut g = DistGraph::from_builder(b);
///     let _: &String = g.ref_view(*text);
///     let _: u64 = g.view(*n);
///     g.state_mut(text).push('x');
/// }
/// ```
///
/// A `RefPort` output read by value ("`view` reads a by-value `Port`
/// output, but this handle names a `RefPort<String>` output"):
///
/// ```compile_fail,E0277
/// # use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
/// # use flowgraph::typed::*;
/// fn calls(cluster: &Cluster) {
///     let mut b = DistBuilder::new(cluster);
///     let text = b.push_source(RefSource::new(String::new()));
///     let g = DistGraph::from_builder(b);
///     let _ = g.view(*text);
/// }
/// ```
///
/// A `Port` output read by reference:
///
/// ```compile_fail,E0277
/// # use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
/// # use flowgraph::typed::*;
/// fn calls(cluster: &Cluster) {
///     let mut b = DistBuilder::new(cluster);
///     let n = b.push_source(Source::new(0_u64));
///     let g = DistGraph::from_builder(b);
///     let _ = g.ref_view(*n);
/// }
/// ```
///
/// A source's output poked instead of the source ("`state_mut` pokes a
/// source, but `Handle<RefPort<String>>` is not a `SourceHandle`"):
///
/// ```compile_fail,E0277
/// # use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
/// # use flowgraph::typed::*;
/// fn calls(cluster: &Cluster) {
///     let mut b = DistBuilder::new(cluster);
///     let text = b.push_source(RefSource::new(String::new()));
///     let mut g = DistGraph::from_builder(b);
///     g.state_mut(*text).push('x');
/// }
/// ```
///
/// A segment with inputs pushed as a source:
///
/// ```compile_fail,E0277
/// # use flowgraph::mpi::{Cluster, DistBuilder};
/// # use flowgraph::typed::*;
/// struct Double;
/// impl Segment for Double {
///     type Inputs = Port<u64>;
///     type Outputs = Port<u64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>((n, x): (bool, u64), _: &'b mut (), _: bool) -> (bool, u64) {
///         (n, 2 * x)
///     }
/// }
/// fn calls(cluster: &Cluster) {
///     let mut b = DistBuilder::new(cluster);
///     let _ = b.push_source(Double);
/// }
/// ```
pub struct DistGraph<'c> {
    cluster: &'c Cluster,
    graph: Graph,
    gid: u32,
    nodes: Vec<Meta>,
    /// Per node: the poke of this rank's receiver of a remote edge.
    pokes: Vec<Option<Repoke>>,
    poked: Vec<u32>,
    is_poked: Vec<bool>,
    stamp: Vec<u32>,
    gen: u32,
    queue: Vec<u32>,
    /// The union of the poked-source lists of this generation.
    all: Vec<u32>,
    /// Per rank, the lowest id of this rank's senders to it in the cone.
    first_send: Vec<Option<u32>>,
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
    /// Checks that every rank recorded the same graph, freezes the topology
    /// and runs the build calls of this rank's nodes in id order
    /// (collective: remote edges carry the build-call values).
    ///
    /// The check compares, before any node runs, each node's segment type,
    /// placement and inputs, and each remote edge's value type and size.
    ///
    /// # Panics
    ///
    /// On every rank, if the ranks recorded different graphs (naming the
    /// first node that differs and the ranks involved), or one of them does
    /// not answer within the timeout. Resumes the panic of a build call, on
    /// this rank or (as a poison message) on another.
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
        match fingerprint::verify(&cluster.link, gid, &nodes) {
            Ok(()) => {}
            Err(Refused::Differs(why)) => panic!(
                "flowgraph: rank {}: the ranks recorded different graphs, none of it runs: {why}",
                cluster.rank()
            ),
            Err(Refused::Wait(e)) => panic!(
                "flowgraph: rank {}: `DistGraph::from_builder` failed while the ranks compared their graphs: {e}",
                cluster.rank()
            ),
        }
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
        let mut pokes: Vec<Option<Repoke>> = (0..n).map(|_| None).collect();
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
            all: Vec::new(),
            first_send: vec![None; cluster.size()],
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

    /// The whole graph (every rank's nodes) in Graphviz DOT: one cluster per
    /// rank, remote edges dashed and labelled with their port type. Every
    /// rank draws the same picture.
    pub fn to_dot(&self) -> String {
        crate::export::dist_dot(self.cluster.size(), &self.drawn())
    }

    /// The whole graph as a Mermaid flowchart, drawn as
    /// [`to_dot`](DistGraph::to_dot) draws it.
    pub fn to_mermaid(&self) -> String {
        crate::export::dist_mermaid(self.cluster.size(), &self.drawn())
    }

    fn drawn(&self) -> Vec<crate::export::model::DistNode<'_>> {
        self.nodes
            .iter()
            .map(|m| crate::export::model::DistNode {
                rank: m.rank,
                name: m.name,
                succs: &m.succs,
                source: m.is_source,
                remote_from: m.edge_from,
            })
            .collect()
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
    pub fn view<P: ViewLeaf>(&self, h: Handle<P>) -> <P::View as ValueView>::View<'_> {
        self.check_local(h.node, "read");
        self.graph.view(h)
    }

    /// Reads a by-reference output of a node placed on this rank.
    ///
    /// # Panics
    ///
    /// As [`view`](DistGraph::view).
    pub fn ref_view<P: RefViewLeaf>(&self, h: Handle<P>) -> &<P::View as ValueView>::View<'_> {
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
    pub fn state_mut<H: Poke>(&mut self, h: H) -> &mut <H::Source as Segment>::State {
        let h = h.source();
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
        if self.cluster.link.is_poisoned() {
            if let Some(why) = self.cluster.link.poison_reason() {
                self.die(why);
            }
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
        let sync = self.generation % SYNC_EVERY == 0;
        let senders: &[usize] = if sync { &self.everyone } else { &self.owners };
        let me = cluster.rank();
        let is_sender = senders.contains(&me);
        let mut all = std::mem::take(&mut self.all);
        let agreed = link.agree(self.gid, &self.poked, senders, &mut all);
        if let Err(e) = agreed {
            self.fail(e)
        }
        let first_receiver = self.mark_cone(&all);
        self.all = all;
        if is_sender && !sync {
            // The ranks that are not senders wait for this rank's list. It
            // rides along with this generation's first message to them when
            // that message leaves before this rank waits for anything (a
            // sender with a lower id than every receiver here; see the
            // module docs); otherwise it leaves now.
            for r in (0..cluster.size()).filter(|r| *r != me && !self.owners.contains(r)) {
                match self.first_send[r] {
                    Some(e) if first_receiver.is_none_or(|f| e < f) => {
                        link.defer(self.gid, &self.poked, r)
                    }
                    _ => link.tell(self.gid, &self.poked, r),
                }
            }
        }
        for &s in &self.poked {
            self.is_poked[s as usize] = false;
        }
        self.poked.clear();
        let pool = if first_receiver.is_some() {
            &mut self.serial
        } else {
            pool
        };
        let graph = &mut self.graph;
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| graph.stabilize(pool))) {
            link.end_deferred(self.gid, false);
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
        // Lists no message took (none when every sender in the cone ran),
        // and messages queued by senders that ran on pool workers.
        link.end_deferred(self.gid, true);
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

    /// Walks the global cone of `roots`, poking this rank's receivers in it,
    /// and notes in `first_send` the lowest id of this rank's senders in it
    /// per destination rank. Returns the lowest id of the receivers poked.
    fn mark_cone(&mut self, roots: &[u32]) -> Option<u32> {
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.gen = 1;
        }
        let gen = self.gen;
        let me = self.cluster.rank();
        let mut first_receiver: Option<u32> = None;
        self.first_send.iter_mut().for_each(|f| *f = None);
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
            let id = u as u32;
            if m.edge_from.is_some() && m.rank == me {
                let poke = self.pokes[u].as_ref().expect("a receiver on its rank");
                poke(&mut self.graph);
                first_receiver = Some(first_receiver.map_or(id, |f| f.min(id)));
            } else if m.edge_from == Some(me) {
                let first = &mut self.first_send[m.rank];
                *first = Some(first.map_or(id, |f| f.min(id)));
            }
            for &v in &self.nodes[u].succs {
                if self.stamp[v as usize] != gen {
                    self.stamp[v as usize] = gen;
                    self.queue.push(v);
                }
            }
        }
        first_receiver
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
