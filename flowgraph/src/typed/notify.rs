//! [`Notify`]: a value with its notify flag, for generated segments.

/// A port value together with its notify flag.
///
/// In a function under [`segment_fn`](crate::segment_fn) or
/// [`segment_impl`](crate::segment_impl), a parameter typed `Notify<T>` (or
/// `Notify<&T>`) receives the input's flag beside its value, and a result
/// typed `Notify<T>` sets the output's flag explicitly instead of the default
/// rule (an output notifies iff some input notified).
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// /// Notifies only when the absolute value actually changed.
/// #[flowgraph::segment_fn]
/// fn abs(#[state(init = 0)] last: &mut i64, x: i64) -> Notify<i64> {
///     let new = x.abs();
///     let changed = new != *last;
///     *last = new;
///     Notify(changed, new)
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(-3_i64));
/// let a = b.push(Abs, *s);
/// let mut g = Graph::from_builder(b);
/// *g.state_mut(s) = 3;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(a), 3);
/// assert!(!g.notified(a));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Notify<T>(
    /// The notify flag: does this value carry a change?
    pub bool,
    /// The value.
    pub T,
);
