// A plain function is not a segment until it is annotated.
use flowgraph::typed::*;

fn inc(x: i64) -> i64 {
    x + 1
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let _ = b.push(inc, *s);
}
