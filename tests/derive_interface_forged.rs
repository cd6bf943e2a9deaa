//! Wrong hand-written implementations of what `#[derive(Interface)]`
//! implements, in safe code: `Interface` (with its hidden representation,
//! conversions, handles and leaf count) and `Connect` for a handles struct.
//! The engine sees only the sealed `Layout` of the representation, so each
//! lie gives wrong values or a panic naming the node, never undefined
//! behaviour. Runs under Miri.
#![forbid(unsafe_code)]

use flowgraph::__private::Layout;
use flowgraph::core::{Pool, Wire};
use flowgraph::typed::*;

mod common;
use common::panic_message;

static ZERO: u64 = 0;

/// Claims one `Port<u64>` leaf's payload but represents itself as a
/// `(Port<u64>, RefPort<u64>)` pair, mints handles of the wrong kind and
/// lies about its leaf count.
struct Liar;
impl flowgraph::__private::InterfaceSeal for Liar {}
impl Interface for Liar {
    type Values<'a> = (bool, u64);
    type Handles = (Handle<RefPort<u64>>, Handle<Port<i32>>);
    type Repr = (Port<u64>, RefPort<u64>);
    const LEAVES: usize = 7;
    const HAS_GROUP: bool = true;

    fn any_notify(_: &(bool, u64)) -> bool {
        false
    }
    fn from_repr<'a>(stored: <Self::Repr as Layout>::Stored<'a>) -> Self::Values<'a> {
        (stored.0 .0, stored.0 .1 + *stored.1 .1)
    }
    fn into_repr<'a>(v: Self::Values<'a>) -> <Self::Repr as Layout>::Stored<'a> {
        (v, (v.0, &ZERO))
    }
    fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
        // Leaf 0 is a `Port<u64>`, leaf 1 a `RefPort<u64>`: both wrong.
        (
            <RefPort<u64> as Interface>::handles(graph, node, first),
            <Port<i32> as Interface>::handles(graph, node, first + 1),
        )
    }
    fn port_tree() -> flowgraph::__private::PortTree {
        flowgraph::__private::PortTree::Tuple(Vec::new())
    }
}

/// A source whose outputs are a `Liar`.
struct Lying;
impl Segment for Lying {
    type Inputs = ();
    type Outputs = Liar;
    type State = u64;
    fn init(self) -> u64 {
        41
    }
    fn compute<'a, 'b: 'a>((): (), s: &'b mut u64, _: bool) -> (bool, u64) {
        (true, *s)
    }
}

/// Reads a `Liar` input: the conversions run on both sides.
struct Reader;
impl Segment for Reader {
    type Inputs = Liar;
    type Outputs = Port<u64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(v: (bool, u64), _: &'b mut (), _: bool) -> (bool, u64) {
        (v.0, v.1 + 1)
    }
}

/// Handles that connect a `Liar` input with too few, or mistyped, wires.
#[derive(Clone, Copy)]
struct Few(Handle<Port<u64>>);
impl flowgraph::__private::ConnectSeal for Few {}
impl Connect<Liar> for Few {
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        Connect::<Port<u64>>::wires(self.0, graph, out);
    }
}

#[derive(Clone, Copy)]
struct Crossed(Handle<Port<u64>>);
impl flowgraph::__private::ConnectSeal for Crossed {}
impl Connect<Liar> for Crossed {
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        // A `Port<u64>` leaf into the `RefPort<u64>` input leaf.
        Connect::<Port<u64>>::wires(self.0, graph, out);
        Connect::<Port<u64>>::wires(self.0, graph, out);
    }
}

/// The right wires, through a `Connect` of the representation's handles.
#[derive(Clone, Copy)]
struct Right(Handle<Port<u64>>, Handle<RefPort<u64>>);
impl flowgraph::__private::ConnectSeal for Right {}
impl Connect<Liar> for Right {
    fn wires(self, graph: u64, out: &mut Vec<Wire>) {
        Connect::<(Port<u64>, RefPort<u64>)>::wires((self.0, self.1), graph, out);
    }
}

#[test]
fn lying_interfaces_give_wrong_values_or_panics() {
    std::panic::set_hook(Box::new(|_| {}));

    let mut b = GraphBuilder::new();
    let l = b.push_source(Lying);
    let s = b.push_source(Source::new(5_u64));
    let r = b.push_source(RefSource::new(10_u64));
    // The representation's wires, and the lying conversions on both sides.
    let x = b.push(Reader, Right(*s, *r));
    let mut g = Graph::from_builder(b);
    assert_eq!(g.view(x), 16);
    *g.state_mut(s) = 6;
    g.stabilize(&mut Pool::new(2));
    assert_eq!(g.view(x), 17);
    // The minted handles name leaves of another type: refused.
    let (as_ref, as_i32) = *l;
    let msg = panic_message(|| *g.ref_view(as_ref));
    assert!(msg.contains("node #0"), "{msg}");
    let msg = panic_message(|| g.view(as_i32));
    assert!(msg.contains("node #0"), "{msg}");

    // Too few wires for the representation's two leaves: refused at freeze.
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(5_u64));
    b.push(Reader, Few(*s));
    let msg = panic_message(|| Graph::from_builder(b));
    assert!(msg.contains("2 input leaves but 1 wires"), "{msg}");

    // A by-value leaf into the by-reference input leaf: refused at freeze.
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(5_u64));
    b.push(Reader, Crossed(*s));
    let msg = panic_message(|| Graph::from_builder(b));
    assert!(msg.contains("node #1"), "{msg}");

    let _ = std::panic::take_hook();
}
