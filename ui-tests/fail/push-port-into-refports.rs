// A single `Port<i64>` handle cannot feed a `RefPorts<i64>` group input.
use flowgraph::typed::*;

struct Sum;
impl Segment for Sum {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((_, xs): (&'a [bool], &'a [&'a i64]), _: &'b mut (), _: bool) -> (bool, i64) {
        (true, xs.iter().copied().sum())
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(Sum, *s);
}
