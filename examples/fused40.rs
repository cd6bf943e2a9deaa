//! Forty applications fused into one node by `segment!`: the shape used to
//! measure the macro's compile time (`touch examples/fused40.rs && time cargo
//! build --release --example fused40`) and, in `benches/macro.rs`, its speed.
//!
//! Wires are read again several steps after they are made (`x`, `y`, `w10`,
//! `w{i-3}`), so the macro carries a changing set of live wires. The result
//! is checked against the same arithmetic written out by hand.
//!
//! `cargo run --example fused40`

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

/// `x + 1`.
struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x.wrapping_add(1))
    }
}

/// `a + b`.
struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (n || m, a.wrapping_add(b))
    }
}

/// `a - b`.
struct Sub;
impl Segment for Sub {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((n, a), (m, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (n || m, a.wrapping_sub(b))
    }
}

/// `k x + c`, with `k` and `c` in the state.
struct MulAdd(i64, i64);
impl Segment for MulAdd {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = (i64, i64);
    fn init(self) -> (i64, i64) {
        (self.0, self.1)
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        &mut (k, c): &'b mut (i64, i64),
        _: bool,
    ) -> (bool, i64) {
        (n, x.wrapping_mul(k).wrapping_add(c))
    }
}

/// The forty applications as one segment.
fn fused(
) -> impl Segment<Inputs = (Port<i64>, Port<i64>), Outputs = (Port<i64>, Port<i64>)> + 'static {
    segment!(|x: Port<i64>, y: Port<i64>| -> (Port<i64>, Port<i64>) {
        let w1 = x => Inc;
        let w2 = (w1, y) => Add;
        let w3 = w2 => MulAdd(3, 1);
        let w4 = (w3, w1) => Sub;
        let w5 = w4 => Inc;
        let w6 = (w5, y) => Add;
        let w7 = w6 => MulAdd(3, 1);
        let w8 = (w7, w5) => Sub;
        let w9 = w8 => Inc;
        let w10 = (w9, y) => Add;
        let w11 = w10 => MulAdd(3, 1);
        let w12 = (w11, w9) => Sub;
        let w13 = w12 => Inc;
        let w14 = (w13, y) => Add;
        let w15 = w14 => MulAdd(3, 1);
        let w16 = (w15, w13) => Sub;
        let w17 = w16 => Inc;
        let w18 = (w17, y) => Add;
        let w19 = w18 => MulAdd(3, 1);
        let w20 = (w19, w17) => Sub;
        let w21 = w20 => Inc;
        let w22 = (w21, w10) => Add;
        let w23 = w22 => MulAdd(3, 1);
        let w24 = (w23, w21) => Sub;
        let w25 = w24 => Inc;
        let w26 = (w25, w10) => Add;
        let w27 = w26 => MulAdd(3, 1);
        let w28 = (w27, w25) => Sub;
        let w29 = w28 => Inc;
        let w30 = (w29, w10) => Add;
        let w31 = w30 => MulAdd(3, 1);
        let w32 = (w31, w29) => Sub;
        let w33 = w32 => Inc;
        let w34 = (w33, w10) => Add;
        let w35 = w34 => MulAdd(3, 1);
        let w36 = (w35, w33) => Sub;
        let w37 = w36 => Inc;
        let w38 = (w37, w10) => Add;
        let w39 = w38 => MulAdd(3, 1);
        let w40 = (w39, w37) => Sub;
        (w40, w20)
    })
}

/// The same arithmetic, by hand.
fn by_hand(x: i64, y: i64) -> (i64, i64) {
    let w1 = x.wrapping_add(1);
    let w2 = w1.wrapping_add(y);
    let w3 = w2.wrapping_mul(3).wrapping_add(1);
    let w4 = w3.wrapping_sub(w1);
    let w5 = w4.wrapping_add(1);
    let w6 = w5.wrapping_add(y);
    let w7 = w6.wrapping_mul(3).wrapping_add(1);
    let w8 = w7.wrapping_sub(w5);
    let w9 = w8.wrapping_add(1);
    let w10 = w9.wrapping_add(y);
    let w11 = w10.wrapping_mul(3).wrapping_add(1);
    let w12 = w11.wrapping_sub(w9);
    let w13 = w12.wrapping_add(1);
    let w14 = w13.wrapping_add(y);
    let w15 = w14.wrapping_mul(3).wrapping_add(1);
    let w16 = w15.wrapping_sub(w13);
    let w17 = w16.wrapping_add(1);
    let w18 = w17.wrapping_add(y);
    let w19 = w18.wrapping_mul(3).wrapping_add(1);
    let w20 = w19.wrapping_sub(w17);
    let w21 = w20.wrapping_add(1);
    let w22 = w21.wrapping_add(w10);
    let w23 = w22.wrapping_mul(3).wrapping_add(1);
    let w24 = w23.wrapping_sub(w21);
    let w25 = w24.wrapping_add(1);
    let w26 = w25.wrapping_add(w10);
    let w27 = w26.wrapping_mul(3).wrapping_add(1);
    let w28 = w27.wrapping_sub(w25);
    let w29 = w28.wrapping_add(1);
    let w30 = w29.wrapping_add(w10);
    let w31 = w30.wrapping_mul(3).wrapping_add(1);
    let w32 = w31.wrapping_sub(w29);
    let w33 = w32.wrapping_add(1);
    let w34 = w33.wrapping_add(w10);
    let w35 = w34.wrapping_mul(3).wrapping_add(1);
    let w36 = w35.wrapping_sub(w33);
    let w37 = w36.wrapping_add(1);
    let w38 = w37.wrapping_add(w10);
    let w39 = w38.wrapping_mul(3).wrapping_add(1);
    let w40 = w39.wrapping_sub(w37);
    (w40, w20)
}

fn main() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    let y = b.push_source(Source::new(2_i64));
    let (out, mid) = b.push(fused(), (*x, *y));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    for (vx, vy) in [(1, 2), (5, -7), (-1000, 33), (i64::MAX, 1)] {
        *g.state_mut(x) = vx;
        *g.state_mut(y) = vy;
        g.stabilize(&mut pool);
        let got = (g.view(out), g.view(mid));
        assert_eq!(got, by_hand(vx, vy));
        println!("x={vx} y={vy} -> w40={} w20={}", got.0, got.1);
    }
}

#[test]
fn fused40() {
    main();
}
