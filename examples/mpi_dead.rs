//! A rank stops answering: the others give up after the timeout instead of
//! waiting forever, and the job ends with an error.
//!
//! The last rank echoes rank 0's source back to it; it stops calling
//! `stabilize` after generation 3 and just sleeps, as a hung or dead process
//! would. Rank 0 then panics when its timeout (2 s here) expires, the other
//! ranks learn it through the poison, and the panic aborts the job
//! (`MPI_Abort`, from `Cluster`'s drop while panicking). `.ci/mpi.sh` checks
//! that the job fails quickly with the timeout message.
//!
//! With the argument `quit`, the last rank instead returns from `main` after
//! generation 3: the others fail at once, naming it.
//!
//! ```text
//! mpirun -n 2 target/release/examples/mpi_dead        # exits non-zero within seconds
//! mpirun -n 2 target/release/examples/mpi_dead quit   # exits non-zero at once
//! ```

use std::time::Duration;

use flowgraph::core::Pool;
use flowgraph::mpi::{Cluster, DistBuilder, DistGraph};
use flowgraph::typed::*;

fn main() {
    // `quit`: the last rank shuts down cleanly instead of hanging; the others
    // must fail at once rather than after the timeout.
    let quits = std::env::args().nth(1).as_deref() == Some("quit");
    let cluster = Cluster::init().expect("MPI");
    let (me, size) = (cluster.rank(), cluster.size());
    assert!(size >= 2, "run with mpirun -n 2 or more");
    cluster.set_timeout(Duration::from_secs(2));
    let last = size - 1;
    let mut b = DistBuilder::new(&cluster);
    let s = b.push_source(Source::new(0_i64));
    let there = b.remote(*s, last);
    // The value comes back: rank 0 depends on the last rank every generation.
    let back = b.remote(there, 0);
    let mut g = DistGraph::from_builder(b);
    let mut pool = Pool::new(1);
    for gen in 1..=10 {
        if me == last && gen > 3 {
            if quits {
                // Leaves early: dropping the cluster tells the others.
                return;
            }
            // Hung: never calls `stabilize` again (the job's abort ends us).
            std::thread::sleep(Duration::from_secs(3600));
        }
        if me == 0 {
            *g.state_mut(s) = gen;
        }
        g.stabilize(&mut pool);
        if me == last {
            assert_eq!(g.view(there), gen);
        }
        if me == 0 {
            assert_eq!(g.view(back), gen);
        }
        println!("rank {me}: generation {gen} done");
    }
    unreachable!("rank {me} finished although rank {last} hung");
}
