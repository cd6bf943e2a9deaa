//! Interfaces: the trees of ports that make up a segment's inputs and outputs.
//!
//! A leaf says how one value rides a wire ([`ViewPort`], [`RefViewPort`],
//! [`RefViewPorts`], [`ViewPorts`]); `()` and tuples up to arity 12 group leaves into trees.
//! Each interface names its payload type ([`Interface::Values`]) and the shape
//! of its handles ([`Interface::Handles`]). A struct of ports becomes an
//! interface with `#[derive(Interface)]`.
//!
//! The runtime never sees an interface itself: it sees the interface's
//! hidden *representation* ([`Layout`]), a tree of leaves and tuples only,
//! implemented in this module alone, whose payload layout is computed with
//! `offset_of!`, in plain safe Rust. An interface converts its payloads to
//! and from that representation with ordinary safe functions: a wrong
//! conversion gives wrong values, never a wrong layout.

use std::marker::PhantomData;
use std::mem::offset_of;

pub use crate::core::view::{Scalar, Slice, ValueView};

use crate::core::layout::LeafLayout;
use crate::export::shape::{PortDesc, PortKind, PortTree};
use crate::typed::handle::Handle;

/// A leaf carrying one by-value view. Payload: `(bool, V::View<'a>)`.
#[derive(Debug)]
pub struct ViewPort<V>(PhantomData<fn() -> V>);
/// A leaf carrying one view by reference. Payload: `(bool, &'a V::View<'a>)`.
#[derive(Debug)]
pub struct RefViewPort<V>(PhantomData<fn() -> V>);
/// A runtime-length group of by-reference views, structure-of-arrays: a
/// notify plane and a value plane. Payload: `(&'a [bool], &'a [&'a V::View<'a>])`.
///
/// The length is fixed by the build call; a node whose group output changes
/// length later panics (naming the node).
#[derive(Debug)]
pub struct RefViewPorts<V>(PhantomData<fn() -> V>);

/// A runtime-length group of by-value views, structure-of-arrays: a notify
/// plane and a value plane. Payload: `(&'a [bool], &'a [V::View<'a>])`.
///
/// As an input it is fed like a [`RefViewPorts`], by a `Vec`, array or slice
/// of [`ViewPort`] handles (or a group handle); each member is copied into
/// the consumer's own planes, so the consumer borrows nothing from its
/// producers and, for a lifetime-free view (`Ports<T>`), a member whose
/// producer ran without notifying is quiet, as a `Port<T>` input is. As an
/// output, its length is fixed by the build call like a `RefViewPorts`'.
#[derive(Debug)]
pub struct ViewPorts<V>(PhantomData<fn() -> V>);

/// A scalar carried by value: payload `(bool, T)`.
pub type Port<T> = ViewPort<Scalar<T>>;
/// A scalar carried by reference: payload `(bool, &'a T)`.
pub type RefPort<T> = RefViewPort<Scalar<T>>;
/// A runtime-length group of scalars by reference: payload `(&'a [bool], &'a [&'a T])`.
pub type RefPorts<T> = RefViewPorts<Scalar<T>>;
/// A runtime-length group of scalars by value: payload `(&'a [bool], &'a [T])`.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// /// Sums its members (copied into its own block: no borrow of them).
/// struct Total;
/// impl Segment for Total {
///     type Inputs = Ports<i64>;
///     type Outputs = Port<i64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>((_, xs): (&'a [bool], &'a [i64]), _: &'b mut (), _: bool) -> (bool, i64) {
///         (true, xs.iter().sum())
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let cells: Vec<_> = (1..=4).map(|i| *b.push_source(Source::new(i))).collect();
/// let t = b.push(Total, &cells);
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(t), 10);
/// ```
pub type Ports<T> = ViewPorts<Scalar<T>>;

mod sealed {
    /// Seals [`Layout`](super::Layout): the engine trusts its layouts.
    pub trait Sealed {}
}

/// Seals [`Interface`] against hand-written impls; `#[derive(Interface)]`
/// implements it. Implementing it by hand is harmless (an interface's
/// engine-facing part is its sealed [`Layout`]), only unsupported.
pub(crate) mod seal {
    #[doc(hidden)]
    pub trait InterfaceSeal {}
}

