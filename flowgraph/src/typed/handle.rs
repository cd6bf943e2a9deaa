//! Handles: `Copy` names for the leaves of a graph under construction.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::core::{Wire, WireKind};
use crate::typed::interface::{
    Interface, RefViewPort, RefViewPorts, Scalar, ValueView, ViewPort, ViewPorts,
};
use crate::typed::mismatch::{self, SameView};
use crate::typed::segment::Segment;

/// Names one output leaf `P` (a [`ViewPort`], [`RefViewPort`] or
/// [`RefViewPorts`]) of a node. Returned by `GraphBuilder::push`; used to wire
/// further nodes and to read values from the frozen `Graph`.
pub struct Handle<P> {
    pub(crate) graph: u64,
    pub(crate) node: u32,
    pub(crate) leaf: u32,
    _leaf: PhantomData<fn() -> P>,
}

impl<P> Handle<P> {
    pub(crate) fn new(graph: u64, node: u32, leaf: u32) -> Self {
        Handle {
            graph,
            node,
            leaf,
            _leaf: PhantomData,
        }
    }

    /// The id of the node this leaf belongs to (ids follow push order).
    pub fn node(self) -> usize {
        self.node as usize
    }

    /// The index of this leaf among the node's output leaves.
    pub fn leaf(self) -> usize {
        self.leaf as usize
    }
}

impl<P> Clone for Handle<P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for Handle<P> {}
impl<P> PartialEq for Handle<P> {
    fn eq(&self, other: &Self) -> bool {
        (self.graph, self.node, self.leaf) == (other.graph, other.node, other.leaf)
    }
}
impl<P> Eq for Handle<P> {}
impl<P> std::hash::Hash for Handle<P> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.graph, self.node, self.leaf).hash(state)
    }
}
impl<P> fmt::Debug for Handle<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle(node #{}, leaf {})", self.node, self.leaf)
    }
}

/// The handle of a source node: the only handle that `Graph::state_mut`
/// accepts. It derefs to the source's output handles, so wire and read it as
/// `*handle`.
pub struct SourceHandle<S: Segment> {
    pub(crate) graph: u64,
    pub(crate) node: u32,
    outputs: <S::Outputs as Interface>::Handles,
}

impl<S: Segment> SourceHandle<S> {
    pub(crate) fn new(graph: u64, node: u32) -> Self {
        SourceHandle {
            graph,
            node,
            outputs: S::Outputs::handles(graph, node, 0),
        }
    }

    /// The id of the source node.
    pub fn node(self) -> usize {
        self.node as usize
    }
}

impl<S: Segment> Deref for SourceHandle<S> {
    type Target = <S::Outputs as Interface>::Handles;
    fn deref(&self) -> &Self::Target {
        &self.outputs
    }
}

impl<S: Segment> Clone for SourceHandle<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Segment> Copy for SourceHandle<S> {}
impl<S: Segment> fmt::Debug for SourceHandle<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SourceHandle(node #{}, `{}`)",
            self.node,
            std::any::type_name::<S>()
        )
    }
}

/// Handles that can feed an input tree `I`: a handle per leaf, shaped like
/// `I` (for a `#[derive(Interface)]` struct, its `…Handles` struct). A
/// [`RefViewPorts`] group input also accepts a `Vec`, array or slice of
/// [`RefViewPort`] handles (a fan-in of any length), and a [`ViewPorts`]
/// group input the same of [`ViewPort`] handles.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot feed a segment input of type `{I}`",
    label = "these handles do not match the segment's `Inputs`",
    note = "`push(segment, inputs)` takes one handle per leaf of the segment's `Inputs`, in a tuple of the same shape",
    note = "a `Port<T>` input needs a `Handle<Port<T>>`, a `RefPort<T>` input a `Handle<RefPort<T>>`; a `RefPorts<T>` input takes a group handle or a `Vec`/array/slice of `Handle<RefPort<T>>`, a `Ports<T>` input the same of `Handle<Port<T>>`"
)]
pub trait Connect<I: Interface>: sealed::Sealed {
    #[doc(hidden)]
    /// Appends one wire per input leaf, checking every handle belongs to `graph`.
    fn wires(self, graph: u64, out: &mut Vec<Wire>);
}

