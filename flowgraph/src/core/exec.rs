//! The per-node steps both schedulers share: copy an edge, clear a node's
//! input flags, run a node's compute with its group fix-ups and checks.

use crate::core::layout::copy_bytes;
use crate::core::marks::Marks;
use crate::core::tables::{Edge, Succ, Tables, NO_EXTRA, WAKE_ALWAYS};

impl Edge {
    pub(crate) fn copy(src: *const u8, dst: *mut u8, len: usize, wake: u32) -> Edge {
        Edge {
            src,
            dst,
            len: u32::try_from(len).expect("payload leaf larger than 4 GiB"),
            aux: wake,
        }
    }

    /// Whether this edge wakes its consumer, once its producer has run: a
    /// borrowing leaf always does (what it points into may have moved), a
    /// lifetime-free by-value leaf only when it notifies.
    ///
    /// # Safety
    /// The producer's output block must be initialized and not being
    /// written concurrently.
    #[inline(always)]
    pub(crate) unsafe fn wakes(&self) -> bool {
        // SAFETY: `aux` is the signed offset from `src` of the producer
        // leaf's `bool` flag (set by `Tables::wire_input`, inside the same
        // leaf); the caller guarantees it is initialized and stable.
        self.len == 0
            || self.aux == WAKE_ALWAYS
            || unsafe { *self.src.offset(self.aux as i32 as isize) != 0 }
    }
}

impl Tables {
    /// Performs one edge's copy.
    ///
    /// # Safety
    /// The producer's output block must be initialized, and no one may be
    /// reading the destination concurrently (single-writer protocol).
    #[inline(always)]
    pub(crate) unsafe fn apply(&self, edge: &Edge) {
        if edge.len != 0 {
            // SAFETY: `src` and `dst` were computed from layouts inside
            // distinct live blocks (or planes) of at least `len` bytes.
            unsafe { copy_bytes(edge.src, edge.dst, edge.len as usize) }
        } else {
            let g = &self.groups[edge.aux as usize];
            // SAFETY: the producer's output block is initialized; its group
            // length was checked against `len` when it ran, and the planes
            // hold `len` elements of `elem_size` bytes, as its slices do.
            unsafe {
                let (fsrc, vsrc, _, _) = (g.codec.read)(edge.src);
                std::ptr::copy_nonoverlapping(fsrc, g.flags, g.len);
                std::ptr::copy_nonoverlapping(vsrc, g.values, g.len * g.codec.elem_size);
            }
        }
    }

    /// Copies the edges `edges[*e..s.edges_end]` to consumer `s`, advancing
    /// `*e`; returns whether any of them wakes it.
    ///
    /// # Safety
    /// As [`Tables::apply`] for each edge; the producer has just run.
    #[inline(always)]
    pub(crate) unsafe fn scatter(&self, s: &Succ, e: &mut u32) -> bool {
        let mut wake = false;
        while *e < s.edges_end {
            // SAFETY: edge ranges were built inside `edges`.
            let edge = unsafe { self.edges.get_unchecked(*e as usize) };
            // SAFETY: guaranteed by the caller.
            unsafe {
                self.apply(edge);
                wake |= edge.wakes();
            }
            *e += 1;
        }
        wake
    }

    /// Runs node `id`'s compute: clears the input flags of producers that
    /// did not run this generation (by their `marks`), then group fix-ups,
    /// the thunk, group checks. A build call (no `marks`) clears nothing.
    ///
    /// # Safety
    /// The node's input block must be complete for this generation, and no
    /// other thread may run this node or write its inputs concurrently.
    #[inline(always)]
    pub(crate) unsafe fn exec(&self, id: u32, init: bool, marks: Option<&Marks>) {
        let node = &self.nodes[id as usize];
        if let (false, Some(marks)) = (node.clears.0 == node.clears.1, marks) {
            // SAFETY: the caller guarantees exclusive access to the inputs.
            unsafe { self.clear_stale(id, marks) };
        }
        if node.extra == NO_EXTRA {
            // SAFETY: the blocks belong to this node (built by the factory
            // whose thunk `run` is); the caller guarantees exclusive access.
            unsafe { (node.run)(node.state, node.inputs, node.outputs, init) };
        } else {
            // SAFETY: as above.
            unsafe { self.exec_extra(id, init) };
        }
    }

    /// `exec` for nodes with group inputs or outputs.
    ///
    /// # Safety
    /// As `exec`.
    #[inline(never)]
    unsafe fn exec_extra(&self, id: u32, init: bool) {
        let node = &self.nodes[id as usize];
        let extra = self.extras[node.extra as usize];
        for f in &self.fixups[extra.fixups.0 as usize..extra.fixups.1 as usize] {
            if let Some((flags, values)) = f.staged {
                // SAFETY: the staging and live planes are distinct
                // allocations of this node's, `len` elements each; the
                // caller guarantees no one else touches them now (producers
                // scatter into the staging planes only before this node
                // runs, and only this node's compute reads the live ones).
                unsafe {
                    std::ptr::copy_nonoverlapping(flags, f.flags, f.len);
                    std::ptr::copy_nonoverlapping(values, f.values, f.len * f.codec.elem_size);
                }
            }
            // SAFETY: the planes live as long as the engine and hold `len`
            // initialized elements; `dst` is this node's input leaf.
            unsafe { (f.codec.write)(f.dst, f.flags, f.values, f.len) };
        }
        // SAFETY: as in `exec`.
        unsafe { (node.run)(node.state, node.inputs, node.outputs, init) };
        for c in &self.checks[extra.checks.0 as usize..extra.checks.1 as usize] {
            // SAFETY: the compute just initialized the output block.
            let (_, _, flen, rlen) = unsafe { (c.codec.read)(c.src) };
            if flen != c.len || rlen != c.len {
                panic!(
                    "flowgraph: {}: group output {} changed length from {} to {} (flags) / {} (references); \
                     a group must keep the length it had in the build call",
                    self.describe(id),
                    c.leaf,
                    c.len,
                    flen,
                    rlen
                );
            }
        }
    }

    /// Clears the input flags of node `id` written by producers that did
    /// not run in generation `gen`.
    ///
    /// # Safety
    /// No one may be reading or writing the node's inputs concurrently.
    #[inline(never)]
    unsafe fn clear_stale(&self, id: u32, marks: &Marks) {
        let node = &self.nodes[id as usize];
        for c in &self.clears[node.clears.0 as usize..node.clears.1 as usize] {
            // A producer that ran was marked so before its scatter, which
            // happens-before this node runs (both schedulers).
            if !marks.ran(c.producer) {
                // SAFETY: `flags` points to `len` flags in this node's own
                // input storage; the caller guarantees exclusive access.
                unsafe { std::ptr::write_bytes(c.flags, 0, c.len) };
            }
        }
    }

    /// Node `id`'s consumers, and the index of its first edge.
    #[inline(always)]
    pub(crate) fn succ_edges(&self, id: u32) -> (&[Succ], u32) {
        let node = &self.nodes[id as usize];
        (
            &self.succs[node.succs.0 as usize..node.succs.1 as usize],
            node.edges_start,
        )
    }
}
