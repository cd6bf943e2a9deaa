// A generated segment checks its wiring like any other: `i32` into `i64`.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i32));
    let _ = b.push(Inc, *s);
}
