// One `Port` handle alone does not make a by-value group: wrap it in `[h]`.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn total(xs: &[i64]) -> i64 {
    xs.iter().sum()
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(Total, *s);
}
