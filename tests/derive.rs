//! Generated `Segment` impls (`#[segment_fn]`, `#[segment_impl]`) on real
//! graphs: values, the notify rule, state, the init flag, references.

use flowgraph::core::Pool;
use flowgraph::typed::*;
use flowgraph::{segment_fn, segment_impl};

#[segment_fn]
fn inc(x: i64) -> i64 {
    x + 1
}

#[segment_fn]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Notifies only when the absolute value changed.
#[segment_fn]
fn abs(#[state(init = i64::MIN)] last: &mut i64, x: i64) -> Notify<i64> {
    let new = x.abs();
    let changed = new != *last;
    *last = new;
    Notify(changed, new)
}

/// Reports which of its inputs notified.
#[segment_fn]
fn which(a: Notify<i64>, b: Notify<&i64>) -> (bool, bool) {
    (a.0, b.0)
}

#[test]
fn values_flow_and_recompute() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Inc, *s);
    let d = b.push(Add, (*s, a));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    assert_eq!((g.view(a), g.view(d)), (2, 3));
    for x in 0..20 {
        *g.state_mut(s) = x;
        g.stabilize(&mut pool);
        assert_eq!((g.view(a), g.view(d)), (x + 1, 2 * x + 1));
    }
    // The function itself is untouched.
    assert_eq!(inc(41), 42);
}

/// `name = …` picks the struct's name.
#[segment_fn(name = Twice)]
fn double(x: i64) -> i64 {
    2 * x
}

#[test]
fn struct_name_can_be_chosen_and_locals_may_reuse_the_function_name() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(4_i64));
    let inc = b.push(Inc, *s);
    let double = b.push(Twice, inc);
    let g = Graph::from_builder(b);
    assert_eq!((g.view(inc), g.view(double)), (5, 10));
}

#[test]
fn output_notifies_iff_some_input_notified() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(-2_i64));
    let t = b.push_source(Source::new(10_i64));
    let a = b.push(Abs, *s);
    let after_abs = b.push(Inc, a);
    let d = b.push(Add, (after_abs, *t));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);

    // |−2| → |2|: `abs` cuts the notification, so `inc` is skipped by the
    // cutoff, and `d` below it does not run either.
    *g.state_mut(s) = 2;
    g.stabilize(&mut pool);
    assert_eq!(g.view(a), 2);
    assert!(!g.notified(a));
    assert_eq!((g.stats().last_cone, g.stats().last_skipped), (2, 1));
    assert_eq!(g.view(d), 13);

    // A real change notifies all the way down.
    *g.state_mut(s) = 5;
    g.stabilize(&mut pool);
    assert!(g.notified(a) && g.notified(after_abs) && g.notified(d));
    assert_eq!(g.view(d), 16);
    assert_eq!(g.stats().last_cone, 4);

    // One notifying input out of two is enough; `inc` is cut off again.
    *g.state_mut(s) = -5;
    *g.state_mut(t) = 0;
    g.stabilize(&mut pool);
    assert!(!g.notified(a));
    assert_eq!((g.stats().last_cone, g.stats().last_skipped), (4, 1));
    assert!(g.notified(d));
    assert_eq!(g.view(d), 6);
}

#[test]
fn notify_inputs_see_each_flag() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let r = b.push_source(RefSource::new(2_i64));
    let (fs, fr) = b.push(Which, (*s, *r));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    *g.state_mut(s) = 3;
    g.stabilize(&mut pool);
    assert_eq!((g.view(fs), g.view(fr)), (true, false));
    *g.state_mut(r) = 4;
    g.stabilize(&mut pool);
    assert_eq!((g.view(fs), g.view(fr)), (false, true));
}

/// Records the `init` flag of every call.
#[segment_fn]
fn calls(#[state] seen: &mut Vec<bool>, #[init] first: bool, _x: i64) -> &Vec<bool> {
    seen.push(first);
    seen
}

#[test]
fn init_flag_is_true_on_the_build_call_only() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let c = b.push(Calls, *s);
    let mut g = Graph::from_builder(b);
    assert_eq!(g.ref_view(c), &[true]);
    for x in 1..4 {
        *g.state_mut(s) = x;
        g.stabilize(&mut Pool::new(1));
    }
    assert_eq!(g.ref_view(c), &[true, false, false, false]);
}

