#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
// Unsafe code lives in `core` only; everything else is checked safe Rust.
#![deny(unsafe_code)]

pub mod arena;
mod arrow;
pub mod core;
mod derive_support;
pub mod export;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod par;
pub mod typed;

/// Turns a plain function into a [`Segment`](typed::Segment).
///
/// `#[segment_fn] fn moving_sum(…) -> … { … }` keeps the function and adds a
/// unit struct `MovingSum` (the name in `CamelCase`; choose another with
/// `#[segment_fn(name = Other)]`) whose `Segment` impl calls the function.
/// Push the struct: `b.push(MovingSum, inputs)`.
///
/// - Parameters are the inputs, in order (one parameter is a single input,
///   several form a tuple): `T` → [`Port<T>`](typed::Port), `&T` →
///   [`RefPort<T>`](typed::RefPort), `&[&T]` → [`RefPorts<T>`](typed::RefPorts),
///   `&[T]` → [`Ports<T>`](typed::Ports) (a by-value group, `T: Copy`),
///   a tuple → a tuple of ports, [`Notify<T>`](typed::Notify) → the port of
///   `T` with its notify flag. The result maps the same way into the outputs
///   (`()` for none). A `&[&T]` or `&[T]` result gets one notify flag for
///   all its elements, and the state is then wrapped with the group's
///   notify plane (it derefs to the state).
/// - `#[state(init = expr)] s: &mut S` is the node's state, built by `expr`
///   (`#[state]` alone uses `Default`); `#[init] first: bool` is the
///   build-call flag.
/// - `#[param] k: f64` is a per-node constant: a public field of the struct
///   (then no longer a unit struct: `b.push(Scale { k: 2.0 }, x)`), passed
///   by clone to every call. A `Notify<&[&T]>` or `Notify<&[T]>` input is an
///   error (it would give one flag for a whole group).
/// - An output notifies iff some input notified (always, for a node without
///   inputs), unless its result type is `Notify<T>`.
/// - Elided lifetimes all name the generation's lifetime, so a result `&T`
///   may borrow from the state or be forwarded from any `&T` input. This is
///   the only change made to the function's signature. A reference to a
///   local is rustc's own error (E0515, which the macro cannot annotate):
///   keep the value in a `#[state]` and return a reference into it.
/// - A path type with a lifetime argument, `QuoteValues<'_>`, is the
///   payload of a [`#[derive(Interface)]`](Interface) struct, and maps to
///   that interface (its flags are the function's to read and set).
/// - Types are read as written: `Notify<…>` is recognized by its name, and a
///   type alias is a by-value `Port` whatever it names.
/// - Mistakes (`&mut` inputs, `impl Trait`, `async`, type parameters, `self`,
///   a non-`Copy` by-value port, …) are compile errors on the
///   offending token, with the fix in the message.
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
/// let d = b.push(Add, (*s, *s));
/// let h = b.push(History, d);
/// let mut g = Graph::from_builder(b);
/// *g.state_mut(s) = 5;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(d), 10);
/// assert_eq!(g.ref_view(h), &[2, 10]);
/// assert_eq!(add(2, 3), 5); // still a plain function
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

