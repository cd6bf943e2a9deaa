//! The `segment!` arrow notation against the public API.

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

mod common;
use common::{Add, Inc};

/// §8 of the specification, verbatim (with `Add` from §2).
#[rustfmt::skip]
mod spec {
    use flowgraph::typed::*;
    use flowgraph::segment;

    /// A stateless adder with two inputs.
    struct Add;
    impl Segment for Add {
        type Inputs = (Port<i64>, Port<i64>);
        type Outputs = Port<i64>;
        type State = ();
        fn init(self) {}
        fn compute<'a, 'b: 'a>(
            ((_, a), (_, b)): ((bool, i64), (bool, i64)),
            _: &'b mut (),
            _: bool,
        ) -> (bool, i64) {
            (true, a + b)
        }
    }

    #[test]
    fn spec_section_8_arrow_notation() {
        // (Add as in section 2.)
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1));
        let t = b.push_source(Source::new(2));
        // One fused node computing: c = b + a; d = c + a; e = d + a; result (e, d, c).
        // Type annotation is needed on inputs and outputs.
        let seg = segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
            let c = (b, a) => Add;
            let d = (c, a) => Add;
            let e = (d, a) => Add;
            (e, d, c)
        });
        let (e, d, c) = b.push(seg, (*s, *t));

        // The same wiring as separate nodes.
        let c2 = b.push(Add, (*t, *s));
        let d2 = b.push(Add, (c2, *s));
        let e2 = b.push(Add, (d2, *s));

        let mut g = Graph::from_builder(b);
        assert_eq!(g.len(), 3 + 3, "the macro is one node");
        let mut pool = flowgraph::core::Pool::new(2);
        // a = 1, b = 2: c = 3, d = 4, e = 5.
        assert_eq!((g.view(e), g.view(d), g.view(c)), (5, 4, 3));
        for (x, y) in [(10, 2), (10, -4), (0, 7), (-3, -3)] {
            *g.state_mut(s) = x;
            *g.state_mut(t) = y;
            g.stabilize(&mut pool);
            let expect = (y + 3 * x, y + 2 * x, y + x);
            assert_eq!((g.view(e), g.view(d), g.view(c)), expect);
            assert_eq!((g.view(e2), g.view(d2), g.view(c2)), expect);
        }
    }
}

/// Subtracts the second port from the first (order matters).
struct Sub;
impl Segment for Sub {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (n || m, a - b)
    }
}

/// Multiplies by a factor held in the state.
struct Scale(i64);
impl Segment for Scale {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), k: &'b mut i64, _: bool) -> (bool, i64) {
        (n, x * *k)
    }
}

/// `x → (x, -x)`.
struct Split;
impl Segment for Split {
    type Inputs = Port<i64>;
    type Outputs = (Port<i64>, Port<i64>);
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        _: &'b mut (),
        _: bool,
    ) -> ((bool, i64), (bool, i64)) {
        ((n, x), (n, -x))
    }
}

/// `x → (x, 2x, (3x, 4x))`: a nested output tree.
struct Multiples;
impl Segment for Multiples {
    type Inputs = Port<i64>;
    type Outputs = (Port<i64>, Port<i64>, (Port<i64>, Port<i64>));
    type State = ();
    fn init(self) {}
    #[allow(clippy::type_complexity, reason = "the payload tree of the outputs")]
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        _: &'b mut (),
        _: bool,
    ) -> ((bool, i64), (bool, i64), ((bool, i64), (bool, i64))) {
        ((n, x), (n, 2 * x), ((n, 3 * x), (n, 4 * x)))
    }
}

/// `(a, (b, c)) → 100a + 10b + c`: a nested input tree.
struct Digits;
impl Segment for Digits {
    type Inputs = (Port<i64>, (Port<i64>, Port<i64>));
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), ((m, b), (o, c))): ((bool, i64), ((bool, i64), (bool, i64))),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (n || m || o, 100 * a + 10 * b + c)
    }
}

