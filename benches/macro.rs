//! `segment!` against hand fusion: the fused code must be the same code.
//!
//! - `chain40`: 40 applications in a chain (alternately `Inc` and a
//!   multiply-add): the `segment!`, the same segments fused by hand with
//!   `.then`, and the arithmetic written by hand in one segment, either with
//!   one multiplier and literal increments (`by_hand`, less work: fewer
//!   loads) or reading each step's constants from its state slot as the
//!   segments do (`by_hand_states`, the same work).
//! - `dag40`: the 40 applications of `examples/fused40.rs`, whose wires are
//!   read again several steps later: the `segment!` against the arithmetic
//!   written by hand in one segment.
//!
//! Each variant is measured twice: its `compute` called directly (the fused
//! code alone) and as one node of a graph (poke, `stabilize`, `view`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

/// The multiplier, hidden from the optimizer in every variant alike: it is
/// read from each segment's state.
const K: i64 = 6364136223846793005;

/// `x + 1`.
struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
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
    #[inline]
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
    #[inline]
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
        (black_box(self.0), black_box(self.1))
    }
    #[inline]
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        &mut (k, c): &'b mut (i64, i64),
        _: bool,
    ) -> (bool, i64) {
        (n, x.wrapping_mul(k).wrapping_add(c))
    }
}

/// The chain written by hand: one segment, the multiplier in its state.
struct ChainByHand;
impl Segment for ChainByHand {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        black_box(K)
    }
    #[inline]
    fn compute<'a, 'b: 'a>((n, mut x): (bool, i64), &mut k: &'b mut i64, _: bool) -> (bool, i64) {
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(k).wrapping_add(1);
        (n, x)
    }
}

/// The chain written by hand, reading each multiply-add's constants from its
/// own state slot as the fused segments do: the same work, by hand.
struct ChainByHandStates;
impl Segment for ChainByHandStates {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = [(i64, i64); 20];
    fn init(self) -> [(i64, i64); 20] {
        black_box([(K, 1); 20])
    }
    #[inline]
    fn compute<'a, 'b: 'a>(
        (n, mut x): (bool, i64),
        s: &'b mut [(i64, i64); 20],
        _: bool,
    ) -> (bool, i64) {
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[0].0).wrapping_add(s[0].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[1].0).wrapping_add(s[1].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[2].0).wrapping_add(s[2].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[3].0).wrapping_add(s[3].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[4].0).wrapping_add(s[4].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[5].0).wrapping_add(s[5].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[6].0).wrapping_add(s[6].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[7].0).wrapping_add(s[7].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[8].0).wrapping_add(s[8].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[9].0).wrapping_add(s[9].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[10].0).wrapping_add(s[10].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[11].0).wrapping_add(s[11].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[12].0).wrapping_add(s[12].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[13].0).wrapping_add(s[13].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[14].0).wrapping_add(s[14].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[15].0).wrapping_add(s[15].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[16].0).wrapping_add(s[16].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[17].0).wrapping_add(s[17].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[18].0).wrapping_add(s[18].1);
        x = x.wrapping_add(1);
        x = x.wrapping_mul(s[19].0).wrapping_add(s[19].1);
        (n, x)
    }
}

