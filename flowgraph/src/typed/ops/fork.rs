//! [`Fork`]: fan-out.

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// Fan-out: `Fork(f, g)` gives the same inputs to `f` and `g` and pairs their
/// outputs, in one node. Requires `G::Inputs = F::Inputs`; also written
/// `f.fork(g)`.
///
/// Payloads are `Copy` borrows, so the inputs are duplicated, never cloned.
/// `f` runs before `g`; the state is the pair of their states.
///
/// # Examples
///
/// ```
/// use flowgraph::typed::*;
///
/// struct Neg;
/// impl Segment for Neg {
///     type Inputs = Port<i64>;
///     type Outputs = Port<i64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
///         (n, -x)
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(5_i64));
/// let (x, y) = b.push(Fork(Neg, Id::new()), *s);
/// let (z, w) = b.push(Neg.fork(Neg), *s);
/// let g = Graph::from_builder(b);
/// assert_eq!((g.view(x), g.view(y), g.view(z), g.view(w)), (-5, 5, -5, -5));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fork<F, G>(pub F, pub G);

impl<F, G> Segment for Fork<F, G>
where
    F: Segment,
    G: Segment<Inputs = F::Inputs>,
{
    type Inputs = F::Inputs;
    type Outputs = (F::Outputs, G::Outputs);
    type State = (F::State, G::State);

    fn init(self) -> Self::State {
        (self.0.init(), self.1.init())
    }

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Fork(
            Box::new(Structure::of(&self.0)),
            Box::new(Structure::of(&self.1)),
        ))
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        inputs: <F::Inputs as Interface>::Values<'a>,
        (f, g): &'b mut (F::State, G::State),
        init: bool,
    ) -> (
        <F::Outputs as Interface>::Values<'a>,
        <G::Outputs as Interface>::Values<'a>,
    ) {
        (F::compute(inputs, f, init), G::compute(inputs, g, init))
    }
}