/// [`Connect`] is sealed: the engine wires exactly what the handles name, so
/// only the library's handle shapes may produce wires. `#[derive(Interface)]`
/// implements the seal (re-exported hidden) for its handles struct, whose
/// wires are its fields'; a hand-written impl can only produce wires the
/// engine checks when it freezes the graph.
pub(crate) mod sealed {
    use super::Handle;

    #[doc(hidden)]
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot feed segment inputs: `Connect` is sealed",
        label = "not a handle, a collection of handles or a tuple of them",
        note = "only the handles that `GraphBuilder::push` and `push_source` return (and `Vec`s, arrays, slices and tuples of them) connect inputs"
    )]
    pub trait Sealed {}

    impl<P> Sealed for Handle<P> {}
    impl<P> Sealed for &[Handle<P>] {}
    impl<P> Sealed for Vec<Handle<P>> {}
    impl<P> Sealed for &Vec<Handle<P>> {}
    impl<P, const N: usize> Sealed for [Handle<P>; N] {}
    impl Sealed for () {}

    macro_rules! tuple_sealed {
        ($($h:ident),+) => {
            impl<$($h: Sealed),+> Sealed for ($($h,)+) {}
        };
    }

    tuple_sealed!(A);
    tuple_sealed!(A, B);
    tuple_sealed!(A, B, C);
    tuple_sealed!(A, B, C, D);
    tuple_sealed!(A, B, C, D, E);
    tuple_sealed!(A, B, C, D, E, F);
    tuple_sealed!(A, B, C, D, E, F, G);
    tuple_sealed!(A, B, C, D, E, F, G, H);
    tuple_sealed!(A, B, C, D, E, F, G, H, I);
    tuple_sealed!(A, B, C, D, E, F, G, H, I, J);
    tuple_sealed!(A, B, C, D, E, F, G, H, I, J, K);
    tuple_sealed!(A, B, C, D, E, F, G, H, I, J, K, L);
}

fn check_graph(graph: u64, handle_graph: u64, node: u32) {
    assert!(
        graph == handle_graph,
        "flowgraph: the handle of node #{node} belongs to another GraphBuilder; \
         handles can only be wired into the builder that created them"
    );
}

// Every valid wiring is bound by `W: SameView<V, …>`: the handle's view `W`
// is the input's `V`. Spelled through `SameView` so that a mismatch names
// the two value types.

impl<V: ValueView, W: ValueView> Connect<ViewPort<V>> for Handle<ViewPort<W>>
where
    ViewPort<V>: Interface,
    W: SameView<V, W::View<'static>, V::View<'static>>,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire::single(self.node, self.leaf));
    }
}

impl<V: ValueView, W: ValueView> Connect<RefViewPort<V>> for Handle<RefViewPort<W>>
where
    RefViewPort<V>: Interface,
    W: SameView<V, W::View<'static>, V::View<'static>>,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire::single(self.node, self.leaf));
    }
}

impl<V: ValueView, W: ValueView> Connect<RefViewPorts<V>> for Handle<RefViewPorts<W>>
where
    RefViewPorts<V>: Interface,
    W: SameView<V, W::View<'static>, V::View<'static>>,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire(WireKind::Group {
            node: self.node,
            leaf: self.leaf,
        }));
    }
}

impl<V: ValueView, W: ValueView> Connect<ViewPorts<V>> for Handle<ViewPorts<W>>
where
    ViewPorts<V>: Interface,
    W: SameView<V, W::View<'static>, V::View<'static>>,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire(WireKind::Group {
            node: self.node,
            leaf: self.leaf,
        }));
    }
}

