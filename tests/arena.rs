//! The per-node `Arena` (spec §5): outputs a node computes itself, bounded
//! memory over many generations, and thread safety.

use flowgraph::arena::Arena;
use flowgraph::core::Pool;
use flowgraph::typed::*;

/// Generations for the long runs (Miri is several orders slower).
const GENERATIONS: u64 = if cfg!(miri) { 50 } else { 1_000_000 };

fn assert_send<T: Send>() {}

#[test]
fn arena_is_send_and_reexported() {
    assert_send::<Arena>();
    assert_send::<flowgraph::typed::Arena>();
    let a: flowgraph::typed::Arena = Arena::new();
    assert_eq!(a.allocated_bytes(), 0);
}

/// A node whose group of `len` values (`x + i`) lives in its arena, with a
/// scratch allocation whose size varies with the input, as a node doing real
/// work would have. Also outputs the arena's footprint.
struct Spread(usize);

struct SpreadState {
    len: usize,
    arena: Arena,
}

impl Segment for Spread {
    type Inputs = Port<u64>;
    type Outputs = (RefPorts<u64>, Port<usize>);
    type State = SpreadState;

    fn init(self) -> SpreadState {
        SpreadState {
            len: self.0,
            arena: Arena::new(),
        }
    }

    fn compute<'a, 'b: 'a>(
        (n, x): (bool, u64),
        state: &'b mut SpreadState,
        _: bool,
    ) -> ((&'a [bool], &'a [&'a u64]), (bool, usize)) {
        state.arena.reset();
        let arena = &state.arena;
        // Scratch of 0..=255 words, depending on the input.
        let scratch = arena.alloc_slice_fill_copy((x % 256) as usize, x);
        let values = arena.alloc_slice_fill_with(state.len, |i| x + i as u64);
        assert!(scratch.iter().all(|&s| s == x));
        let flags = arena.alloc_slice_fill_copy(state.len, n);
        (
            (flags, arena.alloc_refs(values)),
            (n, arena.allocated_bytes()),
        )
    }
}

/// Sums a group.
struct SumGroup;

impl Segment for SumGroup {
    type Inputs = RefPorts<u64>;
    type Outputs = Port<u64>;
    type State = ();

    fn init(self) {}

    fn compute<'a, 'b: 'a>(
        (flags, values): (&'a [bool], &'a [&'a u64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, u64) {
        (flags.iter().any(|&f| f), values.iter().copied().sum())
    }
}

fn run_bounded(threads: usize, generations: u64) {
    const LEN: usize = 16;
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_u64));
    let (group, bytes) = b.push(Spread(LEN), *s);
    let sum = b.push(SumGroup, group);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(threads);

    let mut peak_after_warmup = 0;
    let mut peak = 0;
    for generation in 1..=generations {
        let x = generation.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
        *g.state_mut(s) = x;
        g.stabilize(&mut pool);
        let expected: u64 = (0..LEN as u64).map(|i| x + i).sum();
        assert_eq!(g.view(sum), expected, "generation {generation}");
        let used = g.view(bytes);
        peak = peak.max(used);
        if generation == generations.min(1000) {
            peak_after_warmup = peak;
        }
    }
    // At most 255 + 2 * 16 words plus flags per generation: a few KiB.
    assert!(peak < 64 * 1024, "arena grew to {peak} bytes");
    assert_eq!(
        peak, peak_after_warmup,
        "arena kept growing after warm-up: {peak_after_warmup} -> {peak} bytes"
    );
    let (flags, values) = g.group_view(group);
    assert_eq!((flags.len(), values.len()), (LEN, LEN));
}

#[test]
fn memory_stays_bounded_one_thread() {
    run_bounded(1, GENERATIONS);
}

#[test]
fn memory_stays_bounded_two_threads() {
    run_bounded(2, GENERATIONS / 10);
}

#[test]
fn reset_reuses_memory_directly() {
    let mut arena = Arena::new();
    let mut first = None;
    for generation in 0..GENERATIONS {
        arena.reset();
        let xs = arena.alloc_slice_fill_with(1 + (generation % 300) as usize, |i| i as u64);
        assert_eq!(xs.last().copied(), Some(generation % 300));
        if generation == 300 {
            first = Some(arena.allocated_bytes());
        }
    }
    if let Some(first) = first {
        assert_eq!(arena.allocated_bytes(), first);
    }
}

#[test]
fn values_are_overwritten_not_dropped() {
    // A type without drop glue but holding references: the arena hands back
    // references to data it does not own, as a group forwarding inputs does.
    let inputs = [3_i32, 1, 2];
    let mut arena = Arena::new();
    for _ in 0..3 {
        arena.reset();
        let mut refs: Vec<&i32> = inputs.iter().collect();
        refs.sort();
        let stored = arena.alloc_slice_copy(&refs);
        assert_eq!(stored, [&1, &2, &3]);
        assert!(std::ptr::eq(stored[0], &inputs[1]));
    }
}
