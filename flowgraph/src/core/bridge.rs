//! Typed access to erased storage, for the typed `Graph`.
//!
//! Each function is safe to call because a `Handle<P>` is only ever minted by
//! the sealed `Interface::handles` of leaf type `P`, for a node whose output
//! block was laid out by that same interface: the handle's type tells what
//! lies at its leaf's offset. The caller checks the handle's graph id.

use crate::core::engine::Engine;
use crate::core::layout::LeafKind;
use crate::typed::{
    Handle, Interface, RefViewPort, RefViewPorts, Segment, SourceHandle, ValueView, ViewPort,
};

pub(crate) fn view<V>(engine: &Engine, h: Handle<ViewPort<V>>) -> V::View<'_>
where
    V: ValueView,
    ViewPort<V>: Interface,
    for<'a> V::View<'a>: Copy,
{
    let p = engine.read_leaf(h.node, h.leaf);
    // SAFETY: the leaf holds an initialized `(bool, V::View)` (handle
    // invariant; every node ran its build call); the read guard in
    // `read_leaf` ensures whatever it borrows is live, and the `&self` borrow
    // keeps it so while the view is used.
    unsafe { p.cast::<(bool, V::View<'_>)>().read().1 }
}

pub(crate) fn ref_view<V: ValueView>(engine: &Engine, h: Handle<RefViewPort<V>>) -> &V::View<'_> {
    let p = engine.read_leaf(h.node, h.leaf);
    // SAFETY: as in `view`, for a `(bool, &V::View)` leaf.
    unsafe { p.cast::<(bool, &V::View<'_>)>().read().1 }
}

pub(crate) fn group_view<V: ValueView>(
    engine: &Engine,
    h: Handle<RefViewPorts<V>>,
) -> (&[bool], &[&V::View<'_>]) {
    let p = engine.read_leaf(h.node, h.leaf);
    // SAFETY: as in `view`, for a `(&[bool], &[&V::View])` leaf.
    unsafe { p.cast::<(&[bool], &[&V::View<'_>])>().read() }
}

pub(crate) fn notified<P: Interface>(engine: &Engine, h: Handle<P>) -> bool {
    let p = engine.read_leaf(h.node, h.leaf);
    match engine.output_kind(h.node, h.leaf) {
        // SAFETY: `flag` is the offset of the leaf's initialized `bool`.
        LeafKind::Single { flag, .. } => unsafe { p.add(flag).read() != 0 },
        LeafKind::Group(codec) => {
            // SAFETY: the leaf holds an initialized group payload whose
            // flag plane has `len` elements.
            unsafe {
                let (flags, _, len, _) = (codec.read)(p);
                std::slice::from_raw_parts(flags, len).iter().any(|&f| f)
            }
        }
    }
}

pub(crate) fn state_mut<S: Segment>(engine: &mut Engine, h: SourceHandle<S>) -> &mut S::State {
    let p = engine.poke(h.node);
    // SAFETY: the node was built from a `SegmentFactory<S>` (handle
    // invariant), so its state is a live `S::State`; `&mut Engine` guarantees
    // exclusive access. Consumers' stale pointers into it are never read
    // before `stabilize` rewrites them (read guard armed by `poke`).
    unsafe { &mut *p.cast::<S::State>() }
}
