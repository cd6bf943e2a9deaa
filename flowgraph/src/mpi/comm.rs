//! The [`Link`] through which nodes send and receive, and the two ways MPI
//! runs behind it.
//!
//! Open MPI handles are not `Send`, so exactly one thread initializes MPI
//! (`Funneled`), makes every MPI call and finalizes it:
//! - *direct* (`Cluster::init`, module [`direct`]): the thread that created
//!   the cluster, inline — the one that runs `stabilize`, its agreement and
//!   its serial generations; pool workers only queue messages, which that
//!   thread sends when it next polls;
//! - *threaded* (`Cluster::init_threaded`): a communication thread spawned
//!   for it; other threads (the caller, pool workers running sender and
//!   receiver nodes) queue [`Cmd`]s and wait on the inbox.
//!
//! The communication thread never blocks inside MPI: sends are `MPI_Isend` requests that it
//! tests while it keeps probing for incoming messages (a blocking send that
//! does not drain receives can deadlock two ranks sending to each other at
//! once). Send buffers live in a bump arena that outlives each request scope;
//! the arena is reset whenever no send is in flight and it grew large.
//!
//! What goes over the wire is in [`wire`](super::wire).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, Thread, ThreadId};
use std::time::{Duration, Instant};

use bumpalo::Bump;
use mpi::request::{LocalScope, Request};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::{Destination, MatchedReceiveVec, Source};
use mpi::Threading;

use crate::mpi::wire::{self, Msg};

/// A closure run on the communication thread with the world communicator.
pub(crate) type CommFn = Box<dyn FnOnce(&SimpleCommunicator) + Send>;

/// Work for the communication thread.
pub(crate) enum Cmd {
    /// Send `bytes` to rank `to`.
    Send { to: usize, bytes: Vec<u8> },
    /// Send `bytes` to every other rank.
    Broadcast(Vec<u8>),
    /// Run a closure with MPI (raw baselines in benchmarks).
    Run(CommFn),
    /// Say `BYE`, wait for everyone's, finalize.
    Shutdown,
    /// `MPI_Abort` the whole job.
    Abort(i32),
}

/// One message of a remote edge: its notify flag and, when a value was sent,
/// the whole message (the postcard value starts at `wire::DATA_HEADER`).
pub(crate) struct Data {
    pub(crate) notify: bool,
    pub(crate) payload: Option<Vec<u8>>,
}

#[derive(Default)]
struct Inbox {
    /// Per `(graph, edge)`, the messages not yet consumed, in order.
    data: HashMap<(u32, u32), VecDeque<Data>>,
    /// Per `(graph, rank)`, the poked-source lists not yet consumed.
    agree: HashMap<(u32, usize), VecDeque<Vec<u32>>>,
    /// Why the job is poisoned, once it is.
    poison: Option<String>,
    /// Set when the communication thread is gone.
    closed: bool,
    /// Threads asleep on `Link::arrived`.
    sleepers: usize,
    /// Ranks that said `BYE`: they will send nothing more.
    gone: Vec<usize>,
}

impl Inbox {
    /// How a wait that began at `start` ends now: with what `take` finds,
    /// or with why nothing will come from the ranks `from` names; `None` to
    /// keep waiting.
    fn settle<R>(
        &mut self,
        start: Instant,
        timeout: Duration,
        from: &impl Fn(&Inbox) -> Vec<usize>,
        take: &mut impl FnMut(&mut Inbox) -> Option<R>,
    ) -> Option<Result<R, WaitError>> {
        if let Some(r) = take(self) {
            return Some(Ok(r));
        }
        if let Some(why) = &self.poison {
            return Some(Err(WaitError::Poisoned(why.clone())));
        }
        if self.closed {
            return Some(Err(WaitError::Closed));
        }
        if !self.gone.is_empty() {
            if let Some(r) = from(self).into_iter().find(|r| self.gone.contains(r)) {
                return Some(Err(WaitError::Gone(r)));
            }
        }
        if start.elapsed() >= timeout {
            return Some(Err(WaitError::TimedOut(timeout, from(self))));
        }
        None
    }
}

