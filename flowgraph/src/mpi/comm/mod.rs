//! The [`Link`] through which nodes send and receive, and the two ways MPI
//! runs behind it.
//!
//! Open MPI handles are not `Send`, so exactly one thread initializes MPI
//! (`Funneled`), makes every MPI call and finalizes it:
//! - *direct* (`Cluster::init`, module [`direct`]): the thread that created
//!   the cluster, inline — the one that runs `stabilize`, its agreement and
//!   its serial generations; pool workers only queue messages, which that
//!   thread sends when it next polls;
//! - *threaded* (`Cluster::init_threaded`, module [`threaded`]): a
//!   communication thread spawned for it; other threads (the caller, pool
//!   workers running sender and receiver nodes) queue [`Cmd`]s and wait on
//!   the inbox.
//!
//! What goes over the wire is in [`super::wire`].

pub(crate) mod direct;
mod threaded;

pub(crate) use threaded::start;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, Thread, ThreadId};
use std::time::{Duration, Instant};

use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::{Equivalence, Source};

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
/// the whole message and where the postcard value starts in it.
pub(crate) struct Data {
    pub(crate) notify: bool,
    pub(crate) payload: Option<(Vec<u8>, usize)>,
}

/// Message buffers kept for reuse, at most this many.
const SPARE_BUFFERS: usize = 16;

