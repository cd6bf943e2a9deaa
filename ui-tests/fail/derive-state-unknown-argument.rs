// A misspelled `#[state(...)]` argument.
#[flowgraph::segment_fn]
fn count(#[state(inti = 0)] n: &mut u64, _x: i64) -> u64 {
    *n += 1;
    *n
}

fn main() {}
