// A view through which a compute could store one producer's borrow into
// another producer's memory: `ValueView` is an `unsafe trait` (its views must
// be covariant), so safe code cannot implement it.
#![forbid(unsafe_code)]
use std::sync::Mutex;

use flowgraph::typed::*;

struct Slot;
impl ValueView for Slot {
    type View<'a> = &'a Mutex<Option<&'a u64>>;
}

fn main() {}
