// `#[segment_fn]` goes on a function, not on a struct.
#[flowgraph::segment_fn]
struct Inc;

fn main() {}
