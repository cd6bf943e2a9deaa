#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod arena;
pub mod core;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod typed;

/// Turns a plain function into a [`Segment`](typed::Segment).
///
/// `#[segment_fn] fn name(…) -> … { … }` defines a unit struct `name` (push
/// it as `b.push(name, inputs)`) whose `Segment` impl calls the function; the
/// function itself stays callable as `name::call(…)`.
///
/// - Parameters are the inputs, in order (one parameter is a single input,
///   several form a tuple): `T` → [`Port<T>`](typed::Port), `&T` →
///   [`RefPort<T>`](typed::RefPort), `&[&T]` → [`RefPorts<T>`](typed::RefPorts),
///   a tuple → a tuple of ports, [`Notify<T>`](typed::Notify) → the port of
///   `T` with its notify flag. The result maps the same way into the outputs
///   (`()` for none; `&[&T]` is not supported as a result).
/// - `#[state(init = expr)] s: &mut S` is the node's state, built by `expr`
///   (`#[state]` alone uses `Default`); `#[init] first: bool` is the
///   build-call flag.
/// - An output notifies iff some input notified (always, for a node without
///   inputs), unless its result type is `Notify<T>`.
/// - Elided lifetimes all name the generation's lifetime, so a result `&T`
///   may borrow from the state or be forwarded from any `&T` input.
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// #[flowgraph::segment_fn]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// /// Keeps every value seen and exposes them by reference.
/// #[flowgraph::segment_fn]
/// fn history(#[state(init = Vec::new())] seen: &mut Vec<i64>, x: i64) -> &Vec<i64> {
///     seen.push(x);
///     seen
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let d = b.push(add, (*s, *s));
/// let h = b.push(history, d);
/// let mut g = Graph::from_builder(b);
/// *g.state_mut(s) = 5;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(d), 10);
/// assert_eq!(g.ref_view(h), &[2, 10]);
/// assert_eq!(add::call(2, 3), 5);
/// ```
pub use flowgraph_macros::segment_fn;

/// Turns a struct with a `compute` method into a [`Segment`](typed::Segment).
///
/// Put it on the inherent impl block holding `fn compute`. The struct value
/// given to `push` is the node's state: `&mut self` reads and updates it,
/// `&self` only reads it, and a `compute` without receiver is stateless.
/// The other parameters, the result, `Notify`, `#[init]` and the notify rule
/// are as for [`segment_fn`]. Generic structs work; their bounds must make
/// the ports valid (`Port<T>` needs `T: Copy + Send + Sync + 'static`).
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// /// A running sum, starting from `total`.
/// struct Sum {
///     total: i64,
/// }
///
/// #[flowgraph::segment_impl]
/// impl Sum {
///     fn compute(&mut self, x: i64, #[init] first: bool) -> &i64 {
///         if !first {
///             self.total += x;
///         }
///         &self.total
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let sum = b.push(Sum { total: 100 }, *s);
/// let mut g = Graph::from_builder(b);
/// assert_eq!(*g.ref_view(sum), 100);
/// for x in [2, 3] {
///     *g.state_mut(s) = x;
///     g.stabilize(&mut Pool::new(1));
/// }
/// assert_eq!(*g.ref_view(sum), 105);
/// ```
pub use flowgraph_macros::segment_impl;

#[doc(hidden)]
/// Paths used by generated code; not part of the public API.
pub mod __private {
    pub use crate::core::layout::{GroupCodec, LeafKind, LeafLayout};
}
