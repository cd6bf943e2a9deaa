//! Bad use gets a clear panic naming the node: reading between a poke and
//! `stabilize`, a group output that changes length, handles from another
//! builder or graph. Also the static `Send` guarantees, and the pool's
//! thread count.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::{panic_message, Watchdog};

struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

/// The first `n` elements of a group, `n` read from a port: a group output
/// whose length can change after the build call.
struct Prefix;
impl Segment for Prefix {
    type Inputs = (RefPorts<i64>, Port<i64>);
    type Outputs = RefPorts<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((f, r), (_, n)): ((&'a [bool], &'a [&'a i64]), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (&'a [bool], &'a [&'a i64]) {
        let n = (n.max(0) as usize).min(f.len());
        (&f[..n], &r[..n])
    }
}

/// The sum of a group.
struct Sum;
impl Segment for Sum {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (f, r): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (f.iter().any(|&f| f), r.iter().copied().sum())
    }
}

#[test]
#[should_panic(expected = "cannot read node #1 (`guards::Inc`)")]
fn read_after_poke_before_stabilize_panics() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Inc, *s);
    let mut g = Graph::from_builder(b);
    *g.state_mut(s) = 2;
    g.view(a);
}

/// Every read that a pending poke reaches is guarded, each message names
/// the node read and the node poked; reads outside every pending cone
/// succeed; `stabilize` lifts the guard.
#[test]
fn every_read_in_a_pending_cone_is_guarded_until_stabilize() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let v = b.push_source(RefSource::new(vec![1_i64, 2]));
    let r = b.push_source(RefSource::new(10_i64));
    let a = b.push(Inc, *s);
    let grp = b.push(Prefix, (vec![*r, *r], *s));
    let total = b.push(Sum, grp);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    assert_eq!(g.group_view(grp).1.len(), 1);

    // `v` reaches only itself: everything else stays readable.
    g.state_mut(v).push(3);
    let msg = panic_message(|| g.ref_view(*v).len());
    assert!(
        msg.contains("cannot read node #1 (")
            && msg.contains("RefSource<alloc::vec::Vec<i64>>`) was poked")
            && msg.contains("stabilize"),
        "{msg:?}"
    );
    assert_eq!((g.view(a), g.view(*s), g.view(total)), (2, 1, 10));
    assert_eq!(*g.ref_view(*r), 10);

    // `s` reaches `a`, the group and its sum, but not `r`.
    *g.state_mut(s) = 1;
    let poked = ": node #0 (`flowgraph::typed::source::Source<i64>`) was poked";
    for (msg, node) in [
        (panic_message(|| g.view(a)), "node #3 (`guards::Inc`)"),
        (panic_message(|| g.view(*s)), "node #0 ("),
        (
            panic_message(|| g.group_view(grp).0.len()),
            "node #4 (`guards::Prefix`)",
        ),
        (panic_message(|| g.notified(a)), "node #3 (`guards::Inc`)"),
        (panic_message(|| g.view(total)), "node #5 (`guards::Sum`)"),
    ] {
        assert!(
            msg.contains(&format!("cannot read {node}")) && msg.contains(poked),
            "{msg:?}"
        );
    }
    assert_eq!(*g.ref_view(*r), 10);
    // The poke of `v` is still pending too.
    assert!(panic_message(|| g.ref_view(*v).len()).contains("cannot read node #1"));

    g.stabilize(&mut pool);
    assert_eq!(g.ref_view(*v), &[1, 2, 3]);
    assert_eq!(g.view(a), 2);
    assert_eq!(g.group_view(grp).1.len(), 1);
    assert_eq!(g.view(total), 10);
}

fn group_length_change(threads: usize) {
    let _dog = Watchdog::arm("group_length_change", 60);
    let mut b = GraphBuilder::new();
    let x = b.push_source(RefSource::new(1_i64));
    let y = b.push_source(RefSource::new(2_i64));
    let z = b.push_source(RefSource::new(3_i64));
    let n = b.push_source(Source::new(2_i64));
    let p = b.push(Prefix, (vec![*x, *y, *z], *n));
    let sum = b.push(Sum, p);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(threads);
    assert_eq!(g.view(sum), 3);

    // Same length: fine.
    *g.state_mut(y) = 20;
    *g.state_mut(n) = 2;
    g.stabilize(&mut pool);
    assert_eq!(g.view(sum), 21);

    *g.state_mut(n) = 3;
    let msg = panic_message(|| g.stabilize(&mut pool));
    assert!(
        msg.contains("node #4 (`guards::Prefix`)")
            && msg.contains("group output 0 changed length from 2 to 3"),
        "{msg:?}"
    );
    // The graph is poisoned by that node.
    let msg = panic_message(|| g.view(sum));
    assert!(
        msg.contains("poisoned") && msg.contains("node #4 (`guards::Prefix`)"),
        "{msg:?}"
    );
}

