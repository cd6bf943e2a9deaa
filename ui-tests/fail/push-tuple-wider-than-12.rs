// Interface tuples stop at arity 12: a 13-wide input tree must be nested.
use flowgraph::typed::*;

type P = Port<u8>;

struct Wide;
impl Segment for Wide {
    type Inputs = (P, P, P, P, P, P, P, P, P, P, P, P, P);
    type Outputs = ();
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(_: <Self::Inputs as Interface>::Values<'a>, _: &'b mut (), _: bool) {}
}

fn main() {}
