//! A node panics on one rank: every rank's `stabilize` panics, the graph is
//! poisoned everywhere, and no rank hangs.
//!
//! Rank 0 owns a source; rank 1 (the last rank) runs `Boom`, which panics on
//! the value 7; its output travels back to rank 0, which therefore blocks on
//! it when the panic happens. With 3 or more ranks, the middle ranks hear of
//! the panic in the background: the first `stabilize` after the poison
//! arrived fails. A middle rank may lag generations behind rank 0 (it waits
//! only for rank 0's messages, which queue), so it may fail before reaching
//! generation 7 (even while the graph is being built), or in generation 7
//! or 8.
//!
//! ```text
//! mpirun -n 3 target/release/examples/mpi_panic
//! ```

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use flowgraph::core::Pool;
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
use flowgraph::typed::*;

/// Doubles its input, and panics on 7.
struct Boom;
impl Segment for Boom {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        if x == 7 {
            panic!("boom: seven");
        }
        (n, 2 * x)
    }
}

/// Adds one.
struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

thread_local! {
    /// Set while this thread runs code expected to panic.
    static EXPECTED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, which may panic, keeping its panic message quiet.
fn expecting<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    EXPECTED.set(true);
    let r = catch_unwind(AssertUnwindSafe(f));
    EXPECTED.set(false);
    r
}

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn main() {
    // `threaded`: MPI on a communication thread instead of this one.
    let threaded = std::env::args().any(|a| a == "threaded");
    let cluster = if threaded {
        Cluster::init_threaded()
    } else {
        Cluster::init()
    }
    .expect("MPI");
    let (me, size) = (cluster.rank(), cluster.size());
    assert!(size >= 2, "run with mpirun -n 2 or more");
    let last = size - 1;
    let mut b = DistBuilder::new(&cluster);
    let s = b.push_source(Source::new(0_i64));
    let back = b.on_rank(last, |b| {
        let x = b.remote(*s, last);
        let y = b.push(Boom, x);
        b.remote(y, 0)
    });
    let ours = b.push(Inc, back);
    // Middle ranks get their own, panic-free, share of the work.
    let middle: Vec<_> = (1..last)
        .map(|r| {
            let x = b.remote(*s, r);
            (r, b.on_rank(r, |b| b.push(Inc, x)))
        })
        .collect();
    // The panics run by `expecting` are expected: keep the output readable.
    // Any other panic (a failed assertion) prints its message as usual
    // before the cluster's drop aborts the job.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !EXPECTED.get() {
            default_hook(info);
        }
    }));
    let mut g = match expecting(|| DistGraph::from_builder(b)) {
        Ok(g) => g,
        Err(p) => {
            // A middle rank may lag so far that the poison reaches it while
            // the ranks still compare their graphs.
            let why = message(&*p);
            assert!(me != 0 && me != last, "rank {me}: building failed: {why}");
            assert!(
                why.contains(&format!("rank {last} panicked in node #2")) && why.contains("Boom"),
                "rank {me}: {why}"
            );
            let _ = std::panic::take_hook();
            println!("rank {me}/{size}: poisoned while building: {why}");
            return;
        }
    };
    let mut pool = Pool::new(1);
    // Misuse is refused locally, with the node and the ranks named, and
    // poisons nothing: only rank 0 may poke `s`, only rank 0 may read `ours`.
    if me != 0 {
        let poke = expecting(|| *g.state_mut(s) = 1);
        let why = message(&*poke.expect_err("poking another rank's source"));
        assert!(
            why.contains(&format!(
                "cannot poke node #0 (`flowgraph::typed::source::Source<i64>`) on rank {me}"
            )) && why.contains("placed on rank 0"),
            "rank {me}: {why}"
        );
        let read = expecting(|| g.view(ours));
        let why = message(&*read.expect_err("reading another rank's node"));
        assert!(why.contains("cannot read node #4"), "rank {me}: {why}");
    }
    let mut failed = None;
    for gen in 1..=20_i64 {
        if me == 0 {
            *g.state_mut(s) = gen;
        }
        match expecting(|| g.stabilize(&mut pool)) {
            Ok(()) => {
                if me == 0 {
                    assert_eq!(g.view(ours), 2 * gen + 1);
                }
                for &(r, h) in &middle {
                    if r == me {
                        assert_eq!(g.view(h), gen + 1);
                    }
                }
            }
            Err(p) => {
                failed = Some((gen, message(&*p)));
                break;
            }
        }
    }
    let (gen, why) = failed.expect("the panic reached every rank");
    // The panic happens in generation 7, where rank 0 waits for rank `last`;
    // the middle ranks fail as soon as they know (see the module docs).
    if me == 0 || me == last {
        assert_eq!(gen, 7, "rank {me}: failed at generation {gen}");
    } else {
        assert!(gen <= 8, "rank {me}: failed at generation {gen}");
    }
    if me == last {
        assert!(why.contains("boom: seven"), "rank {me}: {why}");
    } else {
        assert!(
            why.contains(&format!("rank {last} panicked in node #2")) && why.contains("Boom"),
            "rank {me}: {why}"
        );
    }
    // The graph stays dead on every rank.
    let again = expecting(|| g.stabilize(&mut pool));
    let again = message(&*again.expect_err("a poisoned graph refuses to run"));
    assert!(again.contains("poisoned"), "rank {me}: {again}");
    if me == 0 {
        let read = expecting(|| g.view(ours));
        assert!(read.is_err(), "reading a poisoned graph panics");
    }
    let _ = std::panic::take_hook();
    println!("rank {me}/{size}: poisoned in generation {gen}: {why}");
}