fn fan_in<P>(handles: &[Handle<P>], graph: u64, out: &mut Vec<Wire>) {
    for h in handles {
        check_graph(graph, h.graph, h.node);
    }
    out.push(Wire(WireKind::FanIn(
        handles.iter().map(|h| (h.node, h.leaf)).collect(),
    )));
}

/// The fan-in impls of a group input `$group` fed by handles of `$member`s:
/// from a slice, a `Vec`, a `&Vec` and an array.
macro_rules! fan_in_connect {
    ($group:ident, $member:ident) => {
        impl<V: ValueView, W: ValueView> Connect<$group<V>> for &[Handle<$member<W>>]
        where
            $group<V>: Interface,
            W: SameView<V, W::View<'static>, V::View<'static>>,
        {
            fn wires(self, graph: u64, out: &mut Vec<Wire>) {
                fan_in(self, graph, out)
            }
        }

        impl<V: ValueView, W: ValueView> Connect<$group<V>> for Vec<Handle<$member<W>>>
        where
            $group<V>: Interface,
            W: SameView<V, W::View<'static>, V::View<'static>>,
        {
            fn wires(self, graph: u64, out: &mut Vec<Wire>) {
                fan_in(&self, graph, out)
            }
        }

        impl<V: ValueView, W: ValueView> Connect<$group<V>> for &Vec<Handle<$member<W>>>
        where
            $group<V>: Interface,
            W: SameView<V, W::View<'static>, V::View<'static>>,
        {
            fn wires(self, graph: u64, out: &mut Vec<Wire>) {
                fan_in(self, graph, out)
            }
        }

        impl<V: ValueView, W: ValueView, const N: usize> Connect<$group<V>>
            for [Handle<$member<W>>; N]
        where
            $group<V>: Interface,
            W: SameView<V, W::View<'static>, V::View<'static>>,
        {
            fn wires(self, graph: u64, out: &mut Vec<Wire>) {
                fan_in(&self, graph, out)
            }
        }
    };
}

fan_in_connect!(RefViewPorts, RefViewPort);
fan_in_connect!(ViewPorts, ViewPort);

/// Impls of `Connect` for a wrong combination of the scalar spellings
/// (`$input<Scalar<T>>` fed by `$handle`), guarded by the never-implemented
/// `$mistake<T, U>`: rustc reports that bound, in the user's words. They
/// cannot be selected (see `typed::mismatch`).
macro_rules! mistake_connect {
    ($mistake:ident: $input:ident <- $($handle:tt)+) => {
        impl<T, U> Connect<$input<Scalar<T>>> for $($handle)+
        where
            $input<Scalar<T>>: Interface,
            Check: mismatch::$mistake<T, U>,
        {
            fn wires(self, _: u64, _: &mut Vec<Wire>) {
                unreachable!("`{}` is implemented by nothing", stringify!($mistake))
            }
        }
    };
}

/// [`mistake_connect!`] for each collection of `$member` handles.
macro_rules! mistake_collections {
    ($mistake:ident: $input:ident <- $member:ident) => {
        mistake_connect!($mistake: $input <- &[Handle<$member<Scalar<U>>>]);
        mistake_connect!($mistake: $input <- Vec<Handle<$member<Scalar<U>>>>);
        mistake_connect!($mistake: $input <- &Vec<Handle<$member<Scalar<U>>>>);
        impl<T, U, const N: usize> Connect<$input<Scalar<T>>> for [Handle<$member<Scalar<U>>>; N]
        where
            $input<Scalar<T>>: Interface,
            Check: mismatch::$mistake<T, U>,
        {
            fn wires(self, _: u64, _: &mut Vec<Wire>) {
                unreachable!("`{}` is implemented by nothing", stringify!($mistake))
            }
        }
    };
}

/// The type the mistakes' bounds are stated on.
#[doc(hidden)]
#[derive(Debug)]
pub struct Check;

