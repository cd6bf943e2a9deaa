// A port carries one concrete type: `impl Trait` cannot be an input.
#[flowgraph::segment_fn]
fn show(x: impl std::fmt::Display) -> usize {
    x.to_string().len()
}

fn main() {}
