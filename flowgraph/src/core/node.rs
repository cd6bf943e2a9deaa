//! The type-erased node: a segment's state and payload blocks behind raw
//! pointers, and the monomorphized thunk that runs its `compute`.
//!
//! Invariants (relied upon by `graph.rs`):
//! - `state` points to a live, boxed `S::State`, never moved until the graph
//!   drops: outputs may point into it.
//! - `inputs` / `outputs` point to boxed, suitably aligned blocks holding an
//!   `Inputs::Values<'static>` / `Outputs::Values<'static>`. The `'static` is
//!   a lie told to the type system: the payloads borrow from other nodes'
//!   states and blocks, and the lifetime is restored (shortened) only inside
//!   [`run_segment`]. The engine keeps every borrowed pointer valid for as
//!   long as it can be read (spec §9: single writer, per-generation lifetime,
//!   read guard).
//! - The input block is fully initialized before the first compute: every
//!   leaf is either scattered by its producer or, for groups, written by a
//!   fix-up.

use std::mem::MaybeUninit;

use crate::core::layout::LeafLayout;
use crate::typed::{Interface, Segment};

/// Runs a node's compute: `(state, inputs, outputs, init)`.
pub(crate) type RunFn = unsafe fn(*mut u8, *const u8, *mut u8, bool);

/// An owned, type-erased heap block (a node's state or payload block).
pub(crate) struct ErasedBox {
    pub(crate) ptr: *mut u8,
    drop: unsafe fn(*mut u8),
}

impl ErasedBox {
    fn new<T>(value: T) -> Self {
        ErasedBox {
            ptr: Box::into_raw(Box::new(value)).cast(),
            drop: drop_box::<T>,
        }
    }
}

impl Drop for ErasedBox {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `Box::<T>::into_raw` in `new`, with `drop`
        // monomorphized for that same `T`, and is dropped exactly once here.
        unsafe { (self.drop)(self.ptr) }
    }
}

/// # Safety
/// `ptr` must come from `Box::<T>::into_raw` and not be used afterwards.
unsafe fn drop_box<T>(ptr: *mut u8) {
    // SAFETY: guaranteed by the caller.
    drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
}

// SAFETY: an `ErasedBox` owns a `S::State` (which is `Send`) or a payload
// block (whose payloads are `Send + Sync`), and is only touched by the engine
// under its single-writer protocol.
unsafe impl Send for ErasedBox {}

/// Everything the engine needs to know about one frozen node.
pub(crate) struct NodeParts {
    pub(crate) state: ErasedBox,
    pub(crate) inputs: ErasedBox,
    pub(crate) outputs: ErasedBox,
    pub(crate) run: RunFn,
    pub(crate) input_leaves: Vec<LeafLayout>,
    pub(crate) output_leaves: Vec<LeafLayout>,
}

/// A segment waiting to be frozen into a node.
pub(crate) trait NodeFactory {
    /// Calls `init` and lays out the node's storage (no compute yet).
    fn build(self: Box<Self>) -> NodeParts;
}

/// The factory for a segment of type `S`.
pub(crate) struct SegmentFactory<S>(pub(crate) S);

impl<S: Segment> NodeFactory for SegmentFactory<S> {
    fn build(self: Box<Self>) -> NodeParts {
        let mut input_leaves = Vec::with_capacity(S::Inputs::LEAVES);
        S::Inputs::describe(0, &mut input_leaves);
        let mut output_leaves = Vec::with_capacity(S::Outputs::LEAVES);
        S::Outputs::describe(0, &mut output_leaves);
        NodeParts {
            state: ErasedBox::new(self.0.init()),
            inputs: ErasedBox::new(
                MaybeUninit::<<S::Inputs as Interface>::Values<'static>>::uninit(),
            ),
            outputs: ErasedBox::new(
                MaybeUninit::<<S::Outputs as Interface>::Values<'static>>::uninit(),
            ),
            run: run_segment::<S>,
            input_leaves,
            output_leaves,
        }
    }
}

/// Runs `S::compute` on erased storage.
///
/// # Safety
/// `state`, `inputs` and `outputs` must be the blocks of a node built by
/// `SegmentFactory<S>`; the input block must be fully initialized and hold
/// payloads whose borrows are valid for the duration of the call; nothing
/// else may access `state` or `outputs` during the call.
pub(crate) unsafe fn run_segment<S: Segment>(
    state: *mut u8,
    inputs: *const u8,
    outputs: *mut u8,
    init: bool,
) {
    // SAFETY: the caller guarantees the block holds an initialized payload;
    // payloads are `Copy`, so reading leaves the block intact. Reading it as
    // `Values<'_>` shortens the erased `'static` to this call.
    let values = unsafe { inputs.cast::<<S::Inputs as Interface>::Values<'_>>().read() };
    // SAFETY: the state is a live `S::State` that nothing else accesses
    // during this call (single writer).
    let state = unsafe { &mut *state.cast::<S::State>() };
    let out = S::compute(values, state, init);
    // SAFETY: the output block is a `MaybeUninit<Outputs::Values<'static>>`;
    // lifetimes do not change layout. The engine keeps what `out` borrows
    // alive for as long as it is read (module invariants).
    unsafe {
        outputs
            .cast::<<S::Outputs as Interface>::Values<'_>>()
            .write(out)
    }
}
