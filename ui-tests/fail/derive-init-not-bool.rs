// The `#[init]` parameter receives the build-call flag: a `bool`.
#[flowgraph::segment_fn]
fn count(#[init] first: u8, x: i64) -> i64 {
    x + i64::from(first)
}

fn main() {}