#[doc(hidden)]
/// The engine-facing shape of an interface: a leaf, `()` or a tuple of
/// layouts. Sealed: the engine trusts the layout each one reports, and only
/// this module implements it.
pub trait Layout: sealed::Sealed + 'static {
    /// The payload as the engine stores it.
    type Stored<'a>: Copy + Send + Sync;
    /// Number of leaves (a group counts as one leaf).
    const LEAVES: usize;
    /// True if some leaf is a group (`RefViewPorts`, `ViewPorts`).
    const HAS_GROUP: bool;
    /// Appends the layout of every leaf, in leaf order, at `base` bytes into a `Stored` payload.
    fn describe(base: usize, out: &mut Vec<LeafLayout>);
}

/// A tree of ports: a leaf, `()`, a tuple (arity ≤ 12) of interfaces, or a
/// struct of interfaces with `#[derive(Interface)]`
/// ([`flowgraph::Interface`](crate::Interface)).
///
/// Do not implement it by hand: derive it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a port interface",
    label = "not a port, `()`, a tuple of at most 12 interfaces or a `#[derive(Interface)]` struct",
    note = "an interface is a port (`Port<T>`, `RefPort<T>`, `RefPorts<T>`, `Ports<T>`, `ViewPort<V>`, `RefViewPort<V>`, `RefViewPorts<V>`, `ViewPorts<V>`), `()`, a tuple of up to 12 interfaces, or a struct of interfaces with `#[derive(flowgraph::Interface)]`",
    note = "nest wider trees: `((A, B, C), (D, E))`, or name them in a struct; wrap a plain type in a port: `Port<T>` by value, `RefPort<T>` by reference"
)]
pub trait Interface: seal::InterfaceSeal + 'static {
    /// The payload tree a segment receives or returns: a notify flag beside
    /// each value or reference. Payloads are `Copy` borrows, never owned values.
    type Values<'a>: Copy + Send + Sync;
    /// The handles that name this tree's leaves in a graph.
    type Handles: Copy;
    /// Number of leaves (a group counts as one leaf).
    const LEAVES: usize = <Self::Repr as Layout>::LEAVES;

    /// True if any leaf of `values` carries a notification.
    fn any_notify(values: &Self::Values<'_>) -> bool;

    #[doc(hidden)]
    /// The representation the engine stores: the equivalent tree of leaves and tuples.
    type Repr: Layout;

    #[doc(hidden)]
    /// A payload read from the engine's representation.
    fn from_repr<'a>(stored: <Self::Repr as Layout>::Stored<'a>) -> Self::Values<'a>;

    #[doc(hidden)]
    /// A payload in the engine's representation.
    fn into_repr<'a>(values: Self::Values<'a>) -> <Self::Repr as Layout>::Stored<'a>;

    #[doc(hidden)]
    /// Builds the handles of the leaves `first..first + LEAVES` of node `node`.
    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles;

    #[doc(hidden)]
    /// True if some leaf is a group (`RefViewPorts`, `ViewPorts`).
    const HAS_GROUP: bool = <Self::Repr as Layout>::HAS_GROUP;

    #[doc(hidden)]
    /// The tree of ports with their kinds and view types, for the exporters.
    fn port_tree() -> PortTree;
}
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the payload type of a `#[derive(Interface)]` struct",
    label = "a type with a lifetime argument here names a derived interface's payloads",
    note = "in a `#[segment_fn]`/`#[segment_impl]` signature, `QuoteValues<'_>` is the interface `Quote` of `#[derive(Interface)] struct Quote {{ … }}`",
    note = "any other by-value port carries a `'static` value: own the data, or take it by reference (`&T`, a `RefPort<T>`)"
)]
/// Names the interface whose payload type is `Self`: `#[derive(Interface)]`
/// implements it for its `…Values<'a>` type, so that `#[segment_fn]` maps a
/// parameter of that type to the interface. A wrong impl fails to compile
/// where it is used (the payload types differ), nothing else.
pub trait ValuesOf {
    /// The interface.
    type Interface: Interface;
}

