// Every field of a derived interface is an interface: a plain type needs a port.
use flowgraph::typed::*;

#[derive(flowgraph::Interface)]
struct Quote {
    bid: Port<f64>,
    ask: f64,
}

fn main() {}
