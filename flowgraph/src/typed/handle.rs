//! Handles: `Copy` names for the leaves of a graph under construction.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::core::{Wire, WireKind};
use crate::typed::interface::{Interface, RefViewPort, RefViewPorts, ViewPort};
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
/// `I` (for a `#[derive(Interface)]` struct, its `…Handles` struct). A [`RefViewPorts`] group input also accepts a `Vec`, array or slice of
/// [`RefViewPort`] handles (a fan-in of any length).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot feed a segment input of type `{I}`",
    label = "these handles do not match the segment's `Inputs`",
    note = "`push(segment, inputs)` takes one handle per leaf of the segment's `Inputs`, in a tuple of the same shape",
    note = "a `Port<T>` input needs a `Handle<Port<T>>`, a `RefPort<T>` input a `Handle<RefPort<T>>`; a `RefPorts<T>` input takes a group handle or a `Vec`/array/slice of `Handle<RefPort<T>>`"
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

impl<V> Connect<ViewPort<V>> for Handle<ViewPort<V>>
where
    ViewPort<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire::single(self.node, self.leaf));
    }
}

impl<V> Connect<RefViewPort<V>> for Handle<RefViewPort<V>>
where
    RefViewPort<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire::single(self.node, self.leaf));
    }
}

impl<V> Connect<RefViewPorts<V>> for Handle<RefViewPorts<V>>
where
    RefViewPorts<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        check_graph(graph, self.graph, self.node);
        out.push(Wire(WireKind::Group {
            node: self.node,
            leaf: self.leaf,
        }));
    }
}

fn fan_in<V>(handles: &[Handle<RefViewPort<V>>], graph: u64, out: &mut Vec<Wire>) {
    for h in handles {
        check_graph(graph, h.graph, h.node);
    }
    out.push(Wire(WireKind::FanIn(
        handles.iter().map(|h| (h.node, h.leaf)).collect(),
    )));
}

impl<V> Connect<RefViewPorts<V>> for &[Handle<RefViewPort<V>>]
where
    RefViewPorts<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        fan_in(self, graph, out)
    }
}

impl<V> Connect<RefViewPorts<V>> for Vec<Handle<RefViewPort<V>>>
where
    RefViewPorts<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        fan_in(&self, graph, out)
    }
}

impl<V> Connect<RefViewPorts<V>> for &Vec<Handle<RefViewPort<V>>>
where
    RefViewPorts<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        fan_in(self, graph, out)
    }
}

impl<V, const N: usize> Connect<RefViewPorts<V>> for [Handle<RefViewPort<V>>; N]
where
    RefViewPorts<V>: Interface,
{
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        fan_in(&self, graph, out)
    }
}

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
