// A `&T` result must borrow from the state or an input, not from a local.
#[flowgraph::segment_fn]
fn boxed(x: i64) -> &i64 {
    let y = x + 1;
    &y
}

fn main() {}
