// A `Vec` of handles feeds a group input only; a single `Port` takes one.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(Inc, vec![*s, *s]);
}
