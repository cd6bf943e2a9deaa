// The specification's `segment!` example, as a user writes it.
use flowgraph::segment;
use flowgraph::typed::*;

struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(((_, a), (_, b)): ((bool, i64), (bool, i64)), _: &'b mut (), _: bool) -> (bool, i64) {
        (true, a + b)
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1));
    let t = b.push_source(Source::new(2));
    let seg = segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
        let c = (b, a) => Add;
        let d = (c, a) => Add;
        let e = (d, a) => Add;
        (e, d, c)
    });
    let (e, d, c) = b.push(seg, (*s, *t));
    let g = Graph::from_builder(b);
    assert_eq!((g.view(e), g.view(d), g.view(c)), (5, 4, 3));
}
