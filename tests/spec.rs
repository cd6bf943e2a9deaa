//! Every code block of the specification, verbatim, as tests.
//!
//! The blocks are kept exactly as the spec writes them, so rustfmt is told to
//! leave them alone.
#![allow(unreachable_pub, reason = "the spec's blocks are verbatim")]

/// §2, the tour (diamond: source s, a = s + 1, d = s + a).
#[rustfmt::skip]
mod tour {
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

    #[test]
    fn spec_section_2_tour() {
        main();
    }
}

/// §3, the `Segment` trait as the spec writes it: it compiles beside the
/// glob import, and a segment written against its exact signatures is a
/// `flowgraph` segment.
#[rustfmt::skip]
mod segment_trait {
    use flowgraph::typed::*;

    pub trait Segment {
        type Inputs: Interface;
        type Outputs: Interface;
        type State: Send + 'static;
        fn init(self) -> Self::State;
        fn compute<'a, 'b: 'a>(
            inputs: <Self::Inputs as Interface>::Values<'a>,
            state: &'b mut Self::State,
            init: bool,
        ) -> <Self::Outputs as Interface>::Values<'a>;
    }

    struct Twice;
    impl Segment for Twice {
        type Inputs = Port<i64>;
        type Outputs = Port<i64>;
        type State = ();
        fn init(self) {}
        fn compute<'a, 'b: 'a>(
            inputs: <Self::Inputs as Interface>::Values<'a>,
            _: &'b mut Self::State,
            _: bool,
        ) -> <Self::Outputs as Interface>::Values<'a> {
            (inputs.0, inputs.1 * 2)
        }
    }
    impl flowgraph::typed::Segment for Twice {
        type Inputs = <Self as Segment>::Inputs;
        type Outputs = <Self as Segment>::Outputs;
        type State = <Self as Segment>::State;
        fn init(self) -> Self::State {
            <Self as Segment>::init(self)
        }
        fn compute<'a, 'b: 'a>(
            inputs: <Self::Inputs as Interface>::Values<'a>,
            state: &'b mut Self::State,
            init: bool,
        ) -> <Self::Outputs as Interface>::Values<'a> {
            <Self as Segment>::compute(inputs, state, init)
        }
    }

    #[test]
    fn spec_section_3_segment_trait() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(21));
        let t = b.push(Twice, *s);
        let g = Graph::from_builder(b);
        assert_eq!(g.view(t), 42);
    }
}

/// §6, notify flags: `Abs` notifies only when |x| changed.
#[rustfmt::skip]
mod notify {
    use flowgraph::typed::*;

    struct Abs;
    impl Segment for Abs {
        type Inputs = Port<i64>;
        type Outputs = Port<i64>;
        type State = i64; // Remembers the previous output
        fn init(self) -> i64 { 0 }
        fn compute<'a, 'b: 'a>((_, x): (bool, i64), state: &'b mut i64, _: bool) -> (bool, i64) {
            let new = x.abs();
            let changed = new != *state; // Notify only when |x| actually changed
            *state = new;
            (changed, new)
        }
    }

    /// Counts the notifications it receives.
    struct CountNotifies;
    impl Segment for CountNotifies {
        type Inputs = Port<i64>;
        type Outputs = Port<u32>;
        type State = u32;
        fn init(self) -> u32 {
            0
        }
        fn compute<'a, 'b: 'a>((n, _): (bool, i64), state: &'b mut u32, init: bool) -> (bool, u32) {
            if n && !init {
                *state += 1;
            }
            (n, *state)
        }
    }

    #[test]
    fn spec_section_6_abs_cuts_notifications() {
        use flowgraph::core::Pool;
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(3));
        let a = b.push(Abs, *s);
        let c = b.push(CountNotifies, a);
        let mut g = Graph::from_builder(b);
        let mut pool = Pool::new(2);
        for (x, abs, count) in [(-3, 3, 0), (4, 4, 1), (-4, 4, 1), (0, 0, 2), (0, 0, 2)] {
            *g.state_mut(s) = x;
            g.stabilize(&mut pool);
            assert_eq!(g.view(a), abs);
            assert_eq!(g.view(c), count);
        }
    }
}
