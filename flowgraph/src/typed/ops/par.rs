//! [`Par`]: parallel composition.

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// Parallel composition: `Par(f, g)` runs `f` on the first and `g` on the
/// second element of a pair of inputs and pairs their outputs, in one node;
/// also written `f.par(g)`.
///
/// It computes what `Fork(Comp(Left::new(), f), Comp(Right::new(), g))`
/// computes. "Parallel" is about the data flow: inside the fused node, `f`
/// runs before `g` on the same thread.
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
/// let s = b.push_source(Source::new(1_i64));
/// let t = b.push_source(Source::new(2_i64));
/// let (x, y) = b.push(Par(Neg, Id::new()), (*s, *t));
/// let (z, w) = b.push(Id::new().par(Neg), (*s, *t));
/// let g = Graph::from_builder(b);
/// assert_eq!((g.view(x), g.view(y), g.view(z), g.view(w)), (-1, 2, 1, -2));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Par<F, G>(pub F, pub G);

impl<F: Segment, G: Segment> Segment for Par<F, G> {
    type Inputs = (F::Inputs, G::Inputs);
    type Outputs = (F::Outputs, G::Outputs);
    type State = (F::State, G::State);

    fn init(self) -> Self::State {
        (self.0.init(), self.1.init())
    }

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Par(
            Box::new(Structure::of(&self.0)),
            Box::new(Structure::of(&self.1)),
        ))
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        (x, y): (
            <F::Inputs as Interface>::Values<'a>,
            <G::Inputs as Interface>::Values<'a>,
        ),
        (f, g): &'b mut (F::State, G::State),
        init: bool,
    ) -> (
        <F::Outputs as Interface>::Values<'a>,
        <G::Outputs as Interface>::Values<'a>,
    ) {
        (F::compute(x, f, init), G::compute(y, g, init))
    }
}