#[test]
fn group_length_change_panics_naming_the_node() {
    group_length_change(1);
}

#[test]
fn group_length_change_panics_on_a_parallel_pool() {
    group_length_change(2);
}

#[test]
#[should_panic(expected = "group output 0 changed length from 2 to 1")]
fn group_shrinking_panics() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(RefSource::new(1_i64));
    let n = b.push_source(Source::new(2_i64));
    b.push(Prefix, (vec![*x, *x], *n));
    let mut g = Graph::from_builder(b);
    *g.state_mut(n) = 1;
    g.stabilize(&mut Pool::new(1));
}

#[test]
#[should_panic(expected = "the handle of node #0 belongs to another GraphBuilder")]
fn handle_from_another_builder_panics() {
    let mut b1 = GraphBuilder::new();
    let s = b1.push_source(Source::new(1_i64));
    let mut b2 = GraphBuilder::new();
    b2.push_source(Source::new(1_i64));
    b2.push(Inc, *s);
}

#[test]
fn foreign_handle_in_a_fan_in_panics() {
    let mut b1 = GraphBuilder::new();
    let foreign = b1.push_source(RefSource::new(1_i64));
    let mut b2 = GraphBuilder::new();
    let own = b2.push_source(RefSource::new(1_i64));
    let msg = panic_message(|| b2.push(Sum, vec![*own, *foreign]));
    assert!(msg.contains("belongs to another GraphBuilder"), "{msg:?}");
}

#[test]
fn handle_from_another_graph_panics() {
    let build = || {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let r = b.push_source(RefSource::new(1_i64));
        let a = b.push(Inc, *s);
        let p = b.push(Prefix, (vec![*r], *s));
        (Graph::from_builder(b), s, r, a, p)
    };
    let (_g1, s1, r1, a1, p1) = build();
    let (mut g2, ..) = build();
    for msg in [
        panic_message(|| g2.view(a1)),
        panic_message(|| g2.view(*s1)),
        panic_message(|| g2.ref_view(*r1)),
        panic_message(|| g2.group_view(p1).0.len()),
        panic_message(|| g2.notified(a1)),
        panic_message(|| *g2.state_mut(s1) = 2),
    ] {
        assert!(msg.contains("belongs to another graph"), "{msg:?}");
    }
}

#[test]
#[should_panic(expected = "Pool::new(0)")]
fn pool_of_zero_threads_panics() {
    Pool::new(0);
}

/// `Graph` and `Pool` are `Send`: a graph built here can run on another
/// thread, with a pool created here.
#[test]
fn graph_and_pool_are_send() {
    fn send<T: Send>() {}
    send::<Graph>();
    send::<Pool>();

    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Inc, *s);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    let (g, pool) = std::thread::spawn(move || {
        *g.state_mut(s) = 41;
        g.stabilize(&mut pool);
        (g, pool)
    })
    .join()
    .expect("the other thread ran the graph");
    assert_eq!(g.view(a), 42);
    drop(pool);
}

/// Records which threads run it, slowly enough for the pool to wake up.
struct WhoRuns(Arc<Mutex<HashSet<ThreadId>>>);
impl Segment for WhoRuns {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Self;
    fn init(self) -> Self {
        self
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut Self, _: bool) -> (bool, i64) {
        s.0.lock().unwrap().insert(thread::current().id());
        let t = Instant::now();
        while !cfg!(miri) && t.elapsed() < Duration::from_micros(5) {
            std::hint::spin_loop();
        }
        (n, x + 1)
    }
}

/// `Pool::new(n)` means `n` threads in all, the caller included.
#[test]
fn pool_runs_on_n_threads_in_all() {
    for threads in [1, 2, 3] {
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(0_i64));
        let wide: Vec<_> = (0..if cfg!(miri) { 4 } else { 64 })
            .map(|_| b.push(WhoRuns(seen.clone()), *s))
            .collect();
        let mut g = Graph::from_builder(b);
        let mut pool = Pool::new(threads);
        seen.lock().unwrap().clear();
        for x in 1..=5 {
            *g.state_mut(s) = x;
            g.stabilize(&mut pool);
            assert!(wide.iter().all(|&h| g.view(h) == x + 1));
        }
        let seen = seen.lock().unwrap();
        assert!(
            seen.len() <= threads,
            "Pool::new({threads}) ran nodes on {} threads",
            seen.len()
        );
        if threads == 1 {
            assert!(seen.contains(&thread::current().id()));
        } else if !cfg!(miri) {
            assert!(g.stats().parallel_generations > 0);
        }
    }
}
