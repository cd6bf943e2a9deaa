// Wires nested as `((a, b), c)` fed to a segment taking `(Port, (Port, Port))`.
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

struct Add3;
impl Segment for Add3 {
    type Inputs = (Port<i64>, (Port<i64>, Port<i64>));
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(((_, a), ((_, b), (_, c))): ((bool, i64), ((bool, i64), (bool, i64))), _: &'b mut (), _: bool) -> (bool, i64) {
        (true, a + b + c)
    }
}

fn build() {
    let _ = segment!(|a: Port<i64>, b: Port<i64>, c: Port<i64>| -> Port<i64> {
        let d = ((a, b), c) => Add3;
        d
    });
}

fn main() {}
