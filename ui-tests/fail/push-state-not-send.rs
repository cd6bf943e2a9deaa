// A node's state moves to the pool's threads: it must be `Send`.
use std::rc::Rc;
use flowgraph::typed::*;

struct Shared;
impl Segment for Shared {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Rc<i64>;
    fn init(self) -> Rc<i64> {
        Rc::new(0)
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut Rc<i64>, _: bool) -> (bool, i64) {
        (n, x + **s)
    }
}

fn main() {}