/// What threads share with the communication thread.
pub(crate) struct Link {
    pub(crate) rank: usize,
    pub(crate) size: usize,
    cmds: Mutex<Vec<Cmd>>,
    driver: Driver,
    inbox: Mutex<Inbox>,
    arrived: Condvar,
    /// Threads currently waiting for a message: keeps the comm thread polling.
    waiters: AtomicUsize,
    /// Mirror of `inbox.poison.is_some()`, for cheap checks.
    poisoned: AtomicBool,
    timeout_ns: AtomicU64,
}

/// Who makes the MPI calls.
enum Driver {
    /// The communication thread: others queue commands and wake it.
    Thread(Thread),
    /// The thread that created the cluster, inline (see [`direct`]).
    Direct(ThreadId),
}

/// Why a wait ended without its message.
pub(crate) enum WaitError {
    /// A node panicked somewhere in the job.
    Poisoned(String),
    /// Nothing arrived within the timeout from the ranks listed.
    TimedOut(Duration, Vec<usize>),
    /// The communication thread is gone.
    Closed,
    /// A rank we wait for shut down its cluster.
    Gone(usize),
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::Poisoned(why) => write!(f, "the distributed graph is poisoned: {why}"),
            WaitError::TimedOut(t, ranks) => write!(
                f,
                "no message from rank(s) {ranks:?} within {t:?}; they may have died or stopped calling `stabilize`"
            ),
            WaitError::Closed => f.write_str("the cluster was shut down"),
            WaitError::Gone(r) => write!(
                f,
                "rank {r} shut down its cluster; every rank must call `stabilize` equally often"
            ),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The communication thread polls without sleeping for this long after its
/// last activity while someone waits.
const POLL: Duration = Duration::from_micros(200);

impl Link {
    fn new(world: &SimpleCommunicator, driver: Driver, timeout: Duration) -> Arc<Link> {
        let link = Link {
            rank: world.rank() as usize,
            size: world.size() as usize,
            cmds: Mutex::new(Vec::new()),
            driver,
            inbox: Mutex::new(Inbox::default()),
            arrived: Condvar::new(),
            waiters: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
            timeout_ns: AtomicU64::new(0),
        };
        link.set_timeout(timeout);
        Arc::new(link)
    }

    pub(crate) fn send(&self, cmd: Cmd) {
        lock(&self.cmds).push(cmd);
        match &self.driver {
            Driver::Thread(comm) => comm.unpark(),
            // Other threads (pool workers running senders) leave the message
            // queued: the owner sends it at its next wait or at the end of
            // `stabilize`.
            Driver::Direct(owner) if *owner == thread::current().id() => direct::flush(self),
            Driver::Direct(_) => {}
        }
    }

    /// Whether MPI runs inline on the thread that created the cluster.
    pub(crate) fn is_direct(&self) -> bool {
        matches!(self.driver, Driver::Direct(_))
    }

    /// In direct mode, whether the calling thread may make MPI calls.
    pub(crate) fn on_owner(&self) -> bool {
        match &self.driver {
            Driver::Thread(_) => false,
            Driver::Direct(owner) => *owner == thread::current().id(),
        }
    }

    /// In direct mode on the owner thread: sends what other threads queued.
    pub(crate) fn flush(&self) {
        if self.on_owner() {
            direct::flush(self);
        }
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_nanos(self.timeout_ns.load(Ordering::Relaxed))
    }

