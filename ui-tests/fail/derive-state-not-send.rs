// Under `#[segment_impl]` the struct is the state: it must be `Send`.
use std::rc::Rc;

struct Shared {
    seen: Rc<u64>,
}

#[flowgraph::segment_impl]
impl Shared {
    fn compute(&self, x: u64) -> u64 {
        x + *self.seen
    }
}

fn main() {}