/// The DAG written by hand: one segment.
struct DagByHand;
impl Segment for DagByHand {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = (Port<i64>, Port<i64>);
    type State = i64;
    fn init(self) -> i64 {
        black_box(3)
    }
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((n, x), (m, y)): ((bool, i64), (bool, i64)),
        &mut k: &'b mut i64,
        _: bool,
    ) -> ((bool, i64), (bool, i64)) {
        let n = n || m;
        let w1 = x.wrapping_add(1);
        let w2 = w1.wrapping_add(y);
        let w3 = w2.wrapping_mul(k).wrapping_add(1);
        let w4 = w3.wrapping_sub(w1);
        let w5 = w4.wrapping_add(1);
        let w6 = w5.wrapping_add(y);
        let w7 = w6.wrapping_mul(k).wrapping_add(1);
        let w8 = w7.wrapping_sub(w5);
        let w9 = w8.wrapping_add(1);
        let w10 = w9.wrapping_add(y);
        let w11 = w10.wrapping_mul(k).wrapping_add(1);
        let w12 = w11.wrapping_sub(w9);
        let w13 = w12.wrapping_add(1);
        let w14 = w13.wrapping_add(y);
        let w15 = w14.wrapping_mul(k).wrapping_add(1);
        let w16 = w15.wrapping_sub(w13);
        let w17 = w16.wrapping_add(1);
        let w18 = w17.wrapping_add(y);
        let w19 = w18.wrapping_mul(k).wrapping_add(1);
        let w20 = w19.wrapping_sub(w17);
        let w21 = w20.wrapping_add(1);
        let w22 = w21.wrapping_add(w10);
        let w23 = w22.wrapping_mul(k).wrapping_add(1);
        let w24 = w23.wrapping_sub(w21);
        let w25 = w24.wrapping_add(1);
        let w26 = w25.wrapping_add(w10);
        let w27 = w26.wrapping_mul(k).wrapping_add(1);
        let w28 = w27.wrapping_sub(w25);
        let w29 = w28.wrapping_add(1);
        let w30 = w29.wrapping_add(w10);
        let w31 = w30.wrapping_mul(k).wrapping_add(1);
        let w32 = w31.wrapping_sub(w29);
        let w33 = w32.wrapping_add(1);
        let w34 = w33.wrapping_add(w10);
        let w35 = w34.wrapping_mul(k).wrapping_add(1);
        let w36 = w35.wrapping_sub(w33);
        let w37 = w36.wrapping_add(1);
        let w38 = w37.wrapping_add(w10);
        let w39 = w38.wrapping_mul(k).wrapping_add(1);
        let w40 = w39.wrapping_sub(w37);
        ((n, w40), (n, w20))
    }
}

fn chain_macro() -> impl Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static {
    segment!(|x: Port<i64>| -> Port<i64> {
        let c1 = x => Inc;
        let c2 = c1 => MulAdd(K, 1);
        let c3 = c2 => Inc;
        let c4 = c3 => MulAdd(K, 1);
        let c5 = c4 => Inc;
        let c6 = c5 => MulAdd(K, 1);
        let c7 = c6 => Inc;
        let c8 = c7 => MulAdd(K, 1);
        let c9 = c8 => Inc;
        let c10 = c9 => MulAdd(K, 1);
        let c11 = c10 => Inc;
        let c12 = c11 => MulAdd(K, 1);
        let c13 = c12 => Inc;
        let c14 = c13 => MulAdd(K, 1);
        let c15 = c14 => Inc;
        let c16 = c15 => MulAdd(K, 1);
        let c17 = c16 => Inc;
        let c18 = c17 => MulAdd(K, 1);
        let c19 = c18 => Inc;
        let c20 = c19 => MulAdd(K, 1);
        let c21 = c20 => Inc;
        let c22 = c21 => MulAdd(K, 1);
        let c23 = c22 => Inc;
        let c24 = c23 => MulAdd(K, 1);
        let c25 = c24 => Inc;
        let c26 = c25 => MulAdd(K, 1);
        let c27 = c26 => Inc;
        let c28 = c27 => MulAdd(K, 1);
        let c29 = c28 => Inc;
        let c30 = c29 => MulAdd(K, 1);
        let c31 = c30 => Inc;
        let c32 = c31 => MulAdd(K, 1);
        let c33 = c32 => Inc;
        let c34 = c33 => MulAdd(K, 1);
        let c35 = c34 => Inc;
        let c36 = c35 => MulAdd(K, 1);
        let c37 = c36 => Inc;
        let c38 = c37 => MulAdd(K, 1);
        let c39 = c38 => Inc;
        let c40 = c39 => MulAdd(K, 1);
        c40
    })
}

fn chain_then() -> impl Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static {
    Inc.then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
        .then(Inc)
        .then(MulAdd(K, 1))
}

