// Inputs shaped `((a, b), c)` given handles shaped `(a, (b, c))`.
use flowgraph::typed::*;

struct Mix;
impl Segment for Mix {
    type Inputs = ((Port<i64>, Port<i64>), Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (((_, a), (_, b)), (_, c)): (((bool, i64), (bool, i64)), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (true, a * b + c)
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(Mix, (*s, (*s, *s)));
}
