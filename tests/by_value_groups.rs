//! By-value groups (`Ports<T>`): a `Vec`, array or slice of `Port<T>`
//! handles feeds a group whose members are copied into the consumer's own
//! planes. The consumer reads `&[T]` and per-member flags, and a member
//! whose producer ran without notifying is quiet, as a `Port<T>` input is.
//! Runs under Miri (`.ci/miri.sh`): a consumer that forwards a reference
//! into its members must never see them rewritten while it does not run.

use flowgraph::core::Pool;
use flowgraph::typed::*;

/// Sums its members; also returns how many were flagged on this run.
struct Sum;
impl Segment for Sum {
    type Inputs = Ports<i64>;
    type Outputs = (Port<i64>, Port<usize>);
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (flags, xs): (&'a [bool], &'a [i64]),
        _: &'b mut (),
        _: bool,
    ) -> ((bool, i64), (bool, usize)) {
        assert_eq!(flags.len(), xs.len());
        let flagged = flags.iter().filter(|&&f| f).count();
        ((true, xs.iter().sum()), (true, flagged))
    }
}
/// `x + 1`, notifying only when `x` is even (and its input notified).
struct Gate;
impl Segment for Gate {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n && x % 2 == 0, x + 1)
    }
}

/// Forwards a reference to its first member.
struct First;
impl Segment for First {
    type Inputs = Ports<i64>;
    type Outputs = RefPort<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (f, xs): (&'a [bool], &'a [i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, &'a i64) {
        (f.iter().any(|&n| n), &xs[0])
    }
}

/// Copies a referenced value and adds a by-value one.
struct AddRef;
impl Segment for AddRef {
    type Inputs = (RefPort<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((_, r), (_, x)): ((bool, &'a i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (true, *r + x)
    }
}

/// A by-value group output: `len` copies of its input, `i` added to member `i`.
struct Spread(usize);
impl Segment for Spread {
    type Inputs = Port<i64>;
    type Outputs = Ports<i64>;
    type State = (Vec<bool>, Vec<i64>);
    fn init(self) -> (Vec<bool>, Vec<i64>) {
        (vec![false; self.0], vec![0; self.0])
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        (flags, values): &'b mut (Vec<bool>, Vec<i64>),
        _: bool,
    ) -> (&'a [bool], &'a [i64]) {
        for (i, (f, v)) in flags.iter_mut().zip(values.iter_mut()).enumerate() {
            *f = n;
            *v = x + i as i64;
        }
        (flags, values)
    }
}

/// A small deterministic generator (xorshift), for the random pokes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A SUM over by-value cells against a plain recomputation (the oracle):
/// random cells poked per generation, 1 and 2 threads. Each generation runs
/// the poked sources and the sum, and the sum sees exactly the poked cells
/// flagged (flags of sources that did not run are cleared).
#[test]
fn a_sum_over_cells_matches_the_oracle() {
    let (cells, generations) = if cfg!(miri) { (8, 6) } else { (64, 200) };
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let sources: Vec<_> = (0..cells)
            .map(|i| b.push_source(Source::new(i as i64)))
            .collect();
        let handles: Vec<_> = sources.iter().map(|s| **s).collect();
        let (sum, flagged) = b.push(Sum, &handles);
        let mut g = Graph::from_builder(b);
        let mut oracle: Vec<i64> = (0..cells as i64).collect();
        assert_eq!(g.view(sum), oracle.iter().sum::<i64>());
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ threads as u64);
        for gen in 0..generations {
            let mut poked = Vec::new();
            for _ in 0..1 + rng.next() % 4 {
                let i = rng.next() as usize % cells;
                let v = (rng.next() % 1000) as i64 - 500;
                *g.state_mut(sources[i]) = v;
                oracle[i] = v;
                poked.push(i);
            }
            poked.sort_unstable();
            poked.dedup();
            g.stabilize(&mut pool);
            assert_eq!(
                g.view(sum),
                oracle.iter().sum::<i64>(),
                "gen {gen}, {threads} threads"
            );
            assert_eq!(g.view(flagged), poked.len(), "gen {gen}");
            let stats = g.stats();
            assert_eq!((stats.last_cone, stats.last_skipped), (poked.len() + 1, 0));
        }
    }
}

/// A `Vec`, a `&Vec`, an array and a slice of handles wire the same group.
#[test]
fn vec_array_and_slice_of_handles_feed_a_group() {
    let mut b = GraphBuilder::new();
    let s: Vec<_> = (1..=3)
        .map(|i| *b.push_source(Source::new(i * 10)))
        .collect();
    let from_vec = b.push(Sum, s.clone()).0;
    let from_ref_vec = b.push(Sum, &s).0;
    let from_array = b.push(Sum, [s[0], s[1], s[2]]).0;
    let from_slice = b.push(Sum, &s[1..]).0;
    let empty: [Handle<Port<i64>>; 0] = [];
    let from_nothing = b.push(Sum, empty).0;
    let g = Graph::from_builder(b);
    assert_eq!(
        [from_vec, from_ref_vec, from_array, from_slice, from_nothing].map(|h| g.view(h)),
        [60, 60, 60, 50, 0]
    );
}

/// A member producer that ran without notifying does not wake the sum when
/// no other input woke it (`Stats`); the copied value is there the next
/// time the sum runs, woken by another member.
#[test]
fn a_quiet_member_does_not_wake_the_consumer() {
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let a = b.push_source(Source::new(0_i64));
        let c = b.push_source(Source::new(100_i64));
        let gate = b.push(Gate, *a);
        let (sum, flagged) = b.push(Sum, [gate, *c]);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.view(sum), 1 + 100);
        // Odd: the gate runs and says "no change"; the sum is cut off.
        *g.state_mut(a) = 3;
        g.stabilize(&mut pool);
        let stats = g.stats();
        assert_eq!(
            (stats.last_cone, stats.last_skipped),
            (2, 1),
            "{threads} threads"
        );
        assert_eq!(g.view(gate), 4);
        assert_eq!(g.view(sum), 101, "the sum did not run");
        // The other member wakes it; it reads the gate's latest value,
        // unflagged.
        *g.state_mut(c) = 200;
        g.stabilize(&mut pool);
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 0));
        assert_eq!(g.view(sum), 4 + 200);
        assert_eq!(g.view(flagged), 1);
        // Even: the gate notifies and wakes the sum.
        *g.state_mut(a) = 6;
        g.stabilize(&mut pool);
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (3, 0));
        assert_eq!(g.view(sum), 7 + 200);
        assert_eq!(g.view(flagged), 1);
    }
}

