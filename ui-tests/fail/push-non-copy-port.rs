// A `Port<T>` carries its value by copy: `String` must ride a `RefPort`.
use flowgraph::typed::*;

struct Name;
impl Segment for Name {
    type Inputs = ();
    type Outputs = Port<String>;
    type State = String;
    fn init(self) -> String {
        String::new()
    }
    fn compute<'a, 'b: 'a>(_: (), s: &'b mut String, _: bool) -> (bool, String) {
        (true, s.clone())
    }
}

fn main() {}