/// A source built by the macro: no inputs, so it always notifies.
#[segment_fn]
fn counter(#[state(init = 7)] n: &mut u32) -> u32 {
    *n
}

#[test]
fn input_less_segments_are_sources() {
    let mut b = GraphBuilder::new();
    let c = b.push_source(Counter);
    let w1 = b.push(Widen, *c);
    let w2 = b.push(Widen, *c);
    let twice = b.push(Add, (w1, w2));
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(twice), 14);
    *g.state_mut(c) += 1;
    g.stabilize(&mut Pool::new(2));
    assert!(g.notified(*c));
    assert_eq!(g.view(twice), 16);
}

#[segment_fn]
fn widen(x: u32) -> i64 {
    i64::from(x)
}

/// Forwards the longer of two vectors: no copy, no explicit lifetime.
#[segment_fn]
fn longer(a: &Vec<i64>, b: &Vec<i64>) -> &Vec<i64> {
    if a.len() >= b.len() {
        a
    } else {
        b
    }
}

#[test]
fn references_are_forwarded_without_copy() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(RefSource::new(vec![1, 2]));
    let y = b.push_source(RefSource::new(vec![3]));
    let l = b.push(Longer, (*x, *y));
    let mut g = Graph::from_builder(b);
    assert!(std::ptr::eq(g.ref_view(l), g.ref_view(*x)));
    g.state_mut(y).extend([4, 5]);
    g.stabilize(&mut Pool::new(1));
    assert_eq!(g.ref_view(l), &[3, 4, 5]);
    assert!(std::ptr::eq(g.ref_view(l), g.ref_view(*y)));
}

#[segment_fn]
fn total(xs: &[&i64]) -> i64 {
    xs.iter().copied().sum()
}

/// Tuples in and out, nested.
#[segment_fn]
fn split(pair: (i64, &i64), k: i64) -> (i64, (i64, Notify<i64>)) {
    let (a, b) = pair;
    (a + b, (a * k, Notify(false, *b)))
}

#[test]
fn groups_and_tuples() {
    let mut b = GraphBuilder::new();
    let sources: Vec<_> = (1..=4_i64)
        .map(|v| b.push_source(RefSource::new(v)))
        .collect();
    let t = b.push(Total, sources.iter().map(|s| **s).collect::<Vec<_>>());
    let k = b.push_source(Source::new(10_i64));
    let (sum, (prod, quiet)) = b.push(Split, ((*k, *sources[0]), *k));
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    assert_eq!(g.view(t), 10);
    assert_eq!((g.view(sum), g.view(prod), g.view(quiet)), (11, 100, 1));
    *g.state_mut(sources[2]) = 30;
    g.stabilize(&mut pool);
    assert_eq!(g.view(t), 37);
    assert!(g.notified(t));
    *g.state_mut(k) = 2;
    g.stabilize(&mut pool);
    assert_eq!((g.view(sum), g.view(prod), g.view(quiet)), (3, 4, 1));
    assert!(g.notified(sum) && !g.notified(quiet));
}

/// A running mean over a window; the struct is the state.
struct Mean {
    window: usize,
    seen: Vec<f64>,
    mean: f64,
}

#[segment_impl]
impl Mean {
    fn new(window: usize) -> Mean {
        Mean {
            window,
            seen: Vec::new(),
            mean: 0.0,
        }
    }

    fn compute(&mut self, x: f64) -> &f64 {
        self.seen.push(x);
        if self.seen.len() > self.window {
            self.seen.remove(0);
        }
        self.mean = self.seen.iter().sum::<f64>() / self.seen.len() as f64;
        &self.mean
    }
}

/// A generic, read-only state.
struct Scale<T> {
    by: T,
}

#[segment_impl]
impl<T: Copy + Send + Sync + std::ops::Mul<Output = T> + 'static> Scale<T> {
    fn compute(&self, x: T) -> T {
        x * self.by
    }
}