/// Arrow notation: a fused segment written as named wires between segments.
///
/// `segment!(|inputs| -> Outputs { let … = wires => Segment; … outputs })`
/// builds **one** segment, pushed as one node, out of the segments applied
/// inside it. It compiles to the combinators of [`typed`] (`Comp`, `Fork`,
/// `Par`, `Left`, `Right`, `Id`): after inlining it is the same code as the
/// segments fused by hand, with no closure and no boxing.
///
/// # Syntax
///
/// ```text
/// segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) {
///     let c = (b, a) => Add;          // feed wires to a segment, name its outputs
///     let (p, q) = c => Split;        // destructure a tuple of outputs
///     let r = p => Scale(3).then(Inc); // any expression that is a segment
///     (r, q)                          // the outputs: a wire or a tuple of wires
/// })
/// ```
///
/// - **Inputs** are `name: Interface` (or `(x, y): (Port<i64>, Port<i64>)`);
///   the annotation is required. One input makes `Inputs` that interface;
///   several make a tuple (at most 12; nest tuples for more).
/// - **`-> Outputs`** is required; the body's outputs are checked against it.
/// - **`let pattern = wires => segment;`**: `wires` is a wire or a (nested)
///   tuple of wires shaped like the segment's `Inputs`; `pattern` names its
///   outputs, as one wire or destructured into a (nested) tuple. The types of
///   these wires are never written: they are the segment's interfaces.
/// - The body ends with the outputs: a wire, a tuple of wires, or a last
///   application `wires => segment`.
/// - A wire may be read any number of times, inputs may be returned directly,
///   and every port kind rides a wire (`Port`, `RefPort`, `RefPorts`, views):
///   references are forwarded, never copied.
/// - A segment whose interfaces are inferred takes its inputs from the wires
///   it is fed (`x => Id::new()`, `(a, b) => Left::new()`). `Arr::new` needs
///   its closure arguments annotated, and its output interface from a
///   neighbour (`.then(Inc)`), from the segment it feeds, or spelled:
///   `Arr::<Port<i64>, Port<i64>, _>::new(…)`.
///
/// Wires are single-assignment: defining a name twice (or shadowing it) is an
/// error. A wire that is never read is an error too (it is almost always a
/// mis-wiring); name it `_x`, or `_`, to drop it on purpose. A wire dies after
/// its last read, so a long body carries only its live wires.
///
/// [`Graph::to_dot`](typed::Graph::to_dot) draws the node as a cluster of
/// the segments inside it, its wires labelled with the names written here
/// (the expansion describes its body in a constant that only the exporters
/// read).
///
/// # Examples
///
/// The specification's example: one node computing three sums.
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::segment;
/// use flowgraph::typed::*;
///
/// struct Add;
/// impl Segment for Add {
///     type Inputs = (Port<i64>, Port<i64>);
///     type Outputs = Port<i64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>(
///         ((na, a), (nb, b)): ((bool, i64), (bool, i64)),
///         _: &'b mut (),
///         _: bool,
///     ) -> (bool, i64) {
///         (na || nb, a + b)
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1));
/// let t = b.push_source(Source::new(2));
/// let seg = segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
///     let c = (b, a) => Add;
///     let d = (c, a) => Add;
///     let e = (d, a) => Add;
///     (e, d, c)
/// });
/// let (e, d, c) = b.push(seg, (*s, *t));
/// let mut g = Graph::from_builder(b);
/// assert_eq!(g.len(), 3); // two sources and one fused node
/// assert_eq!((g.view(e), g.view(d), g.view(c)), (5, 4, 3));
/// *g.state_mut(s) = 10;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!((g.view(e), g.view(d), g.view(c)), (32, 22, 12));
/// ```
///
/// Destructuring, references and a trailing application:
///
/// ```
/// use flowgraph::segment;
/// use flowgraph::typed::*;
///
/// /// The minimum and maximum of a vector, by reference into it.
/// struct MinMax;
/// impl Segment for MinMax {
///     type Inputs = RefPort<Vec<i64>>;
///     type Outputs = (RefPort<i64>, RefPort<i64>);
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>(
///         (n, v): (bool, &'a Vec<i64>),
///         _: &'b mut (),
///         _: bool,
///     ) -> ((bool, &'a i64), (bool, &'a i64)) {
///         ((n, v.iter().min().unwrap()), (n, v.iter().max().unwrap()))
///     }
/// }
///
/// /// The difference of two referenced values.
/// struct Spread;
/// impl Segment for Spread {
///     type Inputs = (RefPort<i64>, RefPort<i64>);
///     type Outputs = Port<i64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>(
///         ((n, lo), (m, hi)): ((bool, &'a i64), (bool, &'a i64)),
///         _: &'b mut (),
///         _: bool,
///     ) -> (bool, i64) {
///         (n || m, hi - lo)
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let v = b.push_source(RefSource::new(vec![4, -2, 9]));
/// let (spread, max) = b.push(
///     segment!(|v: RefPort<Vec<i64>>| -> (Port<i64>, RefPort<i64>) {
///         let (lo, hi) = v => MinMax;
///         let s = (lo, hi) => Spread;
///         (s, hi)
///     }),
///     *v,
/// );
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(spread), 11);
/// assert!(std::ptr::eq(g.ref_view(max), &g.ref_view(*v)[2])); // forwarded, not copied
/// ```
///
/// # Errors
///
/// Mistakes are compile errors pointing at the offending tokens: an
/// undefined, duplicate or unused wire, a missing annotation or `-> Outputs`,
/// a `let` without `=>`, a tuple wider than 12, and, from the types, wires
/// that do not match the inputs of the segment they feed (arity, nesting,
/// `RefPort` into `Port`), a value after `=>` that is not a segment, a
/// pattern that does not fit the outputs it destructures, and outputs that
/// do not match the declaration.
///
/// ```compile_fail
/// use flowgraph::segment;
/// use flowgraph::typed::*;
/// // error: cannot find the wire `y` in this segment
/// let _ = segment!(|x: Port<i64>| -> Port<i64> { y });
/// ```
pub use flowgraph_macros::segment;

