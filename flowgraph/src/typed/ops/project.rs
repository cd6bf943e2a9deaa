//! [`Left`] and [`Right`]: the projections of a pair.

use std::fmt;
use std::marker::PhantomData;

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// The first projection: inputs `(T, U)`, outputs `T` (the first element,
/// notify flags included; `U` is dropped).
///
/// Build it with [`Left::new()`] or [`Left::default()`]; `T` and `U` are
/// usually inferred from how the segment is wired.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let t = b.push_source(Source::new(2_u8));
/// let x = b.push(Left::new(), (*s, *t));
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(x), 1);
/// ```
pub struct Left<T, U>(PhantomData<fn() -> (T, U)>);

/// The second projection: inputs `(T, U)`, outputs `U` (the second element,
/// notify flags included; `T` is dropped).
///
/// Build it with [`Right::new()`] or [`Right::default()`].
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let t = b.push_source(Source::new(2_u8));
/// let y = b.push(Right::new(), (*s, *t));
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(y), 2);
/// ```
pub struct Right<T, U>(PhantomData<fn() -> (T, U)>);

impl<T, U> Left<T, U> {
    /// The projection on the first element of a `(T, U)` pair.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let p: Left<Port<i64>, Port<u8>> = Left::new();
    /// let out = <Left<Port<i64>, Port<u8>>>::compute(((true, 1), (false, 2)), &mut p.init(), false);
    /// assert_eq!(out, (true, 1));
    /// ```
    pub const fn new() -> Self {
        Left(PhantomData)
    }
}

impl<T, U> Right<T, U> {
    /// The projection on the second element of a `(T, U)` pair.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let p: Right<Port<i64>, Port<u8>> = Right::new();
    /// let out = <Right<Port<i64>, Port<u8>>>::compute(((true, 1), (false, 2)), &mut p.init(), false);
    /// assert_eq!(out, (false, 2));
    /// ```
    pub const fn new() -> Self {
        Right(PhantomData)
    }
}

macro_rules! projection {
    ($name:ident) => {
        impl<T, U> Default for $name<T, U> {
            fn default() -> Self {
                $name::new()
            }
        }

        impl<T, U> Clone for $name<T, U> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T, U> Copy for $name<T, U> {}

        impl<T, U> fmt::Debug for $name<T, U> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{}<{}, {}>",
                    stringify!($name),
                    std::any::type_name::<T>(),
                    std::any::type_name::<U>()
                )
            }
        }
    };
}

projection!(Left);
projection!(Right);

impl<T: Interface, U: Interface> Segment for Left<T, U> {
    type Inputs = (T, U);
    type Outputs = T;
    type State = ();

    fn init(self) {}

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Left)
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        (t, _): (T::Values<'a>, U::Values<'a>),
        _: &'b mut (),
        _: bool,
    ) -> T::Values<'a> {
        t
    }
}

impl<T: Interface, U: Interface> Segment for Right<T, U> {
    type Inputs = (T, U);
    type Outputs = U;
    type State = ();

    fn init(self) {}

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Right)
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        (_, u): (T::Values<'a>, U::Values<'a>),
        _: &'b mut (),
        _: bool,
    ) -> U::Values<'a> {
        u
    }
}
