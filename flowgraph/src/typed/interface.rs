//! Interfaces: the trees of ports that make up a segment's inputs and outputs.
//!
//! A leaf says how one value rides a wire ([`ViewPort`], [`RefViewPort`],
//! [`RefViewPorts`]); `()` and tuples up to arity 12 group leaves into trees.
//! Each interface names its payload type ([`Interface::Values`]) and the shape
//! of its handles ([`Interface::Handles`]); the runtime learns where every leaf
//! sits inside a payload through a hidden layout description, computed with
//! `offset_of!`, in plain safe Rust.

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

/// A scalar carried by value: payload `(bool, T)`.
pub type Port<T> = ViewPort<Scalar<T>>;
/// A scalar carried by reference: payload `(bool, &'a T)`.
pub type RefPort<T> = RefViewPort<Scalar<T>>;
/// A runtime-length group of scalars by reference: payload `(&'a [bool], &'a [&'a T])`.
pub type RefPorts<T> = RefViewPorts<Scalar<T>>;

mod sealed {
    pub trait Sealed {}
}

/// A tree of ports: a leaf, `()`, or a tuple (arity ≤ 12) of interfaces.
///
/// This trait is sealed: the runtime trusts the layout each interface reports.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a port interface",
    label = "not a port, `()` or a tuple of at most 12 interfaces",
    note = "an interface is a port (`Port<T>`, `RefPort<T>`, `RefPorts<T>`, `ViewPort<V>`, `RefViewPort<V>`, `RefViewPorts<V>`), `()`, or a tuple of up to 12 interfaces",
    note = "nest wider trees: `((A, B, C), (D, E))`; wrap a plain type in a port: `Port<T>` by value, `RefPort<T>` by reference"
)]
pub trait Interface: sealed::Sealed + 'static {
    /// The payload tree a segment receives or returns: a notify flag beside
    /// each value or reference. Payloads are `Copy` borrows, never owned values.
    type Values<'a>: Copy + Send + Sync;
    /// The handles that name this tree's leaves in a graph.
    type Handles: Copy;
    /// Number of leaves (a group counts as one leaf).
    const LEAVES: usize;

    /// True if any leaf of `values` carries a notification.
    fn any_notify(values: &Self::Values<'_>) -> bool;

    #[doc(hidden)]
    /// Appends the layout of every leaf, in leaf order, at `base` bytes into a payload.
    fn describe(base: usize, out: &mut Vec<LeafLayout>);

    #[doc(hidden)]
    /// Builds the handles of the leaves `first..first + LEAVES` of node `node`.
    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles;

    #[doc(hidden)]
    /// True if some leaf is a group (`RefViewPorts`).
    const HAS_GROUP: bool = false;

    #[doc(hidden)]
    /// The tree of ports with their kinds and view types, for the exporters.
    fn port_tree() -> PortTree;
}

impl<V> sealed::Sealed for ViewPort<V> {}
impl<V> sealed::Sealed for RefViewPort<V> {}
impl<V> sealed::Sealed for RefViewPorts<V> {}

impl<V: ValueView> Interface for ViewPort<V>
where
    for<'a> V::View<'a>: Copy,
{
    type Values<'a> = (bool, V::View<'a>);
    type Handles = Handle<Self>;
    const LEAVES: usize = 1;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0
    }

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::single::<Self::Values<'static>>(
            base,
            offset_of!(Self::Values<'static>, 0),
            offset_of!(Self::Values<'static>, 1),
            V::LIFETIME_FREE,
        ));
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
    type Values<'a> = (bool, &'a V::View<'a>);
    type Handles = Handle<Self>;
    const LEAVES: usize = 1;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0
    }

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::single::<Self::Values<'static>>(
            base,
            offset_of!(Self::Values<'static>, 0),
            offset_of!(Self::Values<'static>, 1),
            false,
        ));
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
    type Values<'a> = (&'a [bool], &'a [&'a V::View<'a>]);
    type Handles = Handle<Self>;
    const LEAVES: usize = 1;

    #[inline(always)]
    fn any_notify(values: &Self::Values<'_>) -> bool {
        values.0.iter().any(|&n| n)
    }

    fn describe(base: usize, out: &mut Vec<LeafLayout>) {
        out.push(LeafLayout::group::<V::View<'static>>(base));
    }

    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        Handle::new(graph, node, first)
    }

    const HAS_GROUP: bool = true;

    fn port_tree() -> PortTree {
        PortTree::Leaf(PortDesc {
            kind: PortKind::RefViews,
            view: std::any::type_name::<V>(),
        })
    }
}

impl sealed::Sealed for () {}
impl Interface for () {
    type Values<'a> = ();
    type Handles = ();
    const LEAVES: usize = 0;

    #[inline(always)]
    fn any_notify(_: &()) -> bool {
        false
    }

    fn describe(_: usize, _: &mut Vec<LeafLayout>) {}

    fn handles(_: u64, _: u32, _: u32) -> Self::Handles {}

    fn port_tree() -> PortTree {
        PortTree::Tuple(Vec::new())
    }
}

macro_rules! tuple_interface {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Interface),+> sealed::Sealed for ($($name,)+) {}

        impl<$($name: Interface),+> Interface for ($($name,)+) {
            type Values<'a> = ($($name::Values<'a>,)+);
            type Handles = ($($name::Handles,)+);
            const LEAVES: usize = 0 $(+ $name::LEAVES)+;

            #[inline(always)]
            fn any_notify(values: &Self::Values<'_>) -> bool {
                false $(|| $name::any_notify(&values.$idx))+
            }

            fn describe(base: usize, out: &mut Vec<LeafLayout>) {
                $($name::describe(base + offset_of!(Self::Values<'static>, $idx), out);)+
            }

            #[allow(unused_assignments, reason = "the last leaf count is not needed")]
            fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
                let mut next = first;
                ($({
                    let h = $name::handles(graph, node, next);
                    next += $name::LEAVES as u32;
                    h
                },)+)
            }

            const HAS_GROUP: bool = false $(|| $name::HAS_GROUP)+;

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
