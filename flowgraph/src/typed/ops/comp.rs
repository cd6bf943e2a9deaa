//! [`Comp`]: sequential composition.

use crate::export::Structure;
use crate::typed::interface::Interface;
use crate::typed::segment::Segment;

/// Sequential composition: `Comp(f, g)` feeds the outputs of `f` to `g`, in
/// one node. Requires `G::Inputs = F::Outputs`; also written `f.then(g)`.
///
/// The state is the pair of the parts' states. Both parts run on every
/// compute of the fused node, and `g` sees `f`'s notify flags as they are, so
/// a notification that `f` cuts off stays cut off.
///
/// # Examples
///
/// ```
/// use flowgraph::core::Pool;
/// use flowgraph::typed::*;
///
/// struct Inc;
/// impl Segment for Inc {
///     type Inputs = Port<i64>;
///     type Outputs = Port<i64>;
///     type State = ();
///     fn init(self) {}
///     fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
///         (n, x + 1)
///     }
/// }
///
/// let mut b = GraphBuilder::new();
/// let s = b.push_source(Source::new(1_i64));
/// let x = b.push(Comp(Inc, Inc), *s);
/// let y = b.push(Inc.then(Inc).then(Inc), *s);
/// let mut g = Graph::from_builder(b);
/// assert_eq!((g.view(x), g.view(y)), (3, 4));
/// *g.state_mut(s) = 10;
/// g.stabilize(&mut Pool::new(1));
/// assert_eq!((g.view(x), g.view(y)), (12, 13));
/// ```
///
/// A composition whose middle does not match does not compile:
///
/// ```compile_fail,E0271
/// use flowgraph::typed::*;
///
/// // A `Port<i64>` output cannot feed a `RefPort<i64>` input.
/// let wrong = Id::<Port<i64>>::new().then(Id::<RefPort<i64>>::new());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Comp<F, G>(pub F, pub G);

impl<F, G> Segment for Comp<F, G>
where
    F: Segment,
    G: Segment<Inputs = F::Outputs>,
{
    type Inputs = F::Inputs;
    type Outputs = G::Outputs;
    type State = (F::State, G::State);

    fn init(self) -> Self::State {
        (self.0.init(), self.1.init())
    }

    fn __fused(&self) -> Option<Structure> {
        Some(Structure::Comp(
            Box::new(Structure::of(&self.0)),
            Box::new(Structure::of(&self.1)),
        ))
    }

    #[inline(always)]
    fn compute<'a, 'b: 'a>(
        inputs: <F::Inputs as Interface>::Values<'a>,
        (f, g): &'b mut (F::State, G::State),
        init: bool,
    ) -> <G::Outputs as Interface>::Values<'a> {
        G::compute(F::compute(inputs, f, init), g, init)
    }
}
