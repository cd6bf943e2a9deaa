// Every port of an interface exists at once: an enum cannot be one.
use flowgraph::typed::*;

#[derive(flowgraph::Interface)]
enum Side {
    Bid(Port<f64>),
    Ask(Port<f64>),
}

fn main() {}
