//! Every kind of wire, end to end: by-value ports, references into a
//! producer's state, forwarded references, group fan-in, group outputs
//! feeding group inputs, and notify flags across each of them.

use flowgraph::core::Pool;
use flowgraph::typed::*;

/// Keeps `x` and `10 * x` in its state and exposes both by reference.
struct Tens;
impl Segment for Tens {
    type Inputs = Port<i64>;
    type Outputs = (RefPort<i64>, RefPort<i64>);
    type State = [i64; 2];
    fn init(self) -> [i64; 2] {
        [0, 0]
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        s: &'b mut [i64; 2],
        _: bool,
    ) -> ((bool, &'a i64), (bool, &'a i64)) {
        *s = [x, 10 * x];
        let [a, b] = s;
        ((n, a), (n, b))
    }
}

/// Forwards its input reference unchanged.
struct Forward;
impl Segment for Forward {
    type Inputs = RefPort<i64>;
    type Outputs = RefPort<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(r: (bool, &'a i64), _: &'b mut (), _: bool) -> (bool, &'a i64) {
        r
    }
}

/// Sums a group, and reports which members notified.
struct SumGroup;
impl Segment for SumGroup {
    type Inputs = RefPorts<i64>;
    type Outputs = (Port<i64>, RefPort<Vec<bool>>);
    type State = Vec<bool>;
    fn init(self) -> Vec<bool> {
        Vec::new()
    }
    fn compute<'a, 'b: 'a>(
        (flags, values): (&'a [bool], &'a [&'a i64]),
        s: &'b mut Vec<bool>,
        _: bool,
    ) -> ((bool, i64), (bool, &'a Vec<bool>)) {
        s.clear();
        s.extend_from_slice(flags);
        let any = flags.iter().any(|&f| f);
        ((any, values.iter().copied().sum()), (any, s))
    }
}

/// Forwards a group unchanged.
struct ForwardGroup;
impl Segment for ForwardGroup {
    type Inputs = RefPorts<i64>;
    type Outputs = RefPorts<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        g: (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (&'a [bool], &'a [&'a i64]) {
        g
    }
}

fn wiring(threads: usize) {
    let mut b = GraphBuilder::new();
    let s: Vec<_> = (0..3)
        .map(|i| b.push_source(Source::new(i as i64)))
        .collect();
    let tens: Vec<_> = s.iter().map(|s| b.push(Tens, **s)).collect();
    let fwd: Vec<_> = tens.iter().map(|&(x, _)| b.push(Forward, x)).collect();
    // Fan-in: forwarded references and references into states, mixed.
    let group = vec![fwd[0], tens[1].1, fwd[2], tens[0].1];
    let (sum, flags) = b.push(SumGroup, group);
    let (sum_arr, _) = b.push(SumGroup, [fwd[1], fwd[2]]);
    // A group output feeding group inputs, twice removed.
    let pair = vec![tens[2].0, tens[2].1];
    let g1 = b.push(ForwardGroup, &pair);
    let g2 = b.push(ForwardGroup, g1);
    let (sum_g, flags_g) = b.push(SumGroup, g2);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(threads);

    let check = |g: &Graph, x: [i64; 3]| {
        assert_eq!(g.view(sum), x[0] + 10 * x[1] + x[2] + 10 * x[0]);
        assert_eq!(g.view(sum_arr), x[1] + x[2]);
        assert_eq!(g.view(sum_g), 11 * x[2]);
        assert_eq!(*g.ref_view(fwd[1]), x[1]);
        let (gf, gv) = g.group_view(g2);
        assert_eq!(gf.len(), 2);
        assert_eq!((*gv[0], *gv[1]), (x[2], 10 * x[2]));
    };
    check(&g, [0, 1, 2]);
    assert_eq!(g.ref_view(flags), &vec![true; 4]);

    let mut x = [0, 1, 2];
    let generations = if cfg!(miri) { 6 } else { 200 };
    for gen in 0..generations {
        let i = gen % 3;
        x[i] = gen as i64 * 7 - 50;
        *g.state_mut(s[i]) = x[i];
        g.stabilize(&mut pool);
        check(&g, x);
        // Only the members fed by the poked source notify.
        let expect: Vec<bool> = [0, 1, 2, 0].iter().map(|&j| j == i).collect();
        assert_eq!(g.ref_view(flags), &expect);
        // `sum_g` depends on source 2 only: it kept the flags of its last run.
        assert_eq!(g.ref_view(flags_g), &vec![true, true]);
        assert!(g.notified(sum_g));
    }
}

#[test]
fn wiring_one_thread() {
    wiring(1);
}

#[test]
fn wiring_two_threads() {
    wiring(2);
}

#[test]
fn group_fan_in_of_many() {
    let n = if cfg!(miri) { 20 } else { 1000 };
    let mut b = GraphBuilder::new();
    let s: Vec<_> = (0..n)
        .map(|i| b.push_source(RefSource::new(i as i64)))
        .collect();
    let handles: Vec<_> = s.iter().map(|s| **s).collect();
    let (sum, _) = b.push(SumGroup, &handles[..]);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    let mut total: i64 = (0..n as i64).sum();
    assert_eq!(g.view(sum), total);
    for k in (0..n).step_by(7) {
        *g.state_mut(s[k]) += 1000;
        total += 1000;
        g.stabilize(&mut pool);
        assert_eq!(g.view(sum), total);
        assert_eq!(g.stats().last_cone, 2, "one source and the sum");
    }
}
