// The other forms: one wire without parentheses, a trailing application,
// destructuring, a nested `segment!`, a generic segment, a dropped wire.
use flowgraph::segment;
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

fn around<S>(s: S) -> impl Segment<Inputs = Port<i64>, Outputs = (Port<i64>, Port<i64>)>
where
    S: Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static,
{
    segment!(|x: Port<i64>| -> (Port<i64>, Port<i64>) {
        let y = x => Inc;
        let (z, _dropped) = y => s.fork(Inc);
        let w = z => segment!(|v: Port<i64>| -> Port<i64> { v => Inc.then(Inc) });
        (w, x)
    })
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let (w, x) = b.push(around(Inc), *s);
    let g = Graph::from_builder(b);
    assert_eq!((g.view(w), g.view(x)), (5, 1));
}
