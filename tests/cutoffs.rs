//! Cutoffs (spec §6): a node below a poked source is skipped when every
//! input is quiet; a by-value `Port` quiets its consumer when its producer
//! ran without notifying, a by-reference input never does. Runs under Miri,
//! where a consumer skipped over a moved borrow would read freed memory.

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::Inc;

/// Keeps a `Vec` in its state and pushes into it on every run (so the
/// buffer reallocates), returning the same `&Vec` without notifying.
struct Grow;
impl Segment for Grow {
    type Inputs = Port<i64>;
    type Outputs = RefPort<Vec<i64>>;
    type State = Vec<i64>;
    fn init(self) -> Vec<i64> {
        Vec::with_capacity(1)
    }
    fn compute<'a, 'b: 'a>(
        (_, x): (bool, i64),
        v: &'b mut Vec<i64>,
        init: bool,
    ) -> (bool, &'a Vec<i64>) {
        v.push(x);
        (init, v)
    }
}

/// Forwards a reference into its input: `&v[last]`.
struct Last;
impl Segment for Last {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = RefPort<i64>;
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>(
        (n, v): (bool, &'a Vec<i64>),
        runs: &'b mut u32,
        _: bool,
    ) -> (bool, &'a i64) {
        *runs += 1;
        (n, v.last().expect("never empty"))
    }
}

/// Copies a referenced value, notifying as its input does.
struct Copy1;
impl Segment for Copy1 {
    type Inputs = RefPort<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, &'a i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, *x)
    }
}

/// P reallocates and answers "no change"; its consumer C forwarded
/// `&v[last]` and must run again, or C's consumers would read a dangling
/// pointer. C does not notify either; D, reading C by reference, runs too
/// (a by-reference input whose producer ran is never quiet); E, reading D
/// by value, is cut off.
#[test]
fn a_borrowing_consumer_runs_one_hop_below_a_quiet_producer() {
    let generations = if cfg!(miri) { 12 } else { 200 };
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_i64));
        let p = b.push(Grow, *s);
        let c = b.push(Last, p);
        let d = b.push(Copy1, c);
        let e = b.push(Inc, d);
        let mut g = Graph::from_builder(b);
        for i in 1..=generations {
            *g.state_mut(s) = i;
            g.stabilize(&mut pool);
            let stats = g.stats();
            assert_eq!((stats.last_cone, stats.last_skipped), (4, 1), "gen {i}");
            assert_eq!(*g.ref_view(c), i);
            assert_eq!(g.ref_view(p).len() as i64, i + 1);
            assert_eq!(g.view(d), i);
            assert!(!g.notified(d));
            // E keeps its build-call value: it was never woken.
            assert_eq!(g.view(e), 1);
        }
    }
}

/// `x + 1` that notifies only when asked to by the source's parity.
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

/// Exposes its by-value input by reference from its state.
struct Hold;
impl Segment for Hold {
    type Inputs = Port<i64>;
    type Outputs = RefPort<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut i64, _: bool) -> (bool, &'a i64) {
        *s = x;
        (n, s)
    }
}

/// Across by-value wires, a cut stops everything below it; the consumer
/// reads the latest value the next time it runs.
#[test]
fn a_quiet_by_value_wire_prunes_everything_below() {
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_i64));
        let gate = b.push(Gate, *s);
        let mut h = gate;
        for _ in 0..10 {
            h = b.push(Gate, h);
        }
        let held = b.push(Hold, gate);
        let mut g = Graph::from_builder(b);
        // Odd: the first gate runs and says "no change"; the ten gates and
        // `held` below it are skipped (two of them at the cut).
        *g.state_mut(s) = 3;
        g.stabilize(&mut pool);
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 2));
        assert_eq!(g.view(gate), 4);
        assert_eq!(*g.ref_view(held), 1, "skipped: keeps its output");
        assert_eq!(g.view(h), 11);
        // Even: everything below notifies... until the next gate's value is
        // odd: 4 → 5 (notifies, 4 even) → 6 (5 odd: cut).
        *g.state_mut(s) = 4;
        g.stabilize(&mut pool);
        assert_eq!(g.view(gate), 5);
        assert_eq!(*g.ref_view(held), 5, "ran: reads the latest value");
        assert_eq!(g.stats().last_cone, 4);
        assert_eq!(g.stats().last_skipped, 1);
        let total = g.stats();
        assert_eq!(total.nodes_run, 6);
        assert_eq!(total.nodes_skipped, 3);
    }
}

/// An `Operator` on a borrowing input runs (its passthrough, when nothing
/// notified), and its own flags decide below it.
struct Pass;
impl Operator for Pass {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = RefPort<i64>;
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>(
        (_, v): (bool, &'a Vec<i64>),
        _: &'b mut u32,
        _: bool,
    ) -> (bool, &'a i64) {
        (true, &v[0])
    }
    fn passthrough<'a, 'b: 'a>((_, v): (bool, &'a Vec<i64>), _: &'b u32) -> (bool, &'a i64) {
        (false, &v[0])
    }
}

#[test]
fn an_operator_re_derives_its_borrows_through_passthrough() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let p = b.push(Grow, *s);
    let o = b.push(Pass, p);
    let d = b.push(Copy1, o);
    let e = b.push(Inc, d);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    for i in 1..=if cfg!(miri) { 8 } else { 50 } {
        *g.state_mut(s) = i;
        g.stabilize(&mut pool);
        assert_eq!(*g.ref_view(o), 0);
        assert!(!g.notified(o));
        assert_eq!((g.stats().last_cone, g.stats().last_skipped), (4, 1));
    }
    assert_eq!((g.view(d), g.view(e)), (0, 1));
}