fn dag_macro(
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

/// Calls `compute` directly, over a changing input.
fn direct<S: Segment<Inputs = Port<i64>, Outputs = Port<i64>>>(
    c: &mut Criterion,
    group: &str,
    name: &str,
    seg: S,
) {
    let mut state = seg.init();
    let mut x = 0_i64;
    c.benchmark_group(group)
        .bench_function(format!("{name}/compute"), |b| {
            b.iter(|| {
                x = x.wrapping_add(1);
                black_box(S::compute((true, black_box(x)), &mut state, false))
            })
        });
}

/// One node in a graph: poke, stabilize, read.
fn in_graph<S: Segment<Inputs = Port<i64>, Outputs = Port<i64>> + 'static>(
    c: &mut Criterion,
    group: &str,
    name: &str,
    seg: S,
) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let out = b.push(seg, *s);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    c.benchmark_group(group)
        .bench_function(format!("{name}/graph"), |bn| {
            bn.iter(|| {
                *g.state_mut(s) += 1;
                g.stabilize(&mut pool);
                black_box(g.view(out))
            })
        });
}

fn chain40(c: &mut Criterion) {
    // The three variants agree.
    let (mut a, mut b, mut h) = (
        chain_macro().init(),
        chain_then().init(),
        ChainByHand.init(),
    );
    for x in [0, 1, -5, i64::MAX] {
        let want = <ChainByHand as Segment>::compute((true, x), &mut h, false);
        assert_eq!(compute_of(chain_macro, (true, x), &mut a), want);
        assert_eq!(compute_of(chain_then, (true, x), &mut b), want);
    }
    direct(c, "chain40", "macro", chain_macro());
    direct(c, "chain40", "then", chain_then());
    direct(c, "chain40", "by_hand", ChainByHand);
    direct(c, "chain40", "by_hand_states", ChainByHandStates);
    in_graph(c, "chain40", "macro", chain_macro());
    in_graph(c, "chain40", "then", chain_then());
    in_graph(c, "chain40", "by_hand", ChainByHand);
}

/// `S::compute` for the segment type returned by `f`.
fn compute_of<S: Segment<Inputs = Port<i64>, Outputs = Port<i64>>>(
    _: fn() -> S,
    x: (bool, i64),
    state: &mut S::State,
) -> (bool, i64) {
    S::compute(x, state, false)
}

fn dag40(c: &mut Criterion) {
    fn run<
        S: Segment<Inputs = (Port<i64>, Port<i64>), Outputs = (Port<i64>, Port<i64>)> + 'static,
    >(
        c: &mut Criterion,
        name: &str,
        seg: S,
    ) {
        let mut state = seg.init();
        let mut x = 0_i64;
        c.benchmark_group("dag40")
            .bench_function(format!("{name}/compute"), |b| {
                b.iter(|| {
                    x = x.wrapping_add(1);
                    black_box(S::compute(
                        ((true, black_box(x)), (false, black_box(7))),
                        &mut state,
                        false,
                    ))
                })
            });
    }
    let (mut m, mut h) = (dag_macro().init(), DagByHand.init());
    for (x, y) in [(1, 2), (5, -7), (i64::MAX, 1)] {
        let want = <DagByHand as Segment>::compute(((true, x), (true, y)), &mut h, false);
        assert_eq!(dag_compute(dag_macro, ((true, x), (true, y)), &mut m), want);
    }
    run(c, "macro", dag_macro());
    run(c, "by_hand", DagByHand);
}

#[allow(clippy::type_complexity, reason = "the payload trees of the DAG")]
fn dag_compute<S: Segment<Inputs = (Port<i64>, Port<i64>), Outputs = (Port<i64>, Port<i64>)>>(
    _: fn() -> S,
    x: ((bool, i64), (bool, i64)),
    state: &mut S::State,
) -> ((bool, i64), (bool, i64)) {
    S::compute(x, state, false)
}

criterion_group!(benches, chain40, dag40);
criterion_main!(benches);
