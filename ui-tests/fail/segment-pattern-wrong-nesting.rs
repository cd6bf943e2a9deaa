// A pattern nested differently from the outputs it destructures.
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

struct Three;
impl Segment for Three {
    type Inputs = Port<i64>;
    type Outputs = (Port<i64>, Port<i64>, Port<i64>);
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> ((bool, i64), (bool, i64), (bool, i64)) {
        ((n, x), (n, x), (n, x))
    }
}

fn build() {
    let _ = segment!(|x: Port<i64>| -> Port<i64> {
        let ((p, q), r) = x => Three;
        let s = (p, q) => Add;
        (s, r) => Add
    });
}

fn main() {}
