// Under `#[segment_fn]`, the segment is the generated struct (`Inc`), not the
// function (`inc`).
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(inc, *s);
}
