//! A rank killed (SIGKILL) in the middle of a generation: the job ends, with
//! an error, instead of hanging.
//!
//! Rank 0 owns a source whose value travels through every rank in a ring
//! and back; in generation 5 the last rank kills itself while it holds the
//! value, after receiving it and before sending it on. Nobody can say
//! goodbye for it: Open MPI notices the dead process and takes the job down
//! (or, failing that, the others' timeout does). `.ci/mpi.sh` runs this
//! under `timeout` and asserts that the job fails within a bound.
//!
//! ```text
//! mpirun -n 3 target/release/examples/mpi_kill            # exits non-zero within seconds
//! mpirun -n 3 target/release/examples/mpi_kill threaded   # the same, MPI on its own thread
//! ```

use std::time::Duration;

use flowgraph::core::Pool;
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
use flowgraph::typed::*;

/// Adds one; on the killing rank, in generation `KILL_AT`, kills its own
/// process instead.
struct Step {
    kill: bool,
}
/// The generation in which the last rank dies.
const KILL_AT: i64 = 5;

impl Segment for Step {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = bool;
    fn init(self) -> bool {
        self.kill
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), kill: &'b mut bool, _: bool) -> (bool, i64) {
        if *kill && x == KILL_AT {
            println!("rank killing itself in generation {x}");
            // SIGKILL: no unwinding, no handshake, no `MPI_Abort`.
            let pid = std::process::id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status();
            std::thread::sleep(Duration::from_secs(3600));
        }
        (n, x + 1)
    }
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
    // Well below the bound `.ci/mpi.sh` asserts.
    cluster.set_timeout(Duration::from_secs(5));
    let last = size - 1;
    let mut b = DistBuilder::new(&cluster);
    let s = b.push_source(Source::new(0_i64));
    let mut h = *s;
    for r in 1..size {
        let x = b.remote(h, r);
        h = b.on_rank(r, |b| b.push(Step { kill: r == last }, x));
    }
    let back = b.remote(h, 0);
    let mut g = DistGraph::from_builder(b);
    let mut pool = Pool::new(1);
    for gen in 1..=10 {
        if me == 0 {
            *g.state_mut(s) = gen;
        }
        g.stabilize(&mut pool);
        if me == 0 {
            assert_eq!(g.view(back), gen + size as i64 - 1);
        }
    }
    unreachable!("rank {me} finished although rank {last} was killed");
}
