// An output declared as a value type instead of a port.
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
    let _ = segment!(|x: Port<i64>| -> i64 {
        let y = x => Inc;
        y
    });
}

fn main() {}
