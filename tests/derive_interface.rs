//! `#[derive(Interface)]`: named interfaces, wherever tuple interfaces go.
#![forbid(unsafe_code)]

use flowgraph::prelude::*;

#[derive(Interface)]
pub struct Quote {
    pub bid: Port<f64>,
    pub ask: Port<f64>,
    pub book: RefPort<Vec<f64>>,
}

/// A source of quotes, kept in its state.
struct Feed;
impl Segment for Feed {
    type Inputs = ();
    type Outputs = Quote;
    type State = (f64, f64, Vec<f64>);
    fn init(self) -> Self::State {
        (99.0, 101.0, vec![1.0, 2.0])
    }
    fn compute<'a, 'b: 'a>((): (), s: &'b mut Self::State, _: bool) -> QuoteValues<'a> {
        QuoteValues {
            bid: (true, s.0),
            ask: (true, s.1),
            book: (true, &s.2),
        }
    }
}

#[test]
fn push_by_field_and_views() {
    let mut b = GraphBuilder::new();
    let feed = b.push_source(Feed);
    let q: QuoteHandles = *feed;
    let g = Graph::from_builder(b);
    assert_eq!(g.view(q.bid), 99.0);
    assert_eq!(g.ref_view(q.book), &[1.0, 2.0]);
}
