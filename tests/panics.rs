//! Panics: a panicking compute poisons the graph, never hangs the pool, never
//! runs a node twice, resumes the first panic out of `stabilize`, and leaves
//! the pool able to run other graphs. A panicking build call propagates out
//! of `Graph::from_builder`.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::{message, panic_message, Watchdog};

/// The value that makes a `Boom` node panic.
const TRIGGER: i64 = 100;

/// Bookkeeping carried in every node's state: a run counter, the node's
/// work, and a count of live states (to check that nothing leaks).
struct Meta {
    runs: Arc<[AtomicU32]>,
    live: Arc<AtomicUsize>,
    id: usize,
    spin: Duration,
}

impl Meta {
    fn new(t: &Tally, id: usize, spin: Duration) -> Meta {
        Meta {
            runs: Arc::clone(&t.runs),
            live: Arc::clone(&t.live),
            id,
            spin,
        }
    }

    fn hit(&self, init: bool) {
        if !init {
            self.runs[self.id].fetch_add(1, Relaxed);
        }
        let t = Instant::now();
        while t.elapsed() < self.spin {
            std::hint::spin_loop();
        }
    }
}

/// A node's state, counted while alive.
struct Live(Meta);

impl Live {
    fn new(meta: Meta) -> Live {
        meta.live.fetch_add(1, Relaxed);
        Live(meta)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Relaxed);
    }
}

/// `x + 1`, slowly.
struct Heavy(Meta);
impl Segment for Heavy {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Live;
    fn init(self) -> Live {
        Live::new(self.0)
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut Live, init: bool) -> (bool, i64) {
        s.0.hit(init);
        (n, x + 1)
    }
}

/// `x + t`, panicking when `t == TRIGGER` (never in the build call).
struct Boom(Meta);
impl Segment for Boom {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = Live;
    fn init(self) -> Live {
        Live::new(self.0)
    }
    fn compute<'a, 'b: 'a>(
        ((n, x), (m, t)): ((bool, i64), (bool, i64)),
        s: &'b mut Live,
        init: bool,
    ) -> (bool, i64) {
        s.0.hit(init);
        if t == TRIGGER && !init {
            panic!("boom from node #{}", s.0.id);
        }
        (n || m, x + t)
    }
}

/// Panics in its build call.
struct BadInit(Meta);
impl Segment for BadInit {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Live;
    fn init(self) -> Live {
        Live::new(self.0)
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut Live, init: bool) -> (bool, i64) {
        assert!(!init, "node #{} refuses its build call", s.0.id);
        (n, x)
    }
}

struct Tally {
    runs: Arc<[AtomicU32]>,
    live: Arc<AtomicUsize>,
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            runs: (0..n).map(|_| AtomicU32::new(0)).collect(),
            live: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn runs(&self) -> Vec<u32> {
        self.runs.iter().map(|r| r.load(Relaxed)).collect()
    }
}

/// Nodes per layer, and how long each one works: enough for the engine to
/// run full generations on the pool.
fn width() -> usize {
    if cfg!(miri) {
        3
    } else {
        48
    }
}

fn spin() -> Duration {
    if cfg!(miri) {
        Duration::ZERO
    } else {
        Duration::from_micros(5)
    }
}

/// Two layers of heavy nodes fed by source `s`, with `Boom` nodes (fed by
/// `s` and by the trigger source `t`) among the first layer.
struct Layers {
    g: Graph,
    tally: Tally,
    s: SourceHandle<Source<i64>>,
    t: SourceHandle<Source<i64>>,
    r: SourceHandle<RefSource<i64>>,
    first: Vec<Handle<Port<i64>>>,
    second: Vec<Handle<Port<i64>>>,
    booms: Vec<usize>,
    /// Node ids of the second layer, by first-layer position.
    second_ids: Vec<usize>,
}

