//! A node that computes its own values and outputs them as a `RefPorts`
//! group allocated in its per-node `Arena`, and a node downstream that reads
//! the group.
//!
//! Run with `cargo run --example arena_group`.

use flowgraph::core::Pool;
use flowgraph::typed::*;

/// The state of [`Powers`]: how many powers to compute, and the arena that
/// holds them for one generation.
struct PowersState {
    len: usize,
    arena: Arena,
}

/// Outputs `x^0, x^1, …, x^(len-1)` as a group of references.
struct Powers(usize);

impl Segment for Powers {
    type Inputs = Port<i64>;
    type Outputs = RefPorts<i64>;
    type State = PowersState;

    fn init(self) -> PowersState {
        PowersState {
            len: self.0,
            arena: Arena::new(),
        }
    }

    fn compute<'a, 'b: 'a>(
        (notify, x): (bool, i64),
        state: &'b mut PowersState,
        _: bool,
    ) -> (&'a [bool], &'a [&'a i64]) {
        // A new generation: the references handed out last time are dead
        // (every consumer runs after this node), so the memory is reused.
        state.arena.reset();
        let arena = &state.arena;
        let mut power = 1;
        let values = arena.alloc_slice_fill_with(state.len, |_| {
            let p = power;
            power *= x;
            p
        });
        let flags = arena.alloc_slice_fill_copy(state.len, notify);
        (flags, arena.alloc_refs(values))
    }
}

/// Sums a group, counting the members that notified.
struct Sum;

impl Segment for Sum {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<(i64, usize)>;
    type State = ();

    fn init(self) {}

    fn compute<'a, 'b: 'a>(
        (flags, values): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, (i64, usize)) {
        let sum = values.iter().copied().sum();
        let notified = flags.iter().filter(|&&f| f).count();
        (notified > 0, (sum, notified))
    }
}

fn main() {
    let mut b = GraphBuilder::new();
    let x = b.push_source(Source::new(2_i64));
    let powers = b.push(Powers(5), *x);
    let sum = b.push(Sum, powers);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);

    for value in [2, 3, -1, 10] {
        *g.state_mut(x) = value;
        g.stabilize(&mut pool);
        let (_, group) = g.group_view(powers);
        let group: Vec<i64> = group.iter().map(|&&p| p).collect();
        let (total, notified) = g.view(sum);
        println!("x = {value:>2}: powers {group:?}, sum {total}, {notified} notified");

        let expected: Vec<i64> = (0..5).map(|i| value.pow(i)).collect();
        assert_eq!(group, expected);
        assert_eq!(total, expected.iter().sum::<i64>());
        assert_eq!(notified, 5);
    }

    // Untouched source: nothing runs, the group stays readable.
    g.stabilize(&mut pool);
    let (flags, group) = g.group_view(powers);
    println!("after an empty generation: {:?}", group);
    let last: Vec<i64> = (0..5).map(|i| 10_i64.pow(i)).collect();
    assert!(group.iter().copied().eq(last.iter()));
    assert_eq!(flags, [true; 5]);
}

#[test]
fn arena_group() {
    main();
}