/// No receiver: stateless.
struct Neg;

#[segment_impl]
impl Neg {
    fn compute(x: f64) -> f64 {
        -x
    }
}

#[test]
fn struct_segments_keep_their_fields_as_state() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1.0_f64));
    let m = b.push(Mean::new(2), *s);
    let scaled = b.push(Scale { by: 3.0 }, *s);
    let n = b.push(Neg, scaled);
    let ints = b.push_source(Source::new(5_u8));
    let i = b.push(Scale { by: 2_u8 }, *ints);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    assert_eq!(*g.ref_view(m), 1.0);
    assert_eq!((g.view(n), g.view(i)), (-3.0, 10));
    for x in [3.0, 5.0] {
        *g.state_mut(s) = x;
        g.stabilize(&mut pool);
    }
    assert_eq!(*g.ref_view(m), 4.0);
    assert_eq!(g.view(n), -15.0);
    assert_eq!(Neg::compute(2.0), -2.0);
}

/// Forwards the first two members of a group: a group output.
#[segment_fn]
fn first_two(xs: &[&i64]) -> &[&i64] {
    &xs[..2]
}

/// Forwards a group, notifying only when its total changed.
#[segment_fn]
fn on_total_change(#[state] total: &mut i64, xs: &[&i64]) -> (Notify<&[&i64]>, i64) {
    let new = xs.iter().copied().sum();
    let changed = new != *total;
    *total = new;
    (Notify(changed, xs), new)
}

#[test]
fn group_outputs_carry_a_notify_plane() {
    let mut b = GraphBuilder::new();
    let sources: Vec<_> = [1_i64, 2, 3]
        .into_iter()
        .map(|v| b.push_source(RefSource::new(v)))
        .collect();
    let group: Vec<_> = sources.iter().map(|s| **s).collect();
    let two = b.push(FirstTwo, group.clone());
    let (fwd, total) = b.push(OnTotalChange, group);
    let again = b.push(TotalOfGroup, two);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    assert_eq!(g.group_view(two).1, [&1, &2]);
    assert_eq!((g.view(total), g.view(again)), (6, 3));

    *g.state_mut(sources[0]) = 5;
    g.stabilize(&mut pool);
    assert_eq!(g.group_view(two), (&[true, true][..], &[&5, &2][..]));
    assert_eq!(g.group_view(fwd).0, [true, true, true]);
    assert_eq!(g.view(again), 7);

    // Swap values between members: same total, so `fwd` does not notify.
    *g.state_mut(sources[0]) = 3;
    *g.state_mut(sources[2]) = 5;
    g.stabilize(&mut pool);
    assert_eq!(g.group_view(fwd), (&[false; 3][..], &[&3, &2, &5][..]));
    assert_eq!(g.view(total), 10);
    // `first_two` heard from its inputs, so its plane says "changed".
    assert_eq!(g.group_view(two).0, [true, true]);
}

#[segment_fn]
fn total_of_group(xs: &[&i64]) -> i64 {
    xs.iter().copied().sum()
}

/// A weighted sum with per-node weights and a per-node state.
#[segment_fn]
fn weighted(
    #[param] w: (i64, i64),
    #[state(init = 0)] calls: &mut u32,
    #[param] label: &'static str,
    a: i64,
    b: i64,
) -> i64 {
    *calls += 1;
    assert_eq!(label, "w");
    w.0 * a + w.1 * b
}

#[test]
fn params_are_fields_of_the_segment() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    let y = b.push_source(Source::new(10_i64));
    let s = b.push(
        Weighted {
            w: (2, 3),
            label: "w",
        },
        (*x, *y),
    );
    let t = b.push(
        Weighted {
            w: (-1, 1),
            label: "w",
        },
        (*x, *y),
    );
    let mut g = Graph::from_builder(b);
    assert_eq!((g.view(s), g.view(t)), (32, 9));
    *g.state_mut(x) = 5;
    g.stabilize(&mut Pool::new(1));
    assert_eq!((g.view(s), g.view(t)), (40, 5));
    assert_eq!(weighted((1, 1), &mut 0, "w", 1, 2), 3);
}
