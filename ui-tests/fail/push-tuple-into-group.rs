// A group input takes a `Vec`/array/slice of handles, not a tuple.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn total(xs: &[&i64]) -> i64 {
    xs.iter().copied().sum()
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(RefSource::new(1_i64));
    let t = b.push_source(RefSource::new(2_i64));
    let _ = b.push(Total, (*s, *t));
}
