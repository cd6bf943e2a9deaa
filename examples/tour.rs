//! The tour: a price-signal pipeline of thousands of nodes.
//!
//! Each instrument has a price source, a moving average, a trend signal with
//! hysteresis (it notifies only when it flips) and a position (an `Operator`
//! that passes its previous position through when the signal did not flip).
//! Each sector books the positions of its instruments (a `RefPorts` fan-in),
//! and the desk sums the books.
//!
//! Every generation pokes a few prices; only their cone recomputes. Every
//! printed number is checked against a direct computation of the same
//! pipeline.
//!
//! `cargo run --release --example tour`

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

const INSTRUMENTS: usize = 4096;
const SECTORS: usize = 64;
const WINDOW: usize = 8;
const LOT: i64 = 100;
const GENERATIONS: usize = 400;

/// The mean of the last `WINDOW` prices.
struct MovingAverage;
impl Segment for MovingAverage {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = VecDeque<i64>;
    fn init(self) -> VecDeque<i64> {
        VecDeque::with_capacity(WINDOW)
    }
    fn compute<'a, 'b: 'a>(
        (n, price): (bool, i64),
        window: &'b mut VecDeque<i64>,
        _: bool,
    ) -> (bool, i64) {
        (n, push_mean(window, price))
    }
}

fn push_mean(window: &mut VecDeque<i64>, price: i64) -> i64 {
    if window.len() == WINDOW {
        window.pop_front();
    }
    window.push_back(price);
    window.iter().sum::<i64>() / window.len() as i64
}

/// +1 above the average by more than 1 %, -1 below it by more than 1 %,
/// unchanged in between; notifies only when it flips.
struct Trend;
impl Segment for Trend {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>(
        ((_, price), (_, avg)): ((bool, i64), (bool, i64)),
        signal: &'b mut i64,
        _: bool,
    ) -> (bool, i64) {
        let new = trend(*signal, price, avg);
        let flipped = new != *signal;
        *signal = new;
        (flipped, new)
    }
}

fn trend(previous: i64, price: i64, avg: i64) -> i64 {
    let band = avg / 100;
    if price > avg + band {
        1
    } else if price < avg - band {
        -1
    } else {
        previous
    }
}

/// The position in lots; recomputed only when the signal flipped, otherwise
/// passed through by reference to the state.
struct Position;
impl Operator for Position {
    type Inputs = Port<i64>;
    type Outputs = RefPort<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>((_, signal): (bool, i64), pos: &'b mut i64, _: bool) -> (bool, &'a i64) {
        *pos = signal * LOT;
        (true, pos)
    }
    fn passthrough<'a, 'b: 'a>(_: (bool, i64), pos: &'b i64) -> (bool, &'a i64) {
        (false, pos)
    }
}

/// A sector's net position, re-added only when a position changed.
struct Book;
impl Operator for Book {
    type Inputs = RefPorts<i64>;
    type Outputs = RefPort<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    fn compute<'a, 'b: 'a>(
        (_, positions): (&'a [bool], &'a [&'a i64]),
        net: &'b mut i64,
        _: bool,
    ) -> (bool, &'a i64) {
        let new = positions.iter().copied().sum();
        let changed = new != *net;
        *net = new;
        (changed, net)
    }
    fn passthrough<'a, 'b: 'a>(_: (&'a [bool], &'a [&'a i64]), net: &'b i64) -> (bool, &'a i64) {
        (false, net)
    }
}

/// The desk: net and gross positions over every sector.
struct Desk;
impl Segment for Desk {
    type Inputs = RefPorts<i64>;
    type Outputs = (Port<i64>, Port<i64>);
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (changed, books): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> ((bool, i64), (bool, i64)) {
        let any = changed.iter().any(|&c| c);
        let net = books.iter().copied().sum();
        let gross = books.iter().map(|b| b.abs()).sum();
        ((any, net), (any, gross))
    }
}

/// The same pipeline, computed directly.
struct Direct {
    prices: Vec<i64>,
    windows: Vec<VecDeque<i64>>,
    averages: Vec<i64>,
    signals: Vec<i64>,
}

impl Direct {
    fn new(prices: &[i64]) -> Direct {
        let mut d = Direct {
            prices: prices.to_vec(),
            windows: vec![VecDeque::with_capacity(WINDOW); prices.len()],
            averages: vec![0; prices.len()],
            signals: vec![0; prices.len()],
        };
        for (i, &p) in prices.iter().enumerate() {
            d.tick(i, p);
        }
        d
    }

    fn tick(&mut self, i: usize, price: i64) {
        self.prices[i] = price;
        self.averages[i] = push_mean(&mut self.windows[i], price);
        self.signals[i] = trend(self.signals[i], price, self.averages[i]);
    }

    fn book(&self, sector: usize) -> i64 {
        (sector * INSTRUMENTS / SECTORS..(sector + 1) * INSTRUMENTS / SECTORS)
            .map(|i| self.signals[i] * LOT)
            .sum()
    }

    fn desk(&self) -> (i64, i64) {
        let books: Vec<i64> = (0..SECTORS).map(|s| self.book(s)).collect();
        (books.iter().sum(), books.iter().map(|b| b.abs()).sum())
    }
}

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

struct Instrument {
    price: SourceHandle<Source<i64>>,
    average: Handle<Port<i64>>,
    signal: Handle<Port<i64>>,
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rng = Rng(0x7045_2a11_c0ff_ee01);
    let initial: Vec<i64> = (0..INSTRUMENTS)
        .map(|_| 5_000 + rng.below(20_000) as i64)
        .collect();