    pub(crate) fn set_timeout(&self, t: Duration) {
        let ns = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
        self.timeout_ns.store(ns, Ordering::Relaxed);
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    pub(crate) fn poison_reason(&self) -> Option<String> {
        lock(&self.inbox).poison.clone()
    }

    /// Records a local panic and tells every other rank.
    pub(crate) fn poison(&self, why: String) {
        {
            let mut inbox = lock(&self.inbox);
            if inbox.poison.is_some() {
                return;
            }
            inbox.poison = Some(why.clone());
            self.poisoned.store(true, Ordering::Release);
        }
        self.arrived.notify_all();
        self.send(Cmd::Broadcast(wire::poison(&why)));
    }

    /// Waits until `take` finds what it needs in the inbox.
    fn wait<R>(
        &self,
        from: impl Fn(&Inbox) -> Vec<usize>,
        mut take: impl FnMut(&mut Inbox) -> Option<R>,
    ) -> Result<R, WaitError> {
        let start = Instant::now();
        let timeout = self.timeout();
        let comm = match &self.driver {
            Driver::Thread(comm) => comm,
            Driver::Direct(_) => return direct::wait(self, start, timeout, from, take),
        };
        self.waiters.fetch_add(1, Ordering::AcqRel);
        comm.unpark();
        let _done = Decrement(&self.waiters);
        let mut inbox = lock(&self.inbox);
        loop {
            if let Some(end) = inbox.settle(start, timeout, &from, &mut take) {
                return end;
            }
            // Sleep at once rather than spin: on a loaded machine a spinning
            // (yielding) waiter hands its core to other work for a whole
            // scheduler slice, milliseconds; measured, spinning made 64 KiB
            // round trips ~80x slower and small ones no faster.
            let slice = timeout
                .saturating_sub(start.elapsed())
                .min(Duration::from_millis(50));
            inbox.sleepers += 1;
            inbox = self
                .arrived
                .wait_timeout(inbox, slice)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            inbox.sleepers -= 1;
        }
    }

    /// The next message of remote edge `edge` of graph `graph`.
    pub(crate) fn recv_data(&self, graph: u32, edge: u32, from: usize) -> Result<Data, WaitError> {
        self.wait(
            |_| vec![from],
            |inbox| inbox.data.get_mut(&(graph, edge))?.pop_front(),
        )
    }

    /// Exchanges poked-source lists among `senders` (ranks in order): sends
    /// this rank's list to every other rank if it is a sender, waits for the
    /// lists of the other senders, and returns the union.
    pub(crate) fn agree(
        &self,
        graph: u32,
        mine: &[u32],
        senders: &[usize],
    ) -> Result<Vec<u32>, WaitError> {
        let rank = self.rank;
        if self.size > 1 && senders.contains(&rank) {
            self.send(Cmd::Broadcast(wire::agree(graph, mine)));
        }
        let others: Vec<usize> = senders.iter().copied().filter(|&r| r != rank).collect();
        let mut all = mine.to_vec();
        if others.is_empty() {
            return Ok(all);
        }
        let missing = |inbox: &Inbox| -> Vec<usize> {
            others
                .iter()
                .copied()
                .filter(|&r| inbox.agree.get(&(graph, r)).is_none_or(|q| q.is_empty()))
                .collect()
        };
        self.wait(missing, |inbox| {
            if !missing(inbox).is_empty() {
                return None;
            }
            for &r in &others {
                let q = inbox.agree.get_mut(&(graph, r)).expect("checked above");
                all.extend(q.pop_front().expect("checked above"));
            }
            Some(std::mem::take(&mut all))
        })
    }

    /// Files one incoming message. A malformed one poisons this rank: the
    /// peer runs another build of the program.
    fn deliver(&self, from: usize, bytes: Vec<u8>) {
        let msg = wire::parse(bytes);
        let mut inbox = lock(&self.inbox);
        let poison = |inbox: &mut Inbox, why: String| {
            if inbox.poison.is_none() {
                inbox.poison = Some(why);
                self.poisoned.store(true, Ordering::Release);
            }
        };
        match msg {
            Ok(Msg::Data {
                graph,
                edge,
                notify,
                payload,
            }) => {
                let q = inbox.data.entry((graph, edge)).or_default();
                q.push_back(Data { notify, payload });
            }
            Ok(Msg::Agree { graph, ids }) => {
                inbox.agree.entry((graph, from)).or_default().push_back(ids);
            }
            Ok(Msg::Poison(why)) => poison(&mut inbox, why),
            Ok(Msg::Bye(why)) => {
                inbox.gone.push(from);
                if let Some(why) = why {
                    poison(&mut inbox, why);
                }
            }
            Err(e) => {
                let why = format!(
                    "rank {} received {e} from rank {from}; every rank must run the same program",
                    self.rank
                );
                poison(&mut inbox, why);
            }
        }
        // No wake-up call (a system call) when nobody sleeps.
        let sleepers = inbox.sleepers > 0;
        drop(inbox);
        if sleepers {
            self.arrived.notify_all();
        }
    }

    /// This rank's `BYE`, with its poison reason if it has one.
    fn bye(&self) -> Vec<u8> {
        wire::bye(lock(&self.inbox).poison.as_deref())
    }

    /// Whether every other rank said `BYE`.
    fn all_gone(&self) -> bool {
        lock(&self.inbox).gone.len() + 1 >= self.size
    }

    fn close(&self) {
        lock(&self.inbox).closed = true;
        self.arrived.notify_all();
    }
}

struct Decrement<'a>(&'a AtomicUsize);
impl Drop for Decrement<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Starts the communication thread, which initializes MPI.
pub(crate) fn start(timeout: Duration) -> Result<(Arc<Link>, thread::JoinHandle<()>), String> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let handle = thread::Builder::new()
        .name("flowgraph-mpi".into())
        .spawn(move || {
            let Some((universe, _)) = mpi::initialize_with_threading(Threading::Funneled) else {
                let _ = tx.send(Err("MPI is already initialized in this process".to_string()));
                return;
            };
            let world = universe.world();
            // Graph traffic gets a communicator of its own, so it can never
            // match the messages of raw MPI run through `Cluster::with_mpi`.
            let ours = world.duplicate();
            let link = Link::new(&world, Driver::Thread(thread::current()), timeout);
            if tx.send(Ok(Arc::clone(&link))).is_err() {
                return;
            }
            run(&world, &ours, &link);
            drop(ours);
            link.close();
            // `universe` drops here, on this thread: MPI_Finalize.
        })
        .map_err(|e| format!("cannot spawn the communication thread: {e}"))?;
    match rx.recv() {
        Ok(Ok(link)) => Ok((link, handle)),
        Ok(Err(e)) => {
            let _ = handle.join();
            Err(e)
        }
        Err(_) => Err("the communication thread died while initializing MPI".to_string()),
    }
}

