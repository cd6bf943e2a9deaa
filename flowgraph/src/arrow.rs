//! Support for the code that `segment!` generates. Not public API: reached
//! only through `flowgraph::__private`.
//!
//! An invocation expands to one generated segment whose `compute` calls the
//! user's segments in turn, its wires plain local variables, so the
//! expansion and its types grow linearly with the body. The generated impl
//! is generic over every type it uses (so an invocation may sit in a generic
//! function); the types are fixed, and checked in the user's terms, by the
//! helpers here, called at the invocation:
//!
//! - [`interface_of`] (the value after `=>` is a segment), at the
//!   invocation;
//! - in the generated `compute`, where the payloads flow: [`feed`] (the
//!   wires fit the segment's inputs), [`destructure`] (a tuple pattern fits
//!   the value it binds) and [`declare`] (an output is the declared
//!   interface). Each is the identity on payloads once its check holds, and
//!   each check is made once, so a mistake is reported once, at the user's
//!   tokens, and the generated segment stays a `Segment` (no second error
//!   where it is used);
//! - a failed expansion stands on a [`Placeholder`].
//!
//! The expansion also describes its body for the exporters, as a constant
//! [`Wiring`] (wire names, patterns, reads) handed to [`fused`]: it is read
//! only when a graph is drawn, and dropped with the segment by `init`.
#![deny(unsafe_code)]

use std::fmt;
use std::marker::PhantomData;

use crate::export::Structure;
pub use crate::export::{WireTree, Wiring};
use crate::typed::{Interface, Segment};

/// What the checks of `segment!` are proved on: the relations are traits
/// of this one type, parameterized by both sides, so a check can infer
/// either side from the other.
#[derive(Clone, Copy, Debug)]
pub struct Check;

/// The wires fed to a segment by `=>` match its inputs.
#[diagnostic::on_unimplemented(
    message = "these wires are `{W}`, but the segment after `=>` takes `{I}`",
    label = "wires of the wrong interface for this segment",
    note = "the wires before `=>` must have the shape and port types of the segment's `Inputs`: one wire per port, tuples nested as in `Inputs`",
    note = "a `RefPort<T>` wire cannot feed a `Port<T>` input (nor the reverse): convert it with a segment"
)]
pub trait Feeds<I: Interface, W: Interface> {
    /// The identity on payloads.
    fn feed(values: W::Values<'_>) -> I::Values<'_>;
}
impl<T: Interface> Feeds<T, T> for Check {
    #[inline(always)]
    fn feed(values: T::Values<'_>) -> T::Values<'_> {
        values
    }
}

/// An output of the body matches the declared output interface.
#[diagnostic::on_unimplemented(
    message = "this output is `{W}`, but the signature declares `{D}`",
    label = "declared as `{D}` after `->`",
    note = "fix the declaration after `->`, or return a wire of the declared interface"
)]
pub trait Declared<D: Interface, W: Interface> {
    /// The identity on payloads.
    fn declared(values: W::Values<'_>) -> D::Values<'_>;
}
impl<T: Interface> Declared<T, T> for Check {
    #[inline(always)]
    fn declared(values: T::Values<'_>) -> T::Values<'_> {
        values
    }
}

/// A type, as a value.
pub struct Marker<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Marker<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Marker<{}>", std::any::type_name::<T>())
    }
}