    // Build: four nodes per instrument, one per sector, one desk.
    let started = Instant::now();
    let mut b = GraphBuilder::new();
    let mut instruments = Vec::with_capacity(INSTRUMENTS);
    let mut positions = Vec::with_capacity(INSTRUMENTS);
    for &p in &initial {
        let price = b.push_source(Source::new(p));
        let average = b.push(MovingAverage, *price);
        let signal = b.push(Trend, (*price, average));
        positions.push(b.push(Position, signal));
        instruments.push(Instrument {
            price,
            average,
            signal,
        });
    }
    let books: Vec<Handle<RefPort<i64>>> = positions
        .chunks(INSTRUMENTS / SECTORS)
        .map(|sector| b.push(Book, sector))
        .collect();
    let (net, gross) = b.push(Desk, &books);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(threads);
    let build_time = started.elapsed();
    println!(
        "built {} nodes ({INSTRUMENTS} instruments in {SECTORS} sectors) in {:.1} ms; pool of {threads} thread(s)",
        g.len(),
        build_time.as_secs_f64() * 1e3
    );
    assert_eq!(g.len(), 4 * INSTRUMENTS + SECTORS + 1);

    let mut direct = Direct::new(&initial);
    assert_eq!((g.view(net), g.view(gross)), direct.desk());

    println!();
    println!(" gen  poked  recomputed  flips   net     gross    µs/stabilize");
    let mut total_time = Duration::ZERO;
    let mut total_run = 0;
    let mut total_flips = 0;
    for generation in 1..=GENERATIONS {
        // Most generations move a handful of prices; every 100th, all of them.
        let k = if generation % 100 == 0 {
            INSTRUMENTS
        } else {
            1 + rng.below(32) as usize
        };
        let mut poked = BTreeSet::new();
        while poked.len() < k {
            poked.insert(rng.below(INSTRUMENTS as u64) as usize);
        }
        let mut flipped = BTreeSet::new();
        for &i in &poked {
            // A random walk of up to ±3 % per move.
            let p = direct.prices[i];
            let step = p * (rng.below(601) as i64 - 300) / 10_000;
            let new = (p + step).max(100);
            *g.state_mut(instruments[i].price) = new;
            let before = direct.signals[i];
            direct.tick(i, new);
            if direct.signals[i] != before {
                flipped.insert(i);
            }
        }
        let flips = flipped.len();

        let t = Instant::now();
        g.stabilize(&mut pool);
        let elapsed = t.elapsed();
        total_time += elapsed;

        // Exactly what notifications reach ran: price, average and trend
        // per poked instrument; a position only where the trend flipped
        // (the others are cut off), then those sectors' books and the desk.
        let sectors: BTreeSet<usize> = poked.iter().map(|i| i * SECTORS / INSTRUMENTS).collect();
        let moved: BTreeSet<usize> = flipped.iter().map(|i| i * SECTORS / INSTRUMENTS).collect();
        let stats = g.stats();
        let cone = stats.last_cone;
        let desk = usize::from(!moved.is_empty());
        assert_eq!(cone, 3 * poked.len() + flips + moved.len() + desk);
        assert_eq!(stats.last_skipped, poked.len() - flips);
        total_run += cone;

        // Every value matches the direct computation.
        for &i in &poked {
            assert_eq!(g.view(*instruments[i].price), direct.prices[i]);
            assert_eq!(g.view(instruments[i].average), direct.averages[i]);
            assert_eq!(g.view(instruments[i].signal), direct.signals[i]);
        }
        for &s in &sectors {
            assert_eq!(*g.ref_view(books[s]), direct.book(s));
        }
        let (n, gr) = (g.view(net), g.view(gross));
        assert_eq!((n, gr), direct.desk());
        // A signal notifies exactly when it flipped.
        let notified = poked
            .iter()
            .filter(|&&i| g.notified(instruments[i].signal))
            .count();
        assert_eq!(notified, flips);
        total_flips += flips;

        if generation % 40 == 0 || generation <= 3 {
            println!(
                "{generation:4} {:6} {cone:11} {flips:6} {n:7} {gr:9} {:12.1}",
                poked.len(),
                elapsed.as_secs_f64() * 1e6
            );
        }
    }

    // A last full check of every instrument.
    for (i, inst) in instruments.iter().enumerate() {
        assert_eq!(g.view(inst.average), direct.averages[i]);
        assert_eq!(g.view(inst.signal), direct.signals[i]);
    }
    let stats = g.stats();
    assert_eq!(stats.generations, GENERATIONS as u64);
    assert_eq!(stats.nodes_run, total_run as u64);
    let full = GENERATIONS * g.len();
    println!();
    println!(
        "{GENERATIONS} generations: {total_run} node runs instead of {full} for full recomputation ({:.1} %), {total_flips} signal flips",
        100.0 * total_run as f64 / full as f64
    );
    println!(
        "stabilize: {:.1} µs on average, {:.0} ns per recomputed node",
        total_time.as_secs_f64() * 1e6 / GENERATIONS as f64,
        total_time.as_secs_f64() * 1e9 / total_run as f64
    );
    println!("every printed value was checked against a direct computation");
}

// `cargo test` runs the tour too.
#[test]
fn tour() {
    main();
}