/// Receives every message already arrived on `comm`; returns true if any.
fn drain(comm: &SimpleCommunicator, link: &Link) -> bool {
    let mut any = false;
    while let Some(probed) = comm.any_process().immediate_matched_probe() {
        any = true;
        let (bytes, status) = probed.matched_receive_vec::<u8>();
        link.deliver(status.source_rank() as usize, bytes);
    }
    any
}

/// The communication loop, until every rank said `BYE`.
fn run(world: &SimpleCommunicator, ours: &SimpleCommunicator, link: &Link) {
    let mut arena = Bump::new();
    // When this rank said `BYE`.
    let mut shutdown = None;
    loop {
        let finished =
            mpi::request::scope(|scope| epoch((ours, world), link, scope, &arena, &mut shutdown));
        if finished {
            return;
        }
        arena.reset();
    }
}

/// Runs until no send is in flight and the arena grew large (returns false),
/// or the shutdown handshake completed (returns true).
/// `world` carries graph traffic; `raw` is the world communicator, for
/// `Cmd::Run` and aborts.
fn epoch<'a>(
    (world, raw): (&SimpleCommunicator, &SimpleCommunicator),
    link: &Link,
    scope: &LocalScope<'a>,
    arena: &'a Bump,
    shutdown: &mut Option<Instant>,
) -> bool {
    let mut pending: Vec<Request<'a, [u8], &LocalScope<'a>>> = Vec::new();
    let mut still: Vec<Request<'a, [u8], &LocalScope<'a>>> = Vec::new();
    let mut cmds = Vec::new();
    let mut idle = Duration::from_micros(5);
    let mut last_busy = Instant::now();
    let others = (0..world.size()).filter(|&r| r != world.rank());
    loop {
        let mut busy = false;
        std::mem::swap(&mut cmds, &mut *lock(&link.cmds));
        for cmd in cmds.drain(..) {
            busy = true;
            match cmd {
                Cmd::Send { to, bytes } => {
                    let buf: &'a [u8] = arena.alloc_slice_copy(&bytes);
                    pending.push(world.process_at_rank(to as i32).immediate_send(scope, buf));
                }
                Cmd::Broadcast(bytes) => {
                    let buf: &'a [u8] = arena.alloc_slice_copy(&bytes);
                    for r in others.clone() {
                        pending.push(world.process_at_rank(r).immediate_send(scope, buf));
                    }
                }
                Cmd::Run(f) => f(raw),
                Cmd::Shutdown => {
                    if shutdown.is_none() {
                        *shutdown = Some(Instant::now());
                        let buf: &'a [u8] = arena.alloc_slice_copy(&link.bye());
                        for r in others.clone() {
                            pending.push(world.process_at_rank(r).immediate_send(scope, buf));
                        }
                    }
                }
                Cmd::Abort(code) => raw.abort(code),
            }
        }
        for req in pending.drain(..) {
            if let Err(req) = req.test() {
                still.push(req);
            }
        }
        std::mem::swap(&mut pending, &mut still);
        busy |= drain(world, link);
        if let Some(since) = *shutdown {
            if pending.is_empty() && link.all_gone() {
                return true;
            }
            if since.elapsed() > link.timeout() {
                // A peer never said goodbye: it died or hangs. Take the job down
                // rather than wait forever.
                eprintln!(
                    "flowgraph: rank {}: no shutdown handshake from every rank within {:?}; aborting",
                    link.rank,
                    link.timeout()
                );
                raw.abort(3);
            }
        }
        if pending.is_empty() && arena.allocated_bytes() > (1 << 20) {
            return false;
        }
        if busy {
            last_busy = Instant::now();
            idle = Duration::from_micros(5);
        }
        if last_busy.elapsed() < POLL {
            // Just active: more traffic usually follows within microseconds
            // (the rest of a generation), and a parked thread takes much
            // longer than that to wake.
            thread::yield_now();
        } else if !pending.is_empty() || link.waiters.load(Ordering::Acquire) > 0 {
            // Someone waits, but nothing moved for a while: poll in short
            // naps, so that on a loaded machine the threads doing the work
            // keep a core.
            thread::park_timeout(Duration::from_micros(20));
        } else {
            // Nobody waits for anything: back off, but stay responsive to
            // unsolicited messages (a peer's agreement or poison).
            thread::park_timeout(idle);
            idle = (idle * 2).min(Duration::from_millis(1));
        }
    }
}