impl<V> sealed::Sealed for ViewPort<V> {}
impl<V> sealed::Sealed for RefViewPort<V> {}
impl<V> sealed::Sealed for RefViewPorts<V> {}
impl<V> seal::InterfaceSeal for ViewPort<V> {}
impl<V> seal::InterfaceSeal for RefViewPort<V> {}
impl<V> seal::InterfaceSeal for RefViewPorts<V> {}
impl<V> sealed::Sealed for ViewPorts<V> {}
impl<V> seal::InterfaceSeal for ViewPorts<V> {}

impl<V: ValueView> Layout for ViewPort<V>
where
    for<'a> V::View<'a>: Copy,
{
    type Stored<'a> = (bool, V::View<'a>);
    const LEAVES: usize = 1;
    const HAS_GROUP: bool = false;

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::single::<Self::Stored<'static>>(
            base,
            offset_of!(Self::Stored<'static>, 0),
            offset_of!(Self::Stored<'static>, 1),
            V::LIFETIME_FREE,
        ));
    }
}

impl<V: ValueView> Layout for RefViewPort<V> {
    type Stored<'a> = (bool, &'a V::View<'a>);
    const LEAVES: usize = 1;
    const HAS_GROUP: bool = false;

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::single::<Self::Stored<'static>>(
            base,
            offset_of!(Self::Stored<'static>, 0),
            offset_of!(Self::Stored<'static>, 1),
            false,
        ));
    }
}

impl<V: ValueView> Layout for RefViewPorts<V> {
    type Stored<'a> = (&'a [bool], &'a [&'a V::View<'a>]);
    const LEAVES: usize = 1;
    const HAS_GROUP: bool = true;

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::group::<V::View<'static>>(base));
    }
}

impl<V: ValueView> Layout for ViewPorts<V>
where
    for<'a> V::View<'a>: Copy,
{
    type Stored<'a> = (&'a [bool], &'a [V::View<'a>]);
    const LEAVES: usize = 1;
    const HAS_GROUP: bool = true;

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::group_values::<V::View<'static>>(base));
    }
}

// Each leaf is its own representation.
impl<V: ValueView> Interface for ViewPort<V>
where
    for<'a> V::View<'a>: Copy,
{
    type Values<'a> = <Self as Layout>::Stored<'a>;
    type Handles = Handle<Self>;
    type Repr = Self;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0
    }

    #[inline(always)]
    fn from_repr<'a>(stored: Self::Values<'a>) -> Self::Values<'a> {
        stored
    }

    #[inline(always)]
    fn into_repr<'a>(values: Self::Values<'a>) -> Self::Values<'a> {
        values
    }

    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        Handle::new(graph, node, first)
    }

    fn port_tree() -> PortTree {
        PortTree::Leaf(PortDesc {
            kind: PortKind::View,
            view: std::any::type_name::<V>(),
        })
    }
}

impl<V: ValueView> Interface for RefViewPort<V> {
    type Values<'a> = <Self as Layout>::Stored<'a>;
    type Handles = Handle<Self>;
    type Repr = Self;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0
    }

    #[inline(always)]
    fn from_repr<'a>(stored: Self::Values<'a>) -> Self::Values<'a> {
        stored
    }

    #[inline(always)]
    fn into_repr<'a>(values: Self::Values<'a>) -> Self::Values<'a> {
        values
    }

    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        Handle::new(graph, node, first)
    }

    fn port_tree() -> PortTree {
        PortTree::Leaf(PortDesc {
            kind: PortKind::RefView,
            view: std::any::type_name::<V>(),
        })
    }
}

impl<V: ValueView> Interface for RefViewPorts<V> {
    type Values<'a> = <Self as Layout>::Stored<'a>;
    type Handles = Handle<Self>;
    type Repr = Self;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0.iter().any(|&n| n)
    }

    #[inline(always)]
    fn from_repr<'a>(stored: Self::Values<'a>) -> Self::Values<'a> {
        stored
    }

    #[inline(always)]
    fn into_repr<'a>(values: Self::Values<'a>) -> Self::Values<'a> {
        values
    }

    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        Handle::new(graph, node, first)
    }

    fn port_tree() -> PortTree {
        PortTree::Leaf(PortDesc {
            kind: PortKind::RefViews,
            view: std::any::type_name::<V>(),
        })
    }
}

