// 13 inputs must be nested (tuples stop at 12): a flat 13-tuple of handles
// does not match `((6 ports), (7 ports))`.
use flowgraph::typed::*;

type P = Port<u8>;

struct Wide;
impl Segment for Wide {
    type Inputs = ((P, P, P, P, P, P), (P, P, P, P, P, P, P));
    type Outputs = ();
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(_: <Self::Inputs as Interface>::Values<'a>, _: &'b mut (), _: bool) {}
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = *b.push_source(Source::new(1_u8));
    b.push(Wide, (s, s, s, s, s, s, s, s, s, s, s, s, s));
}