/// A consumer that forwards a reference into its members, cut off while a
/// member producer runs quietly, keeps its output: the copy lands in a
/// staging plane, not under the forwarded reference (Miri checks the
/// aliasing). Its reader, woken by another input, sees the value as of the
/// consumer's last run.
#[test]
fn a_forwarded_member_is_not_rewritten_while_its_consumer_sleeps() {
    let generations = if cfg!(miri) { 6 } else { 100 };
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let a = b.push_source(Source::new(0_i64));
        let k = b.push_source(Source::new(0_i64));
        let gate = b.push(Gate, *a);
        let first = b.push(First, [gate]);
        let out = b.push(AddRef, (first, *k));
        let mut g = Graph::from_builder(b);
        let mut seen = 1; // the gate's value when `first` last ran
        for i in 0..generations {
            let x = 2 * i + 1; // odd: quiet
            *g.state_mut(a) = x;
            *g.state_mut(k) = i;
            g.stabilize(&mut pool);
            assert_eq!(g.view(gate), x + 1);
            assert_eq!(*g.ref_view(first), seen, "gen {i}");
            assert_eq!(g.view(out), seen + i);
            // Even: the gate notifies, `first` runs and forwards it.
            *g.state_mut(a) = x + 1;
            g.stabilize(&mut pool);
            seen = x + 2;
            assert_eq!(*g.ref_view(first), seen);
            assert_eq!(g.view(out), seen + i);
        }
    }
}

