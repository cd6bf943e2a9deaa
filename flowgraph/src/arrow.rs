//! Support for the code that `segment!` generates. Not public API: reached
//! only through `flowgraph::__private`.
//!
//! The macro plumbs wires with the public combinators (`Id`, `Left`,
//! `Right`, `Comp`, `Fork`, `Par`). What they cannot express lives here:
//!
//! - *witness* constructors (`left_of(&s)`, …) that build a projection whose
//!   input interface is the output interface of an already-built segment
//!   `s`, so every type is known where it is formed;
//! - the n-ary projection [`Pick`] and fan-out [`Fan`], for tuples the user
//!   wrote with an arity other than 2;
//! - checks with messages in the user's terms ([`apply`], [`expect`]), and
//!   the [`Placeholder`] a failed expansion stands on.
#![deny(unsafe_code)]

use std::fmt;
use std::marker::PhantomData;

use crate::typed::{Comp, Fork, Id, Interface, Left, Par, Right, Segment};

/// The output interface of a combinator under construction, known without
/// requiring it to be a [`Segment`] yet.
///
/// Witness helpers read the outputs of the previous stage through this trait
/// rather than through `Segment`, so a mismatch inside that stage (wires that
/// do not fit a segment's inputs) is reported once, at the `=>` that causes
/// it, instead of again at every later stage.
pub trait Wired {
    /// The output interface.
    type Out: Interface;
}

impl<T: Interface> Wired for Id<T> {
    type Out = T;
}
impl<T: Interface, U: Interface> Wired for Left<T, U> {
    type Out = T;
}
impl<T: Interface, U: Interface> Wired for Right<T, U> {
    type Out = U;
}
impl<T: Nth<I, N>, const I: usize, const N: usize> Wired for Pick<T, I, N> {
    type Out = T::Out;
}
impl<T: Interface> Wired for Nil<T> {
    type Out = ();
}
/// The last part of a composition is a user segment or a projection.
impl<F, G: Segment> Wired for Comp<F, G> {
    type Out = G::Outputs;
}
impl<F: Wired, G: Wired> Wired for Fork<F, G> {
    type Out = (F::Out, G::Out);
}
impl<F: Wired, G: Wired> Wired for Par<F, G> {
    type Out = (F::Out, G::Out);
}

/// A pair of interfaces.
#[diagnostic::on_unimplemented(
    message = "cannot destructure `{Self}` into 2 wires",
    label = "this pattern has 2 wires, but its value is `{Self}`",
    note = "a tuple pattern must have the shape of the segment outputs it destructures; bind the whole value to one wire with `let x = …`"
)]
pub trait Pair: Interface {
    /// The first element.
    type L: Interface;
    /// The second element.
    type R: Interface;
}

impl<A: Interface, B: Interface> Pair for (A, B) {
    type L = A;
    type R = B;
}

/// Element `I` of an `N`-tuple of interfaces.
#[diagnostic::on_unimplemented(
    message = "cannot destructure `{Self}` into {N} wires",
    label = "this pattern has {N} wires, but its value is `{Self}`",
    note = "a tuple pattern must have the shape of the segment outputs it destructures; bind the whole value to one wire with `let x = …`"
)]
pub trait Nth<const I: usize, const N: usize>: Interface {
    /// The element's interface.
    type Out: Interface;
    /// Projects a payload tree on the element.
    fn nth(values: Self::Values<'_>) -> <Self::Out as Interface>::Values<'_>;
}

macro_rules! nth {
    ($n:literal; $all:tt; $($i:tt $t:ident),+) => {
        $(nth!(@one $n; $all; $i $t);)+
    };
    (@one $n:literal; ($($all:ident),+); $i:tt $t:ident) => {
        impl<$($all: Interface),+> Nth<$i, $n> for ($($all,)+) {
            type Out = $t;
            #[inline(always)]
            fn nth(values: Self::Values<'_>) -> <$t as Interface>::Values<'_> {
                values.$i
            }
        }
    };
}

nth!(1; (A); 0 A);
nth!(2; (A, B); 0 A, 1 B);
nth!(3; (A, B, C); 0 A, 1 B, 2 C);
nth!(4; (A, B, C, D); 0 A, 1 B, 2 C, 3 D);
nth!(5; (A, B, C, D, E); 0 A, 1 B, 2 C, 3 D, 4 E);
nth!(6; (A, B, C, D, E, F); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
nth!(7; (A, B, C, D, E, F, G); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G);
nth!(8; (A, B, C, D, E, F, G, H); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H);
nth!(9; (A, B, C, D, E, F, G, H, J); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J);
nth!(10; (A, B, C, D, E, F, G, H, J, K); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K);
nth!(11; (A, B, C, D, E, F, G, H, J, K, L); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K, 10 L);
nth!(12; (A, B, C, D, E, F, G, H, J, K, L, M); 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 J, 9 K, 10 L, 11 M);

/// The projection on element `I` of an `N`-tuple `T` (for `N ≠ 2`; pairs use
/// `Left` / `Right`).
pub struct Pick<T, const I: usize, const N: usize>(PhantomData<fn() -> T>);

impl<T, const I: usize, const N: usize> fmt::Debug for Pick<T, I, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pick<{}, {I}>", std::any::type_name::<T>())
    }
}

impl<T: Nth<I, N>, const I: usize, const N: usize> Segment for Pick<T, I, N> {
    type Inputs = T;
    type Outputs = T::Out;
    type State = ();

    fn init(self) {}

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        inputs: T::Values<'a>,
        _: &'b mut (),
        _: bool,
    ) -> <T::Out as Interface>::Values<'a> {
        T::nth(inputs)
    }
}

