// A `&[&T]` (`RefPorts`) result needs a notify plane the macro cannot invent.
#[flowgraph::segment_fn]
fn pass<'a>(xs: &'a [&'a i64]) -> &'a [&'a i64] {
    xs
}

fn main() {}
