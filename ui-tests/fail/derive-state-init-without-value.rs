// `#[state(init)]` without the `= <expr>` that builds the state.
#[flowgraph::segment_fn]
fn count(#[state(init)] n: &mut u64, _x: i64) -> u64 {
    *n += 1;
    *n
}

fn main() {}
