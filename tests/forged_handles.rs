//! Handles minted from safe code. `Interface::handles` is hidden but
//! callable, and builder ids are small integers, so a program can guess an
//! id and name any leaf of any node with any handle type. Every such handle
//! must be refused with a clear panic (or, with the right type, read the
//! right value), never reinterpret a leaf. Graph ids are process-global, so
//! these checks run alone in this binary, in one test. Runs under Miri.
#![forbid(unsafe_code)]

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::panic_message;

/// Ids to guess: every id this binary can have handed out so far.
const GUESSES: u64 = if cfg!(miri) { 8 } else { 64 };

#[test]
fn minted_handles_are_checked() {
    // Thousands of expected panics: keep the output readable.
    std::panic::set_hook(Box::new(|_| {}));
    reads_of_the_wrong_type_are_refused();
    wires_of_the_wrong_type_are_refused();
    wires_to_later_nodes_are_refused();
    let _ = std::panic::take_hook();
}

fn reads_of_the_wrong_type_are_refused() {
    let mut b = GraphBuilder::new();
    let n = b.push_source(Source::new(8_u64));
    b.push_source(RefSource::new(String::from("text")));
    let mut g = Graph::from_builder(b);
    let mut matched = 0;
    for id in 1..=GUESSES {
        // Node 0 holds a `Port<u64>`; read it as a `String` by reference.
        let forged = <RefPort<String> as Interface>::handles(id, 0, 0);
        let msg = panic_message(|| g.ref_view(forged).len());
        if msg.contains("belongs to another graph") {
            continue;
        }
        matched += 1;
        assert!(
            msg.contains("cannot read") && msg.contains("node #0"),
            "{msg}"
        );
        // By value, as another type.
        let forged = <Port<f64> as Interface>::handles(id, 0, 0);
        let msg = panic_message(|| g.view(forged));
        assert!(msg.contains("cannot read"), "{msg}");
        // As a group.
        let forged = <RefPorts<u64> as Interface>::handles(id, 1, 0);
        let msg = panic_message(|| g.group_view(forged).0.len());
        assert!(msg.contains("cannot read"), "{msg}");
        // A leaf or a node that does not exist.
        let forged = <Port<u64> as Interface>::handles(id, 0, 7);
        let msg = panic_message(|| g.view(forged));
        assert!(msg.contains("no output leaf 7"), "{msg}");
        let forged = <Port<u64> as Interface>::handles(id, 1 << 20, 0);
        let msg = panic_message(|| g.notified(forged));
        assert!(msg.contains("does not exist"), "{msg}");
        // The right type reads the right value.
        let genuine = <Port<u64> as Interface>::handles(id, 0, 0);
        assert_eq!(g.view(genuine), 8);
        *g.state_mut(n) = 9;
        g.stabilize(&mut Pool::new(1));
        assert_eq!(g.view(genuine), 9);
    }
    assert_eq!(matched, 1, "exactly one guessed id is this graph's");
}

/// Pushes `ReadRef` fed by a handle minted with each guessed id until the
/// builder accepts one (a push with another builder's id panics and leaves
/// the builder unchanged); returns the builder.
fn push_minted(mut b: GraphBuilder, node: u32) -> GraphBuilder {
    for id in 1..=GUESSES {
        let forged = <RefPort<u64> as Interface>::handles(id, node, 0);
        let pushed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            b.push(ReadRef, forged);
        }));
        if pushed.is_ok() {
            return b;
        }
    }
    panic!("no guessed id matched the builder's");
}

fn wires_of_the_wrong_type_are_refused() {
    let mut b = GraphBuilder::new();
    b.push_source(Source::new(0x8_usize));
    // A `RefPort<u64>` naming the `usize` leaf: a deref of address 8 if the
    // engine trusted it.
    let b = push_minted(b, 0);
    let msg = panic_message(|| Graph::from_builder(b));
    assert!(
        msg.contains("expects a") && msg.contains("node #1") && msg.contains("node #0"),
        "{msg}"
    );
}

fn wires_to_later_nodes_are_refused() {
    let mut b = GraphBuilder::new();
    b.push_source(Source::new(1_u64));
    // Node 1 is the consumer itself: its outputs do not exist yet.
    let b = push_minted(b, 1);
    let msg = panic_message(|| Graph::from_builder(b));
    assert!(msg.contains("not pushed before it"), "{msg}");
}

/// Reads a `u64` by reference.
struct ReadRef;
impl Segment for ReadRef {
    type Inputs = RefPort<u64>;
    type Outputs = Port<u64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, &'a u64), _: &'b mut (), _: bool) -> (bool, u64) {
        (n, *x)
    }
}
