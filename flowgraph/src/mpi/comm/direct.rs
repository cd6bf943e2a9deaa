//! Direct mode: MPI initialized, called and finalized by the thread that
//! created the cluster, inline — no hand-off to another thread on the path of
//! a message.
//!
//! The MPI handles live in a thread-local of that thread (they are not
//! `Send`). Nothing MPI outlives one call: a send starts its `MPI_Isend`s in
//! a request scope and returns once they completed, draining every incoming
//! message into the inbox meanwhile; a wait drains incoming messages until
//! the one it needs is there. So every rank that waits (for a message or for
//! a send to complete) receives whatever is sent to it, which is what the
//! no-deadlock argument needs of the communication thread in threaded mode;
//! a send blocks only until its peer, which must reach the same generation,
//! drains it (at once for small, eager messages).

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use mpi::environment::Universe;
use mpi::request::Request;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::Destination;
use mpi::Threading;

use super::{drain, lock, Cmd, Driver, Inbox, Link, WaitError};

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
    if !link.has_cmds.load(Ordering::Acquire) {
        return;
    }
    let cmds = {
        let mut cmds = lock(&link.cmds);
        link.has_cmds.store(false, Ordering::Release);
        std::mem::take(&mut *cmds)
    };
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
                    send_timed_out(link, m);
                }
                pause(last.elapsed());
            }
        })
    });
    for (_, bytes) in msgs {
        link.recycle(bytes);
    }
}

/// Sends one message to `to` and returns once it was delivered to MPI's
/// peer, draining incoming messages meanwhile: [`flush`] for a single
/// message, without its lists.
pub(super) fn send_now(link: &Link, to: usize, bytes: Vec<u8>) {
    with(|m| {
        mpi::request::scope(|scope| {
            let mut req = m
                .ours
                .process_at_rank(to as i32)
                .immediate_send(scope, &bytes[..]);
            let start = Instant::now();
            let mut last = start;
            loop {
                match req.test() {
                    Ok(_) => return,
                    Err(r) => req = r,
                }
                if drain(&m.ours, link) {
                    last = Instant::now();
                }
                if start.elapsed() > link.timeout() {
                    send_timed_out(link, m);
                }
                pause(last.elapsed());
            }
        })
    });
    link.recycle(bytes);
}

/// The peer never took a message: it died or hangs. The request cannot be
/// abandoned; take the job down.
fn send_timed_out(link: &Link, m: &Mpi) -> ! {
    eprintln!(
        "flowgraph: rank {}: a send did not complete within {:?}; aborting",
        link.rank,
        link.timeout()
    );
    m.world.abort(3)
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
        // One clock read per poll, for both the timeout and the pause.
        let now = Instant::now();
        if let Some(end) = lock(&link.inbox).settle((start, now), timeout, &from, &mut take) {
            return end;
        }
        if with(|m| drain(&m.ours, link)) {
            last = now;
            continue;
        }
        pause(now.duration_since(last));
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