/// Direct mode: MPI initialized, called and finalized by the thread that
/// created the cluster, inline — no hand-off to another thread on the path of
/// a message.
///
/// The MPI handles live in a thread-local of that thread (they are not
/// `Send`). Nothing MPI outlives one call: a send starts its `MPI_Isend`s in
/// a request scope and returns once they completed, draining every incoming
/// message into the inbox meanwhile; a wait drains incoming messages until
/// the one it needs is there. So every rank that waits (for a message or for
/// a send to complete) receives whatever is sent to it, which is what the
/// no-deadlock argument needs of the communication thread in threaded mode;
/// a send blocks only until its peer, which must reach the same generation,
/// drains it (at once for small, eager messages).
pub(crate) mod direct {
    use super::*;
    use mpi::environment::Universe;

    /// This thread's MPI, once a direct cluster initialized it.
    struct Mpi {
        /// Graph traffic, apart from raw MPI on `world`.
        ours: SimpleCommunicator,
        world: SimpleCommunicator,
        /// Dropped last: `MPI_Finalize`.
        _universe: Universe,
    }

    thread_local! {
        static MPI: RefCell<Option<Mpi>> = const { RefCell::new(None) };
    }

    fn with<R>(f: impl FnOnce(&Mpi) -> R) -> R {
        MPI.with(|m| {
            let m = m.borrow();
            f(m.as_ref()
                .expect("flowgraph: MPI is not initialized on this thread"))
        })
    }

    /// Initializes MPI on the calling thread.
    pub(crate) fn start(timeout: Duration) -> Result<Arc<Link>, String> {
        let Some((universe, _)) = mpi::initialize_with_threading(Threading::Funneled) else {
            return Err("MPI is already initialized in this process".to_string());
        };
        let world = universe.world();
        // Graph traffic gets a communicator of its own, so it can never
        // match the messages of raw MPI run through `Cluster::with_mpi`.
        let ours = world.duplicate();
        let link = Link::new(&world, Driver::Direct(thread::current().id()), timeout);
        MPI.with(|m| {
            *m.borrow_mut() = Some(Mpi {
                ours,
                world,
                _universe: universe,
            })
        });
        Ok(link)
    }

    /// Pauses a polling loop idle for `idle`: spins first (a message usually
    /// follows within microseconds, faster than a sleeping thread wakes),
    /// then yields the core, then naps, so that an oversubscribed machine
    /// still runs the other ranks.
    fn pause(idle: Duration) {
        if idle < Duration::from_micros(100) {
            std::hint::spin_loop();
        } else if idle < Duration::from_millis(10) {
            thread::yield_now();
        } else {
            thread::sleep(Duration::from_micros(100));
        }
    }

