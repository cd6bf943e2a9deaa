// `RefPort` handles cannot feed a by-value `Ports` group.
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn total(xs: &[i64]) -> i64 {
    xs.iter().sum()
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(RefSource::new(1_i64));
    let t = b.push_source(RefSource::new(2_i64));
    let _ = b.push(Total, [*s, *t]);
}
