// `&[T]` is a by-value group (`Ports<T>`): its members are copied, so `T`
// must be `Copy`; a group of `String`s is `&[&String]`.
#[flowgraph::segment_fn]
fn total(xs: &[String]) -> usize {
    xs.iter().map(String::len).sum()
}

fn main() {}
