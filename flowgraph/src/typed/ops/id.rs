//! [`Id`]: the identity segment.

use std::fmt;
use std::marker::PhantomData;

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// The identity segment on interface `T`: its outputs are its inputs,
/// notify flags included.
///
/// Build it with [`Id::new()`] or [`Id::default()`]; `T` is usually inferred
/// from how the segment is wired.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(7_i64));
/// let x = b.push(Id::new(), *s);
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(x), 7);
/// ```
pub struct Id<T>(PhantomData<fn() -> T>);

impl<T> Id<T> {
    /// The identity on `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowgraph::typed::*;
    ///
    /// let id: Id<(Port<i64>, RefPort<String>)> = Id::new();
    /// let (x, _) = <Id<(Port<i64>, RefPort<String>)>>::compute(
    ///     ((true, 1), (false, &"a".to_string())),
    ///     &mut id.init(),
    ///     false,
    /// );
    /// assert_eq!(x, (true, 1));
    /// ```
    pub const fn new() -> Self {
        Id(PhantomData)
    }
}

impl<T> Default for Id<T> {
    fn default() -> Self {
        Id::new()
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Id<T> {}

impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id<{}>", std::any::type_name::<T>())
    }
}

impl<T: Interface> Segment for Id<T> {
    type Inputs = T;
    type Outputs = T;
    type State = ();

    fn init(self) {}

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Id)
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(inputs: T::Values<'a>, _: &'b mut (), _: bool) -> T::Values<'a> {
        inputs
    }
}