mistake_connect!(RefPortIntoPort: ViewPort <- Handle<RefViewPort<Scalar<U>>>);
mistake_connect!(GroupIntoSingle: ViewPort <- Handle<RefViewPorts<Scalar<U>>>);
mistake_connect!(PortIntoRefPort: RefViewPort <- Handle<ViewPort<Scalar<U>>>);
mistake_connect!(GroupIntoSingle: RefViewPort <- Handle<RefViewPorts<Scalar<U>>>);
mistake_connect!(PortIntoRefPorts: RefViewPorts <- Handle<ViewPort<Scalar<U>>>);
mistake_connect!(RefPortIntoRefPorts: RefViewPorts <- Handle<RefViewPort<Scalar<U>>>);
mistake_collections!(PortsIntoRefPorts: RefViewPorts <- ViewPort);
mistake_connect!(GroupIntoSingle: ViewPort <- Handle<ViewPorts<Scalar<U>>>);
mistake_connect!(GroupIntoSingle: RefViewPort <- Handle<ViewPorts<Scalar<U>>>);
mistake_connect!(PortIntoPorts: ViewPorts <- Handle<ViewPort<Scalar<U>>>);
mistake_connect!(RefPortsIntoPorts: ViewPorts <- Handle<RefViewPort<Scalar<U>>>);
mistake_collections!(RefPortsIntoPorts: ViewPorts <- RefViewPort);
mistake_collections!(ManyIntoSingle: ViewPort <- ViewPort);
mistake_collections!(ManyIntoSingle: ViewPort <- RefViewPort);
mistake_collections!(ManyIntoSingle: RefViewPort <- ViewPort);
mistake_collections!(ManyIntoSingle: RefViewPort <- RefViewPort);

impl Connect<()> for () {
    fn wires(self, _: u64, _: &mut Vec<Wire>) {}
}

macro_rules! tuple_connect {
    ($($h:ident $i:ident $idx:tt),+) => {
        impl<$($i: Interface, $h: Connect<$i>),+> Connect<($($i,)+)> for ($($h,)+) {
            fn wires(self, graph: u64, out: &mut Vec<Wire>) {
                $(self.$idx.wires(graph, out);)+
            }
        }
    };
}

tuple_connect!(HA A 0);
tuple_connect!(HA A 0, HB B 1);
tuple_connect!(HA A 0, HB B 1, HC C 2);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6, HH H 7);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6, HH H 7, HI I 8);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6, HH H 7, HI I 8, HJ J 9);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6, HH H 7, HI I 8, HJ J 9, HK K 10);
tuple_connect!(HA A 0, HB B 1, HC C 2, HD D 3, HE E 4, HF F 5, HG G 6, HH H 7, HI I 8, HJ J 9, HK K 10, HL L 11);

/// Impls of `Connect` for a handle tuple of the wrong arity, guarded by the
/// never-implemented `mismatch::TupleArity` (see [`mistake_connect!`]).
macro_rules! arity_row {
    ($g:literal $hs:tt: $($w:literal $is:tt);+) => {
        $(arity_impl!($g $hs $w $is);)+
    };
}

macro_rules! arity_impl {
    ($g:literal ($($h:ident,)+) $w:literal ($($i:ident,)+)) => {
        impl<$($h: sealed::Sealed,)+ $($i: Interface,)+> Connect<($($i,)+)> for ($($h,)+)
        where
            Check: mismatch::TupleArity<($($h,)+), ($($i,)+), $g, $w>,
        {
            fn wires(self, _: u64, _: &mut Vec<Wire>) {
                unreachable!("`TupleArity` is implemented by nothing")
            }
        }
    };
}

/// One handle where a tuple of inputs is expected.
macro_rules! one_for_tuple {
    ($w:literal ($($i:ident,)+)) => {
        impl<P, $($i: Interface,)+> Connect<($($i,)+)> for Handle<P>
        where
            Check: mismatch::OneForTuple<Handle<P>, ($($i,)+), $w>,
        {
            fn wires(self, _: u64, _: &mut Vec<Wire>) {
                unreachable!("`OneForTuple` is implemented by nothing")
            }
        }
    };
}

