// A mis-wired segment that is then pushed: the mistake is reported at the
// wires inside the macro first.
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

fn build() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(RefSource::new(1_i64));
    let y = b.push(
        segment!(|r: RefPort<i64>| -> Port<i64> {
            let y = r => Inc;
            y
        }),
        *s,
    );
    let g = Graph::from_builder(b);
    assert_eq!(g.view(y), 2);
}

fn main() {}
