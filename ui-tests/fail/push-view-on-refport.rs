// `view` reads by value; a `RefPort` output is read with `ref_view`.
use flowgraph::typed::*;

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(RefSource::new(vec![1, 2, 3]));
    let g = Graph::from_builder(b);
    let _ = g.view(*s);
}
