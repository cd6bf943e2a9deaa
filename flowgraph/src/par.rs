//! Data-parallel nodes: a compute that splits its own work across the pool.
//!
//! A `compute` may call [`for_range`], [`for_each_chunk`] or [`join`] to run
//! parts of its work on the threads of the [`Pool`](crate::core::Pool) that
//! runs the graph: the same threads, never a second pool. The calling thread
//! works too and claims whatever nobody else took, so a split finishes even
//! when every other thread is busy with other nodes; idle threads join in as
//! they free up.
//!
//! - **Inside `stabilize`** on a pool of `n > 1` threads, a split uses up to
//!   `n` threads, whichever scheduler runs the generation (a lone heavy node
//!   of a serial generation still gets the workers).
//! - **Serially, in order, on the calling thread**: on `Pool::new(1)`,
//!   outside `stabilize` (the build calls of `Graph::from_builder`, plain
//!   code, tests), and on threads a compute spawns itself.
//! - **Panics**: if a part panics, parts not started yet are skipped, the
//!   call returns only once every started part has finished, and then
//!   resumes the first panic. In a compute, that panic poisons the graph
//!   like any other, naming the node. The pool is unharmed.
//! - A thread waiting for the parts others took runs parts of other splits
//!   meanwhile (nested or concurrent ones), never graph nodes.
//!
//! Each part is claimed by one thread through one shared counter, so parts
//! should be coarse: tens of microseconds or more each.
//!
//! # Examples
//!
//! A node that multiplies a matrix by a vector, row blocks in parallel:
//!
//! ```
//! use flowgraph::core::Pool;
//! use flowgraph::par;
//! use flowgraph::typed::*;
//!
//! /// `y = M x` for a fixed `M` (its state), `n × n`, row-major.
//! struct MatVec(usize, Vec<f64>);
//! impl Segment for MatVec {
//!     type Inputs = RefPort<Vec<f64>>;
//!     type Outputs = RefPort<Vec<f64>>;
//!     type State = (usize, Vec<f64>, Vec<f64>);
//!     fn init(self) -> Self::State {
//!         (self.0, self.1, vec![0.0; self.0])
//!     }
//!     fn compute<'a, 'b: 'a>(
//!         (n, x): (bool, &'a Vec<f64>),
//!         (dim, m, y): &'b mut Self::State,
//!         _: bool,
//!     ) -> (bool, &'a Vec<f64>) {
//!         let (dim, m) = (*dim, &*m);
//!         par::for_each_chunk(y, 16, |block, rows| {
//!             for (k, out) in rows.iter_mut().enumerate() {
//!                 let row = &m[(block * 16 + k) * dim..][..dim];
//!                 *out = row.iter().zip(x).map(|(a, b)| a * b).sum();
//!             }
//!         });
//!         (n, y)
//!     }
//! }
//!
//! let dim = 64;
//! let m: Vec<f64> = (0..dim * dim).map(|i| (i % 7) as f64).collect();
//! let mut b = GraphBuilder::new();
//! let x = b.push_source(RefSource::new(vec![0.0; dim]));
//! let y = b.push(MatVec(dim, m.clone()), *x);
//! let mut g = Graph::from_builder(b);
//! *g.state_mut(x) = vec![1.0; dim];
//! g.stabilize(&mut Pool::new(2));
//! let row_sums: Vec<f64> = m.chunks(dim).map(|r| r.iter().sum()).collect();
//! assert_eq!(g.ref_view(y), &row_sums);
//! ```

use std::ops::Range;

use crate::core::par as core_par;

/// Runs `a` and `b`, potentially in parallel on the pool's threads, and
/// returns both results.
///
/// The calling thread runs `a`; another thread may take `b` meanwhile, or
/// the caller runs it next. Nested calls split further (divide and conquer).
/// Serial (`a` then `b`) where [the module docs](self) say so.
///
/// # Panics
///
/// If `a` or `b` panics, once the other half has finished (or was skipped,
/// not having started), the first panic is resumed.
///
/// # Examples
///
/// ```
/// fn sum(v: &[u64]) -> u64 {
///     if v.len() <= 1024 {
///         return v.iter().sum();
///     }
///     let (lo, hi) = v.split_at(v.len() / 2);
///     let (a, b) = flowgraph::par::join(|| sum(lo), || sum(hi));
///     a + b
/// }
/// let v: Vec<u64> = (0..10_000).collect();
/// assert_eq!(sum(&v), 49_995_000); // outside `stabilize`: serial
/// ```
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    core_par::join(a, b)
}

/// Calls `f` on consecutive sub-ranges of `range`, each `grain` long (the
/// last may be shorter), potentially in parallel on the pool's threads.
///
/// Serial, in order, where [the module docs](self) say so.
///
/// # Panics
///
/// If `grain == 0`. If `f` panics, once every call already started has
/// returned (later ones are skipped), the first panic is resumed.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let total = AtomicU64::new(0);
/// flowgraph::par::for_range(0..1000, 100, |r| {
///     assert_eq!(r.len(), 100);
///     total.fetch_add(r.map(|i| i as u64).sum(), Ordering::Relaxed);
/// });
/// assert_eq!(total.into_inner(), 499_500);
/// ```
pub fn for_range<F>(range: Range<usize>, grain: usize, f: F)
where
    F: Fn(Range<usize>) + Sync,
{
    assert!(
        grain > 0,
        "flowgraph::par::for_range: the grain must be at least 1"
    );
    let Range { start, end } = range;
    let len = end.saturating_sub(start);
    core_par::run(len.div_ceil(grain), &|i| {
        let lo = start + i * grain;
        f(lo..end.min(lo.saturating_add(grain)));
    });
}

/// Calls `f(i, chunk)` on the `i`-th run of `size` elements of `slice` (the
/// last may be shorter; as [`slice::chunks_mut`] with its index),
/// potentially in parallel on the pool's threads.
///
/// Serial, in order, where [the module docs](self) say so.
///
/// # Panics
///
/// If `size == 0`. If `f` panics, once every call already started has
/// returned (later ones are skipped), the first panic is resumed.
///
/// # Examples
///
/// ```
/// let mut v = vec![0_usize; 10];
/// flowgraph::par::for_each_chunk(&mut v, 4, |i, chunk| chunk.fill(i));
/// assert_eq!(v, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
/// ```
pub fn for_each_chunk<T, F>(slice: &mut [T], size: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    core_par::for_each_chunk(slice, size, f)
}

/// The number of threads a split made here may use: the pool's inside
/// `stabilize`, 1 where splits run serially (see [the module docs](self)).
///
/// # Examples
///
/// ```
/// assert_eq!(flowgraph::par::threads(), 1); // not inside `stabilize`
/// ```
pub fn threads() -> usize {
    core_par::threads()
}
