// Reads and pokes through the typed accessors, including from generic code.
use flowgraph::core::Pool;
use flowgraph::typed::*;

fn read_any<P: ViewLeaf>(g: &Graph, h: Handle<P>) -> <P::View as ValueView>::View<'_> {
    g.view(h)
}

fn read_port<V>(g: &Graph, h: Handle<ViewPort<V>>) -> V::View<'_>
where
    V: ValueView,
    ViewPort<V>: Interface,
    for<'a> V::View<'a>: Copy,
{
    g.view(h)
}

fn poke<H: Poke<Source = Source<i64>>>(g: &mut Graph, h: H, v: i64) {
    *g.state_mut(h) = v;
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let r = b.push_source(RefSource::new(vec![1_u8]));
    let mut g = Graph::from_builder(b);
    poke(&mut g, s, 4);
    g.state_mut(r).push(2);
    g.stabilize(&mut Pool::new(1));
    assert_eq!(read_any(&g, *s), 4);
    assert_eq!(read_port(&g, *s), 4);
    assert_eq!(g.ref_view(*r), &[1, 2]);
}
