//! [`Cluster`]: this process's view of the MPI job, and who makes the MPI
//! calls.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use mpi::topology::SimpleCommunicator;

use crate::mpi::comm::{self, Cmd, Link};

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
    pub(super) link: Arc<Link>,
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
    /// [`DistGraph::stabilize`](crate::mpi::DistGraph::stabilize) and drops the cluster; nodes running on pool
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

    /// A new graph's id on the wire. Ids never wrap: two graphs with one id
    /// would read each other's messages.
    pub(super) fn next_graph(&self) -> u32 {
        self.graphs
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1))
            .expect("flowgraph: more than 2^32 distributed graphs built on one cluster")
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
