// An interface without ports is `()`.
#[derive(flowgraph::Interface)]
struct Nothing;

fn main() {}