    /// Sends every queued message and returns once all were delivered to
    /// MPI's peers, draining incoming messages meanwhile.
    pub(super) fn flush(link: &Link) {
        let cmds = std::mem::take(&mut *lock(&link.cmds));
        if cmds.is_empty() {
            return;
        }
        // Per message, its one destination, or `None` for every other rank:
        // a broadcast's ranks all send from one buffer.
        let mut msgs: Vec<(Option<usize>, Vec<u8>)> = Vec::new();
        for cmd in cmds {
            match cmd {
                Cmd::Send { to, bytes } => msgs.push((Some(to), bytes)),
                Cmd::Broadcast(bytes) => msgs.push((None, bytes)),
                Cmd::Run(f) => with(|m| f(&m.world)),
                Cmd::Shutdown | Cmd::Abort(_) => {
                    unreachable!("direct clusters shut down and abort inline")
                }
            }
        }
        with(|m| {
            mpi::request::scope(|scope| {
                let others = (0..link.size).filter(|&r| r != link.rank);
                let mut pending: Vec<Request<'_, [u8], _>> = msgs
                    .iter()
                    .flat_map(|(to, bytes)| {
                        let ranks = to.iter().copied();
                        let ranks =
                            ranks.chain(to.is_none().then(|| others.clone()).into_iter().flatten());
                        ranks.map(move |r| {
                            m.ours
                                .process_at_rank(r as i32)
                                .immediate_send(scope, &bytes[..])
                        })
                    })
                    .collect();
                let start = Instant::now();
                let mut last = start;
                loop {
                    pending = pending.into_iter().filter_map(|r| r.test().err()).collect();
                    if pending.is_empty() {
                        return;
                    }
                    if drain(&m.ours, link) {
                        last = Instant::now();
                    }
                    if start.elapsed() > link.timeout() {
                        // The peer never took the message: it died or hangs.
                        // The request cannot be abandoned; take the job down.
                        eprintln!(
                            "flowgraph: rank {}: a send did not complete within {:?}; aborting",
                            link.rank,
                            link.timeout()
                        );
                        m.world.abort(3);
                    }
                    pause(last.elapsed());
                }
            })
        });
    }

    /// `Link::wait` in direct mode: polls MPI until `take` succeeds.
    pub(super) fn wait<R>(
        link: &Link,
        start: Instant,
        timeout: Duration,
        from: impl Fn(&Inbox) -> Vec<usize>,
        mut take: impl FnMut(&mut Inbox) -> Option<R>,
    ) -> Result<R, WaitError> {
        assert!(
            link.on_owner(),
            "flowgraph: a direct-mode cluster is used from a thread other than the one that created it"
        );
        let mut last = Instant::now();
        loop {
            flush(link);
            if let Some(end) = lock(&link.inbox).settle(start, timeout, &from, &mut take) {
                return end;
            }
            if with(|m| drain(&m.ours, link)) {
                last = Instant::now();
                continue;
            }
            pause(last.elapsed());
        }
    }

    /// Runs `f` with the world communicator, on the owner thread.
    pub(crate) fn run<R>(link: &Link, f: impl FnOnce(&SimpleCommunicator) -> R) -> R {
        assert!(
            link.on_owner(),
            "flowgraph: `with_mpi` on a direct-mode cluster must run on the thread that created it"
        );
        link.flush();
        with(|m| f(&m.world))
    }

    /// `MPI_Abort`s the job (from the owner thread).
    pub(crate) fn abort(code: i32) -> ! {
        with(|m| m.world.abort(code))
    }

    /// Says `BYE` to every rank, waits for everyone's (draining), then
    /// finalizes MPI.
    pub(crate) fn shutdown(link: &Link) {
        link.send(Cmd::Broadcast(link.bye()));
        let start = Instant::now();
        let mut last = start;
        loop {
            flush(link);
            if link.all_gone() {
                break;
            }
            if with(|m| drain(&m.ours, link)) {
                last = Instant::now();
                continue;
            }
            if start.elapsed() > link.timeout() {
                eprintln!(
                    "flowgraph: rank {}: no shutdown handshake from every rank within {:?}; aborting",
                    link.rank,
                    link.timeout()
                );
                abort(3);
            }
            pause(last.elapsed());
        }
        link.close();
        // Dropping `ours`, then the universe: `MPI_Finalize`.
        let m = MPI.with(|m| m.borrow_mut().take());
        drop(m);
    }
}
