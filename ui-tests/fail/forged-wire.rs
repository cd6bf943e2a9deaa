// A `Wire` is opaque: safe code cannot build one that names any leaf.
#![forbid(unsafe_code)]
use flowgraph::core::Wire;

fn main() {
    let _ = Wire(Default::default());
}
