// Every `#[segment_fn]` form, wired into one graph.
use flowgraph::core::Pool;
use flowgraph::typed::*;

#[flowgraph::segment_fn]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Forwards one of two references (no explicit lifetime needed).
#[flowgraph::segment_fn]
fn pick(left: &Vec<i64>, right: &Vec<i64>, #[init] first: bool) -> &Vec<i64> {
    if first || left.len() >= right.len() { left } else { right }
}

#[flowgraph::segment_fn]
fn sum(xs: &[&i64]) -> Notify<i64> {
    Notify(true, xs.iter().copied().sum())
}

#[flowgraph::segment_fn]
fn stats(#[state] seen: &mut Vec<i64>, (x, y): (i64, Notify<&i64>)) -> (&Vec<i64>, bool) {
    seen.push(x + *y.1);
    (seen, y.0)
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let v = b.push_source(RefSource::new(vec![1, 2]));
    let w = b.push_source(RefSource::new(vec![3]));
    let r = b.push_source(RefSource::new(5_i64));
    let a = b.push(Add, (*s, *s));
    let p = b.push(Pick, (*v, *w));
    let t = b.push(Sum, vec![*r, *r]);
    let (seen, flag) = b.push(Stats, (a, *r));
    let mut g = Graph::from_builder(b);
    *g.state_mut(s) = 2;
    g.stabilize(&mut Pool::new(1));
    assert_eq!(g.view(a), 4);
    assert_eq!(g.ref_view(p), &[1, 2]);
    assert_eq!(g.view(t), 10);
    assert_eq!(g.ref_view(seen), &[7, 9]);
    assert!(!g.view(flag));
}
