// A by-value port needs a `Copy` value; a user type that is not `Copy` is
// caught by the interface bounds, at the parameter's type.
struct Name(String);

#[flowgraph::segment_fn]
fn greet(n: Name) -> usize {
    n.0.len()
}

fn main() {}
