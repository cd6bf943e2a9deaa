// `#[segment_impl]` needs the `compute` method in the annotated impl block.
struct Counter(u64);

#[flowgraph::segment_impl]
impl Counter {
    fn step(&mut self, _x: i64) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn main() {}
