//! Phase 3: wires → a pipeline of combinators.
//!
//! The body becomes a sequence of *stages*, one per `let` plus one for the
//! outputs. Between stages flows an *environment*: exactly the wires still
//! to be read, as a balanced binary tree of pairs (so no tuple is wider than
//! 2 and the type of an environment grows with the number of live wires,
//! never with the length of the body). Stage `k` turns environment `k` into
//! environment `k + 1`:
//!
//! ```text
//! Fork(Apply(args, segment_k), keep)      // (outputs of segment_k, live wires)
//! ```
//!
//! where `args` and `keep` are selections built from `Id`, `Left`, `Right`,
//! `Comp`, `Fork` (and `Par`, by peephole). A wire dies right after its last
//! read: it is simply not kept. Tuples the user wrote (inputs, patterns,
//! wires fed to a segment, outputs) keep their arity: pairs use `Left`,
//! `Right` and `Fork`; other arities use the n-ary `Pick` / `Fan` helpers.

use proc_macro2::Span;
use syn::Type;

use super::resolve::{strip_parens, Read, Resolved, Shape, WireId};

/// A combinator expression over the current environment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Plumb {
    Id,
    /// Projections; the span is the user pattern they destructure, if any.
    Left(Option<SpanEq>),
    Right(Option<SpanEq>),
    Pick {
        index: usize,
        arity: usize,
        span: Option<SpanEq>,
    },
    /// `g` after `f`.
    Comp(Box<Plumb>, Box<Plumb>),
    Fork(Box<Plumb>, Box<Plumb>),
    /// An n-ary fork, n ≠ 2 (n = 0 builds `()`).
    Fan(Vec<Plumb>),
    Par(Box<Plumb>, Box<Plumb>),
    /// The user's segment number `step`, fed by `args`.
    Apply {
        args: Box<Plumb>,
        step: usize,
    },
    /// An output, checked against its declared interface.
    Expect {
        inner: Box<Plumb>,
        ty: Box<Type>,
        span: SpanEq,
    },
}

pub(crate) use super::resolve::SpanEq;

/// The lowered body: stage `k` reads the outputs of stage `k - 1` (stage 0
/// reads the inputs); the last stage produces the outputs.
pub(crate) struct Lowered {
    pub(crate) stages: Vec<Plumb>,
}

