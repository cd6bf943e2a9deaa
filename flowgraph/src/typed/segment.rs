//! The unit of scheduling: [`Segment`], and the [`Operator`] wrapper.

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::ops::{Comp, Fork, Par};

/// A typed node: inputs, outputs, a mutable state and a compute function.
///
/// `compute` returns its output payload tree: references into its own state,
/// references forwarded from its inputs, or by-value views. The bound
/// `'b: 'a` is what lets a payload borrow from the `&'b mut` state.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// /// Sums a vector kept in the node's state and exposes it by reference.
/// struct Collect;
/// impl Segment for Collect {
///     type Inputs = Port<i64>;
///     type Outputs = RefPort<Vec<i64>>;
///     type State = Vec<i64>;
///     fn init(self) -> Vec<i64> { Vec::new() }
///     fn compute<'a, 'b: 'a>((n, x): (bool, i64), state: &'b mut Vec<i64>, _: bool) -> (bool, &'a Vec<i64>) {
///         state.push(x);
///         (n, state)
///     }
/// }
/// ```
///
/// # Thread safety and lifetimes
///
/// The pool may run a node on any of its threads, so its state must be
/// `Send`; a segment whose state is not is rejected:
///
/// ```compile_fail,E0277
/// use std::rc::Rc;
/// use flowgraph::typed::*;
///
/// struct Shared;
/// impl Segment for Shared {
///     type Inputs = Port<i64>;
///     type Outputs = Port<i64>;
///     type State = Rc<i64>; // error: `Rc<i64>` cannot be sent between threads
///     fn init(self) -> Rc<i64> { Rc::new(1) }
///     fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut Rc<i64>, _: bool) -> (bool, i64) {
///         (n, x + **s)
///     }
/// }
/// ```
///
/// A state outlives every generation, so it cannot keep the references its
/// inputs carry, which are valid for one generation only:
///
/// ```compile_fail
/// use flowgraph::typed::*;
///
/// struct Keep;
/// impl Segment for Keep {
///     type Inputs = RefPort<i64>;
///     type Outputs = Port<i64>;
///     type State = Vec<&'static i64>;
///     fn init(self) -> Vec<&'static i64> { Vec::new() }
///     fn compute<'a, 'b: 'a>(
///         (n, x): (bool, &'a i64),
///         kept: &'b mut Vec<&'static i64>,
///         _: bool,
///     ) -> (bool, i64) {
///         kept.push(x); // error: `'a` must outlive `'static`
///         (n, kept.len() as i64)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a segment",
    label = "not a `Segment`",
    note = "implement `Segment` (or `Operator`) for it, or generate the impl: `#[flowgraph::segment_fn]` on a function, `#[flowgraph::segment_impl]` on an impl block with `fn compute`",
    note = "a function under `#[segment_fn]` is pushed as its struct: for `fn moving_sum`, `b.push(MovingSum, …)`"
)]
pub trait Segment {
    /// The input interface tree.
    type Inputs: Interface;
    /// The output interface tree.
    type Outputs: Interface;
    /// The node's mutable state, built once by [`init`](Segment::init).
    type State: Send + 'static;

    /// Allocates the node's state (and its output storage).
    fn init(self) -> Self::State;

    /// Computes the outputs. `init` is `true` exactly once: on the build call
    /// that `Graph::from_builder` performs.
    fn compute<'a, 'b: 'a>(
        inputs: <Self::Inputs as Interface>::Values<'a>,
        state: &'b mut Self::State,
        init: bool,
    ) -> <Self::Outputs as Interface>::Values<'a>;

    #[doc(hidden)]
    /// The combinator tree of a fused segment, for the exporters (`None` for
    /// a plain segment). Only the combinators override it.
    fn __fused(&self) -> Option<Structure> {
        None
    }

    /// Sequential composition, fused into one node: [`Comp(self, g)`](Comp).
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(2_i64));
    /// let double: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, 2 * x));
    /// let inc: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x + 1));
    /// // The middle closure takes its interfaces from its neighbours.
    /// let x = b.push(double.then(Arr::new(|(n, x), _| (n, x * x))).then(inc), *s);
    /// let g = Graph::from_builder(b);
    /// assert_eq!(g.view(x), 17);
    /// ```
    fn then<G>(self, g: G) -> Comp<Self, G>
    where
        Self: Sized,
        G: Segment<Inputs = Self::Outputs>,
    {
        Comp(self, g)
    }

    /// Fan-out, fused into one node: [`Fork(self, g)`](Fork).
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(2_i64));
    /// let double: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, 2 * x));
    /// let (x, y) = b.push(double.fork(Id::new()), *s);
    /// let g = Graph::from_builder(b);
    /// assert_eq!((g.view(x), g.view(y)), (4, 2));
    /// ```
    fn fork<G>(self, g: G) -> Fork<Self, G>
    where
        Self: Sized,
        G: Segment<Inputs = Self::Inputs>,
    {
        Fork(self, g)
    }

    /// Parallel composition, fused into one node: [`Par(self, g)`](Par).
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(2_i64));
    /// let t = b.push_source(Source::new(3_i64));
    /// let double: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, 2 * x));
    /// let (x, y) = b.push(double.par(Id::new()), (*s, *t));
    /// let g = Graph::from_builder(b);
    /// assert_eq!((g.view(x), g.view(y)), (4, 3));
    /// ```
    fn par<G>(self, g: G) -> Par<Self, G>
    where
        Self: Sized,
        G: Segment,
    {
        Par(self, g)
    }
}

