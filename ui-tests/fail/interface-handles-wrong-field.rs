// Each field of a derived interface's handles is its port's handle.
use flowgraph::typed::*;

#[derive(flowgraph::Interface)]
struct Quote {
    bid: Port<f64>,
    book: RefPort<Vec<f64>>,
}

struct Mid;
impl Segment for Mid {
    type Inputs = Quote;
    type Outputs = Port<f64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(q: QuoteValues<'a>, _: &'b mut (), _: bool) -> (bool, f64) {
        (q.bid.0, q.bid.1 + q.book.1[0])
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let bid = b.push_source(Source::new(1.0_f64));
    let book = b.push_source(Source::new(2.0_f64));
    b.push(Mid, QuoteHandles { bid: *bid, book: *book });
}
