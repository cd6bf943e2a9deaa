//! Sources: the input-less segments a user pokes through `state_mut`.

use crate::typed::interface::{Port, RefPort};
use crate::typed::segment::Segment;

/// A scalar source carried by value: its output is a [`Port<T>`].
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(7_u32));
/// let mut g = Graph::from_builder(b);
/// assert_eq!(g.view(*s), 7);
/// *g.state_mut(s) += 1;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(*s), 8);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Source<T>(T);

impl<T> Source<T> {
    /// A source holding `value`.
    pub fn new(value: T) -> Self {
        Source(value)
    }
}

impl<T: Copy + Send + Sync + 'static> Segment for Source<T> {
    type Inputs = ();
    type Outputs = Port<T>;
    type State = T;

    fn init(self) -> T {
        self.0
    }

    #[inline]
    fn compute<'a, 'b: 'a>(_: (), state: &'b mut T, _: bool) -> (bool, T) {
        (true, *state)
    }
}

/// A source carried by reference: its output is a [`RefPort<T>`] pointing
/// into the source's state, so `T` need not be `Copy` (e.g. a `Vec`).
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(RefSource::new(vec![1, 2, 3]));
/// let mut g = Graph::from_builder(b);
/// g.state_mut(s).push(4);
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.ref_view(*s), &[1, 2, 3, 4]);
/// ```
///
/// A read borrows the graph, so it cannot be held across a poke or a
/// `stabilize`, which may move or free what it points into:
///
/// ```compile_fail,E0502
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(RefSource::new(vec![1, 2, 3]));
/// let mut g = Graph::from_builder(b);
/// let v = g.ref_view(*s);
/// g.state_mut(s).clear(); // error: `g` is borrowed by `v`
/// assert_eq!(v.len(), 3);
/// ```
///
/// ```compile_fail,E0502
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(RefSource::new(vec![1, 2, 3]));
/// let mut g = Graph::from_builder(b);
/// let v = g.ref_view(*s);
/// g.stabilize(&mut Pool::new(1)); // error: `g` is borrowed by `v`
/// assert_eq!(v.len(), 3);
/// ```
///
/// Consumers on other threads read the value through the reference, so it
/// must be `Sync` (and `Send`, as the source's state):
///
/// ```compile_fail,E0277
/// use std::cell::Cell;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// b.push_source(RefSource::new(Cell::new(1))); // error: `Cell<i32>` is not `Sync`
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RefSource<T>(T);

impl<T> RefSource<T> {
    /// A source holding `value`.
    pub fn new(value: T) -> Self {
        RefSource(value)
    }
}

impl<T: Send + Sync + 'static> Segment for RefSource<T> {
    type Inputs = ();
    type Outputs = RefPort<T>;
    type State = T;

    fn init(self) -> T {
        self.0
    }

    #[inline]
    fn compute<'a, 'b: 'a>(_: (), state: &'b mut T, _: bool) -> (bool, &'a T) {
        (true, state)
    }
}
