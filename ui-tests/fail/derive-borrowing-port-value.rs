// A port's value is `'static`: only the outermost `&` (a `RefPort`) may borrow.
#[flowgraph::segment_fn]
fn first(xs: Vec<&i64>) -> i64 {
    *xs[0]
}

fn main() {}
