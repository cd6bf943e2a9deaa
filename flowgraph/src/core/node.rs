//! The type-erased node: a segment's state and payload blocks behind raw
//! pointers, and the monomorphized thunk that runs its `compute`.
//!
//! Invariants (relied upon by `graph.rs`):
//! - `state` points to a live `S::State` in the engine's arena, never moved
//!   until the graph drops: outputs may point into it.
//! - `inputs` / `outputs` point to arena blocks, suitably aligned, holding an
//!   the stored representation (`Interface::Repr`'s `Layout::Stored<'static>`)
//!   of `Inputs` / `Outputs`. The `'static` is
//!   a lie told to the type system: the payloads borrow from other nodes'
//!   states and blocks, and the lifetime is restored (shortened) only inside
//!   [`run_segment`]. The engine keeps every borrowed pointer valid for as
//!   long as it can be read (spec §9: single writer, per-generation lifetime,
//!   read guard).
//! - The input block is fully initialized before the first compute: every
//!   leaf is either scattered by its producer or, for groups, written by a
//!   fix-up.

use std::any::TypeId;
use std::mem::MaybeUninit;

use bumpalo::Bump;

use crate::core::layout::LeafLayout;
use crate::typed::{Interface, Layout, Segment};

/// The engine's representation of an interface's payload.
type Stored<'a, I> = <<I as Interface>::Repr as Layout>::Stored<'a>;

/// Runs a node's compute: `(state, inputs, outputs, init)`.
pub(crate) type RunFn = unsafe fn(*mut u8, *const u8, *mut u8, bool);

/// Everything the engine needs to know about one frozen node. The pointers
/// point into the engine's arena, which outlives them.
pub(crate) struct NodeParts {
    pub(crate) state: *mut u8,
    /// Drops the state in place, if it needs dropping.
    pub(crate) drop_state: Option<unsafe fn(*mut u8)>,
    /// The state's type.
    pub(crate) state_ty: TypeId,
    pub(crate) inputs: *mut u8,
    pub(crate) outputs: *mut u8,
    pub(crate) run: RunFn,
    pub(crate) input_leaves: Vec<LeafLayout>,
    pub(crate) output_leaves: Vec<LeafLayout>,
}

/// A segment waiting to be frozen into a node.
pub(crate) trait NodeFactory {
    /// Calls `init` and lays out the node's storage in `arena` (no compute yet).
    fn build(self: Box<Self>, arena: &Bump) -> NodeParts;
}

/// The factory for a segment of type `S`.
pub(crate) struct SegmentFactory<S>(pub(crate) S);

impl<S: Segment> NodeFactory for SegmentFactory<S> {
    fn build(self: Box<Self>, arena: &Bump) -> NodeParts {
        // Only the sealed `Layout` of an interface describes its payloads.
        let mut input_leaves = Vec::with_capacity(<S::Inputs as Interface>::Repr::LEAVES);
        <S::Inputs as Interface>::Repr::describe(0, &mut input_leaves);
        let mut output_leaves = Vec::with_capacity(<S::Outputs as Interface>::Repr::LEAVES);
        <S::Outputs as Interface>::Repr::describe(0, &mut output_leaves);
        // Inputs then outputs then state, side by side: a node's data shares
        // cache lines, and nodes pushed together sit together.
        let inputs: *mut MaybeUninit<Stored<'static, S::Inputs>> =
            arena.alloc(MaybeUninit::uninit());
        let outputs: *mut MaybeUninit<Stored<'static, S::Outputs>> =
            arena.alloc(MaybeUninit::uninit());
        let state: *mut S::State = arena.alloc(self.0.init());
        NodeParts {
            state: state.cast(),
            drop_state: std::mem::needs_drop::<S::State>()
                .then_some(drop_state::<S::State> as unsafe fn(*mut u8)),
            state_ty: TypeId::of::<S::State>(),
            inputs: inputs.cast(),
            outputs: outputs.cast(),
            run: run_segment::<S>,
            input_leaves,
            output_leaves,
        }
    }
}

/// # Safety
/// `ptr` must point to a live `T` that is never used again.
unsafe fn drop_state<T>(ptr: *mut u8) {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::drop_in_place(ptr.cast::<T>()) }
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
    // `Stored<'_>` shortens the erased `'static` to this call.
    let stored = unsafe { inputs.cast::<Stored<'_, S::Inputs>>().read() };
    // Safe conversions between the stored representation and the payloads
    // `compute` sees (the identity but for derived interfaces).
    let values = S::Inputs::from_repr(stored);
    // SAFETY: the state is a live `S::State` that nothing else accesses
    // during this call (single writer).
    let state = unsafe { &mut *state.cast::<S::State>() };
    let out = S::Outputs::into_repr(S::compute(values, state, init));
    // SAFETY: the output block is a `MaybeUninit<Stored<'static, Outputs>>`;
    // lifetimes do not change layout. The engine keeps what `out` borrows
    // alive for as long as it is read (module invariants).
    unsafe { outputs.cast::<Stored<'_, S::Outputs>>().write(out) }
}
