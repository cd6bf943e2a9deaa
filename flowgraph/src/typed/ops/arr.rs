//! [`Arr`]: a stateful closure as a segment, and its [`Ctx`].

use std::fmt;
use std::marker::PhantomData;

use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// A segment made of a stateful closure: `Arr::new(|values, ctx| …)`.
///
/// The closure receives the input payload tree and a [`Ctx`], and returns the
/// output payload tree. Its captures are the node's state (so it must be
/// `FnMut + Send + 'static`). It may forward input references and return
/// by-value views; it cannot return references into its own captures (write
/// a [`Segment`] with an [`Arena`](crate::arena::Arena) in its state for that).
///
/// The interfaces `I` and `O` are not deduced from the closure: a payload
/// type does not name its interface (`(bool, &T)` may be a `RefPort<T>` or a
/// `Port<&'static T>`). They come from the context, anywhere in the same
/// function: an annotation, a neighbour in [`then`](Segment::then) or another
/// combinator, or `Arr::<I, O, _>::new` in generated code. The lifetime of
/// the generation rides on the [`Ctx`] argument, which is what lets the
/// closure's signature be inferred, forwarded references included. A closure
/// whose body calls a method on an input or dereferences it needs the input
/// type while its body is checked: if no annotation precedes it, annotate
/// the parameters (`|(n, r): (bool, &i64), _| (n, *r)`).
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let v = b.push_source(RefSource::new(vec![1, 2, 3]));
///
/// // Interfaces from an annotation; the captured counter is the state.
/// let mut calls = 0_u32;
/// let a: Arr<Port<i64>, Port<(i64, u32)>, _> = Arr::new(move |(n, x), _| {
///     calls += 1;
///     (n, (x + 1, calls))
/// });
/// let x = b.push(a, *s);
///
/// // Forwarding a reference: the closure returns what it was given.
/// let fwd: Arr<RefPort<Vec<i32>>, RefPort<Vec<i32>>, _> = Arr::new(|(n, r), _| (n, r));
/// let r = b.push(fwd, *v);
///
/// let mut g = Graph::from_builder(b);
/// assert_eq!(g.view(x), (2, 1));
/// assert!(std::ptr::eq(g.ref_view(r), g.ref_view(*v)));
/// *g.state_mut(s) = 10;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(x), (11, 2));
/// ```
pub struct Arr<I, O, F> {
    f: F,
    _interfaces: PhantomData<fn(I) -> O>,
}

impl<I, O, F> Arr<I, O, F>
where
    I: Interface,
    O: Interface,
    F: for<'a> FnMut(I::Values<'a>, Ctx<'a>) -> O::Values<'a> + Send + 'static,
{
    /// Wraps `f`, a closure from the input payloads of `I` (and a [`Ctx`]) to
    /// the output payloads of `O`.
    ///
    /// With explicit interfaces, as generated code writes it:
    /// `Arr::<I, O, _>::new(f)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(1_i64));
    /// let t = b.push_source(RefSource::new(String::from("s")));
    /// let swap = Arr::<(Port<i64>, RefPort<String>), (RefPort<String>, Port<i64>), _>::new(
    ///     |(x, y), _| (y, x),
    /// );
    /// let (y, x) = b.push(swap, (*s, *t));
    /// let g = Graph::from_builder(b);
    /// assert_eq!((g.ref_view(y).as_str(), g.view(x)), ("s", 1));
    /// ```
    pub fn new(f: F) -> Self {
        Arr {
            f,
            _interfaces: PhantomData,
        }
    }
}

impl<I, O, F> Clone for Arr<I, O, F>
where
    F: Clone,
{
    fn clone(&self) -> Self {
        Arr {
            f: self.f.clone(),
            _interfaces: PhantomData,
        }
    }
}

impl<I, O, F> fmt::Debug for Arr<I, O, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Arr<{}, {}>",
            std::any::type_name::<I>(),
            std::any::type_name::<O>()
        )
    }
}

impl<I, O, F> Segment for Arr<I, O, F>
where
    I: Interface,
    O: Interface,
    F: for<'a> FnMut(I::Values<'a>, Ctx<'a>) -> O::Values<'a> + Send + 'static,
{
    type Inputs = I;
    type Outputs = O;
    type State = F;

    fn init(self) -> F {
        self.f
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(inputs: I::Values<'a>, f: &'b mut F, init: bool) -> O::Values<'a> {
        f(inputs, Ctx::new(init))
    }
}

/// The context an [`Arr`] closure receives beside its inputs.
///
/// It carries the lifetime `'a` of the generation's payloads (which is what
/// makes `Arr::new(|values, _| …)` infer) and tells whether this is the build
/// call.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(3_i64));
/// // Notifies on the build call only.
/// let first: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(_, x), ctx| (ctx.init(), x));
/// let x = b.push(first, *s);
/// let g = Graph::from_builder(b);
/// assert!(g.notified(x));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx<'a> {
    init: bool,
    _generation: PhantomData<&'a ()>,
}

impl<'a> Ctx<'a> {
    #[inline(always)]
    fn new(init: bool) -> Self {
        Ctx {
            init,
            _generation: PhantomData,
        }
    }

    /// True on the build call (`init == true` in [`Segment::compute`]),
    /// exactly once per node.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// use flowgraph::core::Pool;
    ///
    /// let mut b = GraphBuilder::new();
    /// let s = b.push_source(Source::new(5_i64));
    /// // Outputs 0 on the build call, then follows its input.
    /// let seed: Arr<Port<i64>, Port<i64>, _> =
    ///     Arr::new(|(n, x), ctx| if ctx.init() { (true, 0) } else { (n, x) });
    /// let x = b.push(seed, *s);
    /// let mut g = Graph::from_builder(b);
    /// assert_eq!(g.view(x), 0);
    /// *g.state_mut(s) = 6;
    /// g.stabilize(&mut Pool::new(1));
    /// assert_eq!(g.view(x), 6);
    /// ```
    #[inline(always)]
    pub fn init(self) -> bool {
        self.init
    }
}
