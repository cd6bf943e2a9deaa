// In a `#[segment_fn]` signature, a type with a lifetime argument names the
// payloads of a derived interface; `Cow<'_, str>` is not one.
use std::borrow::Cow;

#[flowgraph::segment_fn]
fn len(s: Cow<'_, str>) -> usize {
    s.len()
}

fn main() {}
