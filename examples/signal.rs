//! A z-score signal, fused into one node with `segment!`.
//!
//! For each new price `x`: an exponential moving average `mean`, an
//! exponentially weighted variance `var` around it, the z-score
//! `z = (x - mean) / sqrt(var)`, and a trading signal with hysteresis: `+1`
//! when `z` rises above `ENTER`, `-1` below `-ENTER`, back to `0` once `|z|`
//! falls under `EXIT`. The signal notifies only when it flips, so a
//! downstream order counter runs only on flips.
//!
//! The first prices warm the variance up, so early moves look large and
//! flip the signal too. Every printed number is checked against a direct
//! computation of the same formulas.
//!
//! `cargo run --example signal`

use std::fmt::Write as _;

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

const ALPHA: f64 = 0.25;
const ENTER: f64 = 1.5;
const EXIT: f64 = 0.5;

/// Exponential moving average; seeded with the first value.
struct Ema(f64);
impl Segment for Ema {
    type Inputs = Port<f64>;
    type Outputs = Port<f64>;
    type State = (f64, Option<f64>);
    fn init(self) -> (f64, Option<f64>) {
        (self.0, None)
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, f64),
        (alpha, mean): &'b mut (f64, Option<f64>),
        _: bool,
    ) -> (bool, f64) {
        let m = mean.map_or(x, |m| m + *alpha * (x - m));
        *mean = Some(m);
        (n, m)
    }
}

/// Exponentially weighted variance of `x` around `mean`.
struct EmVar(f64);
impl Segment for EmVar {
    type Inputs = (Port<f64>, Port<f64>);
    type Outputs = Port<f64>;
    type State = (f64, f64);
    fn init(self) -> (f64, f64) {
        (self.0, 0.0)
    }
    fn compute<'a, 'b: 'a>(
        ((n, x), (m, mean)): ((bool, f64), (bool, f64)),
        (alpha, var): &'b mut (f64, f64),
        _: bool,
    ) -> (bool, f64) {
        let d = x - mean;
        *var = (1.0 - *alpha) * (*var + *alpha * d * d);
        (n || m, *var)
    }
}

/// `(x - mean) / sqrt(var)`, 0 while the variance is 0.
struct ZScore;
impl Segment for ZScore {
    type Inputs = ((Port<f64>, Port<f64>), Port<f64>);
    type Outputs = Port<f64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (((n, x), (m, mean)), (v, var)): (((bool, f64), (bool, f64)), (bool, f64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, f64) {
        let z = if var > 0.0 {
            (x - mean) / var.sqrt()
        } else {
            0.0
        };
        (n || m || v, z)
    }
}

/// The signal with hysteresis; notifies only when it flips.
struct Hysteresis;
impl Segment for Hysteresis {
    type Inputs = Port<f64>;
    type Outputs = Port<i8>;
    type State = i8;
    fn init(self) -> i8 {
        0
    }
    fn compute<'a, 'b: 'a>((_, z): (bool, f64), s: &'b mut i8, init: bool) -> (bool, i8) {
        let next = step(*s, z);
        let flipped = next != *s;
        *s = next;
        (flipped || init, next)
    }
}

fn step(s: i8, z: f64) -> i8 {
    match s {
        _ if z > ENTER => 1,
        _ if z < -ENTER => -1,
        0 => 0,
        _ if z.abs() < EXIT => 0,
        s => s,
    }
}

/// Counts the flips it is notified of (it only runs on flips).
struct Orders;
impl Segment for Orders {
    type Inputs = Port<i8>;
    type Outputs = Port<u32>;
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>((n, _): (bool, i8), count: &'b mut u32, init: bool) -> (bool, u32) {
        if n && !init {
            *count += 1;
        }
        (n, *count)
    }
}

/// The reference: the same formulas over a plain loop.
fn reference(prices: &[f64]) -> Vec<(f64, f64, i8, u32)> {
    let (mut mean, mut var, mut s, mut orders) = (None::<f64>, 0.0, 0_i8, 0_u32);
    prices
        .iter()
        .map(|&x| {
            let m = mean.map_or(x, |m| m + ALPHA * (x - m));
            mean = Some(m);
            var = (1.0 - ALPHA) * (var + ALPHA * (x - m) * (x - m));
            let z = if var > 0.0 { (x - m) / var.sqrt() } else { 0.0 };
            let next = step(s, z);
            orders += u32::from(next != s);
            s = next;
            (m, z, s, orders)
        })
        .collect()
}

fn main() {
    // A quiet drift, a spike up, a reversion, a crash, a recovery.
    let prices: Vec<f64> = [
        100.0, 100.5, 100.2, 100.8, 101.0, 100.7, 104.5, 105.0, 103.0, 101.2, 101.0, 100.9, 97.0,
        95.5, 97.5, 99.8, 100.6, 100.9, 101.1, 101.0,
    ]
    .to_vec();

    let mut b = GraphBuilder::new();
    let price = b.push_source(Source::new(prices[0]));
    // One node: mean, variance, z-score and signal.
    let (mean, z, signal) = b.push(
        segment!(|x: Port<f64>| -> (Port<f64>, Port<f64>, Port<i8>) {
            let mean = x => Ema(ALPHA);
            let var = (x, mean) => EmVar(ALPHA);
            let z = ((x, mean), var) => ZScore;
            let signal = z => Hysteresis;
            (mean, z, signal)
        }),
        *price,
    );
    let orders = b.push(Orders, signal);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.len(), 3, "price, the fused signal node, orders");
    let mut pool = Pool::new(1);

    let expected = reference(&prices);
    let mut out = String::new();
    for (t, &x) in prices.iter().enumerate() {
        if t > 0 {
            *g.state_mut(price) = x;
            g.stabilize(&mut pool);
        }
        let got = (g.view(mean), g.view(z), g.view(signal), g.view(orders));
        let want = expected[t];
        assert!((got.0 - want.0).abs() < 1e-9 && (got.1 - want.1).abs() < 1e-9);
        assert_eq!((got.2, got.3), (want.2, want.3));
        let line = format!(
            "t={t:2} price={x:6.1} mean={:7.3} z={:+6.2} signal={:+} orders={}",
            got.0, got.1, got.2, got.3
        );
        println!("{line}");
        writeln!(out, "{line}").unwrap();
    }

    // What the run shows: long through the spike, flat again, short on the
    // crash, flat at the end.
    let signals: Vec<i8> = expected.iter().map(|e| e.2).collect();
    assert_eq!(signals[6], 1, "the spike enters a long");
    assert!(signals[12..14].contains(&-1), "the crash enters a short");
    assert_eq!(*signals.last().unwrap(), 0);
    let flips = expected.last().unwrap().3;
    assert!(out.ends_with(&format!("orders={flips}\n")));
    println!("{flips} orders");
}

#[test]
fn signal() {
    main();
}
