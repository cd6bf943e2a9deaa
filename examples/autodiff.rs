//! Reverse-mode automatic differentiation as graph nodes.
//!
//! A [`Tape`] wraps a `GraphBuilder`: each operation (`add`, `mul`, `sin`,
//! `exp`, `log`, `pow`, `dot` over a group) pushes a `#[segment_fn]` node and
//! records what it consumed. [`Tape::backward`] then pushes the backward
//! graph into the same builder: one node per partial derivative
//! ("contribution") and, for each variable, an adjoint node that sums its
//! contributions through a `RefPorts` group. After a poke, one `stabilize`
//! recomputes the value and every gradient, and only in the cone of what was
//! poked.
//!
//! The example checks the gradients of three functions against central
//! finite differences (computed with the same graph) after a series of pokes,
//! and that poking one input reruns exactly the nodes that depend on it.
//!
//! Run with `cargo run --release --example autodiff`.

use std::collections::BTreeSet;

use flowgraph::core::Pool;
use flowgraph::typed::*;

// Forward operations. Every value rides a `RefPort<f64>` (a reference into
// the producing node's state), so any of them can join a `RefPorts` group.

#[flowgraph::segment_fn]
fn add(#[state] out: &mut f64, a: &f64, b: &f64) -> &f64 {
    *out = a + b;
    out
}

#[flowgraph::segment_fn]
fn mul(#[state] out: &mut f64, a: &f64, b: &f64) -> &f64 {
    *out = a * b;
    out
}

#[flowgraph::segment_fn]
fn sin(#[state] out: &mut f64, x: &f64) -> &f64 {
    *out = x.sin();
    out
}

#[flowgraph::segment_fn]
fn exp(#[state] out: &mut f64, x: &f64) -> &f64 {
    *out = x.exp();
    out
}

#[flowgraph::segment_fn]
fn log(#[state] out: &mut f64, x: &f64) -> &f64 {
    *out = x.ln();
    out
}

/// `x^y`, both variables.
#[flowgraph::segment_fn]
fn pow(#[state] out: &mut f64, x: &f64, y: &f64) -> &f64 {
    *out = x.powf(*y);
    out
}

/// The dot product of two groups of the same length.
#[flowgraph::segment_fn]
fn dot(#[state] out: &mut f64, xs: &[&f64], ys: &[&f64]) -> &f64 {
    *out = xs.iter().zip(ys).map(|(x, y)| **x * **y).sum();
    out
}

// Backward nodes: `g` is the adjoint of the operation's output.

/// An adjoint: the sum of a variable's contributions.
#[flowgraph::segment_fn]
fn sum(#[state] out: &mut f64, parts: &[&f64]) -> &f64 {
    *out = parts.iter().copied().sum();
    out
}

/// `g · a`: the contribution through `mul`, `exp` (a = the output) and `dot`.
#[flowgraph::segment_fn]
fn scale(#[state] out: &mut f64, g: &f64, a: &f64) -> &f64 {
    *out = g * a;
    out
}

#[flowgraph::segment_fn]
fn sin_back(#[state] out: &mut f64, g: &f64, x: &f64) -> &f64 {
    *out = g * x.cos();
    out
}

#[flowgraph::segment_fn]
fn log_back(#[state] out: &mut f64, g: &f64, x: &f64) -> &f64 {
    *out = g / x;
    out
}

/// `∂(x^y)/∂x = y · x^(y−1)`.
#[flowgraph::segment_fn]
fn pow_back_base(#[state] out: &mut f64, g: &f64, x: &f64, y: &f64) -> &f64 {
    *out = g * y * x.powf(y - 1.0);
    out
}

/// `∂(x^y)/∂y = x^y · ln x`, from the forward output `x^y`.
#[flowgraph::segment_fn]
fn pow_back_exp(#[state] out: &mut f64, g: &f64, power: &f64, x: &f64) -> &f64 {
    *out = g * power * x.ln();
    out
}

/// A variable: a forward value in the graph.
#[derive(Clone, Copy, Debug)]
struct Var(usize);

type Value = Handle<RefPort<f64>>;

/// An operation recorded on the tape: its inputs and its output.
enum Op {
    Add(Var, Var),
    Mul(Var, Var),
    Sin(Var),
    Exp(Var),
    Log(Var),
    Pow(Var, Var),
    Dot(Vec<Var>, Vec<Var>),
}

/// Records a function as forward nodes, then derives its backward graph.
struct Tape {
    b: GraphBuilder,
    values: Vec<Value>,
    ops: Vec<(Op, Var)>,
    /// Each pushed node's inputs, by node id: the tape's own record of the
    /// wiring, used to predict what a poke recomputes.
    inputs: Vec<Vec<usize>>,
}

