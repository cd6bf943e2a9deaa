// `compute` runs every generation on the same state: not `self` by value.
struct Counter(u64);

#[flowgraph::segment_impl]
impl Counter {
    fn compute(self, _x: i64) -> u64 {
        self.0
    }
}

fn main() {}
