// `&[T]` is not a port: a group of ports is `&[&T]`.
#[flowgraph::segment_fn]
fn total(xs: &[i64]) -> i64 {
    xs.iter().sum()
}

fn main() {}