impl<V: ValueView> Interface for ViewPorts<V>
where
    for<'a> V::View<'a>: Copy,
{
    type Values<'a> = <Self as Layout>::Stored<'a>;
    type Handles = Handle<Self>;
    type Repr = Self;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0.iter().any(|&n| n)
    }

    #[inline(always)]
    fn from_repr<'a>(stored: Self::Values<'a>) -> Self::Values<'a> {
        stored
    }

    #[inline(always)]
    fn into_repr<'a>(values: Self::Values<'a>) -> Self::Values<'a> {
        values
    }

    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        Handle::new(graph, node, first)
    }

    fn port_tree() -> PortTree {
        PortTree::Leaf(PortDesc {
            kind: PortKind::Views,
            view: std::any::type_name::<V>(),
        })
    }
}

impl sealed::Sealed for () {}
impl seal::InterfaceSeal for () {}
impl Layout for () {
    type Stored<'a> = ();
    const LEAVES: usize = 0;
    const HAS_GROUP: bool = false;

    fn describe(_: usize, _: &mut Vec<LeafLayout>) {}
}
impl Interface for () {
    type Values<'a> = ();
    type Handles = ();
    type Repr = ();

    #[inline(always)]
    fn any_notify(_: &()) -> bool {
        false
    }

    #[inline(always)]
    fn from_repr<'a>(_: <Self::Repr as Layout>::Stored<'a>) -> Self::Values<'a> {}

    #[inline(always)]
    fn into_repr<'a>(_: Self::Values<'a>) -> <Self::Repr as Layout>::Stored<'a> {}

    fn handles(_: u64, _: u32, _: u32) -> Self::Handles {}

    fn port_tree() -> PortTree {
        PortTree::Tuple(Vec::new())
    }
}

macro_rules! tuple_interface {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Layout),+> sealed::Sealed for ($($name,)+) {}
        impl<$($name: Interface),+> seal::InterfaceSeal for ($($name,)+) {}

        impl<$($name: Layout),+> Layout for ($($name,)+) {
            type Stored<'a> = ($($name::Stored<'a>,)+);
            const LEAVES: usize = 0 $(+ $name::LEAVES)+;
            const HAS_GROUP: bool = false $(|| $name::HAS_GROUP)+;

            fn describe(base: usize, out: &mut Vec<LeafLayout>) {
                $($name::describe(base + offset_of!(Self::Stored<'static>, $idx), out);)+
            }
        }

        impl<$($name: Interface),+> Interface for ($($name,)+) {
            type Values<'a> = ($($name::Values<'a>,)+);
            type Handles = ($($name::Handles,)+);
            type Repr = ($($name::Repr,)+);

            #[inline(always)]
            fn any_notify(values: &Self::Values<'_>) -> bool {
                false $(|| $name::any_notify(&values.$idx))+
            }

            #[inline(always)]
            fn from_repr<'a>(stored: <Self::Repr as Layout>::Stored<'a>) -> Self::Values<'a> {
                ($($name::from_repr(stored.$idx),)+)
            }

            #[inline(always)]
            fn into_repr<'a>(values: Self::Values<'a>) -> <Self::Repr as Layout>::Stored<'a> {
                ($($name::into_repr(values.$idx),)+)
            }

            #[allow(unused_assignments, reason = "the last leaf count is not needed")]
            fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
                let mut next = first;
                ($({
                    let h = $name::handles(graph, node, next);
                    next += <$name::Repr as Layout>::LEAVES as u32;
                    h
                },)+)
            }

            fn port_tree() -> PortTree {
                PortTree::Tuple(vec![$($name::port_tree()),+])
            }
        }
    };
}

tuple_interface!(A 0);
tuple_interface!(A 0, B 1);
tuple_interface!(A 0, B 1, C 2);
tuple_interface!(A 0, B 1, C 2, D 3);
tuple_interface!(A 0, B 1, C 2, D 3, E 4);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_interface!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