/// A running sum of every value seen after the build call.
struct RunningSum;
impl Segment for RunningSum {
    type Inputs = Port<i64>;
    type Outputs = RefPort<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), sum: &'b mut i64, init: bool) -> (bool, &'a i64) {
        if !init {
            *sum += x;
        }
        (n, sum)
    }
}

/// Reads a referenced value.
struct Load;
impl Segment for Load {
    type Inputs = RefPort<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, &'a i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, *x)
    }
}

/// A reference to the largest element of a vector (forwarded, not copied).
struct MaxRef;
impl Segment for MaxRef {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = RefPort<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (n, v): (bool, &'a Vec<i64>),
        _: &'b mut (),
        _: bool,
    ) -> (bool, &'a i64) {
        (n, v.iter().max().unwrap_or(&0))
    }
}

/// A view of a vector as a slice, carried by value.
type SliceView = Slice<i64>;

/// Borrows a vector as a `ViewPort<SliceView>`.
struct AsSlice;
impl Segment for AsSlice {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = ViewPort<SliceView>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (n, v): (bool, &'a Vec<i64>),
        _: &'b mut (),
        _: bool,
    ) -> (bool, &'a [i64]) {
        (n, v.as_slice())
    }
}

/// Sums a slice view.
struct SumSlice;
impl Segment for SumSlice {
    type Inputs = ViewPort<SliceView>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, v): (bool, &'a [i64]), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, v.iter().sum())
    }
}

/// Sums a group.
struct SumGroup;
impl Segment for SumGroup {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (ns, vs): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (ns.iter().any(|&n| n), vs.iter().copied().sum())
    }
}

/// Passes a group through and counts its members.
struct CountGroup;
impl Segment for CountGroup {
    type Inputs = RefPorts<i64>;
    type Outputs = (RefPorts<i64>, Port<i64>);
    type State = ();
    fn init(self) {}
    #[allow(clippy::type_complexity, reason = "the payload tree of the outputs")]
    fn compute<'a, 'b: 'a>(
        (ns, vs): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> ((&'a [bool], &'a [&'a i64]), (bool, i64)) {
        ((ns, vs), (ns.iter().any(|&n| n), vs.len() as i64))
    }
}

/// Notifies only when its input changed since the last call.
struct Dedup;
impl Segment for Dedup {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Option<i64>;
    fn init(self) -> Option<i64> {
        None
    }
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), last: &'b mut Option<i64>, _: bool) -> (bool, i64) {
        let changed = *last != Some(x);
        *last = Some(x);
        (changed, x)
    }
}

fn pool() -> Pool {
    Pool::new(2)
}

#[test]
fn single_wire_and_single_output() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let y = b.push(
        segment!(|x: Port<i64>| -> Port<i64> {
            let y = x => Inc;
            let z = y => Inc;
            z
        }),
        *s,
    );
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(y), 3);
    *g.state_mut(s) = 5;
    g.stabilize(&mut pool());
    assert_eq!(g.view(y), 7);
}

#[test]
fn order_of_wires_is_kept() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(10_i64));
    let t = b.push_source(Source::new(3_i64));
    let (ab, ba) = b.push(
        segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) {
            let ab = (a, b) => Sub;
            let ba = (b, a) => Sub;
            (ab, ba)
        }),
        (*s, *t),
    );
    let g = Graph::from_builder(b);
    assert_eq!((g.view(ab), g.view(ba)), (7, -7));
}

#[test]
fn any_expression_is_a_segment() {
    let k = 3;
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(2_i64));
    let (p, q, r, t) = b.push(
        segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>, Port<i64>) {
            let p = x => Scale(k);
            let q = x => Inc.then(Inc).then(Scale(10));
            let r = (p, q) => segment!(|u: Port<i64>, v: Port<i64>| -> Port<i64> {
                let w = (v, u) => Sub;
                w
            });
            let t = x => Arr::<Port<i64>, Port<i64>, _>::new(|(n, v), _| (n, v * v));
            (p, q, r, t)
        }),
        *s,
    );
    let g = Graph::from_builder(b);
    assert_eq!((g.view(p), g.view(q), g.view(r), g.view(t)), (6, 40, 34, 4));
}