impl Tape {
    fn new() -> Tape {
        Tape {
            b: GraphBuilder::new(),
            values: Vec::new(),
            ops: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// Pushes a node and records its inputs.
    fn node(&mut self, inputs: &[Value], push: impl FnOnce(&mut GraphBuilder) -> Value) -> Value {
        let h = push(&mut self.b);
        assert_eq!(h.node(), self.inputs.len());
        self.inputs.push(inputs.iter().map(|i| i.node()).collect());
        h
    }

    /// An input the user pokes.
    fn input(&mut self, x: f64) -> (Var, SourceHandle<RefSource<f64>>) {
        let s = self.b.push_source(RefSource::new(x));
        self.inputs.push(Vec::new());
        self.values.push(*s);
        (Var(self.values.len() - 1), s)
    }

    fn op(&mut self, op: Op) -> Var {
        let v = |x: &Var| self.values[x.0];
        let h = match &op {
            Op::Add(a, b) => {
                let ins = [v(a), v(b)];
                self.node(&ins, |g| g.push(Add, (ins[0], ins[1])))
            }
            Op::Mul(a, b) => {
                let ins = [v(a), v(b)];
                self.node(&ins, |g| g.push(Mul, (ins[0], ins[1])))
            }
            Op::Pow(a, b) => {
                let ins = [v(a), v(b)];
                self.node(&ins, |g| g.push(Pow, (ins[0], ins[1])))
            }
            Op::Sin(x) => {
                let ins = [v(x)];
                self.node(&ins, |g| g.push(Sin, ins[0]))
            }
            Op::Exp(x) => {
                let ins = [v(x)];
                self.node(&ins, |g| g.push(Exp, ins[0]))
            }
            Op::Log(x) => {
                let ins = [v(x)];
                self.node(&ins, |g| g.push(Log, ins[0]))
            }
            Op::Dot(xs, ys) => {
                assert_eq!(xs.len(), ys.len(), "dot: groups of different lengths");
                let xs: Vec<Value> = xs.iter().map(v).collect();
                let ys: Vec<Value> = ys.iter().map(v).collect();
                let ins: Vec<Value> = xs.iter().chain(&ys).copied().collect();
                self.node(&ins, |g| g.push(Dot, (xs, ys)))
            }
        };
        self.values.push(h);
        let out = Var(self.values.len() - 1);
        self.ops.push((op, out));
        out
    }

    fn add(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Add(a, b))
    }
    fn mul(&mut self, a: Var, b: Var) -> Var {
        self.op(Op::Mul(a, b))
    }
    fn sin(&mut self, x: Var) -> Var {
        self.op(Op::Sin(x))
    }
    fn exp(&mut self, x: Var) -> Var {
        self.op(Op::Exp(x))
    }
    fn log(&mut self, x: Var) -> Var {
        self.op(Op::Log(x))
    }
    fn pow(&mut self, x: Var, y: Var) -> Var {
        self.op(Op::Pow(x, y))
    }
    fn dot(&mut self, xs: &[Var], ys: &[Var]) -> Var {
        self.op(Op::Dot(xs.to_vec(), ys.to_vec()))
    }

    /// Pushes the backward graph of `out` and freezes everything into one
    /// graph whose adjoint nodes give `∂out/∂wrt[i]`.
    fn backward(mut self, out: Var, wrt: &[Var]) -> Gradient {
        // Contributions to each variable's adjoint, filled in reverse order:
        // every consumer of a variable comes after it on the tape.
        let mut parts: Vec<Vec<Value>> = vec![Vec::new(); self.values.len()];
        let seed = self.b.push_source(RefSource::new(1.0));
        self.inputs.push(Vec::new());
        parts[out.0].push(*seed);
        let ops = std::mem::take(&mut self.ops);
        for (op, o) in ops.iter().rev() {
            if parts[o.0].is_empty() {
                continue; // `out` does not depend on this operation
            }
            let g = self.adjoint(&parts[o.0]);
            let values = self.values.clone();
            let val = |x: &Var| values[x.0];
            let y = values[o.0];
            let mut contributions: Vec<(Var, Value)> = Vec::new();
            match op {
                // ∂(a+b) = g for both: the adjoint itself joins their groups.
                Op::Add(a, b) => contributions.extend([(*a, g), (*b, g)]),
                Op::Mul(a, b) => {
                    let (va, vb) = (val(a), val(b));
                    let da = self.node(&[g, vb], |b| b.push(Scale, (g, vb)));
                    let db = self.node(&[g, va], |b| b.push(Scale, (g, va)));
                    contributions.extend([(*a, da), (*b, db)]);
                }
                Op::Sin(x) => {
                    let vx = val(x);
                    contributions.push((*x, self.node(&[g, vx], |b| b.push(SinBack, (g, vx)))));
                }
                Op::Exp(x) => {
                    contributions.push((*x, self.node(&[g, y], |b| b.push(Scale, (g, y)))));
                }
                Op::Log(x) => {
                    let vx = val(x);
                    contributions.push((*x, self.node(&[g, vx], |b| b.push(LogBack, (g, vx)))));
                }
                Op::Pow(x, e) => {
                    let (vx, ve) = (val(x), val(e));
                    let dx = self.node(&[g, vx, ve], |b| b.push(PowBackBase, (g, vx, ve)));
                    let de = self.node(&[g, y, vx], |b| b.push(PowBackExp, (g, y, vx)));
                    contributions.extend([(*x, dx), (*e, de)]);
                }
                Op::Dot(xs, ys) => {
                    for (x, e) in xs.iter().zip(ys) {
                        let (vx, ve) = (val(x), val(e));
                        let dx = self.node(&[g, ve], |b| b.push(Scale, (g, ve)));
                        let de = self.node(&[g, vx], |b| b.push(Scale, (g, vx)));
                        contributions.extend([(*x, dx), (*e, de)]);
                    }
                }
            }
            for (v, c) in contributions {
                parts[v.0].push(c);
            }
        }
        let grads = wrt
            .iter()
            .map(|w| {
                assert!(
                    !parts[w.0].is_empty(),
                    "the output does not depend on {w:?}"
                );
                self.adjoint(&parts[w.0])
            })
            .collect();
        let value = self.values[out.0];
        Gradient {
            g: Graph::from_builder(self.b),
            value,
            grads,
            inputs: self.inputs,
        }
    }

    /// The adjoint of a variable: a `RefPorts` sum of its contributions.
    fn adjoint(&mut self, parts: &[Value]) -> Value {
        let group = parts.to_vec();
        self.node(parts, |b| b.push(Sum, group))
    }
}

/// A function and its gradient, in one frozen graph.
struct Gradient {
    g: Graph,
    value: Value,
    grads: Vec<Value>,
    inputs: Vec<Vec<usize>>,
}

impl Gradient {
    fn value(&self) -> f64 {
        *self.g.ref_view(self.value)
    }

