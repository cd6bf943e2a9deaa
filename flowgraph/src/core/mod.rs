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
//! | `typed::Interface` (its `Values`, `describe`, `handles`) | the byte layout of every payload block: leaf offsets, sizes, flag and value offsets, group codecs | **sealed**: implemented only for the leaves, `()` and tuples in `typed::interface`, whose layouts come from `offset_of!`/`size_of` |
//! | `layout::LeafLayout`, `layout::GroupCodec` | the same layouts, as values | fields `pub(crate)`; built only by `Interface::describe` |
//! | [`ValueView`](crate::typed::ValueView) | the lifetime argument: every input of a compute shares one `'a`, so a view must not be able to receive a borrow after it was formed | an **`unsafe trait`** with a `# Safety` contract (`View<'a>` covariant in `'a`); the library's `Scalar<T>` and `Slice<T>` uphold it |
//! | `typed::Connect` | which producer leaf feeds which input leaf | **sealed** (only handles, collections and tuples of handles), and [`Wire`] is opaque; the engine **checks** each wire anyway when it freezes the graph: the producer is an earlier node, the leaf exists, and its `LeafType` (a `TypeId` of the payload) equals the input's |
//! | `typed::Handle<P>` (minted by the hidden `Interface::handles`, callable from safe code) | which leaf a typed read (`view`, `ref_view`, `group_view`, `notified`) reinterprets | **checked** on every read: the node and leaf exist and the leaf's payload type is the one `P` reads |
//! | `typed::SourceHandle<S>` | the type `state_mut` hands out | built only by `push_source` (fields private); `state_mut` **checks** the state's `TypeId` against `S::State` |
//! | graph ids in handles | that a handle names a node of *this* graph | 64-bit ids from a checked counter (never wrap), compared on every use |
//! | `typed::Segment` / `typed::Operator` | nothing unsafe: `compute` is ordinary safe code | the signature: `'b: 'a`, `State: Send + 'static`, payloads `Copy + Send + Sync` |
//! | user `Drop` impls and panic payloads | the pool's batch protocol | every compute runs under `catch_unwind`; later payloads are dropped outside the batch (a panicking `Drop` there is caught and leaked); a batch that unwinds anyway aborts the process (`pool::run_guarded`); states are each dropped under `catch_unwind` |
//! | the `mpi` module | nothing unsafe: it is safe code over the typed API | `#![deny(unsafe_code)]` outside `core` |
#![allow(unsafe_code, reason = "the one module allowed to use unsafe code")]

mod bridge;
mod engine;
mod frontier;
pub(crate) mod layout;
mod node;
mod pool;
pub(crate) mod view;

pub(crate) use bridge::{group_view, notified, ref_view, state_mut, view};
pub(crate) use engine::{Engine, PendingNode, WireKind};
pub use engine::{Stats, Wire};
pub(crate) use node::SegmentFactory;
pub use pool::Pool;