/// Makes a struct of interfaces an [`Interface`](typed::Interface), with
/// named payloads and handles.
///
/// `#[derive(Interface)] struct Quote { bid: Port<f64>, … }` (each field an
/// interface: a port, a tuple, another derived struct) generates, with the
/// struct's visibility and its fields' names and visibilities:
///
/// - `QuoteValues<'a>`, the payload a segment receives or returns: each field
///   is its port's payload (`bid: (bool, f64)`, `book: (bool, &'a Book)`);
/// - `QuoteHandles`, the handles (`Copy`): each field is its port's handles
///   (`bid: Handle<Port<f64>>`), so `g.view(h.bid)` reads one port and
///   `b.push(seg, QuoteHandles { bid, ask, book })` feeds an input.
///
/// The struct is then usable wherever a tuple interface is: as `Inputs` or
/// `Outputs` of a [`Segment`](typed::Segment), nested in tuples and in other
/// derived structs, and in [`segment_fn`]/[`segment_impl`] signatures, where
/// a parameter or result of type `QuoteValues<'_>` is that interface (a
/// path type with a lifetime argument names a derived interface's payloads;
/// its flags are read and set by the function itself). Generic structs work.
/// A group field (`RefPorts<T>`) is fed by a group handle (not by a `Vec`
/// of handles).
///
/// The struct is a description and is never built. Its engine-facing
/// representation is the tuple of its fields' (nested beyond 12 fields):
/// the generated code only converts payloads and handles field by field,
/// in safe code.
///
/// # Examples
///
/// ```
/// use flowgraph::prelude::*;
///
/// #[derive(Interface)]
/// struct Quote {
///     bid: Port<f64>,
///     ask: Port<f64>,
///     book: RefPort<Vec<f64>>,
/// }
///
/// /// The mid price and the book's depth.
/// #[segment_fn]
/// fn summary(q: QuoteValues<'_>) -> (f64, usize) {
///     ((q.bid.1 + q.ask.1) / 2.0, q.book.1.len())
/// }
///
/// /// A source of quotes, kept in its state.
/// struct Feed;
/// impl Segment for Feed {
///     type Inputs = ();
///     type Outputs = Quote;
///     type State = (f64, f64, Vec<f64>);
///     fn init(self) -> Self::State {
///         (99.0, 101.0, vec![1.0, 2.0])
///     }
///     fn compute<'a, 'b: 'a>((): (), s: &'b mut Self::State, _: bool) -> QuoteValues<'a> {
///         QuoteValues { bid: (true, s.0), ask: (true, s.1), book: (true, &s.2) }
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let feed = b.push_source(Feed);
/// let q: QuoteHandles = *feed;
/// let (mid, depth) = b.push(Summary, QuoteHandles { bid: q.bid, ask: q.ask, book: q.book });
/// let mut g = Graph::from_builder(b);
/// assert_eq!((g.view(mid), g.view(depth)), (100.0, 2));
/// g.state_mut(feed).2.push(3.0);
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(depth), 3);
/// assert_eq!(g.ref_view(q.book), &[1.0, 2.0, 3.0]);
/// ```
///
/// Only structs with named fields and without lifetime parameters can be
/// interfaces, and every field must be an interface:
///
/// ```compile_fail
/// #[derive(flowgraph::Interface)]
/// struct Wrong {
///     price: f64, // error: `f64` is not a port interface (write `Port<f64>`)
/// }
/// ```
pub use flowgraph_macros::Interface;

/// The thread pool that runs graphs (also `flowgraph::core::Pool`).
pub use crate::core::Pool;

/// The names most programs use, in one import: the typed API, the
/// [`Pool`] and the macros.
///
/// # Examples
///
/// ```
/// use flowgraph::prelude::*;
///
/// #[segment_fn]
/// fn double(x: i64) -> i64 {
///     2 * x
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(3_i64));
/// let y = b.push(Double, *s);
/// let mut g = Graph::from_builder(b);
/// *g.state_mut(s) = 4;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!(g.view(y), 8);
/// ```
pub mod prelude {
    pub use crate::core::Pool;
    pub use crate::typed::*;
    pub use crate::{segment, segment_fn, segment_impl, Interface};
}

#[doc(hidden)]
/// Paths used by generated code; not part of the public API.
pub mod __private {
    pub use crate::core::layout::{GroupCodec, LeafKind, LeafLayout};
    pub use crate::derive_support::{fill_planes, Planes};
    // Support for `#[derive(Interface)]` expansions.
    pub use crate::export::shape::PortTree;
    pub use crate::typed::handle::sealed::Sealed as ConnectSeal;
    pub use crate::typed::interface::seal::InterfaceSeal;
    pub use crate::typed::interface::ValuesOf;
    pub use crate::typed::Layout;
    // Support for `segment!` expansions.
    pub use crate::arrow::*;
}
