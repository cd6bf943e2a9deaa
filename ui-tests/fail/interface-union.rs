// Every port of an interface exists at once: a union cannot be one.
#[derive(flowgraph::Interface)]
union Either {
    a: u64,
    b: f64,
}

fn main() {}
