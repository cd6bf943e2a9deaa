//! `#[derive(Interface)]`: named interfaces, wherever tuple interfaces go.
#![forbid(unsafe_code)]

use flowgraph::prelude::*;

#[derive(Debug, Interface)]
pub struct Quote {
    pub bid: Port<f64>,
    pub ask: Port<f64>,
    pub book: RefPort<Vec<f64>>,
}

/// A source of quotes, kept in its state.
struct Feed;
impl Segment for Feed {
    type Inputs = ();
    type Outputs = Quote;
    type State = (f64, f64, Vec<f64>);
    fn init(self) -> Self::State {
        (99.0, 101.0, vec![1.0, 2.0])
    }
    fn compute<'a, 'b: 'a>((): (), s: &'b mut Self::State, _: bool) -> QuoteValues<'a> {
        QuoteValues {
            bid: (true, s.0),
            ask: (true, s.1),
            book: (true, &s.2),
        }
    }
}

/// A hand-written segment taking a quote and returning one: the bid and ask
/// swapped, the book forwarded.
struct Swap;
impl Segment for Swap {
    type Inputs = Quote;
    type Outputs = Quote;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(q: QuoteValues<'a>, _: &'b mut (), _: bool) -> QuoteValues<'a> {
        QuoteValues {
            bid: q.ask,
            ask: q.bid,
            book: q.book,
        }
    }
}

#[flowgraph::segment_fn]
fn spread(q: QuoteValues<'_>) -> f64 {
    q.ask.1 - q.bid.1
}

/// A result that is a derived interface: the function sets the flags.
#[flowgraph::segment_fn]
fn widen(q: QuoteValues<'_>, by: f64) -> QuoteValues<'_> {
    QuoteValues {
        bid: (q.bid.0, q.bid.1 - by),
        ask: (q.ask.0, q.ask.1 + by),
        book: (false, q.book.1),
    }
}

/// The book's length, counted in the state.
struct Depth {
    seen: usize,
}

#[flowgraph::segment_impl]
impl Depth {
    fn compute(&mut self, q: QuoteValues<'_>) -> (usize, &usize) {
        self.seen += 1;
        (q.book.1.len(), &self.seen)
    }
}

fn feed_graph() -> (Graph, SourceHandle<Feed>) {
    let b = GraphBuilder::new();
    let mut b = b;
    let feed = b.push_source(Feed);
    (Graph::from_builder(b), feed)
}

#[test]
fn source_outputs_are_read_by_field() {
    let (g, feed) = feed_graph();
    let q: QuoteHandles = *feed;
    assert_eq!(g.view(q.bid), 99.0);
    assert_eq!(g.view(q.ask), 101.0);
    assert_eq!(g.ref_view(q.book), &[1.0, 2.0]);
    assert_eq!(q.bid.leaf(), 0);
    assert_eq!(q.book.leaf(), 2);
    // Handles compare and print by field.
    assert_eq!(q, *feed);
    assert!(format!("{q:?}").starts_with("QuoteHandles { bid: Handle("));
}

#[test]
fn push_by_field_hand_written_segments_and_attributes() {
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let feed = b.push_source(Feed);
        let q = *feed;
        // Handles by field, from another node's fields.
        let swapped = b.push(
            Swap,
            QuoteHandles {
                bid: q.bid,
                ask: q.ask,
                book: q.book,
            },
        );
        let s = b.push(Spread, swapped);
        let k = b.push_source(Source::new(1.0_f64));
        let w = b.push(Widen, (q, *k));
        let ws = b.push(Spread, w);
        let (depth, calls) = b.push(Depth { seen: 0 }, w);
        let mut g = Graph::from_builder(b);
        assert_eq!(g.view(swapped.bid), 101.0);
        assert_eq!(g.view(s), -2.0);
        assert_eq!(g.view(ws), 4.0);
        assert_eq!(g.view(depth), 2);
        // References are forwarded, not copied.
        assert!(std::ptr::eq(g.ref_view(swapped.book), g.ref_view(q.book)));
        assert!(std::ptr::eq(g.ref_view(w.book), g.ref_view(q.book)));

        g.state_mut(feed).2.push(3.0);
        g.state_mut(feed).1 = 105.0;
        g.stabilize(&mut pool);
        assert_eq!(g.view(s), -6.0);
        assert_eq!(g.view(depth), 3);
        assert_eq!(*g.ref_view(calls), 2);

        *g.state_mut(k) = 2.0;
        g.stabilize(&mut pool);
        assert_eq!(g.view(ws), 10.0);
        assert_eq!(g.view(s), -6.0);
        assert_eq!(*g.ref_view(calls), 3);
    }
}

