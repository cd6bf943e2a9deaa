// `Connect` is sealed: a user type cannot produce wires, so it cannot claim
// that a `Port<usize>` leaf feeds a `RefPort<u64>` input.
#![forbid(unsafe_code)]
use flowgraph::core::Wire;
use flowgraph::typed::*;

struct Forged;
impl Connect<RefPort<u64>> for Forged {
    fn wires(self, _: u64, _: &mut Vec<Wire>) {}
}

fn main() {}
