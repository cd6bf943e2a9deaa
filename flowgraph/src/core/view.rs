//! Value views: how a value rides a wire ([`ValueView`]), and the views the
//! library provides. The trait is `unsafe` because the engine's lifetime
//! argument depends on every view being covariant (see its `# Safety`).
//! It lives in `core` for that reason only: implementing it is the one
//! `unsafe` promise a user can make.

use std::marker::PhantomData;

/// How a value rides a wire: the family of view types `View<'a>`.
///
/// [`Scalar<T>`] is the common case (`View<'a> = T`). A view may also borrow:
/// [`Slice<T>`] (`View<'a> = &'a [T]`) makes a by-value [`ViewPort`](crate::typed::ViewPort) carry a
/// slice without copying it.
///
/// Views cross threads (the pool runs consumers on other workers), so they
/// must be `Send + Sync`.
///
/// # Safety
///
/// Every input of a `compute` shares one lifetime `'a`, and the engine keeps
/// what a payload borrows alive only as long as its producer is unchanged. A
/// view that could *receive* a borrow after it was formed would let a
/// `compute` write one producer's borrow into another producer's memory,
/// where it would outlive what it points to. So an implementation must make
/// `View<'a>` **covariant in `'a`**: it may hold `'a` borrows only through
/// shared references, slices, tuples, arrays and other covariant types, never
/// inside `Cell`, `RefCell`, `Mutex`, atomics or any other interior
/// mutability (all of which are invariant). A covariance witness that the
/// compiler checks makes the contract concrete:
///
/// ```
/// use flowgraph::typed::ValueView;
///
/// /// A pair of slices, carried by value.
/// struct Pair;
/// // SAFETY: `(&'a [f64], &'a [f64])` is covariant in `'a` (checked below).
/// unsafe impl ValueView for Pair {
///     type View<'a> = (&'a [f64], &'a [f64]);
/// }
/// fn _covariant<'long: 'short, 'short>(v: (&'long [f64], &'long [f64])) -> (&'short [f64], &'short [f64]) {
///     v
/// }
/// ```
///
/// In safe code (`#![forbid(unsafe_code)]`) only the views the library
/// provides can be used:
///
/// ```compile_fail,E0200
/// struct Mine;
/// impl flowgraph::typed::ValueView for Mine { // error: requires an `unsafe impl`
///     type View<'a> = &'a [u8];
/// }
/// ```
pub unsafe trait ValueView: 'static {
    /// The view of a value, borrowed for `'a`.
    type View<'a>: Send + Sync + 'a;

    #[doc(hidden)]
    /// True only if `View<'a>` borrows nothing (does not depend on `'a`):
    /// then a producer that ran without notifying leaves a by-value wire
    /// quiet, and its consumer may be skipped. Part of the `# Safety`
    /// contract; only the library's `Scalar<T>` sets it.
    const LIFETIME_FREE: bool = false;
}

/// The scalar [`ValueView`]: the view of a `T` is a `T`.
#[derive(Debug)]
pub struct Scalar<T>(PhantomData<fn() -> T>);

// SAFETY: `View<'a> = T` does not depend on `'a` at all (`T: 'static`).
unsafe impl<T: Send + Sync + 'static> ValueView for Scalar<T> {
    type View<'a> = T;
    const LIFETIME_FREE: bool = true;
}

/// The slice [`ValueView`]: the view of a `[T]` is a `&'a [T]`, so a
/// [`ViewPort<Slice<T>>`](crate::typed::ViewPort) carries a borrowed slice by value.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// /// Exposes a vector as a slice view.
/// struct AsSlice;
/// impl Segment for AsSlice {
///     type Inputs = RefPort<Vec<i64>>;
///     type Outputs = ViewPort<Slice<i64>>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>((n, v): (bool, &'a Vec<i64>), _: &'b mut (), _: bool) -> (bool, &'a [i64]) {
///         (n, v.as_slice())
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let v = b.push_source(RefSource::new(vec![1, 2, 3]));
/// let s = b.push(AsSlice, *v);
/// let g = Graph::from_builder(b);
/// assert_eq!(g.view(s), &[1, 2, 3]);
/// ```
#[derive(Debug)]
pub struct Slice<T>(PhantomData<fn() -> T>);

// SAFETY: `&'a [T]` is covariant in `'a`, and `T: 'static` holds no `'a`.
unsafe impl<T: Sync + 'static> ValueView for Slice<T> {
    type View<'a> = &'a [T];
}
