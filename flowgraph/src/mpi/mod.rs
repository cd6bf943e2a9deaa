//! Distributed graphs: one graph spanning the ranks of an MPI job (feature
//! `mpi`).
//!
//! Every rank builds the same graph with a [`DistBuilder`] (SPMD), placing
//! each node on one rank; a value crosses ranks only through
//! [`DistBuilder::remote`], which requires a serializable value type (checked
//! at compile time, see [`Remote`]). On the consuming rank the value arrives
//! into a buffer owned there and is exposed as the same port kind, so
//! segments do not know that an input is remote. [`DistGraph::from_builder`]
//! checks that every rank recorded the same graph before any node runs.
//! [`DistGraph::stabilize`] is collective; ranks agree on the poked sources,
//! then each runs its share of the dirty cone. By default ([`Cluster::init`]) the thread that created the
//! cluster makes the MPI calls itself, inline; [`Cluster::init_threaded`]
//! moves them to a communication thread instead.
//!
//! A panic in a node poisons the graph on every rank; a rank that stops
//! answering makes the others panic after a timeout; dropping the
//! [`Cluster`] while panicking aborts the job.
#![forbid(unsafe_code)]

mod builder;
mod cluster;
mod comm;
mod edge;
mod fingerprint;
mod graph;
mod wire;

/// The MPI bindings (rsmpi), for raw MPI through [`Cluster::with_mpi`].
pub use ::mpi as rsmpi;
pub use builder::DistBuilder;
pub use cluster::{Cluster, InitError};
pub use edge::Remote;
#[doc(hidden)]
pub use edge::{EdgeCtx, RecvEnd, RecvState, SendEnd, SendState};
pub use graph::DistGraph;
