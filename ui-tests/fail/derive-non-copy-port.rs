// A by-value `Port<T>` copies its value: take a `String` by reference.
#[flowgraph::segment_fn]
fn len(s: String) -> usize {
    s.len()
}

fn main() {}