#[test]
fn inputs_returned_directly_and_wires_read_many_times() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(2_i64));
    let t = b.push_source(Source::new(5_i64));
    let (x, y, sum, same) = b.push(
        segment!(|x: Port<i64>, y: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>, Port<i64>) {
            let a = (x, x) => Add;
            let b = (a, a) => Add;
            let c = (b, x) => Add;
            let d = (c, y) => Add;
            (x, y, d, x)
        }),
        (*s, *t),
    );
    let g = Graph::from_builder(b);
    assert_eq!(
        (g.view(x), g.view(y), g.view(sum), g.view(same)),
        (2, 5, 2 * 5 + 5, 2)
    );
}

#[test]
fn identity_segments() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(4_i64));
    let t = b.push_source(Source::new(9_i64));
    let one = b.push(segment!(|x: Port<i64>| -> Port<i64> { x }), *s);
    let (u, v) = b.push(
        segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) { (b, a) }),
        (*s, *t),
    );
    let g = Graph::from_builder(b);
    assert_eq!((g.view(one), g.view(u), g.view(v)), (4, 9, 4));
}

#[test]
fn nested_tuples_in_and_out() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let (digits, (p, m), last) = b.push(
        segment!(|x: Port<i64>| -> (Port<i64>, (Port<i64>, Port<i64>), Port<i64>) {
            let (one, two, (three, four)) = x => Multiples;
            let (p, m) = four => Split;
            let d = (one, (two, three)) => Digits;
            let e = (three, (four, two)) => Digits;
            (d, (p, m), e)
        }),
        *s,
    );
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(digits), 123);
    assert_eq!((g.view(p), g.view(m)), (4, -4));
    assert_eq!(g.view(last), 300 + 10 * 4 + 2);
    *g.state_mut(s) = 2;
    g.stabilize(&mut pool());
    assert_eq!(g.view(digits), 200 + 40 + 6);
    assert_eq!((g.view(p), g.view(m)), (8, -8));
}
#[test]
fn destructured_inputs_and_tail_application() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let t = b.push_source(Source::new(2_i64));
    let u = b.push_source(Source::new(3_i64));
    let d = b.push(
        segment!(|(a, b): (Port<i64>, Port<i64>), c: Port<i64>| -> Port<i64> {
            (a, (b, c)) => Digits
        }),
        ((*s, *t), *u),
    );
    let (w, x, y) = (
        b.push_source(Source::new(7_i64)),
        b.push_source(Source::new(8_i64)),
        b.push_source(Source::new(9_i64)),
    );
    // A three-element input destructured by the pattern (n-ary projections).
    let e = b.push(
        segment!(|(p, q, r): (Port<i64>, Port<i64>, Port<i64>)| -> Port<i64> {
            (r, (q, p)) => Digits
        }),
        (*w, *x, *y),
    );
    let g = Graph::from_builder(b);
    assert_eq!(g.view(d), 123);
    assert_eq!(g.view(e), 987);
}