fn layers(boom_at: &[usize]) -> Layers {
    let w = width();
    let tally = Tally::new(3 + 2 * w);
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let t = b.push_source(Source::new(0_i64));
    let r = b.push_source(RefSource::new(0_i64));
    let mut booms = Vec::new();
    let first: Vec<Handle<Port<i64>>> = (0..w)
        .map(|i| {
            let id = b.len();
            if boom_at.contains(&i) {
                booms.push(id);
                b.push(Boom(Meta::new(&tally, id, spin())), (*s, *t))
            } else {
                b.push(Heavy(Meta::new(&tally, id, spin())), *s)
            }
        })
        .collect();
    let mut second_ids = Vec::new();
    let second = first
        .iter()
        .map(|&h| {
            let id = b.len();
            second_ids.push(id);
            b.push(Heavy(Meta::new(&tally, id, spin())), h)
        })
        .collect();
    Layers {
        g: Graph::from_builder(b),
        tally,
        s,
        t,
        r,
        first,
        second,
        booms,
        second_ids,
    }
}

impl Layers {
    /// Checks every value for source value `x` and trigger source value `t`.
    fn check(&self, x: i64, t: i64) {
        for (i, (&a, &b)) in self.first.iter().zip(&self.second).enumerate() {
            let boom = self.booms.contains(&(a.node()));
            let first = if boom { x + t } else { x + 1 };
            assert_eq!(self.g.view(a), first, "first layer, position {i}");
            assert_eq!(self.g.view(b), first + 1, "second layer, position {i}");
        }
    }
}

/// Pokes both sources with harmless values for a few generations, then the
/// trigger; checks what ran and what the graph says afterwards.
fn poison(threads: usize, boom_at: &[usize], small_cone: bool) {
    let _dog = Watchdog::arm("panics", 60);
    let mut pool = Pool::new(threads);
    let mut l = layers(boom_at);
    let n = l.g.len();
    for generation in 1..=3 {
        *l.g.state_mut(l.s) = generation;
        *l.g.state_mut(l.t) = -generation;
        l.g.stabilize(&mut pool);
        l.check(generation, -generation);
        let runs = l.tally.runs();
        assert!(
            runs[3..].iter().all(|&r| r == generation as u32),
            "{runs:?}"
        );
    }
    let before = l.tally.runs();
    let parallel_before = l.g.stats().parallel_generations;
    if !small_cone {
        *l.g.state_mut(l.s) = 4;
    }
    *l.g.state_mut(l.t) = TRIGGER;
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        l.g.stabilize(&mut pool);
    }))
    .expect_err("a compute panicked: stabilize must resume its panic");
    let msg = message(&*payload);
    let culprit = l
        .booms
        .iter()
        .copied()
        .find(|b| msg == format!("boom from node #{b}"))
        .unwrap_or_else(|| panic!("unexpected payload {msg:?}"));

    if threads > 1 && !small_cone && !cfg!(miri) {
        assert_eq!(
            l.g.stats().parallel_generations,
            parallel_before + 1,
            "the panicking generation did not run on the pool"
        );
    }

    // No node ran twice; the culprit ran; nothing downstream of a boom ran.
    let after = l.tally.runs();
    for id in 3..n {
        let extra = after[id] - before[id];
        assert!(extra <= 1, "node #{id} ran {extra} times in one generation");
    }
    assert_eq!(after[culprit] - before[culprit], 1);
    for (pos, &id) in l.first.iter().zip(&l.second_ids) {
        if l.booms.contains(&pos.node()) {
            assert_eq!(
                after[id], before[id],
                "node #{id} ran downstream of a panic"
            );
        }
    }
    if small_cone {
        for id in 3..n {
            if !l.booms.contains(&id) {
                assert_eq!(after[id], before[id], "node #{id} is outside the cone");
            }
        }
    }

    // The graph is dead, and every use says which node killed it.
    let named = format!("node #{culprit} (`panics::Boom`)");
    let check = |what: &str, msg: String| {
        assert!(
            msg.contains("poisoned") && msg.contains(&named),
            "{what}: {msg:?} does not name {named}"
        );
    };
    check("stabilize", panic_message(|| l.g.stabilize(&mut pool)));
    check("view", panic_message(|| l.g.view(l.first[0])));
    check("view", panic_message(|| l.g.view(*l.s)));
    check("ref_view", panic_message(|| *l.g.ref_view(*l.r)));
    check("state_mut", panic_message(|| *l.g.state_mut(l.s) = 1));
    check(
        "stabilize again",
        panic_message(|| l.g.stabilize(&mut pool)),
    );
    assert_eq!(l.tally.runs(), after, "a poisoned graph ran nodes");

    // Dropping the dead graph drops every state.
    let live = Arc::clone(&l.tally.live);
    assert_eq!(live.load(Relaxed), n - 3);
    drop(l);
    assert_eq!(live.load(Relaxed), 0, "states leaked");

    // The pool survives and runs another graph, in parallel if it can.
    let mut l = layers(&[]);
    for generation in 1..=4 {
        *l.g.state_mut(l.s) = generation * 10;
        l.g.stabilize(&mut pool);
        l.check(generation * 10, 0);
    }
    if threads > 1 && !cfg!(miri) {
        assert!(
            l.g.stats().parallel_generations > 0,
            "the heavy graph never ran on the pool"
        );
    }
    let live = Arc::clone(&l.tally.live);
    drop(l);
    assert_eq!(live.load(Relaxed), 0, "states leaked");
}