/// An interface that a tuple pattern of `N` wires destructures.
#[diagnostic::on_unimplemented(
    message = "cannot destructure `{Self}` into {N} wires",
    label = "this pattern has {N} wires, but its value is `{Self}`",
    note = "a tuple pattern must have the shape of the segment outputs it destructures; bind the whole value to one wire with `let x = …`"
)]
pub trait Destructure<const N: usize>: Interface {
    /// The same tuple.
    type Parts: Interface;
    /// The identity on payloads.
    fn parts(values: Self::Values<'_>) -> <Self::Parts as Interface>::Values<'_>;
}

impl Destructure<0> for () {
    type Parts = ();
    #[inline(always)]
    fn parts(values: Self::Values<'_>) -> <Self::Parts as Interface>::Values<'_> {
        values
    }
}

macro_rules! destructure {
    ($n:literal; $($t:ident),+) => {
        impl<$($t: Interface),+> Destructure<$n> for ($($t,)+) {
            type Parts = ($($t,)+);
            #[inline(always)]
            fn parts(values: Self::Values<'_>) -> Self::Values<'_> {
                values
            }
        }
    };
}

destructure!(1; A);
destructure!(2; A, B);
destructure!(3; A, B, C);
destructure!(4; A, B, C, D);
destructure!(5; A, B, C, D, E);
destructure!(6; A, B, C, D, E, F);
destructure!(7; A, B, C, D, E, F, G);
destructure!(8; A, B, C, D, E, F, G, H);
destructure!(9; A, B, C, D, E, F, G, H, J);
destructure!(10; A, B, C, D, E, F, G, H, J, K);
destructure!(11; A, B, C, D, E, F, G, H, J, K, L);
destructure!(12; A, B, C, D, E, F, G, H, J, K, L, M);

impl<T> Marker<T> {
    /// The marker of `T`.
    #[inline(always)]
    pub fn new() -> Self {
        Marker(PhantomData)
    }
}
impl<T> Default for Marker<T> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T> Clone for Marker<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Marker<T> {}

/// A declared interface, which must be one.
#[inline(always)]
pub fn interface<T: Interface>() -> Marker<T> {
    Marker::new()
}

/// The value after `=>`, which must be a segment: its interfaces.
#[inline(always)]
pub fn interface_of<S: Segment>(_: &S) -> (Marker<S::Inputs>, Marker<S::Outputs>) {
    (Marker::new(), Marker::new())
}

/// One user segment of a fused `segment!`.
#[derive(Debug)]
pub struct Leaf<S>(pub S);

/// The state of one user segment, typed by its segment.
pub struct Slot<S: Segment> {
    state: S::State,
    segment: PhantomData<fn() -> S>,
}

impl<S: Segment> fmt::Debug for Slot<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot<{}>", std::any::type_name::<S>())
    }
}

/// A balanced tree of the user segments of a `segment!` (`Leaf`s, pairs,
/// `()`), whose state is the same tree of their [`Slot`]s.
pub trait Segments {
    /// The tree of states.
    type State: Send + 'static;
    /// Makes the states.
    fn init(self) -> Self::State;
    /// Appends the structure of each segment, in order, for the exporters.
    fn parts(&self, out: &mut Vec<Structure>);
}

impl Segments for () {
    type State = ();
    fn init(self) {}
    fn parts(&self, _: &mut Vec<Structure>) {}
}

impl<S: Segment + 'static> Segments for Leaf<S> {
    type State = Slot<S>;
    #[inline]
    fn init(self) -> Slot<S> {
        Slot {
            state: self.0.init(),
            segment: PhantomData,
        }
    }
    fn parts(&self, out: &mut Vec<Structure>) {
        out.push(Structure::of(&self.0));
    }
}

impl<A: Segments, B: Segments> Segments for (A, B) {
    type State = (A::State, B::State);
    #[inline]
    fn init(self) -> Self::State {
        (self.0.init(), self.1.init())
    }
    fn parts(&self, out: &mut Vec<Structure>) {
        self.0.parts(out);
        self.1.parts(out);
    }
}

/// Runs the segment of `slot` in a fused `compute`.
#[inline(always)]
pub fn run<'a, 'b: 'a, S: Segment>(
    slot: &'b mut Slot<S>,
    inputs: <S::Inputs as Interface>::Values<'a>,
    init: bool,
) -> <S::Outputs as Interface>::Values<'a> {
    S::compute(inputs, &mut slot.state, init)
}

/// The segment `segment!` expands to: the tree of the user's segments and
/// the `compute` running them in order (a closure that captures nothing,
/// whose body holds the checks).
pub struct Fused<I, O, Segs, F> {
    segments: Segs,
    compute: F,
    wiring: &'static Wiring,
    interfaces: PhantomData<fn() -> (I, O)>,
}

impl<I, O, Segs, F> fmt::Debug for Fused<I, O, Segs, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("segment!")
    }
}

/// The fused segment of inputs `I` and outputs `O`, whose body `wiring`
/// describes. The signature of `compute` is fixed here.
#[inline(always)]
pub fn fused<I: Interface, O: Interface, Segs, F>(
    _: Marker<I>,
    _: Marker<O>,
    wiring: &'static Wiring,
    segments: Segs,
    compute: F,
) -> Fused<I, O, Segs, F>
where
    Segs: Segments,
    F: for<'a> Fn(I::Values<'a>, &'a mut Segs::State, bool) -> O::Values<'a>,
{
    Fused {
        segments,
        compute,
        wiring,
        interfaces: PhantomData,
    }
}

impl<I, O, Segs, F> Segment for Fused<I, O, Segs, F>
where
    I: Interface,
    O: Interface,
    Segs: Segments,
    F: for<'a> Fn(I::Values<'a>, &'a mut Segs::State, bool) -> O::Values<'a> + Send + 'static,
{
    type Inputs = I;
    type Outputs = O;
    type State = (Segs::State, F);

    #[inline]
    fn init(self) -> Self::State {
        (self.segments.init(), self.compute)
    }

    fn __fused(&self) -> Option<Structure> {
        let mut parts = Vec::new();
        self.segments.parts(&mut parts);
        Some(Structure::Wired {
            wiring: self.wiring,
            parts,
        })
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        inputs: I::Values<'a>,
        (states, f): &'b mut Self::State,
        init: bool,
    ) -> O::Values<'a> {
        f(inputs, states, init)
    }
}