#[test]
fn references_are_forwarded() {
    let mut b = GraphBuilder::new();
    let v = b.push_source(RefSource::new(vec![3_i64, 9, 4]));
    let s = b.push_source(Source::new(1_i64));
    let (max, same, total, sum) = b.push(
        segment!(|v: RefPort<Vec<i64>>, x: Port<i64>| -> (RefPort<i64>, RefPort<Vec<i64>>, Port<i64>, RefPort<i64>) {
            let m = v => MaxRef;
            let mv = m => Load;
            let t = (mv, x) => Add;
            let acc = t => RunningSum;
            (m, v, t, acc)
        }),
        (*v, *s),
    );
    let mut g = Graph::from_builder(b);
    let mut pool = pool();
    assert!(std::ptr::eq(g.ref_view(max), &g.ref_view(*v)[1]));
    assert!(std::ptr::eq(g.ref_view(same), g.ref_view(*v)));
    assert_eq!((g.view(total), *g.ref_view(sum)), (10, 0));
    g.state_mut(v).push(20);
    g.stabilize(&mut pool);
    assert!(std::ptr::eq(g.ref_view(max), &g.ref_view(*v)[3]));
    assert_eq!((g.view(total), *g.ref_view(sum)), (21, 21));
    *g.state_mut(s) = 5;
    g.stabilize(&mut pool);
    assert_eq!((g.view(total), *g.ref_view(sum)), (25, 46));
}

#[test]
fn groups_and_views_ride_wires() {
    let mut b = GraphBuilder::new();
    let xs: Vec<_> = (1..=4)
        .map(|i| b.push_source(RefSource::new(i as i64)))
        .collect();
    let v = b.push_source(RefSource::new(vec![1_i64, 2, 3]));
    let handles: Vec<_> = xs.iter().map(|h| **h).collect();
    let (group, count, sum, slice_sum) = b.push(
        segment!(|g: RefPorts<i64>, v: RefPort<Vec<i64>>| -> (RefPorts<i64>, Port<i64>, Port<i64>, Port<i64>) {
            let (same, n) = g => CountGroup;
            let s = same => SumGroup;
            let view = v => AsSlice;
            let vs = view => SumSlice;
            (same, n, s, vs)
        }),
        (handles, *v),
    );
    let mut g = Graph::from_builder(b);
    assert_eq!((g.view(count), g.view(sum), g.view(slice_sum)), (4, 10, 6));
    let (_, values) = g.group_view(group);
    assert!(std::ptr::eq(values[2], g.ref_view(*xs[2])));
    *g.state_mut(xs[0]) = 100;
    g.state_mut(v).push(10);
    g.stabilize(&mut pool());
    assert_eq!(
        (g.view(count), g.view(sum), g.view(slice_sum)),
        (4, 109, 16)
    );
}

#[test]
fn no_inputs_and_unit_wires() {
    /// A constant.
    struct Const(i64);
    impl Segment for Const {
        type Inputs = ();
        type Outputs = Port<i64>;
        type State = i64;
        fn init(self) -> i64 {
            self.0
        }
        fn compute<'a, 'b: 'a>(_: (), k: &'b mut i64, _: bool) -> (bool, i64) {
            (true, *k)
        }
    }
    let mut b = GraphBuilder::new();
    let c = b.push(
        segment!(|| -> Port<i64> {
            let k = () => Const(41);
            k => Inc
        }),
        (),
    );
    let g = Graph::from_builder(b);
    assert_eq!(g.view(c), 42);
}

#[test]
fn notify_flags_travel_through_the_fused_node() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let (cut, kept) = b.push(
        segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
            let d = x => Dedup;
            let c = d => Inc;
            let k = x => Inc;
            (c, k)
        }),
        *s,
    );
    let mut g = Graph::from_builder(b);
    let mut pool = pool();
    *g.state_mut(s) = 1; // same value: `Dedup` cuts the notification
    g.stabilize(&mut pool);
    assert!(!g.notified(cut));
    assert!(g.notified(kept));
    *g.state_mut(s) = 2;
    g.stabilize(&mut pool);
    assert!(g.notified(cut));
    assert_eq!(g.view(cut), 3);
}

/// A macro segment over a segment the caller chooses: the wire types come
/// from a generic parameter, known only at monomorphization.
fn twice<S>(s: S, t: S) -> impl Segment<Inputs = Port<i64>, Outputs = (Port<i64>, Port<i64>)>
where
    S: Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static,
{
    segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
        let y = x => s;
        let z = y => t;
        (y, z)
    })
}

