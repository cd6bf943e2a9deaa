// A `Port<f64>` output cannot feed a `RefPort<f64>` input: the message names
// both in those words and says what feeds a `RefPort`.
use flowgraph::typed::*;

struct Halve;
impl Segment for Halve {
    type Inputs = RefPort<f64>;
    type Outputs = Port<f64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, &'a f64), _: &'b mut (), _: bool) -> (bool, f64) {
        (n, x / 2.0)
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1.0_f64));
    let _ = b.push(Halve, *s);
}
