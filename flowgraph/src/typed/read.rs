//! What each graph access accepts, as traits: `view` takes the handle of a
//! [`Port`](crate::typed::Port) output, `ref_view` of a
//! [`RefPort`](crate::typed::RefPort) output, `state_mut` a
//! [`SourceHandle`], `push_source` an input-less segment. A handle of the
//! wrong kind then fails to compile with a message naming the right call,
//! instead of a bare type mismatch.
//!
//! The traits are sealed: each has exactly the implementations below.

use crate::typed::graph::Graph;
use crate::typed::handle::{Handle, SourceHandle};
use crate::typed::interface::{Interface, RefViewPort, ValueView, ViewPort};
use crate::typed::segment::Segment;

mod sealed {
    pub trait Sealed {}
}

impl<V> sealed::Sealed for ViewPort<V> {}
impl<V> sealed::Sealed for RefViewPort<V> {}
impl<S: Segment> sealed::Sealed for SourceHandle<S> {}
impl sealed::Sealed for () {}

/// A by-value output leaf, read with [`Graph::view`]: a
/// [`ViewPort`] (e.g. a [`Port<T>`](crate::typed::Port)).
#[diagnostic::on_unimplemented(
    message = "`view` reads a by-value `Port` output, but this handle names a `{Self}` output",
    label = "not the handle of a `Port` output",
    note = "read a `RefPort<T>` output with `g.ref_view(handle)`, and a `RefPorts<T>` group with `g.group_view(handle)`"
)]
pub trait ViewLeaf: sealed::Sealed + Sized {
    /// How the value rides the wire.
    type View: ValueView;

    #[doc(hidden)]
    /// Reads the leaf named by `h` from `g`.
    fn read(g: &Graph, h: Handle<Self>) -> <Self::View as ValueView>::View<'_>;
}

impl<V> ViewLeaf for ViewPort<V>
where
    V: ValueView,
    ViewPort<V>: Interface,
    for<'a> V::View<'a>: Copy,
{
    type View = V;

    #[inline]
    fn read(g: &Graph, h: Handle<Self>) -> V::View<'_> {
        g.view_port(h)
    }
}

/// A by-reference output leaf, read with [`Graph::ref_view`]: a
/// [`RefViewPort`] (e.g. a [`RefPort<T>`](crate::typed::RefPort)).
#[diagnostic::on_unimplemented(
    message = "`ref_view` reads a by-reference `RefPort` output, but this handle names a `{Self}` output",
    label = "not the handle of a `RefPort` output",
    note = "read a `Port<T>` output by value with `g.view(handle)`, and a `RefPorts<T>` group with `g.group_view(handle)`"
)]
pub trait RefViewLeaf: sealed::Sealed + Sized {
    /// How the value rides the wire.
    type View: ValueView;

    #[doc(hidden)]
    /// The same handle, with its leaf type spelled out.
    fn handle(h: Handle<Self>) -> Handle<RefViewPort<Self::View>>;
}

impl<V: ValueView> RefViewLeaf for RefViewPort<V> {
    type View = V;

    #[inline]
    fn handle(h: Handle<Self>) -> Handle<RefViewPort<V>> {
        h
    }
}

/// A handle [`Graph::state_mut`] can poke: a [`SourceHandle`].
#[diagnostic::on_unimplemented(
    message = "`state_mut` pokes a source, but `{Self}` is not a `SourceHandle`",
    label = "not the handle returned by `push_source`",
    note = "pass the `SourceHandle` that `GraphBuilder::push_source` returned (`s`, not its output `*s`)",
    note = "only sources can be poked; the outputs of other nodes change only through `stabilize`"
)]
pub trait Poke: sealed::Sealed + Copy {
    /// The source segment.
    type Source: Segment;

    #[doc(hidden)]
    /// The same handle, with its segment spelled out.
    fn source(self) -> SourceHandle<Self::Source>;
}

impl<S: Segment> Poke for SourceHandle<S> {
    type Source = S;

    #[inline]
    fn source(self) -> SourceHandle<S> {
        self
    }
}

/// The inputs of a segment that [`GraphBuilder::push_source`](crate::typed::GraphBuilder::push_source)
/// accepts: none, `()`.
#[diagnostic::on_unimplemented(
    message = "`push_source` takes a segment without inputs, but this one's `Inputs` is `{Self}`",
    label = "this segment has inputs",
    note = "wire a segment with inputs with `b.push(segment, handles)`; a source has `type Inputs = ();`"
)]
pub trait NoInputs: sealed::Sealed + Interface {}

impl NoInputs for () {}

/// The (absent) handles of a source's inputs.
pub(crate) struct NoHandles;

impl crate::typed::handle::sealed::Sealed for NoHandles {}

impl<I: NoInputs> crate::typed::handle::Connect<I> for NoHandles {
    fn wires(self, _: u64, _: &mut Vec<crate::core::Wire>) {}
}