#[test]
fn generic_segments_inside() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(3_i64));
    let (y, z) = b.push(twice(Scale(2), Scale(5)), *s);
    let (u, v) = b.push(twice(Inc, Inc), *s);
    let g = Graph::from_builder(b);
    assert_eq!((g.view(y), g.view(z), g.view(u), g.view(v)), (6, 30, 4, 5));
}

/// Generic parameters named like the helpers of the expansion's body
/// description (`W`, `T`, and a const `D`) do not reach it.
fn named_like_helpers<T, W, const D: i64>(
    t: T,
    w: W,
) -> impl Segment<Inputs = Port<i64>, Outputs = Port<i64>>
where
    T: Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static,
    W: Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static,
{
    segment!(|x: Port<i64>| -> Port<i64> {
        let y = x => t;
        let z = y => w;
        let k = x => Scale(D);
        (z, k) => Add
    })
}

#[test]
fn generic_parameters_beside_the_description() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(3_i64));
    let y = b.push(named_like_helpers::<_, _, 10>(Scale(2), Inc), *s);
    let g = Graph::from_builder(b);
    assert_eq!(g.view(y), 37);
    assert!(
        g.to_dot().contains("label=\"k: Port<i64>\""),
        "{}",
        g.to_dot()
    );
}

#[test]
fn twelve_inputs_and_many_live_wires() {
    let mut b = GraphBuilder::new();
    let srcs: Vec<_> = (0..12)
        .map(|i| b.push_source(Source::new(1_i64 << i)))
        .collect();
    let h: Vec<_> = srcs.iter().map(|s| **s).collect();
    let out = b.push(
        segment!(|a: Port<i64>, b: Port<i64>, c: Port<i64>, d: Port<i64>, e: Port<i64>, f: Port<i64>,
                  g: Port<i64>, h: Port<i64>, i: Port<i64>, j: Port<i64>, k: Port<i64>, l: Port<i64>|
                  -> ((Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>), Port<i64>) {
            // Every input stays live to the end, beside growing sums.
            let s1 = (a, b) => Add;
            let s2 = (s1, c) => Add;
            let s3 = (s2, d) => Add;
            let s4 = (s3, e) => Add;
            let s5 = (s4, f) => Add;
            let s6 = (s5, g) => Add;
            let s7 = (s6, h) => Add;
            let s8 = (s7, i) => Add;
            let s9 = (s8, j) => Add;
            let s10 = (s9, k) => Add;
            let s11 = (s10, l) => Add;
            ((l, k, j, i, h, g, f, e, d, c, b, a), s11)
        }),
        (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11]),
    );
    let g = Graph::from_builder(b);
    let ((l, _, _, _, _, _, _, _, _, _, _, a), sum) = out;
    assert_eq!(
        (g.view(l), g.view(a), g.view(sum)),
        (1 << 11, 1, (1 << 12) - 1)
    );
}

/// A small deterministic generator for the random pokes.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % 2001) as i64 - 1000
    }
}