#[test]
fn panic_on_1_thread_poisons() {
    poison(1, &[1], false);
}

#[test]
fn panic_on_2_threads_poisons() {
    poison(2, &[width() / 2], false);
}

#[test]
fn panic_on_4_threads_poisons() {
    poison(4, &[width() / 2], false);
}

/// Several nodes panic concurrently: one payload comes out, and the poison
/// message names the node that raised it.
#[test]
fn concurrent_panics_resume_one_payload() {
    let w = width();
    poison(4, &[0, w / 2, w - 1], false);
    poison(2, &[0, w - 1], false);
}

/// A panic in a cone of three nodes (likely too small to wake the workers).
#[test]
fn panic_in_a_small_cone_on_a_parallel_pool() {
    poison(2, &[width() / 2], true);
}

#[test]
fn build_call_panic_propagates_out_of_from_builder() {
    let tally = Tally::new(4);
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Heavy(Meta::new(&tally, 1, Duration::ZERO)), *s);
    let bad = b.push(BadInit(Meta::new(&tally, 2, Duration::ZERO)), a);
    b.push(Heavy(Meta::new(&tally, 3, Duration::ZERO)), bad);
    let msg = panic_message(|| Graph::from_builder(b));
    assert_eq!(msg, "node #2 refuses its build call");
    assert_eq!(tally.live.load(Relaxed), 0, "states leaked");
    assert_eq!(tally.runs(), [0, 0, 0, 0], "a build call counted as a run");
}

/// Refuses to build its state.
struct BadState(Meta);
impl Segment for BadState {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = Live;
    fn init(self) -> Live {
        panic!("node #{} cannot build its state", self.0.id)
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut Live, _: bool) -> (bool, i64) {
        (n, x)
    }
}

#[test]
fn init_panic_propagates_out_of_from_builder() {
    let tally = Tally::new(4);
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let a = b.push(Heavy(Meta::new(&tally, 1, Duration::ZERO)), *s);
    let bad = b.push(BadState(Meta::new(&tally, 2, Duration::ZERO)), a);
    b.push(Heavy(Meta::new(&tally, 3, Duration::ZERO)), bad);
    let msg = panic_message(|| Graph::from_builder(b));
    assert_eq!(msg, "node #2 cannot build its state");
    assert_eq!(tally.live.load(Relaxed), 0, "states leaked");
}
