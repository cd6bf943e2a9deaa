// `compute` runs to completion on the pool: a segment cannot be `async`.
#[flowgraph::segment_fn]
async fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {}
