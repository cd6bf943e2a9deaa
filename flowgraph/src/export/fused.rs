//! The inside of a fused node: its combinator tree run symbolically.
//!
//! Running the tree on a bundle of symbolic wires (one per input leaf) gives
//! the small data-flow graph the combinators stand for: each plain segment
//! becomes an inner node fed by the wires that reach it, and the plumbing
//! (`Id`, `Left`, `Right`, `Comp`, `Fork`, `Par`) disappears into edges.
//! A `segment!` is run the same way along the [`Wiring`] its expansion
//! describes, and its wires keep the names the user wrote.

use crate::export::shape::{segment_label, PortDesc, PortTree, Structure, WireTree, Wiring};

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
    /// The user's name for this wire (`c`, or `p.1` for a leaf of `p`).
    name: Option<String>,
}

#[derive(Clone, Debug)]
enum Bundle {
    Wire(Wire),
    Tuple(Vec<Bundle>),
    /// The fields of a derived interface, by name.
    Fields(Vec<(&'static str, Bundle)>),
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
            PortTree::Fields(fields) => Bundle::Fields(
                fields
                    .iter()
                    .map(|(name, t)| (*name, Bundle::of(t, from, first, input)))
                    .collect(),
            ),
        }
    }

    fn wires(&self, out: &mut Vec<Wire>) {
        match self {
            Bundle::Wire(w) => out.push(w.clone()),
            Bundle::Tuple(items) => items.iter().for_each(|i| i.wires(out)),
            Bundle::Fields(fields) => fields.iter().for_each(|(_, f)| f.wires(out)),
        }
    }

    /// Names every leaf `name` (only those without a name unless
    /// `rename`), a leaf inside a tuple `name.i`, a field `name.field`.
    fn name(&mut self, name: &str, rename: bool) {
        match self {
            Bundle::Wire(w) => {
                if rename || w.name.is_none() {
                    w.name = Some(name.to_string());
                }
            }
            Bundle::Tuple(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    item.name(&format!("{name}.{i}"), rename);
                }
            }
            Bundle::Fields(fields) => {
                for (field, item) in fields {
                    item.name(&format!("{name}.{field}"), rename);
                }
            }
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
    /// The user's name of each input leaf, if it has one.
    pub(crate) inputs: Vec<Option<String>>,
    /// The user's name of each output leaf, if it has one.
    pub(crate) outputs: Vec<Option<String>>,
}

impl Inner {
    /// Runs `s` on wires shaped like `inputs`, producing `outputs`.
    pub(crate) fn of(s: &Structure, inputs: &PortTree) -> Inner {
        let mut inner = Inner::default();
        let mut count = 0;
        let start = Bundle::of(inputs, End::Input(0), &mut count, true);
        inner.inputs = vec![None; count];
        let out = inner.run(s, start);
        let mut wires = Vec::new();
        out.wires(&mut wires);
        for (j, w) in wires.into_iter().enumerate() {
            inner.edge(&w, End::Output(j));
            inner.outputs.push(w.name);
        }
        inner
    }

    fn edge(&mut self, w: &Wire, to: End) {
        let ty = w.port.map_or_else(String::new, |p| p.label());
        let label = match &w.name {
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
            Structure::Wired { wiring, parts } => self.run_wired(wiring, parts, input),
        }
    }

    /// Runs a `segment!` body: binds the inputs to the user's wires, feeds
    /// each application what it reads and binds what it outputs, and
    /// returns the wires of the outputs.
    ///
    /// A wire keeps the name of its last `let`; but the inputs of a nested
    /// `segment!` keep the names the enclosing body gave them.
    fn run_wired(&mut self, wiring: &Wiring, parts: &[Structure], input: Bundle) -> Bundle {
        let mut env: Vec<Option<Bundle>> = vec![None; wiring.wires.len()];
        self.bind(wiring, &wiring.inputs, input, &mut env, false);
        for ((reads, pattern), part) in wiring.steps.iter().zip(parts) {
            let args = read(reads, &env);
            let out = self.run(part, args);
            self.bind(wiring, pattern, out, &mut env, true);
        }
        read(&wiring.outputs, &env)
    }

    /// Binds `value` to `pattern`, naming the wires it binds.
    fn bind(
        &mut self,
        wiring: &Wiring,
        pattern: &WireTree,
        mut value: Bundle,
        env: &mut [Option<Bundle>],
        rename: bool,
    ) {
        match pattern {
            WireTree::Wire(id) => {
                if let Some(name) = wiring.wires.get(*id).filter(|n| !n.is_empty()) {
                    value.name(name, rename);
                }
                // An input leaf takes the name of the wire it is bound to.
                let mut leaves = Vec::new();
                value.wires(&mut leaves);
                for w in leaves {
                    if let End::Input(i) = w.from {
                        if let Some(slot @ None) = self.inputs.get_mut(i) {
                            *slot = w.name;
                        }
                    }
                }
                if let Some(slot) = env.get_mut(*id) {
                    *slot = Some(value);
                }
            }
            WireTree::Dead => {}
            WireTree::Tuple(items) => {
                let parts = match value {
                    Bundle::Tuple(parts) if parts.len() == items.len() => parts,
                    // A shape the type checker rules out.
                    _ => return,
                };
                for (item, part) in items.iter().zip(parts) {
                    self.bind(wiring, item, part, env, rename);
                }
            }
        }
    }
}

/// The wires `reads` reads from `env`.
fn read(reads: &WireTree, env: &[Option<Bundle>]) -> Bundle {
    match reads {
        WireTree::Wire(id) => env
            .get(*id)
            .and_then(Clone::clone)
            .unwrap_or(Bundle::Tuple(Vec::new())),
        WireTree::Dead => Bundle::Tuple(Vec::new()),
        WireTree::Tuple(items) => Bundle::Tuple(items.iter().map(|r| read(r, env)).collect()),
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
            | Structure::Wired { .. }
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
        Structure::Fan(items) | Structure::Wired { parts: items, .. } => {
            items.iter().for_each(|i| parts(i, out))
        }
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