/// A tuple of handles where a single port is expected, for each leaf kind.
macro_rules! tuple_for_one {
    ($g:literal ($($h:ident,)+)) => {
        tuple_for_one!(@ $g ($($h,)+) ViewPort);
        tuple_for_one!(@ $g ($($h,)+) RefViewPort);
        tuple_for_one!(@ $g ($($h,)+) RefViewPorts);
        tuple_for_one!(@ $g ($($h,)+) ViewPorts);
    };
    (@ $g:literal ($($h:ident,)+) $leaf:ident) => {
        impl<V, $($h: sealed::Sealed,)+> Connect<$leaf<V>> for ($($h,)+)
        where
            $leaf<V>: Interface,
            Check: mismatch::TupleForOne<($($h,)+), $leaf<V>, $g>,
        {
            fn wires(self, _: u64, _: &mut Vec<Wire>) {
                unreachable!("`TupleForOne` is implemented by nothing")
            }
        }
    };
}

arity_row!(1 (HA,): 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(2 (HA, HB,): 1 (A,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(3 (HA, HB, HC,): 1 (A,); 2 (A, B,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(4 (HA, HB, HC, HD,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(5 (HA, HB, HC, HD, HE,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(6 (HA, HB, HC, HD, HE, HF,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(7 (HA, HB, HC, HD, HE, HF, HG,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(8 (HA, HB, HC, HD, HE, HF, HG, HH,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(9 (HA, HB, HC, HD, HE, HF, HG, HH, HI,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(10 (HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 11 (A, B, C, D, E, F, G, H, I, J, K,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(11 (HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ, HK,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 12 (A, B, C, D, E, F, G, H, I, J, K, L,));
arity_row!(12 (HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ, HK, HL,): 1 (A,); 2 (A, B,); 3 (A, B, C,); 4 (A, B, C, D,); 5 (A, B, C, D, E,); 6 (A, B, C, D, E, F,); 7 (A, B, C, D, E, F, G,); 8 (A, B, C, D, E, F, G, H,); 9 (A, B, C, D, E, F, G, H, I,); 10 (A, B, C, D, E, F, G, H, I, J,); 11 (A, B, C, D, E, F, G, H, I, J, K,));

one_for_tuple!(2(A, B,));
one_for_tuple!(3(A, B, C,));
one_for_tuple!(4(A, B, C, D,));
one_for_tuple!(5(A, B, C, D, E,));
one_for_tuple!(6(A, B, C, D, E, F,));
one_for_tuple!(7(A, B, C, D, E, F, G,));
one_for_tuple!(8(A, B, C, D, E, F, G, H,));
one_for_tuple!(9(A, B, C, D, E, F, G, H, I,));
one_for_tuple!(10(A, B, C, D, E, F, G, H, I, J,));
one_for_tuple!(11(A, B, C, D, E, F, G, H, I, J, K,));
one_for_tuple!(12(A, B, C, D, E, F, G, H, I, J, K, L,));

tuple_for_one!(2(HA, HB,));
tuple_for_one!(3(HA, HB, HC,));
tuple_for_one!(4(HA, HB, HC, HD,));
tuple_for_one!(5(HA, HB, HC, HD, HE,));
tuple_for_one!(6(HA, HB, HC, HD, HE, HF,));
tuple_for_one!(7(HA, HB, HC, HD, HE, HF, HG,));
tuple_for_one!(8(HA, HB, HC, HD, HE, HF, HG, HH,));
tuple_for_one!(9(HA, HB, HC, HD, HE, HF, HG, HH, HI,));
tuple_for_one!(10(HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ,));
tuple_for_one!(11(HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ, HK,));
tuple_for_one!(12(HA, HB, HC, HD, HE, HF, HG, HH, HI, HJ, HK, HL,));
