// `Port` handles cannot feed a `RefPorts` group (it borrows its members).
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn total(xs: &[&i64]) -> i64 {
    xs.iter().copied().sum()
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let t = b.push_source(Source::new(2_i64));
    let _ = b.push(Total, vec![*s, *t]);
}
