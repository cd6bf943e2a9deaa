// A segment takes at most 12 inputs.
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

fn build() {
    let _ = segment!(|a: Port<i64>, b: Port<i64>, c: Port<i64>, d: Port<i64>, e: Port<i64>, f: Port<i64>, g: Port<i64>, h: Port<i64>, i: Port<i64>, j: Port<i64>, k: Port<i64>, l: Port<i64>, m: Port<i64>| -> Port<i64> {
        let y = (a, b) => Add;
        y
    });
}

fn main() {}
