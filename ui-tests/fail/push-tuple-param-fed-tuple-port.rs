// A `#[segment_fn]` tuple parameter is a tuple of ports; one `Port<(A, B)>`
// handle does not feed it, and the message says how to take one.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn sum(p: (i64, i64)) -> i64 {
    p.0 + p.1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new((1_i64, 2_i64)));
    let _ = b.push(Sum, *s);
}
