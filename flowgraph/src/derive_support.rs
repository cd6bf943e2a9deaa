//! Support for generated `Segment` impls (`segment_fn`, `segment_impl`),
//! reached through `flowgraph::__private`.

use std::ops::{Deref, DerefMut};

/// The state of a generated segment with `RefPorts` outputs: the user's
/// state, and one notify plane per group output (a group's notify flags are
/// a slice, and it must outlive the compute call like the values do).
///
/// It derefs to the user's state, so `state_mut` on such a source reads as
/// usual.
#[derive(Debug, Default)]
pub struct Planes<S> {
    /// The user's state.
    pub state: S,
    /// One notify plane per group output, in output order.
    pub planes: Vec<Vec<bool>>,
}

impl<S> Planes<S> {
    /// `state` with `groups` empty planes.
    pub fn new(state: S, groups: usize) -> Self {
        Planes {
            state,
            planes: vec![Vec::new(); groups],
        }
    }
}

impl<S> Deref for Planes<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> DerefMut for Planes<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.state
    }
}

/// Sets plane `i` to `fill[i].0` copies of the flag `fill[i].1`; a plane of
/// unchanged length keeps its allocation.
#[inline]
pub fn fill_planes<const K: usize>(
    planes: &mut [Vec<bool>],
    fill: [(usize, bool); K],
) -> &[Vec<bool>] {
    for (plane, (len, flag)) in planes.iter_mut().zip(fill) {
        plane.clear();
        plane.resize(len, flag);
    }
    planes
}