/// The path of projections to each wire of a shape.
fn path_to(shape: &Shape, wire: WireId, path: &mut Vec<Plumb>) -> bool {
    match shape {
        Shape::Wire(w) => *w == wire,
        Shape::Dead => false,
        Shape::Tuple(items, span) => {
            for (i, item) in items.iter().enumerate() {
                let proj = match (items.len(), i) {
                    (2, 0) => Plumb::Left(*span),
                    (2, 1) => Plumb::Right(*span),
                    (arity, index) => Plumb::Pick {
                        index,
                        arity,
                        span: *span,
                    },
                };
                path.push(proj);
                if path_to(item, wire, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
    }
}

fn select(env: &Shape, wire: WireId) -> Plumb {
    let mut path = Vec::new();
    let found = path_to(env, wire, &mut path);
    assert!(found, "wire {wire} is not live in {env:?}");
    // Right-nested, so the outermost projection comes first.
    path.into_iter()
        .rev()
        .reduce(|inner, outer| Plumb::Comp(Box::new(outer), Box::new(inner)))
        .unwrap_or(Plumb::Id)
}

fn tuple(mut items: Vec<Plumb>) -> Plumb {
    if items.len() == 2 {
        let b = items.pop().unwrap();
        let a = items.pop().unwrap();
        Plumb::Fork(Box::new(a), Box::new(b))
    } else {
        Plumb::Fan(items)
    }
}

fn build(read: &Read, env: &Shape) -> Plumb {
    match read {
        Read::Wire(w, _) => select(env, *w),
        Read::Tuple(items, _) => tuple(items.iter().map(|r| build(r, env)).collect()),
    }
}

fn build_outputs(read: &Read, ty: Option<&Type>, env: &Shape) -> Plumb {
    let Some(ty) = ty else {
        return build(read, env);
    };
    match (read, strip_parens(ty)) {
        (Read::Tuple(items, _), Type::Tuple(t)) if items.len() == t.elems.len() => tuple(
            items
                .iter()
                .zip(&t.elems)
                .map(|(r, t)| build_outputs(r, Some(t), env))
                .collect(),
        ),
        (read, ty) => Plumb::Expect {
            inner: Box::new(build(read, env)),
            ty: Box::new(ty.clone()),
            span: SpanEq(read.span()),
        },
    }
}

fn leaves(shape: &Shape, out: &mut Vec<WireId>) {
    match shape {
        Shape::Wire(w) => out.push(*w),
        Shape::Dead => {}
        Shape::Tuple(items, _) => items.iter().for_each(|s| leaves(s, out)),
    }
}

/// A balanced binary tree of wires.
fn balanced(wires: &[WireId]) -> Shape {
    match wires {
        [w] => Shape::Wire(*w),
        _ => {
            let (l, r) = wires.split_at(wires.len() / 2);
            Shape::Tuple(vec![balanced(l), balanced(r)], None)
        }
    }
}

fn reads(read: &Read, out: &mut Vec<WireId>) {
    match read {
        Read::Wire(w, _) => out.push(*w),
        Read::Tuple(items, _) => items.iter().for_each(|r| reads(r, out)),
    }
}

/// Lowers a resolved body (free of errors) to stages.
pub(crate) fn lower(r: &Resolved) -> Lowered {
    // last_use[w] = index of the last stage reading `w` (the outputs stage is
    // `steps.len()`).
    let mut last_use = vec![0_usize; r.wires.len()];
    let mut seen = Vec::new();
    for (k, step) in r.steps.iter().enumerate() {
        seen.clear();
        reads(&step.args, &mut seen);
        seen.iter().for_each(|&w| last_use[w] = k);
    }
    seen.clear();
    reads(&r.outputs, &mut seen);
    seen.iter().for_each(|&w| last_use[w] = r.steps.len());

    let mut env = r.inputs.clone();
    let mut stages = Vec::new();
    for (k, step) in r.steps.iter().enumerate() {
        let apply = Plumb::Apply {
            args: Box::new(build(&step.args, &env)),
            step: k,
        };
        let mut live = Vec::new();
        leaves(&env, &mut live);
        live.retain(|&w| last_use[w] > k);
        if live.is_empty() {
            stages.push(simplify(apply));
            env = step.out.clone();
        } else {
            let keep_shape = balanced(&live);
            let keep = build(&shape_read(&keep_shape), &env);
            stages.push(simplify(Plumb::Fork(Box::new(apply), Box::new(keep))));
            env = Shape::Tuple(vec![step.out.clone(), keep_shape], None);
        }
    }
    stages.push(simplify(build_outputs(
        &r.outputs,
        r.output_ty.as_ref(),
        &env,
    )));
    Lowered { stages }
}

fn shape_read(shape: &Shape) -> Read {
    match shape {
        Shape::Wire(w) => Read::Wire(*w, Span::call_site()),
        Shape::Tuple(items, _) => {
            Read::Tuple(items.iter().map(shape_read).collect(), Span::call_site())
        }
        Shape::Dead => unreachable!("keep trees hold live wires only"),
    }
}

/// Splits `p` into (first projection, rest) when it starts with an unchecked
/// `Left` (`side == 0`) or `Right` (`side == 1`).
fn strip_head(p: &Plumb, side: usize) -> Option<Plumb> {
    // Pairs are projected with `Left` / `Right` only (`path_to` never builds
    // a `Pick` of arity 2).
    let is_head = |q: &Plumb| matches!((q, side), (Plumb::Left(None), 0) | (Plumb::Right(None), 1));
    match p {
        q if is_head(q) => Some(Plumb::Id),
        Plumb::Comp(f, g) if is_head(f) => Some((**g).clone()),
        _ => None,
    }
}

/// Peepholes: `Comp(Id, f) = f`, `Fork(Left, Right) = Id`,
/// `Fork(Comp(Left, f), Comp(Right, g)) = Par(f, g)`, `Par(Id, Id) = Id`.
/// Checked projections (destructuring a user pattern) are kept.
pub(crate) fn simplify(p: Plumb) -> Plumb {
    match p {
        Plumb::Comp(f, g) => match (simplify(*f), simplify(*g)) {
            (Plumb::Id, g) => g,
            (f, Plumb::Id) => f,
            (f, g) => Plumb::Comp(Box::new(f), Box::new(g)),
        },
        Plumb::Fork(f, g) => {
            let (f, g) = (simplify(*f), simplify(*g));
            match (strip_head(&f, 0), strip_head(&g, 1)) {
                (Some(f2), Some(g2)) => simplify(Plumb::Par(Box::new(f2), Box::new(g2))),
                _ => Plumb::Fork(Box::new(f), Box::new(g)),
            }
        }
        Plumb::Par(f, g) => match (simplify(*f), simplify(*g)) {
            (Plumb::Id, Plumb::Id) => Plumb::Id,
            (f, g) => Plumb::Par(Box::new(f), Box::new(g)),
        },
        Plumb::Fan(items) => {
            let items: Vec<_> = items.into_iter().map(simplify).collect();
            let n = items.len();
            let identity = n > 0
                && items.iter().enumerate().all(|(i, q)| {
                    matches!(q, Plumb::Pick { index, arity, span: None } if *index == i && *arity == n)
                });
            if identity {
                Plumb::Id
            } else {
                Plumb::Fan(items)
            }
        }
        Plumb::Apply { args, step } => Plumb::Apply {
            args: Box::new(simplify(*args)),
            step,
        },
        Plumb::Expect { inner, ty, span } => Plumb::Expect {
            inner: Box::new(simplify(*inner)),
            ty,
            span,
        },
        leaf => leaf,
    }
}

/// A compact rendering, for tests and debugging.
#[cfg(test)]
pub(crate) fn render(p: &Plumb) -> String {
    match p {
        Plumb::Id => "Id".into(),
        Plumb::Left(s) => if s.is_some() { "Left!" } else { "Left" }.into(),
        Plumb::Right(s) => if s.is_some() { "Right!" } else { "Right" }.into(),
        Plumb::Pick { index, arity, .. } => format!("Pick{index}/{arity}"),
        Plumb::Comp(f, g) => format!("Comp({}, {})", render(f), render(g)),
        Plumb::Fork(f, g) => format!("Fork({}, {})", render(f), render(g)),
        Plumb::Fan(v) => format!(
            "Fan({})",
            v.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Plumb::Par(f, g) => format!("Par({}, {})", render(f), render(g)),
        Plumb::Apply { args, step } => format!("Apply#{step}({})", render(args)),
        Plumb::Expect { inner, .. } => format!("Expect({})", render(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::parse::parse;
    use crate::arrow::resolve::resolve;
    use crate::arrow::Errors;
    use quote::quote;

    fn stages(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        let def = parse(tokens, &mut errors).expect("parses");
        let r = resolve(def, &mut errors).unwrap();
        assert!(errors.is_empty(), "{:?}", errors.messages());
        lower(&r).stages.iter().map(render).collect()
    }

    #[test]
    fn spec_block() {
        let s = stages(quote! {
            |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
                let c = (b, a) => Add;
                let d = (c, a) => Add;
                let e = (d, a) => Add;
                (e, d, c)
            }
        });
        assert_eq!(
            s,
            [
                // env (a, b) → (c, a): a is kept, b dies.
                "Fork(Apply#0(Fork(Right, Left)), Left)",
                // env (c, a) → (d, (c, a)): both still live.
                "Fork(Apply#1(Id), Id)",
                // env (d, (c, a)) → (e, (d, c)): a dies; `(d, a)` and
                // `(d, c)` are `Par`s of the environment's two halves.
                "Fork(Apply#2(Par(Id, Right)), Par(Id, Left))",
                // env (e, (d, c)) → (e, d, c).
                "Fan(Expect(Left), Expect(Comp(Right, Left)), Expect(Comp(Right, Right)))",
            ]
        );
    }

    #[test]
    fn identity_and_par() {
        let s =
            stages(quote! { |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) { (a, b) } });
        assert_eq!(s, ["Fork(Expect(Left), Expect(Right))"]);
        let s = stages(quote! { |a: Port<i64>, b: Port<i64>| -> _ { (a, b) } });
        assert_eq!(s, ["Expect(Id)"]);
    }

    #[test]
    fn par_from_a_split_pair() {
        // Keep both halves of an env pair, each transformed: a `Par`.
        let s = stages(quote! {
            |x: (Port<i64>, Port<i64>), y: (Port<i64>, Port<i64>)| -> Port<i64> {
                let (a, _) = x => Id::new();
                let (_, b) = y => Id::new();
                let z = (b, a) => Add;
                z
            }
        });
        assert_eq!(s[0], "Fork(Apply#0(Left), Right)");
        assert_eq!(s[1], "Fork(Apply#1(Right), Comp(Left, Left!))");
        // env ((_, b), a): `(b, a)` is `Par(Right!, Id)`.
        assert_eq!(s[2], "Apply#2(Par(Right!, Id))");
    }

    #[test]
    fn dead_wires_are_dropped_at_once() {
        let s = stages(quote! {
            |a: Port<i64>, _b: Port<i64>| -> Port<i64> {
                let x = a => Inc;
                let y = x => Inc;
                y
            }
        });
        // `_b` is never carried; `a` and `x` die at their only read.
        assert_eq!(s, ["Apply#0(Left)", "Apply#1(Id)", "Expect(Id)"]);
    }

    #[test]
    fn wide_environments_stay_binary() {
        let s = stages(quote! {
            |a: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>) {
                let b = a => Inc;
                let c = a => Inc;
                let d = a => Inc;
                let e = a => Inc;
                (a, b, c, d, e)
            }
        });
        assert!(s.iter().all(|s| !s.contains("Pick")), "{s:?}");
        assert!(s.last().unwrap().starts_with("Fan("));
    }

    #[test]
    fn patterns_use_checked_projections() {
        let s = stages(quote! {
            |x: Port<i64>| -> (Port<i64>, Port<i64>) {
                let (p, q, r) = x => Split3;
                let s = (r, p) => Add;
                (s, q)
            }
        });
        assert_eq!(s[0], "Apply#0(Id)");
        assert_eq!(s[1], "Fork(Apply#1(Fork(Pick2/3, Pick0/3)), Pick1/3)");
    }
}
