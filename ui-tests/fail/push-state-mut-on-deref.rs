// `state_mut` takes the `SourceHandle` itself, not its output handle `*s`.
use flowgraph::typed::*;

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let mut g = Graph::from_builder(b);
    *g.state_mut(*s) = 3;
}
