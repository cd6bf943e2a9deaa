// `ref_view` reads by reference; a `Port` output is read with `view`.
use flowgraph::typed::*;

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let g = Graph::from_builder(b);
    let _ = g.ref_view(*s);
}
