//! The `segment!` arrow notation against the public API.

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

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

struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

#[test]
fn smoke() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let y = b.push(
        segment!(|x: Port<i64>| -> Port<i64> { let y = x => Inc; y }),
        *s,
    );
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(y), 2);
    *g.state_mut(s) = 5;
    g.stabilize(&mut Pool::new(1));
    assert_eq!(g.view(y), 6);
}