/// Generic structs work; their fields must be interfaces for the used `T`.
#[derive(Interface)]
struct Pair<T: Copy + Send + Sync + 'static> {
    a: Port<T>,
    b: Port<T>,
}

/// Derived interfaces nest in other derived interfaces and in tuples.
#[derive(Interface)]
struct Book2 {
    top: Pair<i64>,
    both: (Port<i64>, RefPort<String>),
    unit: (),
}

struct Nested;
impl Segment for Nested {
    type Inputs = (Port<i64>, Pair<i64>);
    type Outputs = (Book2, Port<i64>);
    type State = String;
    fn init(self) -> String {
        "name".to_owned()
    }
    fn compute<'a, 'b: 'a>(
        ((n, x), p): ((bool, i64), PairValues<'a, i64>),
        s: &'b mut String,
        _: bool,
    ) -> (Book2Values<'a>, (bool, i64)) {
        let book = Book2Values {
            top: PairValues {
                a: (n || p.a.0, x + p.a.1),
                b: p.b,
            },
            both: ((n, 10 * x), (n, s)),
            unit: (),
        };
        (book, (n, -x))
    }
}

#[flowgraph::segment_fn]
fn pair_sum(p: PairValues<'_, i64>, scale: i64) -> i64 {
    scale * (p.a.1 + p.b.1)
}

#[flowgraph::segment_fn]
fn split(x: i64) -> PairValues<'_, i64> {
    PairValues {
        a: (true, x),
        b: (true, x + 1),
    }
}

#[test]
fn generics_nesting_and_tuples() {
    for threads in [1, 2] {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(3_i64));
        let p = b.push(Split, *s);
        let (book, neg) = b.push(Nested, (*s, p));
        let total = b.push(PairSum, (book.top, book.both.0));
        let mut g = Graph::from_builder(b);
        assert_eq!((g.view(p.a), g.view(p.b)), (3, 4));
        assert_eq!((g.view(book.top.a), g.view(book.top.b)), (6, 4));
        assert_eq!(g.view(book.both.0), 30);
        assert_eq!(g.ref_view(book.both.1), "name");
        assert_eq!(g.view(neg), -3);
        assert_eq!(g.view(total), 300);
        // Leaves are numbered in field order, through the nesting.
        assert_eq!(
            [book.top.a, book.top.b, book.both.0, neg].map(Handle::leaf),
            [0, 1, 2, 4]
        );
        *g.state_mut(s) = 5;
        g.stabilize(&mut Pool::new(threads));
        assert_eq!(g.view(total), 50 * (10 + 6));
    }
}

/// More fields than a tuple may hold.
#[derive(Interface)]
struct Wide {
    f0: Port<u8>,
    f1: Port<u8>,
    f2: Port<u8>,
    f3: Port<u8>,
    f4: Port<u8>,
    f5: Port<u8>,
    f6: Port<u8>,
    f7: Port<u8>,
    f8: Port<u8>,
    f9: Port<u8>,
    f10: Port<u8>,
    f11: Port<u8>,
    f12: Port<u8>,
    f13: RefPort<u8>,
}

struct Fan;
impl Segment for Fan {
    type Inputs = Port<u8>;
    type Outputs = Wide;
    type State = u8;
    fn init(self) -> u8 {
        200
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, u8), s: &'b mut u8, _: bool) -> WideValues<'a> {
        WideValues {
            f0: (n, x),
            f1: (n, x + 1),
            f2: (n, x + 2),
            f3: (n, x + 3),
            f4: (n, x + 4),
            f5: (n, x + 5),
            f6: (n, x + 6),
            f7: (n, x + 7),
            f8: (n, x + 8),
            f9: (n, x + 9),
            f10: (n, x + 10),
            f11: (n, x + 11),
            f12: (n, x + 12),
            f13: (n, s),
        }
    }
}

#[flowgraph::segment_fn]
fn wide_sum(w: WideValues<'_>) -> u32 {
    let all = [
        w.f0, w.f1, w.f2, w.f3, w.f4, w.f5, w.f6, w.f7, w.f8, w.f9, w.f10, w.f11, w.f12,
    ];
    all.iter().map(|&(_, v)| u32::from(v)).sum::<u32>() + u32::from(*w.f13.1)
}

#[test]
fn more_than_twelve_fields() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_u8));
    let w = b.push(Fan, *s);
    let total = b.push(WideSum, w);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(w.f12), 12);
    assert_eq!(*g.ref_view(w.f13), 200);
    assert_eq!(w.f13.leaf(), 13);
    assert_eq!(g.view(total), 78 + 200);
    *g.state_mut(s) = 1;
    g.stabilize(&mut Pool::new(2));
    assert_eq!(g.view(total), 78 + 13 + 200);
}

