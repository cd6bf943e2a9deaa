//! Typed access to erased storage, for the typed `Graph`.
//!
//! Each function is safe to call whatever handle it is given: the engine
//! checks that the leaf the handle names exists and holds the payload type
//! the handle's type says (`Engine::read_leaf`), and that a poked state has
//! the segment's state type (`Engine::poke`). Handles are only minted by the
//! sealed `Interface::handles`, and the caller checks the handle's graph id,
//! so these checks never fail in practice; they make a forged or foreign
//! handle a panic instead of a reinterpretation.

use crate::core::engine::Engine;
use std::any::TypeId;

use crate::core::layout::{LeafKind, LeafType};
use crate::typed::{
    Handle, Interface, RefViewPort, RefViewPorts, Segment, SourceHandle, ValueView, ViewPort,
    ViewPorts,
};

pub(crate) fn view<V>(engine: &Engine, h: Handle<ViewPort<V>>) -> V::View<'_>
where
    V: ValueView,
    ViewPort<V>: Interface,
    for<'a> V::View<'a>: Copy,
{
    let p = engine.read_leaf(
        h.node,
        h.leaf,
        Some(LeafType::of::<(bool, V::View<'static>)>()),
    );
    // SAFETY: the leaf holds an initialized `(bool, V::View)` (type checked
    // by `read_leaf`; every node ran its build call); the read guard in
    // `read_leaf` ensures whatever it borrows is live, and the `&self` borrow
    // keeps it so while the view is used.
    unsafe { p.cast::<(bool, V::View<'_>)>().read().1 }
}

pub(crate) fn ref_view<V: ValueView>(engine: &Engine, h: Handle<RefViewPort<V>>) -> &V::View<'_> {
    let ty = LeafType::of::<(bool, &'static V::View<'static>)>();
    let p = engine.read_leaf(h.node, h.leaf, Some(ty));
    // SAFETY: as in `view`, for a `(bool, &V::View)` leaf.
    unsafe { p.cast::<(bool, &V::View<'_>)>().read().1 }
}

pub(crate) fn group_view<V: ValueView>(
    engine: &Engine,
    h: Handle<RefViewPorts<V>>,
) -> (&[bool], &[&V::View<'_>]) {
    let ty = LeafType::of::<(&'static [bool], &'static [&'static V::View<'static>])>();
    let p = engine.read_leaf(h.node, h.leaf, Some(ty));
    // SAFETY: as in `view`, for a `(&[bool], &[&V::View])` leaf.
    unsafe { p.cast::<(&[bool], &[&V::View<'_>])>().read() }
}

pub(crate) fn values_view<V: ValueView>(
    engine: &Engine,
    h: Handle<ViewPorts<V>>,
) -> (&[bool], &[V::View<'_>])
where
    for<'a> V::View<'a>: Copy,
{
    let ty = LeafType::of::<(&'static [bool], &'static [V::View<'static>])>();
    let p = engine.read_leaf(h.node, h.leaf, Some(ty));
    // SAFETY: as in `view`, for a `(&[bool], &[V::View])` leaf.
    unsafe { p.cast::<(&[bool], &[V::View<'_>])>().read() }
}

pub(crate) fn notified<P: Interface>(engine: &Engine, h: Handle<P>) -> bool {
    // Any leaf has its flag where its layout says: no type to check.
    let p = engine.read_leaf(h.node, h.leaf, None);
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
    let p = engine.poke(h.node, TypeId::of::<S::State>());
    // SAFETY: `poke` checked that the node's state is an `S::State`, live in
    // the engine's arena; `&mut Engine` guarantees
    // exclusive access. Consumers' stale pointers into it are never read
    // before `stabilize` rewrites them (read guard armed by `poke`).
    unsafe { &mut *p.cast::<S::State>() }
}

/// The length of group output `leaf` of `node` (fixed by its build call).
///
/// # Panics
///
/// As `read_leaf`, or if the leaf is not a group.
pub(crate) fn group_len(engine: &Engine, node: u32, leaf: u32) -> usize {
    // The codec read below is the leaf's own: no type to check.
    let p = engine.read_leaf(node, leaf, None);
    match engine.output_kind(node, leaf) {
        // SAFETY: the leaf holds an initialized group payload (every node ran
        // its build call) whose borrows are live (read guard in `read_leaf`).
        LeafKind::Group(codec) => unsafe { (codec.read)(p).2 },
        LeafKind::Single { .. } => {
            panic!("flowgraph: output {leaf} of node #{node} is not a group")
        }
    }
}