/// A segment with a cheap *passthrough* path, taken when no input notifies.
///
/// Every `Operator` is a [`Segment`]. Its `compute` runs on the build call and
/// whenever some input notifies (and always, for an operator without inputs);
/// otherwise `passthrough` runs, with only shared access to the state — so
/// it cannot reallocate what earlier outputs point into. It must still return
/// the outputs, usually with their notify flags set to `false`.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// /// Squares its input, remembering the last result.
/// struct Square;
/// impl Operator for Square {
///     type Inputs = Port<i64>;
///     type Outputs = RefPort<i64>;
///     type State = i64;
///     fn init(self) -> i64 { 0 }
///     fn compute<'a, 'b: 'a>((_, x): (bool, i64), state: &'b mut i64, _: bool) -> (bool, &'a i64) {
///         *state = x * x;
///         (true, state)
///     }
///     fn passthrough<'a, 'b: 'a>(_: (bool, i64), state: &'b i64) -> (bool, &'a i64) {
///         (false, state)
///     }
/// }
/// ```
///
/// `passthrough` gets shared access to the state, so it cannot move what the
/// outputs of earlier generations point into (consumers outside the cone
/// still hold those pointers):
///
/// ```compile_fail,E0596
/// use flowgraph::typed::*;
///
/// struct Grow;
/// impl Operator for Grow {
///     type Inputs = Port<i64>;
///     type Outputs = RefPort<i64>;
///     type State = Vec<i64>;
///     fn init(self) -> Vec<i64> { vec![0] }
///     fn compute<'a, 'b: 'a>((_, x): (bool, i64), s: &'b mut Vec<i64>, _: bool) -> (bool, &'a i64) {
///         s[0] = x;
///         (true, &s[0])
///     }
///     fn passthrough<'a, 'b: 'a>(_: (bool, i64), s: &'b Vec<i64>) -> (bool, &'a i64) {
///         s.push(0); // error: `s` is a `&` reference
///         (false, &s[0])
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a segment",
    label = "not a `Segment`",
    note = "implement `Segment` (or `Operator`) for it, or generate the impl: `#[flowgraph::segment_fn]` on a function, `#[flowgraph::segment_impl]` on an impl block with `fn compute`",
    note = "a function under `#[segment_fn]` is pushed as its struct: for `fn moving_sum`, `b.push(MovingSum, …)`"
)]
pub trait Operator {
    /// The input interface tree.
    type Inputs: Interface;
    /// The output interface tree.
    type Outputs: Interface;
    /// The node's mutable state.
    type State: Send + 'static;

    /// Allocates the node's state.
    fn init(self) -> Self::State;

    /// The processing path: some input notified (or this is the build call).
    fn compute<'a, 'b: 'a>(
        inputs: <Self::Inputs as Interface>::Values<'a>,
        state: &'b mut Self::State,
        init: bool,
    ) -> <Self::Outputs as Interface>::Values<'a>;

    /// The passthrough path: no input notified.
    fn passthrough<'a, 'b: 'a>(
        inputs: <Self::Inputs as Interface>::Values<'a>,
        state: &'b Self::State,
    ) -> <Self::Outputs as Interface>::Values<'a>;
}

impl<T: Operator> Segment for T {
    type Inputs = T::Inputs;
    type Outputs = T::Outputs;
    type State = T::State;

    fn init(self) -> Self::State {
        Operator::init(self)
    }

    #[inline]
    fn compute<'a, 'b: 'a>(
        inputs: <Self::Inputs as Interface>::Values<'a>,
        state: &'b mut Self::State,
        init: bool,
    ) -> <Self::Outputs as Interface>::Values<'a> {
        if init || T::Inputs::LEAVES == 0 || T::Inputs::any_notify(&inputs) {
            T::compute(inputs, state, init)
        } else {
            T::passthrough(inputs, state)
        }
    }
}