/// The n-ary fan-out (for `n ≠ 2`; pairs use `Fork`): a tuple of segments on
/// the same inputs, their outputs gathered in a tuple.
#[derive(Debug)]
pub struct Fan<T>(pub T);

macro_rules! fan {
    ($first:ident $fi:tt $(, $name:ident $idx:tt)*) => {
        impl<$first: Wired $(, $name: Wired)*> Wired for Fan<($first, $($name,)*)> {
            type Out = ($first::Out, $($name::Out,)*);
        }

        impl<$first: Segment $(, $name: Segment<Inputs = $first::Inputs>)*> Segment
            for Fan<($first, $($name,)*)>
        {
            type Inputs = $first::Inputs;
            type Outputs = ($first::Outputs, $($name::Outputs,)*);
            type State = ($first::State, $($name::State,)*);

            fn init(self) -> Self::State {
                (self.0.$fi.init(), $(self.0.$idx.init(),)*)
            }

            #[inline(always)]
            fn compute<'a, 'b: 'a>(
                inputs: <$first::Inputs as Interface>::Values<'a>,
                state: &'b mut Self::State,
                init: bool,
            ) -> <Self::Outputs as Interface>::Values<'a> {
                (
                    $first::compute(inputs, &mut state.$fi, init),
                    $($name::compute(inputs, &mut state.$idx, init),)*
                )
            }
        }
    };
}

fan!(A 0);
fan!(A 0, B 1);
fan!(A 0, B 1, C 2);
fan!(A 0, B 1, C 2, D 3);
fan!(A 0, B 1, C 2, D 3, E 4);
fan!(A 0, B 1, C 2, D 3, E 4, F 5);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, J 8);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, J 8, K 9);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, J 8, K 9, L 10);
fan!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, J 8, K 9, L 10, M 11);

/// Drops its inputs: `T → ()`.
pub struct Nil<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Nil<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nil<{}>", std::any::type_name::<T>())
    }
}

impl<T: Interface> Segment for Nil<T> {
    type Inputs = T;
    type Outputs = ();
    type State = ();

    fn init(self) {}

    #[inline(always)]
    fn compute<'a, 'b: 'a>(_: T::Values<'a>, _: &'b mut (), _: bool) {}
}

/// The start of a pipeline: the identity on the declared inputs.
#[inline(always)]
pub fn input<T: Interface>() -> Id<T> {
    Id::new()
}

/// The identity on the outputs of `s`.
#[inline(always)]
pub fn id_of<S: Wired>(_: &S) -> Id<S::Out> {
    Id::new()
}

/// Drops the outputs of `s`.
#[inline(always)]
pub fn nil_of<S: Wired>(_: &S) -> Nil<S::Out> {
    Nil(PhantomData)
}

/// The first projection of the outputs of `s`.
#[inline(always)]
pub fn left_of<S: Wired>(_: &S) -> Left<<S::Out as Pair>::L, <S::Out as Pair>::R>
where
    S::Out: Pair,
{
    Left::new()
}

/// The second projection of the outputs of `s`.
#[inline(always)]
pub fn right_of<S: Wired>(_: &S) -> Right<<S::Out as Pair>::L, <S::Out as Pair>::R>
where
    S::Out: Pair,
{
    Right::new()
}

/// The projection on element `I` of the `N`-tuple output of `s`.
#[inline(always)]
pub fn pick_of<const I: usize, const N: usize, S: Wired>(_: &S) -> Pick<S::Out, I, N>
where
    S::Out: Nth<I, N>,
{
    Pick(PhantomData)
}

/// The wires fed to a segment by `=>` match its inputs.
#[diagnostic::on_unimplemented(
    message = "these wires are `{Self}`, but the segment after `=>` takes `{I}`",
    label = "wires of the wrong interface for this segment",
    note = "the wires before `=>` must have the shape and port types of the segment's `Inputs`: one wire per port, tuples nested as in `Inputs`",
    note = "a `RefPort<T>` wire cannot feed a `Port<T>` input (nor the reverse): convert it with a segment"
)]
pub trait Feeds<I> {}
impl<T> Feeds<T> for T {}

/// An output of the body matches the declared output interface.
#[diagnostic::on_unimplemented(
    message = "this output is `{Self}`, but the signature declares `{D}`",
    label = "declared as `{D}` after `->`",
    note = "fix the declaration after `->`, or return a wire of the declared interface"
)]
pub trait Declared<D> {}
impl<T> Declared<T> for T {}

/// A type, as a value.
pub struct Marker<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Marker<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Marker<{}>", std::any::type_name::<T>())
    }
}

/// The inputs of the value after `=>`, which must be a segment.
#[inline(always)]
pub fn inputs_of<S: Segment>(_: &S) -> Marker<S::Inputs> {
    Marker(PhantomData)
}

/// The interface of the wires before `=>`.
#[inline(always)]
pub fn outputs_of<A: Wired>(_: &A) -> Marker<A::Out> {
    Marker(PhantomData)
}

/// Checks that wires of interface `O` fit inputs `I`. Both are concrete by
/// the time this is called, so a mismatch is reported by [`Feeds`], in the
/// user's terms, rather than as a projection that fails to unify.
#[inline(always)]
pub fn check_feeds<I, O: Feeds<I>>(_: Marker<I>, _: Marker<O>) {}

/// `args => segment`: feeds the outputs of `args` to `segment` (checked by
/// [`check_feeds`]).
#[inline(always)]
pub fn apply<A, S>(args: A, segment: S) -> Comp<A, S> {
    Comp(args, segment)
}

/// Checks that outputs of interface `O` are the declared `D`.
#[inline(always)]
pub fn expect<D, O: Declared<D>>(_: Marker<O>) {}

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