    fn gradient(&self) -> Vec<f64> {
        self.grads.iter().map(|&h| *self.g.ref_view(h)).collect()
    }

    /// The nodes that depend on `node` (itself included), from the tape's
    /// record of the wiring.
    fn cone(&self, node: usize) -> BTreeSet<usize> {
        let mut cone = BTreeSet::from([node]);
        for (id, ins) in self.inputs.iter().enumerate().skip(node + 1) {
            if ins.iter().any(|i| cone.contains(i)) {
                cone.insert(id);
            }
        }
        cone
    }
}

/// `|a − b| / max(|a|, |b|, 1)`: relative, or absolute below 1.
fn rel_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

/// A deterministic sequence of input values in `[lo, hi)`.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Pokes the inputs `pokes` times, checking value and gradient each time
/// against `f` and central differences; returns the worst gradient error.
fn check(
    name: &str,
    grad: &mut Gradient,
    sources: &[SourceHandle<RefSource<f64>>],
    range: (f64, f64),
    pokes: usize,
    f: impl Fn(&[f64]) -> f64,
) -> f64 {
    let mut pool = Pool::new(2);
    let mut rng = Lcg(name.len() as u64);
    let mut worst = 0f64;
    for _ in 0..pokes {
        let x: Vec<f64> = sources.iter().map(|_| rng.next(range.0, range.1)).collect();
        for (s, &v) in sources.iter().zip(&x) {
            *grad.g.state_mut(*s) = v;
        }
        grad.g.stabilize(&mut pool);
        assert!(rel_error(grad.value(), f(&x)) < 1e-12, "{name}: value");
        let analytic = grad.gradient();
        for (i, s) in sources.iter().enumerate() {
            let h = 1e-5 * x[i].abs().max(1.0);
            let mut at = |v: f64| {
                *grad.g.state_mut(*s) = v;
                grad.g.stabilize(&mut pool);
                grad.value()
            };
            let numeric = (at(x[i] + h) - at(x[i] - h)) / (2.0 * h);
            at(x[i]);
            let e = rel_error(analytic[i], numeric);
            assert!(
                e <= 1e-6,
                "{name}: ∂/∂x{i} = {} but finite differences give {numeric} (error {e:e})",
                analytic[i]
            );
            worst = worst.max(e);
        }
    }
    worst
}

/// Poking one input reruns exactly its cone: the nodes that depend on it.
fn check_cone(grad: &mut Gradient, source: SourceHandle<RefSource<f64>>) -> (usize, usize) {
    let mut pool = Pool::new(1);
    let cone = grad.cone(source.node());
    *grad.g.state_mut(source) += 0.125;
    grad.g.stabilize(&mut pool);
    let ran = grad.g.stats().last_cone;
    assert_eq!(
        ran,
        cone.len(),
        "a poke reran {ran} nodes, its cone holds {}",
        cone.len()
    );
    assert!(ran < grad.g.len());
    (ran, grad.g.len())
}

fn main() {
    // Small sizes under `cargo test`, full ones with `cargo run`.
    let (pokes, n) = if cfg!(test) { (4, 6) } else { (50, 64) };

    // f(x, y) = sin(x·y) + exp(x)·log(y)
    let mut t = Tape::new();
    let (x, sx) = t.input(0.5);
    let (y, sy) = t.input(2.0);
    let xy = t.mul(x, y);
    let s = t.sin(xy);
    let ex = t.exp(x);
    let ly = t.log(y);
    let p = t.mul(ex, ly);
    let out = t.add(s, p);
    let mut g1 = t.backward(out, &[x, y]);
    let f1 = |v: &[f64]| (v[0] * v[1]).sin() + v[0].exp() * v[1].ln();
    let e1 = check(
        "sin(xy) + exp(x) log(y)",
        &mut g1,
        &[sx, sy],
        (0.2, 3.0),
        pokes,
        f1,
    );
    let c1 = check_cone(&mut g1, sy);

    // f(x, y, z) = x^y · z + log(exp(z) + x·x): pow with both variables,
    // and `x` reaching the output along three paths.
    let mut t = Tape::new();
    let (x, sx) = t.input(1.5);
    let (y, sy) = t.input(0.7);
    let (z, sz) = t.input(-0.3);
    let xp = t.pow(x, y);
    let a = t.mul(xp, z);
    let ez = t.exp(z);
    let xx = t.mul(x, x);
    let inner = t.add(ez, xx);
    let l = t.log(inner);
    let out = t.add(a, l);
    let mut g2 = t.backward(out, &[x, y, z]);
    let f2 = |v: &[f64]| v[0].powf(v[1]) * v[2] + (v[2].exp() + v[0] * v[0]).ln();
    let e2 = check(
        "x^y z + log(exp(z) + x²)",
        &mut g2,
        &[sx, sy, sz],
        (0.3, 2.0),
        pokes,
        f2,
    );
    let c2 = check_cone(&mut g2, sz);

    // f(w, v) = sin(w·v) + log(1 + w·w): dots over groups of `n` inputs.
    let mut t = Tape::new();
    let ws: Vec<_> = (0..n).map(|i| t.input(i as f64 / n as f64)).collect();
    let vs: Vec<_> = (0..n).map(|i| t.input(1.0 - i as f64 / n as f64)).collect();
    let (one, s_one) = t.input(1.0);
    let w: Vec<Var> = ws.iter().map(|p| p.0).collect();
    let v: Vec<Var> = vs.iter().map(|p| p.0).collect();
    let wv = t.dot(&w, &v);
    let s = t.sin(wv);
    let ww = t.dot(&w, &w);
    let inner = t.add(one, ww);
    let l = t.log(inner);
    let out = t.add(s, l);
    let wrt: Vec<Var> = w.iter().chain(&v).copied().collect();
    let mut g3 = t.backward(out, &wrt);
    let sources: Vec<_> = ws.iter().chain(&vs).map(|p| p.1).collect();
    let f3 = |x: &[f64]| {
        let (w, v) = x.split_at(n);
        let wv: f64 = w.iter().zip(v).map(|(a, b)| a * b).sum();
        let ww: f64 = w.iter().map(|a| a * a).sum();
        wv.sin() + (1.0 + ww).ln()
    };
    let e3 = check(
        "sin(w·v) + log(1 + w·w)",
        &mut g3,
        &sources,
        (-0.5, 0.5),
        pokes,
        f3,
    );
    let c3 = check_cone(&mut g3, vs[0].1);
    // `one` feeds only `1 + w·w`: its cone is a sliver of the graph.
    let c3b = check_cone(&mut g3, s_one);

    for (name, e, (ran, len)) in [
        ("sin(xy) + exp(x) log(y)", e1, c1),
        ("x^y z + log(exp(z) + x²)", e2, c2),
        ("sin(w·v) + log(1 + w·w)", e3, c3),
    ] {
        println!(
            "{name:<26} {len:>4} nodes, gradient vs finite differences after {pokes} pokes: worst error {e:.1e}; \
             poking one input reran {ran} nodes"
        );
    }
    println!(
        "poking the constant 1 of the third function reran {} of {} nodes",
        c3b.0, c3b.1
    );
}

#[test]
fn autodiff() {
    main();
}
