// `#[segment_fn]` makes one concrete node type: no type parameters.
#[flowgraph::segment_fn]
fn double<T: Copy + std::ops::Add<Output = T>>(x: T) -> T {
    x + x
}

fn main() {}
