//! The runtime core: the thread [`Pool`], the type-erased node table, the
//! scheduler and the poison state. All of the crate's `unsafe` lives here.
//!
//! # What the unsafe core trusts, and why safe code cannot break it
//!
//! Every public trait or type whose implementations or values this module
//! relies on for memory safety is listed here with what keeps it honest.
//! A program with `#![forbid(unsafe_code)]` must never reach undefined
//! behaviour, whatever traits it implements; `tests/soundness.rs`,
//! `tests/forged_handles.rs` and the `forged-*` / `invariant-view` ui-tests
//! are such programs.
//!
//! | trusted | for | kept honest by |
//! |---|---|---|
//! | `typed::Layout` (its `Stored`, `describe`, `LEAVES`), the hidden representation `Interface::Repr` | the byte layout of every payload block: leaf offsets, sizes, flag and value offsets, group codecs | **sealed** (private supertrait): implemented only for the leaves, `()` and tuples in `typed::interface`, whose layouts come from `offset_of!`/`size_of` |
//! | `typed::Interface` (its `Values`, `from_repr`/`into_repr`, `handles`, `LEAVES`, `any_notify`) | nothing unsafe: the engine stores `Repr`'s payloads and calls the conversions, ordinary safe functions, around `compute` | hidden seal, implemented by `#[derive(Interface)]`; a wrong impl (`tests/derive_interface_forged.rs`) gives wrong values, or mints handles and wires that the checks below refuse |
//! | `layout::LeafLayout`, `layout::GroupCodec` | the same layouts, as values | fields `pub(crate)`; built only by `Interface::describe` |
//! | [`ValueView`](crate::typed::ValueView) | the lifetime argument: every input of a compute shares one `'a`, so a view must not be able to receive a borrow after it was formed | an **`unsafe trait`** with a `# Safety` contract (`View<'a>` covariant in `'a`); the library's `Scalar<T>` and `Slice<T>` uphold it |
//! | `typed::Connect` | which producer leaf feeds which input leaf | **sealed** (handles, collections and tuples of handles, and the handles structs of `#[derive(Interface)]`, through a hidden seal), and [`Wire`] is opaque; the engine **checks** each wire anyway when it freezes the graph: one wire per input leaf, the producer is an earlier node, the leaf exists, and its `LeafType` (a `TypeId` of the payload) equals the input's |
//! | `typed::Handle<P>` (minted by the hidden `Interface::handles`, callable from safe code) | which leaf a typed read (`view`, `ref_view`, `group_view`, `notified`) reinterprets | **checked** on every read: the node and leaf exist and the leaf's payload type is the one `P` reads |
//! | `typed::SourceHandle<S>` | the type `state_mut` hands out | built only by `push_source` (fields private); `state_mut` **checks** the state's `TypeId` against `S::State` |
//! | graph ids in handles | that a handle names a node of *this* graph | 64-bit ids from a checked counter (never wrap), compared on every use |
//! | `typed::Segment` / `typed::Operator` | nothing unsafe: `compute` is ordinary safe code | the signature: `'b: 'a`, `State: Send + 'static`, payloads `Copy + Send + Sync` |
//! | user `Drop` impls and panic payloads | the pool's batch protocol | every compute runs under `catch_unwind`; later payloads are dropped outside the batch (a panicking `Drop` there is caught and leaked); a batch that unwinds anyway aborts the process (`pool::run_guarded`, and the caller's whole publish-to-settle region); no thread enters a batch after it is unpublished, and the caller returns only once every entered thread left (`pool`'s protocol); states are each dropped under `catch_unwind` |
//! | closures given to `crate::par` (`Fn + Sync`, parts `Send`) and their panics | the task protocol of `core::par`: a task lives on its owner's stack while other threads run its parts, and `for_each_chunk` hands out `&mut` sub-slices | each part index is claimed once (disjoint sub-slices); every part runs under `catch_unwind`, later payloads are dropped under `catch_unwind` (leaked if that panics); the owner returns only once every thread that entered the task left it; the region between listing and settling aborts if it unwinds |
//! | the `mpi` module | nothing unsafe: it is safe code over the typed API | `#![deny(unsafe_code)]` outside `core` |
//!
//! # The engine's invariants
//!
//! Files: `wire.rs` (what the builder records), `tables.rs` (the frozen
//! records and their construction), `exec.rs` (the per-node steps),
//! `serial.rs` / `parallel.rs` (the two schedulers), `cost.rs` (which one
//! runs a generation), `rank.rs` (the parallel scheduler's priorities),
//! `guard.rs` (read guard and poison), `engine.rs` (the calls the typed
//! graph makes), `pool.rs` (the threads, their deques and the batch
//! protocol), `par.rs` (data-parallel tasks that computes split off, run by
//! the pool's threads), `unwind.rs`.
//!
//! - **Single writer.** Each input leaf (or plane element) has exactly one
//!   producing edge. A node's input block is written only by its producers'
//!   scatters, and only before the node runs in that generation (the serial
//!   scheduler runs nodes in id order, a topological order; the parallel
//!   countdown is `AcqRel`). A node's output block and state are written
//!   only by its own compute (or, for a source, through `state_mut` between
//!   generations).
//! - **Storage never moves.** States, payload blocks and planes are
//!   allocated once when the graph is frozen and freed only when it drops.
//! - **Cutoffs, and why skipping is sound.** A generation runs each poked
//!   source, then each node with an input that is not *quiet*. An input is
//!   quiet when its producer did not run, or ran without notifying over a
//!   lifetime-free by-value leaf (`Port<T>` of `Scalar<T>`, or a member of a
//!   `Ports<T>` fan-in: a copy, nothing borrowed). A borrowing input (a `RefPort` leaf, a group, any view with a
//!   lifetime) whose producer ran is never quiet, even without a notify: the
//!   producer had `&mut` access to its state and may have moved what the
//!   consumer's outputs point into. Claim: every pointer a readable payload
//!   holds is valid. By induction along reference paths: a payload points
//!   into its producer's state or into storage its own inputs pointed to. A
//!   node that did not run kept its payload; each thing that payload points
//!   into was reached through a borrowing input (whose producer therefore
//!   did not run either — otherwise the input would not have been quiet and
//!   the node would have run) or lives in the node's own state (untouched:
//!   only its compute or a poke writes it, and a poked source runs). So what
//!   it points into is unchanged, by induction on the path's length.
//!   Flags are never compared by payload bytes (padding is uninitialized).
//! - **By-value groups.** A `ViewPorts` input has two pairs of planes:
//!   *staging*, which its producers scatter into (member by member for a
//!   fan-in, whole for a group wire), and *live*, which its payload's
//!   slices point into. The live planes are overwritten from staging only
//!   by the node's own fix-up, right before its compute, so they change
//!   only when the node runs, as a `RefViewPorts`' planes do. That is what
//!   makes a quiet member sound: the consumer (and anything it forwarded a
//!   `&T` into its members to) never sees its members rewritten while it
//!   does not run. Elements are `Copy` views; the planes are plain bytes
//!   (`elem_size` each, aligned for the view), zeroed at allocation and
//!   fully written by the wiring before the build call reads them. A group
//!   wire always wakes its consumer.
//! - **Stale flags.** A node's input flags written by a producer that did
//!   not run this generation (for a by-value group: its staging flags) are
//!   cleared right before the node runs, never before: a group output may
//!   forward its own input planes, so those change only when the node runs.
//!   The parallel scheduler checks only nodes that may have such a
//!   producer: a producer in the cone that did not run marks its consumers,
//!   and a node with a producer outside the cone is marked with the cone. A
//!   node that does not run keeps its outputs; its consumers read `false`
//!   from it.
//! - **Read guard / poison.** A read is refused while a pending poke can
//!   reach the node (its static cone), and forever after a compute panicked
//!   (downstream payloads may dangle).
#![allow(unsafe_code, reason = "the one module allowed to use unsafe code")]

mod bridge;
mod cost;
mod deque;
mod engine;
mod exec;
mod frontier;
mod guard;
pub(crate) mod layout;
mod marks;
mod node;
pub(crate) mod par;
mod parallel;
mod pool;
mod prefetch;
mod rank;
mod serial;
mod tables;
mod unwind;
pub(crate) mod view;
mod wire;

pub(crate) use bridge::{group_len, group_view, notified, ref_view, state_mut, values_view, view};
pub(crate) use engine::Engine;
pub use engine::Stats;
pub(crate) use node::SegmentFactory;
pub use pool::Pool;
pub use wire::Wire;
pub(crate) use wire::{PendingNode, WireKind};