/// Hashes the inbox's small integer keys with one multiply per word, not
/// SipHash: lookups happen on every poll of a wait.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Default)]
struct Inbox {
    /// Per `(graph, edge)`, the messages not yet consumed, in order.
    data: IdMap<(u32, u32), VecDeque<Data>>,
    /// Per `(graph, rank)`, the poked-source lists not yet consumed.
    agree: IdMap<(u32, usize), VecDeque<Vec<u32>>>,
    /// Per `(graph, rank)`, the build-time check message received.
    check: IdMap<(u32, usize), Vec<u8>>,
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
        (start, now): (Instant, Instant),
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
        if now.duration_since(start) >= timeout {
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
    /// Whether `cmds` may be non-empty: lets the direct-mode owner skip the
    /// lock while it polls. Set and cleared under the lock.
    has_cmds: AtomicBool,
    driver: Driver,
    inbox: Mutex<Inbox>,
    arrived: Condvar,
    /// Threads currently waiting for a message: keeps the comm thread polling.
    waiters: AtomicUsize,
    /// Mirror of `inbox.poison.is_some()`, for cheap checks.
    poisoned: AtomicBool,
    timeout_ns: AtomicU64,
    /// Poked-source lists waiting to ride along with the first `DATA` message
    /// of this generation to their rank: `(graph, rank, ids)`.
    deferred: Mutex<Vec<(u32, usize, Vec<u32>)>>,
    /// `deferred.len()`, so that senders skip the lock when it is empty.
    n_deferred: AtomicUsize,
    /// Message buffers, sent or received, for the next message.
    spare: Mutex<Vec<Vec<u8>>>,
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
            has_cmds: AtomicBool::new(false),
            driver,
            inbox: Mutex::new(Inbox::default()),
            arrived: Condvar::new(),
            waiters: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
            timeout_ns: AtomicU64::new(0),
            deferred: Mutex::new(Vec::new()),
            n_deferred: AtomicUsize::new(0),
            spare: Mutex::new(Vec::new()),
        };
        link.set_timeout(timeout);
        Arc::new(link)
    }

    pub(crate) fn send(&self, cmd: Cmd) {
        let cmd = match (cmd, &self.driver) {
            // The owner sends at once, without the queue, when nothing is
            // queued before it (the common case: one message per sender).
            (Cmd::Send { to, bytes }, Driver::Direct(owner))
                if !self.has_cmds.load(Ordering::Acquire) && *owner == thread::current().id() =>
            {
                return direct::send_now(self, to, bytes);
            }
            (cmd, _) => cmd,
        };
        {
            let mut cmds = lock(&self.cmds);
            cmds.push(cmd);
            self.has_cmds.store(true, Ordering::Release);
        }
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
            if let Some(end) = inbox.settle((start, Instant::now()), timeout, &from, &mut take) {
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

    /// Sends a build-time check message about `graph` to rank `to`.
    pub(crate) fn send_check(&self, graph: u32, to: usize, body: &[u8]) {
        self.send(Cmd::Send {
            to,
            bytes: wire::check(graph, body),
        });
    }

    /// The build-time check message about `graph` from rank `from`.
    pub(crate) fn recv_check(&self, graph: u32, from: usize) -> Result<Vec<u8>, WaitError> {
        self.wait(|_| vec![from], |inbox| inbox.check.remove(&(graph, from)))
    }

    /// Exchanges poked-source lists among `senders` (ranks in order): sends
    /// this rank's list to the other senders if it is one (the ranks outside
    /// `senders` get it later, from [`tell`](Link::tell) or
    /// [`defer`](Link::defer)), waits for the lists of the other senders,
    /// and extends `all` with every list, its own first.
    pub(crate) fn agree(
        &self,
        graph: u32,
        mine: &[u32],
        senders: &[usize],
        all: &mut Vec<u32>,
    ) -> Result<(), WaitError> {
        let rank = self.rank;
        all.clear();
        all.extend_from_slice(mine);
        let others = || senders.iter().copied().filter(move |&r| r != rank);
        if others().next().is_none() {
            return Ok(());
        }
        let is_sender = senders.contains(&rank);
        if is_sender && senders.len() == self.size {
            self.send(Cmd::Broadcast(wire::agree(graph, mine)));
        } else if is_sender {
            for &to in senders.iter().filter(|&&r| r != rank) {
                self.tell(graph, mine, to);
            }
        }
        let has =
            |inbox: &Inbox, r: usize| inbox.agree.get(&(graph, r)).is_some_and(|q| !q.is_empty());
        let missing =
            |inbox: &Inbox| -> Vec<usize> { others().filter(|&r| !has(inbox, r)).collect() };
        self.wait(missing, |inbox| {
            if !others().all(|r| has(inbox, r)) {
                return None;
            }
            for r in others() {
                let q = inbox.agree.get_mut(&(graph, r)).expect("checked above");
                all.extend(q.pop_front().expect("checked above"));
            }
            Some(())
        })
    }

    /// Sends this rank's poked-source list for `graph` to rank `to` now.
    pub(crate) fn tell(&self, graph: u32, mine: &[u32], to: usize) {
        self.send(Cmd::Send {
            to,
            bytes: wire::agree(graph, mine),
        });
    }

    /// Keeps this rank's poked-source list for `graph` until the first
    /// `DATA` message to `to` of this generation, which carries it
    /// ([`take_deferred`](Link::take_deferred)).
    pub(crate) fn defer(&self, graph: u32, mine: &[u32], to: usize) {
        lock(&self.deferred).push((graph, to, mine.to_vec()));
        self.n_deferred.fetch_add(1, Ordering::Release);
    }

    /// The deferred list for `(graph, to)`, if any, for a `DATA` message.
    pub(crate) fn take_deferred(&self, graph: u32, to: usize) -> Option<Vec<u32>> {
        if self.n_deferred.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut deferred = lock(&self.deferred);
        let i = deferred.iter().position(|d| (d.0, d.1) == (graph, to))?;
        self.n_deferred.fetch_sub(1, Ordering::Release);
        Some(deferred.swap_remove(i).2)
    }

    /// Ends the deferral of `graph`'s lists: sends those no `DATA` message
    /// took (`send`), or drops them.
    pub(crate) fn end_deferred(&self, graph: u32, send: bool) {
        if self.n_deferred.load(Ordering::Acquire) == 0 {
            return;
        }
        let left: Vec<_> = {
            let mut deferred = lock(&self.deferred);
            let (left, keep) = std::mem::take(&mut *deferred)
                .into_iter()
                .partition(|d| d.0 == graph);
            *deferred = keep;
            self.n_deferred.store(deferred.len(), Ordering::Release);
            left
        };
        if send {
            for (graph, to, ids) in left {
                self.tell(graph, &ids, to);
            }
        }
    }

    /// An empty buffer for a message, reused when one is spare.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        lock(&self.spare).pop().unwrap_or_default()
    }

    /// Keeps `buf` for a later message.
    pub(crate) fn recycle(&self, buf: Vec<u8>) {
        let mut spare = lock(&self.spare);
        if spare.len() < SPARE_BUFFERS {
            spare.push(buf);
        }
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
                agree,
                payload,
            }) => {
                if let Some(ids) = agree {
                    inbox.agree.entry((graph, from)).or_default().push_back(ids);
                }
                let q = inbox.data.entry((graph, edge)).or_default();
                q.push_back(Data { notify, payload });
            }
            Ok(Msg::Agree { graph, ids }) => {
                inbox.agree.entry((graph, from)).or_default().push_back(ids);
            }
            Ok(Msg::Poison(why)) => poison(&mut inbox, why),
            Ok(Msg::Check { graph, body }) => {
                inbox.check.insert((graph, from), body);
            }
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

/// Receives every message already arrived on `comm`; returns true if any.
fn drain(comm: &SimpleCommunicator, link: &Link) -> bool {
    let mut any = false;
    while let Some((msg, status)) = comm.any_process().immediate_matched_probe() {
        any = true;
        let len = status.count(u8::equivalent_datatype()) as usize;
        let mut bytes = link.buffer();
        bytes.resize(len, 0);
        msg.matched_receive_into(&mut bytes[..]);
        link.deliver(status.source_rank() as usize, bytes);
    }
    any
}
