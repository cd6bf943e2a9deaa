// The general spellings keep a sensible message: a `ViewPort<Slice<i64>>`
// output into a `RefPort<Vec<i64>>` input.
use flowgraph::typed::*;

struct AsSlice;
impl Segment for AsSlice {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = ViewPort<Slice<i64>>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, v): (bool, &'a Vec<i64>), _: &'b mut (), _: bool) -> (bool, &'a [i64]) {
        (n, v.as_slice())
    }
}

struct Len;
impl Segment for Len {
    type Inputs = RefPort<Vec<i64>>;
    type Outputs = Port<usize>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, v): (bool, &'a Vec<i64>), _: &'b mut (), _: bool) -> (bool, usize) {
        (n, v.len())
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let v = b.push_source(RefSource::new(vec![1_i64, 2]));
    let s = b.push(AsSlice, *v);
    let _ = b.push(Len, s);
}
