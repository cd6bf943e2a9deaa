//! Combinators (spec §7): user spellings, type inference, and the laws as
//! property tests against unfused graphs.

use flowgraph::core::Pool;
use flowgraph::typed::*;

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

struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((m, a), (n, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (m || n, a + b)
    }
}

mod inference {
    use super::*;

    #[test]
    fn arr_then_closure() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let x = b.push(
            Inc.then(Arr::new(|(n, x), _| (n, x * 3)))
                .then(Id::<Port<i64>>::new()),
            *s,
        );
        let y = b.push(Comp(Comp(Inc, Arr::new(|(n, x), _| (n, x * 3))), Inc), *s);
        let z = b.push(Fork(Left::new(), Right::new()).then(Add), (*s, *s));
        let w = b.push(
            Par(Comp(Left::new(), Inc), Comp(Right::new(), Inc)),
            ((*s, *s), (*s, *s)),
        );
        let g = Graph::from_builder(b);
        assert_eq!(g.view(x), 6);
        assert_eq!(g.view(y), 7);
        assert_eq!(g.view(z), 2);
        assert_eq!(g.view(w.0), 2);
    }

    #[test]
    fn arr_push_closure() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let v = b.push_source(RefSource::new(vec![1]));
        let x = b.push(Arr::new(|(n, x), _| (n, x * 3)).then(Inc), *s);
        let r = b.push(
            Arr::new(|(n, r), _| (n, r)).then(Id::<RefPort<Vec<i32>>>::new()),
            *v,
        );
        let g = Graph::from_builder(b);
        assert_eq!(g.view(x), 4);
        assert_eq!(g.ref_view(r), &[1]);
    }

    fn generic_forward<T: Send + Sync + 'static>(
    ) -> impl Segment<Inputs = RefPort<T>, Outputs = RefPort<T>> {
        let a: Arr<RefPort<T>, RefPort<T>, _> = Arr::new(|(n, r), _| (n, r));
        a
    }

    fn generic_then<S: Segment<Outputs = RefPort<T>>, T: Send + Sync + 'static>(
        s: S,
    ) -> impl Segment<Inputs = S::Inputs, Outputs = RefPort<T>> {
        s.then(Arr::new(|(n, r), _| (n, r)))
    }

    #[test]
    fn generic() {
        let mut b = GraphBuilder::new();
        let v = b.push_source(RefSource::new(vec![1]));
        let r = b.push(generic_forward(), *v);
        let r2 = b.push(generic_then(generic_forward()), *v);
        let g = Graph::from_builder(b);
        assert_eq!(g.ref_view(r), &[1]);
        assert_eq!(g.ref_view(r2), &[1]);
        let _ = Pool::new(1);
    }
}
