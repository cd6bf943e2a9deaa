// An interface describes ports; payloads get the generation's lifetime.
use flowgraph::typed::*;

#[derive(flowgraph::Interface)]
struct Borrowing<'a> {
    x: Port<&'a u64>,
}

fn main() {}