#[test]
fn fused_equals_separate_nodes_over_random_pokes() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let t = b.push_source(Source::new(2_i64));
    let fused = b.push(
        segment!(|x: Port<i64>, y: Port<i64>| -> (Port<i64>, Port<i64>, RefPort<i64>, Port<i64>) {
            let (p, m) = x => Split;
            let q = (p, y) => Sub;
            let r = q => Scale(3);
            let d = r => Dedup;
            let acc = (d, m) => Add.then(RunningSum);
            let z = acc => Load;
            (q, d, acc, z)
        }),
        (*s, *t),
    );
    // The same wiring, one node per segment.
    let (p, m) = b.push(Split, *s);
    let q = b.push(Sub, (p, *t));
    let r = b.push(Scale(3), q);
    let d = b.push(Dedup, r);
    let added = b.push(Add, (d, m));
    let acc = b.push(RunningSum, added);
    let z = b.push(Load, acc);
    let separate = (q, d, acc, z);

    let mut g = Graph::from_builder(b);
    let mut pool = pool();
    let mut rng = Lcg(7);
    let n = if cfg!(miri) { 20 } else { 500 };
    for _ in 0..n {
        match rng.next().rem_euclid(3) {
            0 => *g.state_mut(s) = rng.next(),
            1 => *g.state_mut(t) = rng.next(),
            _ => {
                *g.state_mut(s) = rng.next();
                *g.state_mut(t) = rng.next();
            }
        }
        g.stabilize(&mut pool);
        assert_eq!(g.view(fused.0), g.view(separate.0));
        assert_eq!(g.view(fused.1), g.view(separate.1));
        assert_eq!(g.notified(fused.1), g.notified(separate.1));
        assert_eq!(g.ref_view(fused.2), g.ref_view(separate.2));
        assert_eq!(g.view(fused.3), g.view(separate.3));
    }
}

/// Segments whose interfaces are inferred from the wires they are fed:
/// `Id::new()`, `Left::new()`, forks, and `Arr::new` with annotated closure
/// arguments (its output interface from `.then` or from the segment it feeds).
#[test]
fn inferred_segments_inside() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let r = b.push_source(RefSource::new(5_i64));
    let (f, e, rr, q, h) = b.push(
        segment!(|x: Port<i64>, r: RefPort<i64>| -> (Port<i64>, Port<i64>, RefPort<i64>, Port<i64>, Port<i64>) {
            let a = x => Id::new();
            let (p, q) = (a, x) => Id::new();
            let c = (p, q) => Left::new();
            let (d, e) = c => Inc.fork(Scale(7));
            let f = d => Arr::new(|(n, v): (bool, i64), _| (n, v * 10)).then(Inc);
            let g = e => Arr::new(|(n, v): (bool, i64), _| (n, v - 100));
            let h = g => Inc;
            let rr = r => Arr::<RefPort<i64>, RefPort<i64>, _>::new(|(n, v), _| (n, v));
            (f, e, rr, q, h)
        }),
        (*s, *r),
    );
    let mut g = Graph::from_builder(b);
    let check = |g: &Graph, x: i64| {
        assert_eq!(g.view(f), (x + 1) * 10 + 1);
        assert_eq!(g.view(e), 7 * x);
        assert!(std::ptr::eq(g.ref_view(rr), g.ref_view(*r)));
        assert_eq!(g.view(q), x);
        assert_eq!(g.view(h), 7 * x - 99);
    };
    check(&g, 1);
    *g.state_mut(s) = -4;
    g.stabilize(&mut pool());
    check(&g, -4);
}

/// One-element tuples are tuples; parentheses alone are not.
#[test]
fn one_tuples_and_parentheses() {
    /// Wraps its input in a one-element tuple.
    struct Wrap;
    impl Segment for Wrap {
        type Inputs = Port<i64>;
        type Outputs = (Port<i64>,);
        type State = ();
        fn init(self) {}
        fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> ((bool, i64),) {
            ((n, x * 2),)
        }
    }
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(21_i64));
    let (one,) = b.push(
        segment!(|x: Port<i64>| -> (Port<i64>,) {
            let (p,) = (x) => Wrap;
            let (q) = p => Inc;
            (q,)
        }),
        *s,
    );
    let g = Graph::from_builder(b);
    assert_eq!(g.view(one), 43);
}

fn chain10() -> impl Segment<Inputs = Port<i64>, Outputs = (Port<i64>, Port<i64>)> {
    segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
        let w1 = (x, x) => Add;
        let w2 = (w1, x) => Add;
        let w3 = (w2, x) => Add;
        let w4 = (w3, x) => Add;
        let w5 = (w4, x) => Add;
        let w6 = (w5, x) => Add;
        let w7 = (w6, x) => Add;
        let w8 = (w7, x) => Add;
        let w9 = (w8, x) => Add;
        let w10 = (w9, x) => Add;
        (w10, x)
    })
}