/// An operator over a derived interface takes its passthrough path when no
/// field notifies: `any_notify` looks at every field.
struct Count;
impl Operator for Count {
    type Inputs = Pair<i64>;
    type Outputs = RefPort<u32>;
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>(_: PairValues<'a, i64>, s: &'b mut u32, _: bool) -> (bool, &'a u32) {
        *s += 1;
        (true, s)
    }
    fn passthrough<'a, 'b: 'a>(_: PairValues<'a, i64>, s: &'b u32) -> (bool, &'a u32) {
        (false, s)
    }
}

#[test]
fn notify_flags_of_every_field() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let t = b.push_source(Source::new(2_i64));
    let c = b.push(Count, PairHandles { a: *s, b: *t });
    let mut g = Graph::from_builder(b);
    assert_eq!(*g.ref_view(c), 1);
    *g.state_mut(s) = 5;
    g.stabilize(&mut Pool::new(1));
    assert_eq!(*g.ref_view(c), 2);
    *g.state_mut(t) = 5;
    g.stabilize(&mut Pool::new(1));
    assert_eq!(*g.ref_view(c), 3);
    assert!(<Pair<i64> as Interface>::any_notify(&PairValues {
        a: (false, 0),
        b: (true, 0)
    }));
    assert!(!<Pair<i64> as Interface>::any_notify(&PairValues {
        a: (false, 0),
        b: (false, 0)
    }));
    assert_eq!(<Wide as Interface>::LEAVES, 14);
    assert_eq!(<Book2 as Interface>::LEAVES, 4);
}

#[test]
fn exported_shapes_list_the_fields() {
    let mut b = GraphBuilder::new();
    let feed = b.push_source(Feed);
    let _ = b.push(Spread, *feed);
    let g = Graph::from_builder(b);
    let dot = g.to_dot();
    assert!(dot.contains("Spread"), "{dot}");
}

#[derive(Interface)]
struct Mixed {
    r: RefPort<i64>,
    v: Port<i64>,
}

/// Forwards its input by reference without ever notifying.
#[flowgraph::segment_fn]
fn silent(#[state] s: &mut i64, x: i64) -> Notify<&i64> {
    *s = x;
    Notify(false, s)
}

struct Calls;
impl Operator for Calls {
    type Inputs = Mixed;
    type Outputs = (Port<u32>, Port<i64>);
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>(
        m: MixedValues<'a>,
        s: &'b mut u32,
        _: bool,
    ) -> ((bool, u32), (bool, i64)) {
        *s += 1;
        ((true, *s), (true, *m.r.1 + m.v.1))
    }
    fn passthrough<'a, 'b: 'a>(m: MixedValues<'a>, s: &'b u32) -> ((bool, u32), (bool, i64)) {
        ((false, *s), (false, *m.r.1 + m.v.1))
    }
}

#[test]
fn passthrough_when_no_field_notifies() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    let y = b.push_source(Source::new(10_i64));
    let r = b.push(Silent, *x);
    let (calls, sum) = b.push(Calls, MixedHandles { r, v: *y });
    let mut g = Graph::from_builder(b);
    assert_eq!((g.view(calls), g.view(sum)), (1, 11));
    // `r` runs but does not notify: the passthrough path runs.
    *g.state_mut(x) = 2;
    g.stabilize(&mut Pool::new(1));
    assert_eq!((g.view(calls), g.view(sum)), (1, 12));
    // `v` notifies: compute runs.
    *g.state_mut(y) = 20;
    g.stabilize(&mut Pool::new(1));
    assert_eq!((g.view(calls), g.view(sum)), (2, 22));
}

/// A derived interface rides a `segment!` wire like any other.
#[test]
fn segment_macro_wires() {
    let mut b = GraphBuilder::new();
    let feed = b.push_source(Feed);
    let seg = flowgraph::segment!(|q: Quote| -> (Port<f64>, Quote) {
        let w = q => Swap;
        let s = w => Spread;
        (s, w)
    });
    let (s, w) = b.push(seg, *feed);
    let g = Graph::from_builder(b);
    assert_eq!(g.view(s), -2.0);
    assert_eq!(g.view(w.ask), 99.0);
    // Drawn with the names of the wires and of the fields.
    let dot = g.to_dot();
    for edge in [
        "n1_i1 -> n1_s0 [label=\"q.ask: Port<f64>\"]",
        "n1_s0 -> n1_s1 [label=\"w.book: RefPort<Vec<f64>>\"]",
        "n1_s0 -> n1_o1 [label=\"w.bid: Port<f64>\"]",
    ] {
        assert!(dot.contains(edge), "{edge} in {dot}");
    }
}
