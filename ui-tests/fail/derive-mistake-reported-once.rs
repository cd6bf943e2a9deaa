// A mistake in a segment's signature is reported once, at the definition:
// pushing the segment does not add errors of its own.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
async fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Inc, *s);
    let _ = b.push(Inc, a);
}
