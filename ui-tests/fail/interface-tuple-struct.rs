// The fields of a derived interface name its payloads' and handles' fields.
use flowgraph::typed::*;

#[derive(flowgraph::Interface)]
struct Quote(Port<f64>, Port<f64>);

fn main() {}
