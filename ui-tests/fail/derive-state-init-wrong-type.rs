// The state's initial value must have the state's type.
#[flowgraph::segment_fn]
fn count(#[state(init = "zero")] n: &mut u64, _x: i64) -> u64 {
    *n += 1;
    *n
}

fn main() {}
