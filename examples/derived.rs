//! Segments without boilerplate: an order book's best bid and ask, a spread
//! that notifies only when it moves, and a running history, each written as
//! a plain function or a struct with `compute`.
//! Run it with `cargo run --example derived`.

use flowgraph::core::Pool;
use flowgraph::typed::*;
use flowgraph::{segment_fn, segment_impl};

/// The best (highest) bid: a group of quotes in, one price out.
#[segment_fn]
fn best_bid(bids: &[&f64]) -> f64 {
    bids.iter().copied().copied().fold(f64::MIN, f64::max)
}

/// The best (lowest) ask.
#[segment_fn]
fn best_ask(asks: &[&f64]) -> f64 {
    asks.iter().copied().copied().fold(f64::MAX, f64::min)
}

/// The spread in ticks; notifies only when it changed.
#[segment_fn]
fn spread(#[state(init = i64::MIN)] last: &mut i64, bid: f64, ask: f64) -> Notify<i64> {
    let ticks = ((ask - bid) * 100.0).round() as i64;
    let moved = ticks != *last;
    *last = ticks;
    Notify(moved, ticks)
}

/// Every spread seen, exposed by reference (the struct is the state).
struct History {
    spreads: Vec<i64>,
}

#[segment_impl]
impl History {
    fn compute(&mut self, spread: Notify<i64>) -> &Vec<i64> {
        if spread.0 {
            self.spreads.push(spread.1);
        }
        &self.spreads
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let bids: Vec<_> = [100.0, 100.5]
        .into_iter()
        .map(|p| b.push_source(RefSource::new(p)))
        .collect();
    let asks: Vec<_> = [101.0, 101.25]
        .into_iter()
        .map(|p| b.push_source(RefSource::new(p)))
        .collect();
    let bid = b.push(BestBid, bids.iter().map(|s| **s).collect::<Vec<_>>());
    let ask = b.push(BestAsk, asks.iter().map(|s| **s).collect::<Vec<_>>());
    let s = b.push(Spread, (bid, ask));
    let h = b.push(History { spreads: vec![] }, s);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);

    // Quotes move; the spread moves only twice.
    let mut seen = Vec::new();
    for (which, price) in [(0, 100.25), (1, 100.75), (0, 100.5), (1, 100.6)] {
        *g.state_mut(bids[which]) = price;
        g.stabilize(&mut pool);
        let (bid, ask, spread, moved) = (g.view(bid), g.view(ask), g.view(s), g.notified(s));
        println!(
            "bid {bid:.2} ask {ask:.2} spread {spread} ticks{}",
            if moved { " (moved)" } else { "" }
        );
        seen.push((spread, moved));
    }
    assert_eq!(seen, [(50, false), (25, true), (25, false), (40, true)]);
    assert_eq!(g.ref_view(h), &[50, 25, 40]);
    // The functions are still plain functions.
    assert_eq!(spread(&mut 0, 1.0, 1.5), Notify(true, 50));
}

// `cargo test` runs the example.
#[test]
fn derived() {
    main();
}
