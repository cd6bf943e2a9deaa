// A method taking `self` belongs under `#[segment_impl]` on its impl block.
struct Counter(u64);

impl Counter {
    #[flowgraph::segment_fn]
    fn compute(&mut self, _x: i64) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn main() {}
