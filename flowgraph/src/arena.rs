//! [`Arena`]: per-node bump allocation for outputs a node computes itself
//! (spec §5).
//!
//! A node that computes its own values cannot return references to locals,
//! and cannot keep `'a` references in its state. It can keep an [`Arena`] in
//! its state instead: at the start of each compute it resets the arena
//! (`&mut`, so no reference handed out earlier survives), then allocates
//! through a shared borrow of the state, which lives as long as the
//! generation's outputs. All of this is checked by the borrow checker; there
//! is no `unsafe` here.
//!
//! Allocated objects are **never dropped**: a reset only rewinds the bump
//! pointer, and the memory is overwritten by the next generation. Types with
//! drop glue (`Vec`, `String`, `Box`, …) are therefore rejected at compile
//! time: they would leak on every generation.
#![deny(unsafe_code)]

use std::fmt;

use bumpalo::Bump;

/// Rejects, at compile time, a type whose drop the arena would skip.
macro_rules! assert_no_drop {
    ($t:ty) => {
        const {
            assert!(
                !std::mem::needs_drop::<$t>(),
                "flowgraph::arena::Arena never drops what it holds: allocate values \
                 without drop glue (not `Vec`, `String`, `Box`, …); allocate their \
                 contents in the arena instead"
            )
        }
    };
}

/// A per-node bump arena: values and slices valid for one generation.
///
/// Keep it in a node's state. At the start of `compute`, call
/// [`reset`](Arena::reset); then allocate through `&state.arena`, whose
/// lifetime is the generation's `'a`, and return the references in the
/// node's outputs (for instance as a [`RefPorts`](crate::typed::RefPorts)
/// group). Memory stays bounded across generations: a reset keeps the
/// largest chunk and frees the others, so a node that allocates about the
/// same amount each generation stops allocating after the first few.
///
/// Nothing allocated here is ever dropped (see the [module docs](self)); the
/// allocation methods reject types that need dropping.
///
/// An `Arena` is `Send` (it moves with the node's state) but not `Sync`:
///
/// ```compile_fail
/// fn sync<T: Sync>() {}
/// sync::<flowgraph::arena::Arena>();
/// ```
///
/// References handed out do not outlive a reset:
///
/// ```compile_fail
/// let mut arena = flowgraph::arena::Arena::new();
/// let x = arena.alloc(1_u32);
/// arena.reset();
/// assert_eq!(*x, 1);
/// ```
///
/// # Examples
///
/// A node that computes `len` multiples of its input and outputs them as a
/// group of references:
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// struct Multiples {
///     len: usize,
///     arena: Arena,
/// }
///
/// struct MakeMultiples(usize);
/// impl Segment for MakeMultiples {
///     type Inputs = Port<i64>;
///     type Outputs = RefPorts<i64>;
///     type State = Multiples;
///     fn init(self) -> Multiples {
///         Multiples { len: self.0, arena: Arena::new() }
///     }
///     fn compute<'a, 'b: 'a>(
///         (n, x): (bool, i64),
///         state: &'b mut Multiples,
///         _: bool,
///     ) -> (&'a [bool], &'a [&'a i64]) {
///         state.arena.reset();
///         let arena = &state.arena;
///         let values = arena.alloc_slice_fill_with(state.len, |i| x * i as i64);
///         (arena.alloc_slice_fill_copy(state.len, n), arena.alloc_refs(values))
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(2_i64));
/// let m = b.push(MakeMultiples(4), *s);
/// let mut g = Graph::from_builder(b);
/// let (_, values) = g.group_view(m);
/// assert_eq!(values, [&0, &2, &4, &6]);
/// *g.state_mut(s) = 3;
/// g.stabilize(&mut Pool::new(1));
/// let (_, values) = g.group_view(m);
/// assert_eq!(values, [&0, &3, &6, &9]);
/// ```
#[derive(Default)]
pub struct Arena {
    bump: Bump,
}

impl Arena {
    /// An empty arena; it allocates its first chunk on first use.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// assert_eq!(arena.allocated_bytes(), 0);
    /// ```
    pub fn new() -> Self {
        Arena { bump: Bump::new() }
    }

    /// An arena with room for at least `bytes` bytes before it needs another
    /// chunk.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::with_capacity(4096);
    /// assert!(arena.allocated_bytes() >= 4096);
    /// ```
    pub fn with_capacity(bytes: usize) -> Self {
        Arena {
            bump: Bump::with_capacity(bytes),
        }
    }

