//! Adversarial programs in safe code: each tries to reach undefined
//! behaviour through the public API and must instead get a clear panic or a
//! clean result (the programs that cannot even compile are ui-tests:
//! `forged-connect`, `forged-wire`, `invariant-view`; minted handles are in
//! `forged_handles.rs`). Runs under Miri.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::{panic_message, Inc, Watchdog};

/// A panic payload whose own `Drop` panics.
struct Bomb(usize);
impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("a panic payload's drop panicked ({})", self.0);
    }
}

/// Spins for `micros`, burning real time (a virtual clock under Miri).
fn spin(micros: u64) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_micros(micros) {
        std::hint::spin_loop();
    }
}

/// Heavy nodes that all panic with a `Bomb` once the source says so.
struct Detonate;
impl Segment for Detonate {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = usize;
    fn init(self) -> usize {
        0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut usize, init: bool) -> (bool, i64) {
        spin(if cfg!(miri) { 5 } else { 200 });
        if !init && x < 0 {
            *s += 1;
            std::panic::panic_any(Bomb(*s));
        }
        (n, x)
    }
}

/// Several nodes panic in one generation with payloads whose `Drop` panics:
/// `stabilize` returns (no hang, no abort), resumes one payload, the graph is
/// poisoned, and the pool runs another graph afterwards.
#[test]
fn payloads_whose_drop_panics_do_not_escape_the_pool() {
    let _dog = Watchdog::arm("soundness", 60);
    let width = if cfg!(miri) { 4 } else { 16 };
    for threads in [1, 2, 4] {
        let mut pool = Pool::new(threads);
        for _ in 0..if cfg!(miri) { 1 } else { 8 } {
            let mut b = GraphBuilder::new();
            let s = b.push_source(Source::new(1_i64));
            let outs: Vec<_> = (0..width).map(|_| b.push(Detonate, *s)).collect();
            let mut g = Graph::from_builder(b);
            *g.state_mut(s) = 2;
            g.stabilize(&mut pool);
            assert_eq!(g.view(outs[0]), 2);
            *g.state_mut(s) = -1;
            let payload =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.stabilize(&mut pool)))
                    .expect_err("the computes panicked");
            assert!(payload.is::<Bomb>());
            // Dropping it panics again: that is the caller's business.
            let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(payload)))
                .expect_err("a bomb's drop panics");
            drop(again);
            let msg = panic_message(|| g.view(outs[0]));
            assert!(msg.contains("poisoned"), "{msg}");
            if threads > 1 && !cfg!(miri) {
                assert!(g.stats().parallel_generations > 0, "never ran on the pool");
            }
        }
        // The pool still works.
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let outs: Vec<_> = (0..width).map(|_| b.push(Detonate, *s)).collect();
        let mut g = Graph::from_builder(b);
        *g.state_mut(s) = 7;
        g.stabilize(&mut pool);
        assert!(outs.iter().all(|&h| g.view(h) == 7));
    }
}

/// A state whose `Drop` panics.
struct Fragile {
    live: Arc<AtomicUsize>,
    explode: bool,
}
impl Drop for Fragile {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Relaxed);
        if self.explode {
            panic!("a state's drop panicked");
        }
    }
}

struct Holder(Arc<AtomicUsize>, bool);
impl Segment for Holder {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Fragile;
    fn init(self) -> Fragile {
        self.0.fetch_add(1, Relaxed);
        Fragile {
            live: self.0,
            explode: self.1,
        }
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut Fragile, _: bool) -> (bool, i64) {
        (n, x)
    }
}

/// Every state is dropped even when some `Drop` panics; the first panic is
/// resumed once all are dropped.
#[test]
fn every_state_is_dropped_when_a_drop_panics() {
    let live = Arc::new(AtomicUsize::new(0));
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    for i in 0..5 {
        b.push(Holder(Arc::clone(&live), i == 1 || i == 3), *s);
    }
    let g = Graph::from_builder(b);
    assert_eq!(live.load(Relaxed), 5);
    let msg = panic_message(|| drop(g));
    assert_eq!(msg, "a state's drop panicked");
    assert_eq!(live.load(Relaxed), 0, "states leaked");
}

/// Node ids wider than 32 bits are not truncated to another node's.
#[test]
fn node_queries_check_their_id() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(1_i64));
    b.push_source(Source::new(2_i64));
    b.push(Inc, *x);
    let g = Graph::from_builder(b);
    assert_eq!(g.node_name(2), "soundness::common::Inc");
    for node in [3, 1 << 32, (1 << 32) + 2, usize::MAX] {
        let msg = panic_message(|| g.node_name(node));
        assert!(msg.contains("does not exist"), "{msg}");
        let msg = panic_message(|| g.successors(node).count());
        assert!(msg.contains("does not exist"), "{msg}");
    }
    assert_eq!(g.successors(0).collect::<Vec<_>>(), vec![2]);
}

/// Heavy `x + 1` that panics on a negative input.
struct Fallible;
impl Segment for Fallible {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        spin(if cfg!(miri) { 5 } else { 300 });
        assert!(x >= 0, "negative input");
        (n, x + 1)
    }
}

/// After a panicking generation, `Stats` counts the nodes that ran, the
/// same on every pool size: the source, and the heavy nodes that ran before
/// the panic stopped the generation (none of the consumer's).
#[test]
fn stats_after_a_panic_count_what_ran() {
    let _dog = Watchdog::arm("soundness", 60);
    let mut seen = Vec::new();
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let boom = b.push(Fallible, *s);
        let after = b.push(Fallible, boom);
        let mut g = Graph::from_builder(b);
        for i in 0..3 {
            *g.state_mut(s) = i;
            g.stabilize(&mut pool);
        }
        assert_eq!(g.view(after), 4);
        let before = g.stats();
        *g.state_mut(s) = -1;
        panic_message(|| g.stabilize(&mut pool));
        let stats = g.stats();
        assert_eq!(
            stats.last_cone, 1,
            "{threads} thread(s): only the source ran"
        );
        assert_eq!(stats.nodes_run - before.nodes_run, 1);
        if threads > 1 && !cfg!(miri) {
            assert!(stats.parallel_generations > 0, "never ran on the pool");
        }
        seen.push(stats.nodes_run);
    }
    assert_eq!(seen[0], seen[1]);
}
