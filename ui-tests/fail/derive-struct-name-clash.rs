// The segment struct is named after the function in `CamelCase`; a function
// already in `CamelCase` needs `name = …`.
#[allow(non_snake_case)]
#[flowgraph::segment_fn]
fn Inc(x: i64) -> i64 {
    x + 1
}

fn main() {}
