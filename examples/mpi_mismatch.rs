//! Ranks that record different graphs are refused at build time, on every
//! rank, with the first node that differs and the ranks involved; no build
//! call runs and no value crosses.
//!
//! The last rank runs "slightly different code":
//! - `types` (the default): its source is a `Source<u64>` where the others
//!   have a `Source<i64>` (unchecked, rank 1 would read −1 as 1: postcard's
//!   zigzag bytes);
//! - `placement`: it places the source on rank 1 instead of rank 0.
//!
//! Every rank catches the refusal, checks its message and exits cleanly.
//!
//! ```text
//! mpirun -n 2 target/release/examples/mpi_mismatch
//! mpirun -n 3 target/release/examples/mpi_mismatch placement
//! ```

use std::cell::Cell;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use flowgraph::mpi::{Cluster, DistBuilder, DistGraph, Remote};
use flowgraph::typed::*;

/// Set by any build call: none may run.
static BUILT: AtomicBool = AtomicBool::new(false);

/// Reads a value; its build call marks `BUILT`.
struct Read<T>(PhantomData<T>);
impl<T: Copy + Send + Sync + 'static> Segment for Read<T> {
    type Inputs = Port<T>;
    type Outputs = Port<T>;
    type State = ();
    fn init(self) {
        BUILT.store(true, Ordering::SeqCst);
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, T), _: &'b mut (), _: bool) -> (bool, T) {
        (n, x)
    }
}

/// The source on `home`, its value sent to rank 1 and read there.
fn record<T>(b: &mut DistBuilder<'_>, home: usize, first: T)
where
    T: Copy + Send + Sync + 'static,
    Port<T>: Remote,
{
    let s = b.on_rank(home, |b| b.push_source(Source::new(first)));
    let there = b.remote(*s, 1);
    b.on_rank(1, |b| b.push(Read(PhantomData), there));
}

thread_local! {
    /// Set while the refusal, which is expected, unwinds.
    static EXPECTED: Cell<bool> = const { Cell::new(false) };
}

fn main() {
    let placement = std::env::args().any(|a| a == "placement");
    let cluster = Cluster::init().expect("MPI");
    let (me, size) = (cluster.rank(), cluster.size());
    assert!(size >= 2, "run with mpirun -n 2 or more");
    let last = size - 1;
    let mut b = DistBuilder::new(&cluster);
    match (placement, me == last) {
        (false, false) => record(&mut b, 0, -1_i64),
        (false, true) => record(&mut b, 0, 1_u64),
        (true, false) => record(&mut b, 0, -1_i64),
        (true, true) => record(&mut b, 1, -1_i64),
    }
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !EXPECTED.get() {
            default_hook(info);
        }
    }));
    EXPECTED.set(true);
    let refused = catch_unwind(AssertUnwindSafe(|| DistGraph::from_builder(b)));
    EXPECTED.set(false);
    let payload = refused
        .map(|_| ())
        .expect_err("a graph that differs between ranks must not build");
    let why = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        why.contains(&format!("rank {me}: the ranks recorded different graphs"))
            && why.contains(&format!("node #0 differs between rank 0 and rank {last}")),
        "rank {me}: {why}"
    );
    let source = "flowgraph::typed::source::Source";
    if placement {
        assert!(
            why.contains(&format!("rank 0 has `{source}<i64>` on rank 0"))
                && why.contains(&format!("rank {last} has `{source}<i64>` on rank 1")),
            "rank {me}: {why}"
        );
    } else {
        assert!(
            why.contains(&format!("`{source}<i64>`")) && why.contains(&format!("`{source}<u64>`")),
            "rank {me}: {why}"
        );
    }
    assert!(!BUILT.load(Ordering::SeqCst), "rank {me}: a build call ran");
    println!("rank {me}/{size}: refused: {why}");
}
