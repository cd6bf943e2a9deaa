// One node, one state: group the state into one struct or tuple.
#[flowgraph::segment_fn]
fn both(#[state] a: &mut u64, #[state] b: &mut u64, x: u64) -> u64 {
    *a += x;
    *b += 1;
    *a / *b
}

fn main() {}
