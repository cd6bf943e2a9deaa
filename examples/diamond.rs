//! The spec's tour (§2): a diamond, source `s`, `a = s + 1`, `d = s + a`.
//! Run it with `cargo run --example diamond`; the code is the spec's, verbatim.

#[rustfmt::skip] // Keep the spec's import order.
use std::thread;
use flowgraph::core::Pool;
use flowgraph::typed::{Graph, GraphBuilder, Port, Segment, Source};

/// A stateless increment operator.
struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (true, x + 1)
    }
}

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

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1));
    let a = b.push(Inc, *s);
    let d = b.push(Add, (*s, a));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(thread::available_parallelism().unwrap().get());

    assert_eq!(g.view(*s), 1);
    assert_eq!(g.view(a), 2);
    assert_eq!(g.view(d), 3);

    // Update the source value and recompute.
    *g.state_mut(s) = 5;
    g.stabilize(&mut pool);
    assert_eq!(g.view(a), 6);
    assert_eq!(g.view(d), 11);
}

// `cargo test` runs the example (the block above is spec §2, verbatim).
#[test]
fn diamond() {
    main();
}