/// A by-value group output feeds a `Ports` input through its group handle,
/// and reads back with `values_view`.
#[test]
fn a_group_output_feeds_a_group_input() {
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(10_i64));
        let spread = b.push(Spread(4), *s);
        let (sum, flagged) = b.push(Sum, spread);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.values_view(spread).1, &[10, 11, 12, 13]);
        assert_eq!(g.view(sum), 46);
        *g.state_mut(s) = 20;
        g.stabilize(&mut pool);
        let (flags, values) = g.values_view(spread);
        assert_eq!((flags, values), (&[true; 4][..], &[20, 21, 22, 23][..]));
        assert_eq!(g.view(sum), 86);
        assert_eq!(g.view(flagged), 4);
    }
}

/// `&[T]` in `#[segment_fn]` is a `Ports<T>` group: an input (runs when any
/// member changed) and, forwarded, a group output.
#[flowgraph::segment_fn]
fn total(xs: &[i64]) -> i64 {
    xs.iter().sum()
}

/// Forwards its members as a by-value group output.
#[flowgraph::segment_fn]
fn keep(xs: &[i64]) -> &[i64] {
    xs
}

#[test]
fn segment_fn_takes_and_returns_by_value_groups() {
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let a = b.push_source(Source::new(1_i64));
        let c = b.push_source(Source::new(2_i64));
        let gate = b.push(Gate, *a);
        let kept = b.push(Keep, [gate, *c]);
        let t = b.push(Total, kept);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.view(t), 2 + 2);
        // Odd: the gate is quiet, `Keep` and `Total` are cut off.
        *g.state_mut(a) = 5;
        g.stabilize(&mut pool);
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 1));
        assert_eq!(g.view(t), 4);
        *g.state_mut(c) = 10;
        g.stabilize(&mut pool);
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (3, 0));
        // A `&[T]` result has one flag for all its members (set: an input
        // notified); the gate's quiet value came along.
        assert_eq!(g.values_view(kept), (&[true, true][..], &[6, 10][..]));
        assert_eq!(g.view(t), 16);
    }
}

/// `u8 + 1`, notifying only when the input is even.
struct GateU8;
impl Segment for GateU8 {
    type Inputs = Port<u8>;
    type Outputs = Port<u8>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, u8), _: &'b mut (), _: bool) -> (bool, u8) {
        (n && x % 2 == 0, x.wrapping_add(1))
    }
}

#[flowgraph::segment_fn]
fn count_u8(xs: &[u8]) -> u32 {
    xs.iter().map(|&x| u32::from(x)).sum()
}

/// Members of one byte (`(bool, u8)`, whose flag may sit before or after
/// the value) and of none (`()`) prune the same way.
#[test]
fn small_and_empty_members_prune_too() {
    let mut pool = Pool::new(1);
    let mut b = GraphBuilder::new();
    let a = b.push_source(Source::new(0_u8));
    let gate = b.push(GateU8, *a);
    let count = b.push(CountU8, [gate, gate]);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(count), 2);
    *g.state_mut(a) = 3;
    g.stabilize(&mut pool);
    assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 1));
    assert_eq!(g.view(count), 2);
    *g.state_mut(a) = 4;
    g.stabilize(&mut pool);
    assert_eq!((g.stats().last_cone, g.stats().last_skipped), (3, 0));
    assert_eq!(g.view(count), 10);

    let mut b = GraphBuilder::new();
    let u = b.push_source(Source::new(()));
    let units = b.push(CountUnits, [*u, *u, *u]);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(units), 3);
    *g.state_mut(u) = ();
    g.stabilize(&mut pool);
    assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 0));
}

#[flowgraph::segment_fn]
fn count_units(xs: &[()]) -> usize {
    xs.len()
}