fn chain40() -> impl Segment<Inputs = Port<i64>, Outputs = (Port<i64>, Port<i64>)> {
    segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
        let w1 = (x, x) => Add;
        let w2 = (w1, x) => Add;
        let w3 = (w2, x) => Add;
        let w4 = (w3, x) => Add;
        let w5 = (w4, x) => Add;
        let w6 = (w5, x) => Add;
        let w7 = (w6, x) => Add;
        let w8 = (w7, x) => Add;
        let w9 = (w8, x) => Add;
        let w10 = (w9, x) => Add;
        let w11 = (w10, x) => Add;
        let w12 = (w11, x) => Add;
        let w13 = (w12, x) => Add;
        let w14 = (w13, x) => Add;
        let w15 = (w14, x) => Add;
        let w16 = (w15, x) => Add;
        let w17 = (w16, x) => Add;
        let w18 = (w17, x) => Add;
        let w19 = (w18, x) => Add;
        let w20 = (w19, x) => Add;
        let w21 = (w20, x) => Add;
        let w22 = (w21, x) => Add;
        let w23 = (w22, x) => Add;
        let w24 = (w23, x) => Add;
        let w25 = (w24, x) => Add;
        let w26 = (w25, x) => Add;
        let w27 = (w26, x) => Add;
        let w28 = (w27, x) => Add;
        let w29 = (w28, x) => Add;
        let w30 = (w29, x) => Add;
        let w31 = (w30, x) => Add;
        let w32 = (w31, x) => Add;
        let w33 = (w32, x) => Add;
        let w34 = (w33, x) => Add;
        let w35 = (w34, x) => Add;
        let w36 = (w35, x) => Add;
        let w37 = (w36, x) => Add;
        let w38 = (w37, x) => Add;
        let w39 = (w38, x) => Add;
        let w40 = (w39, x) => Add;
        (w40, x)
    })
}

fn type_name_of<T>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}

/// The expansion is one segment holding the user's segments, and its type
/// grows linearly with the body: a segment and a check per application.
#[test]
fn expansion_type_grows_linearly() {
    let (short, long) = (chain10(), chain40());
    let (s, l) = (type_name_of(&short), type_name_of(&long));
    for (name, n) in [(s, 10), (l, 40)] {
        assert_eq!(name.matches("Leaf<").count(), n, "{name}");
    }
    let ratio = l.len() as f64 / s.len() as f64;
    assert!(
        ratio < 4.5,
        "40 applications name a type {ratio:.1}× longer than 10 do"
    );

    let mut b = GraphBuilder::new();
    let src = b.push_source(Source::new(1_i64));
    let (w10, x10) = b.push(short, *src);
    let (w40, x40) = b.push(long, *src);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.len(), 3);
    for v in [1, -3, 1000] {
        *g.state_mut(src) = v;
        g.stabilize(&mut pool());
        assert_eq!((g.view(w10), g.view(x10)), (11 * v, v));
        assert_eq!((g.view(w40), g.view(x40)), (41 * v, v));
    }
}

/// An `Arr` inside `.fork`, destructured by a `let`, takes its output
/// interface from where its wires go: a segment, or the declared outputs.
#[test]
fn arr_in_a_fork_destructured() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(3_i64));
    let (sum, n) = b.push(
        segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
            let (t, n) = x => Inc.fork(Arr::new(|(f, v): (bool, i64), _| (f, v * 2)));
            let (u, m) = x => Inc.fork(Arr::new(|(f, v): (bool, i64), _| (f, v * 10)));
            let sum = (t, m) => Add;
            let _u = u => Inc;
            (sum, n)
        }),
        *s,
    );
    let g = Graph::from_builder(b);
    assert_eq!((g.view(sum), g.view(n)), (4 + 30, 6));
}
