//! The inside of a fused node: its combinator tree run symbolically.
//!
//! Running the tree on a bundle of symbolic wires (one per input leaf) gives
//! the small data-flow graph the combinators stand for: each plain segment
//! becomes an inner node fed by the wires that reach it, and the plumbing
//! (`Id`, `Left`, `Right`, `Comp`, `Fork`, `Par`) disappears into edges.

use crate::export::shape::{segment_label, PortDesc, PortTree, Structure};

/// One end of an inner edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// Input leaf `i` of the fused node.
    Input(usize),
    /// Inner segment `k`.
    Segment(usize),
    /// Output leaf `j` of the fused node.
    Output(usize),
}

/// A wire inside the fused node.
#[derive(Clone, Debug)]
struct Wire {
    from: End,
    port: Option<PortDesc>,
    name: Option<&'static str>,
}

#[derive(Clone, Debug)]
enum Bundle {
    Wire(Wire),
    Tuple(Vec<Bundle>),
}

impl Bundle {
    fn of(tree: &PortTree, from: End, first: &mut usize, input: bool) -> Bundle {
        match tree {
            PortTree::Leaf(p) => {
                let from = match (from, input) {
                    (End::Input(_), true) => End::Input(*first),
                    (from, _) => from,
                };
                *first += 1;
                Bundle::Wire(Wire {
                    from,
                    port: Some(*p),
                    name: None,
                })
            }
            PortTree::Tuple(items) => Bundle::Tuple(
                items
                    .iter()
                    .map(|t| Bundle::of(t, from, first, input))
                    .collect(),
            ),
        }
    }

    fn wires(&self, out: &mut Vec<Wire>) {
        match self {
            Bundle::Wire(w) => out.push(w.clone()),
            Bundle::Tuple(items) => items.iter().for_each(|i| i.wires(out)),
        }
    }

    /// Names the wires in leaf order, one name each.
    fn name(&mut self, names: &mut std::slice::Iter<'_, &'static str>) {
        match self {
            Bundle::Wire(w) => w.name = names.next().copied(),
            Bundle::Tuple(items) => items.iter_mut().for_each(|i| i.name(names)),
        }
    }

    fn count(&self) -> usize {
        match self {
            Bundle::Wire(_) => 1,
            Bundle::Tuple(items) => items.iter().map(Bundle::count).sum(),
        }
    }

    /// Element `i` of a tuple bundle (an empty bundle if the tree does not
    /// have that shape, which the type checker rules out).
    fn nth(self, i: usize) -> Bundle {
        match self {
            Bundle::Tuple(mut items) if i < items.len() => items.swap_remove(i),
            _ => Bundle::Tuple(Vec::new()),
        }
    }

    fn pair(self) -> (Bundle, Bundle) {
        match self {
            Bundle::Tuple(mut items) if items.len() == 2 => {
                let b = items.pop().expect("two items");
                (items.pop().expect("two items"), b)
            }
            _ => (Bundle::Tuple(Vec::new()), Bundle::Tuple(Vec::new())),
        }
    }
}

/// An edge inside a fused node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InnerEdge {
    pub(crate) from: End,
    pub(crate) to: End,
    /// The wire's type, `name: Type` when the user named it.
    pub(crate) label: String,
}

/// The inside of a fused node.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inner {
    /// The label of each inner segment.
    pub(crate) segments: Vec<String>,
    pub(crate) edges: Vec<InnerEdge>,
}

impl Inner {
    /// Runs `s` on wires shaped like `inputs`, producing `outputs`.
    pub(crate) fn of(s: &Structure, inputs: &PortTree) -> Inner {
        let mut inner = Inner::default();
        let start = Bundle::of(inputs, End::Input(0), &mut 0, true);
        let out = inner.run(s, start);
        let mut wires = Vec::new();
        out.wires(&mut wires);
        for (j, w) in wires.into_iter().enumerate() {
            inner.edge(&w, End::Output(j));
        }
        inner
    }

    fn edge(&mut self, w: &Wire, to: End) {
        let ty = w.port.map_or_else(String::new, |p| p.label());
        let label = match w.name {
            Some(n) => format!("{n}: {ty}"),
            None => ty,
        };
        self.edges.push(InnerEdge {
            from: w.from,
            to,
            label,
        });
    }

    fn run(&mut self, s: &Structure, input: Bundle) -> Bundle {
        match s {
            Structure::Leaf {
                name,
                inputs: _,
                outputs,
            } => {
                let k = self.segments.len();
                self.segments.push(segment_label(name));
                let mut wires = Vec::new();
                input.wires(&mut wires);
                for w in &wires {
                    self.edge(w, End::Segment(k));
                }
                Bundle::of(outputs, End::Segment(k), &mut 0, false)
            }
            Structure::Id => input,
            Structure::Left => input.nth(0),
            Structure::Right => input.nth(1),
            Structure::Pick(i) => input.nth(*i),
            Structure::Nil => Bundle::Tuple(Vec::new()),
            Structure::Comp(f, g) => {
                let mid = self.run(f, input);
                self.run(g, mid)
            }
            Structure::Fork(f, g) => {
                let a = self.run(f, input.clone());
                let b = self.run(g, input);
                Bundle::Tuple(vec![a, b])
            }
            Structure::Par(f, g) => {
                let (x, y) = input.pair();
                let a = self.run(f, x);
                let b = self.run(g, y);
                Bundle::Tuple(vec![a, b])
            }
            Structure::Fan(parts) => {
                Bundle::Tuple(parts.iter().map(|p| self.run(p, input.clone())).collect())
            }
            Structure::Parts(parts) => {
                for p in parts {
                    let mut labels = Vec::new();
                    self::parts(p, &mut labels);
                    self.segments.extend(labels);
                }
                Bundle::Tuple(Vec::new())
            }
            Structure::Named(names, inner) => {
                let mut out = self.run(inner, input);
                if out.count() == names.len() {
                    out.name(&mut names.iter());
                }
                out
            }
        }
    }
}

/// True for the structures drawn as a cluster (a combinator of segments);
/// a lone `Id` or projection is drawn as a plain node.
pub(crate) fn is_fused(s: &Structure) -> bool {
    matches!(
        s,
        Structure::Comp(..)
            | Structure::Fork(..)
            | Structure::Par(..)
            | Structure::Fan(..)
            | Structure::Named(..)
            | Structure::Parts(..)
    )
}

/// The plain segments of `s`, in order.
pub(crate) fn parts(s: &Structure, out: &mut Vec<String>) {
    match s {
        Structure::Leaf { name, .. } => out.push(segment_label(name)),
        Structure::Comp(f, g) | Structure::Fork(f, g) | Structure::Par(f, g) => {
            parts(f, out);
            parts(g, out);
        }
        Structure::Fan(items) | Structure::Parts(items) => items.iter().for_each(|i| parts(i, out)),
        Structure::Named(_, inner) => parts(inner, out),
        Structure::Id
        | Structure::Left
        | Structure::Right
        | Structure::Pick(_)
        | Structure::Nil => {}
    }
}

/// `fused: Add, Add, Mul` (the first parts, then a count).
pub(crate) fn fused_label(s: &Structure) -> String {
    let mut p = Vec::new();
    parts(s, &mut p);
    const SHOWN: usize = 4;
    if p.len() <= SHOWN {
        format!("fused: {}", p.join(", "))
    } else {
        format!(
            "fused: {}, … ({} segments)",
            p[..SHOWN - 1].join(", "),
            p.len()
        )
    }
}
