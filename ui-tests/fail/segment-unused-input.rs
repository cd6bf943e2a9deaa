// An input that nothing reads is an error (name it `_b` to ignore it).
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

struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(((n, a), (m, b)): ((bool, i64), (bool, i64)), _: &'b mut (), _: bool) -> (bool, i64) {
        (n || m, a + b)
    }
}

fn seg() -> impl Segment<Inputs = (Port<i64>, Port<i64>), Outputs = Port<i64>> {
    segment!(|a: Port<i64>, b: Port<i64>| -> Port<i64> {
        let y = a => Inc;
        y
    })
}

fn main() {}
