// `#[segment_fn]`: inputs are shared views of upstream outputs, never `&mut`.
#[flowgraph::segment_fn]
fn bump(x: &mut i64) -> i64 {
    *x += 1;
    *x
}

fn main() {}
