//! Threaded mode (`Cluster::init_threaded`): a communication thread
//! initializes MPI, makes every MPI call and finalizes it; other threads
//! queue [`Cmd`]s and wait on the inbox.
//!
//! The thread never blocks inside MPI: sends are `MPI_Isend` requests that it
//! tests while it keeps probing for incoming messages (a blocking send that
//! does not drain receives can deadlock two ranks sending to each other at
//! once). Send buffers live in a bump arena that outlives each request scope;
//! the arena is reset whenever no send is in flight and it grew large.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bumpalo::Bump;
use mpi::request::{LocalScope, Request};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::Destination;
use mpi::Threading;

use super::{drain, lock, Cmd, Driver, Link, POLL};

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
                    link.recycle(bytes);
                    pending.push(world.process_at_rank(to as i32).immediate_send(scope, buf));
                }
                Cmd::Broadcast(bytes) => {
                    let buf: &'a [u8] = arena.alloc_slice_copy(&bytes);
                    link.recycle(bytes);
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