/// Feeds the wires `W` to inputs `I`: checks that they fit, by [`Check`],
/// and returns the payload as the inputs'.
///
/// The relation is proved by `C`, the second argument, and both interfaces
/// come in the first: so it is selected only once both are known (a
/// mismatch is then reported by [`Feeds`], not as a type error), and an
/// interface still unknown at that point (that of `Arr::new(…)`, say) is
/// inferred from the other. Each check is made once, where the payload
/// flows, so a mistake is reported once.
#[inline(always)]
pub fn feed<'v, I: Interface, W: Interface, C: Feeds<I, W>>(
    _: Marker<(I, W)>,
    _: C,
    values: W::Values<'v>,
) -> I::Values<'v> {
    C::feed(values)
}

/// Checks that the outputs `W` are the declared `D` (as [`feed`] does).
#[inline(always)]
pub fn declare<'v, D: Interface, W: Interface, C: Declared<D, W>>(
    _: Marker<(D, W)>,
    _: C,
    values: W::Values<'v>,
) -> D::Values<'v> {
    C::declared(values)
}

/// Checks that a tuple pattern of `N` wires destructures `T`: the marker of
/// the parts and the payload as theirs.
#[inline(always)]
pub fn destructure<'v, const N: usize, T: Destructure<N>>(
    _: Marker<T>,
    values: T::Values<'v>,
) -> (Marker<T::Parts>, <T::Parts as Interface>::Values<'v>) {
    (Marker::new(), T::parts(values))
}

/// The interfaces of the segment whose state is in `slot`.
#[inline(always)]
pub fn slot_interfaces<S: Segment>(_: &Slot<S>) -> (Marker<S::Inputs>, Marker<S::Outputs>) {
    (Marker::new(), Marker::new())
}

macro_rules! split {
    ($name:ident; $($t:ident),*) => {
        /// The markers of a tuple's elements.
        #[inline(always)]
        #[allow(clippy::unused_unit, reason = "no element is `()`")]
        pub fn $name<$($t),*>(_: Marker<($($t,)*)>) -> ($(Marker<$t>,)*) {
            ($(Marker::<$t>::new(),)*)
        }
    };
}
split!(split0;);
split!(split1; A);
split!(split2; A, B);
split!(split3; A, B, C);
split!(split4; A, B, C, D);
split!(split5; A, B, C, D, E);
split!(split6; A, B, C, D, E, F);
split!(split7; A, B, C, D, E, F, G);
split!(split8; A, B, C, D, E, F, G, H);
split!(split9; A, B, C, D, E, F, G, H, J);
split!(split10; A, B, C, D, E, F, G, H, J, K);
split!(split11; A, B, C, D, E, F, G, H, J, K, L);
split!(split12; A, B, C, D, E, F, G, H, J, K, L, M);

macro_rules! join {
    ($name:ident; $($t:ident $v:ident),*) => {
        /// The marker of a tuple, from its elements' markers.
        #[inline(always)]
        #[allow(clippy::too_many_arguments, reason = "one per element of a 12-tuple")]
        pub fn $name<$($t),*>($(_: Marker<$t>),*) -> Marker<($($t,)*)> {
            Marker::new()
        }
    };
}
join!(join0;);
join!(join1; A a);
join!(join2; A a, B b);
join!(join3; A a, B b, C c);
join!(join4; A a, B b, C c, D d);
join!(join5; A a, B b, C c, D d, E e);
join!(join6; A a, B b, C c, D d, E e, F f);
join!(join7; A a, B b, C c, D d, E e, F f, G g);
join!(join8; A a, B b, C c, D d, E e, F f, G g, H h);
join!(join9; A a, B b, C c, D d, E e, F f, G g, H h, J j);
join!(join10; A a, B b, C c, D d, E e, F f, G g, H h, J j, K k);
join!(join11; A a, B b, C c, D d, E e, F f, G g, H h, J j, K k, L l);
join!(join12; A a, B b, C c, D d, E e, F f, G g, H h, J j, K k, L l, M m);

/// What a `segment!` with errors expands to: a segment of the declared
/// interfaces, so the mistake is reported once, at the macro. Its compute is
/// never reached, since the program does not compile.
pub struct Placeholder<I, O>(PhantomData<fn(I) -> O>);

impl<I, O> Placeholder<I, O> {
    /// The placeholder.
    pub fn new() -> Self {
        Placeholder(PhantomData)
    }
}

impl<I, O> Default for Placeholder<I, O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, O> fmt::Debug for Placeholder<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Placeholder")
    }
}

impl<I: Interface, O: Interface> Segment for Placeholder<I, O> {
    type Inputs = I;
    type Outputs = O;
    type State = ();

    fn init(self) {}

    fn compute<'a, 'b: 'a>(_: I::Values<'a>, _: &'b mut (), _: bool) -> O::Values<'a> {
        unreachable!("a `segment!` with compile errors does not run")
    }
}
