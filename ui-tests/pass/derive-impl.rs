// `#[segment_impl]`: the struct is the state; generic structs work.
use flowgraph::core::Pool;
use flowgraph::typed::*;

struct Offset<T> {
    by: T,
}

#[flowgraph::segment_impl]
impl<T> Offset<T>
where
    T: Copy + Send + Sync + std::ops::Add<Output = T> + 'static,
{
    fn compute(&self, x: T) -> T {
        x + self.by
    }
}

#[derive(Default)]
struct Last {
    value: String,
}

#[flowgraph::segment_impl]
impl Last {
    fn compute(&mut self, name: &String) -> &String {
        self.value.clone_from(name);
        &self.value
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_u8));
    let n = b.push_source(RefSource::new(String::from("a")));
    let o = b.push(Offset { by: 2_u8 }, *s);
    let l = b.push(Last::default(), *n);
    let mut g = Graph::from_builder(b);
    g.state_mut(n).push('b');
    g.stabilize(&mut Pool::new(1));
    assert_eq!(g.view(o), 3);
    assert_eq!(g.ref_view(l), "ab");
}