    /// Starts a new generation: every earlier allocation is forgotten (not
    /// dropped) and its memory reused. Keeps the largest chunk, frees the
    /// others.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut arena = flowgraph::arena::Arena::new();
    /// let mut sizes = Vec::new();
    /// for generation in 0..100_u64 {
    ///     arena.reset();
    ///     arena.alloc_slice_fill_copy(1000, generation);
    ///     sizes.push(arena.allocated_bytes());
    /// }
    /// assert_eq!(sizes[99], sizes[1]);
    /// ```
    pub fn reset(&mut self) {
        self.bump.reset();
    }

    /// Moves `value` into the arena.
    ///
    /// `T` must not need dropping (checked at compile time).
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// let x = arena.alloc((1_u8, 2.5_f64));
    /// x.0 += 1;
    /// assert_eq!(*x, (2, 2.5));
    /// ```
    ///
    /// A type with drop glue does not compile:
    ///
    /// ```compile_fail
    /// let arena = flowgraph::arena::Arena::new();
    /// arena.alloc(String::from("leaked every generation"));
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref, reason = "each call hands out fresh memory")]
    pub fn alloc<T>(&self, value: T) -> &mut T {
        assert_no_drop!(T);
        self.bump.alloc(value)
    }

    /// Copies `src` into the arena.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// let xs = arena.alloc_slice_copy(&[1, 2, 3]);
    /// xs[0] = 7;
    /// assert_eq!(xs, [7, 2, 3]);
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref, reason = "each call hands out fresh memory")]
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &mut [T] {
        self.bump.alloc_slice_copy(src)
    }

    /// A slice of `len` copies of `value`, e.g. a group's notify plane.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// assert_eq!(arena.alloc_slice_fill_copy(3, true), [true; 3]);
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref, reason = "each call hands out fresh memory")]
    pub fn alloc_slice_fill_copy<T: Copy>(&self, len: usize, value: T) -> &mut [T] {
        self.bump.alloc_slice_fill_copy(len, value)
    }

    /// A slice of `len` values, the `i`-th being `f(i)`.
    ///
    /// `T` must not need dropping (checked at compile time).
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// assert_eq!(arena.alloc_slice_fill_with(4, |i| i * i), [0, 1, 4, 9]);
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref, reason = "each call hands out fresh memory")]
    pub fn alloc_slice_fill_with<T>(&self, len: usize, f: impl FnMut(usize) -> T) -> &mut [T] {
        assert_no_drop!(T);
        self.bump.alloc_slice_fill_with(len, f)
    }

    /// A slice of the items of an exact-size iterator.
    ///
    /// `T` must not need dropping (checked at compile time).
    ///
    /// # Panics
    ///
    /// If the iterator yields fewer items than its `len()` promised.
    ///
    /// # Examples
    ///
    /// Gathering references forwarded from inputs into a group's value plane:
    ///
    /// ```
    /// let inputs = [10_i64, 20, 30];
    /// let arena = flowgraph::arena::Arena::new();
    /// let refs: &[&i64] = arena.alloc_slice_fill_iter(inputs.iter().rev());
    /// assert_eq!(refs, [&30, &20, &10]);
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref, reason = "each call hands out fresh memory")]
    pub fn alloc_slice_fill_iter<T, I>(&self, iter: I) -> &mut [T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        assert_no_drop!(T);
        self.bump.alloc_slice_fill_iter(iter)
    }

    /// A slice of references to each element of `values` (which may live in
    /// this arena or anywhere else that outlives the borrow): the value
    /// plane of a [`RefPorts`](crate::typed::RefPorts) group.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// let values = arena.alloc_slice_copy(&[1.5_f64, 2.5]);
    /// let refs = arena.alloc_refs(values);
    /// assert!(std::ptr::eq(refs[1], &values[1]));
    /// ```
    #[inline]
    pub fn alloc_refs<'s, T>(&'s self, values: &'s [T]) -> &'s [&'s T] {
        self.bump.alloc_slice_fill_iter(values.iter())
    }

    /// The bytes the arena holds from the allocator (its chunks' capacity),
    /// used or not.
    ///
    /// # Examples
    ///
    /// ```
    /// let arena = flowgraph::arena::Arena::new();
    /// arena.alloc_slice_fill_copy(100, 0_u64);
    /// assert!(arena.allocated_bytes() >= 800);
    /// ```
    pub fn allocated_bytes(&self) -> usize {
        self.bump.allocated_bytes()
    }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.allocated_bytes())
            .finish()
    }
}
