//! Phase 2: names → wires.
//!
//! Every binding (an input or a name in a `let` pattern) becomes a wire with
//! an id; every read is resolved to one. Checked here: undefined wires,
//! wires defined twice (wires are single-assignment, so shadowing is refused
//! too), wires never read (an error: a computed value nobody reads is almost
//! always a mis-wiring; a name starting with `_`, or `_` itself, drops a wire
//! on purpose), and the arity limit of interfaces (tuples of at most 12).

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Expr, Ident, Type};

use super::parse::{Pat, SegmentDef, Wires};
use super::Errors;
use crate::{too_wide, MAX_ARITY};

pub(crate) type WireId = usize;

/// A binding.
pub(crate) struct Wire {
    pub(crate) name: Ident,
    pub(crate) used: bool,
    /// Made by the macro (the result of a tail application), not named by
    /// the user.
    pub(crate) synthetic: bool,
}

/// Where wires sit in a tree of values (an environment, or an output).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Wire(WireId),
    /// A value nobody reads (`_`).
    Dead,
    /// A tuple. The span is the user's pattern when the tuple is a
    /// destructuring the types must confirm; `None` when the macro built it.
    Tuple(Vec<Shape>, Option<SpanEq>),
}

/// A span that compares equal to any other (spans do not implement `Eq`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpanEq(pub(crate) Span);
impl PartialEq for SpanEq {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Wires read, shaped as the user wrote them.
#[derive(Clone, Debug)]
pub(crate) enum Read {
    Wire(WireId, Span),
    Tuple(Vec<Read>, Span),
}

impl Read {
    pub(crate) fn span(&self) -> Span {
        match self {
            Read::Wire(_, s) | Read::Tuple(_, s) => *s,
        }
    }
}

/// One application `let out = args => segment;`.
pub(crate) struct Step {
    pub(crate) args: Read,
    pub(crate) segment: Expr,
    pub(crate) out: Shape,
}

/// The resolved invocation.
pub(crate) struct Resolved {
    pub(crate) wires: Vec<Wire>,
    /// The shape of the inputs: the environment before the first step.
    pub(crate) inputs: Shape,
    pub(crate) steps: Vec<Step>,
    pub(crate) outputs: Read,
    pub(crate) output_ty: Option<Type>,
}

struct Scope<'e> {
    wires: Vec<Wire>,
    names: HashMap<String, WireId>,
    errors: &'e mut Errors,
    /// Names bound later in the body, for "used before defined" messages.
    later: Vec<String>,
    /// Whether wider-than-12 tuples of wires are still to be reported.
    check_width: bool,
}

impl Scope<'_> {
    fn bind(&mut self, pat: &Pat, check_arity: Option<&Type>) -> Shape {
        match pat {
            Pat::Wild(_) => Shape::Dead,
            Pat::Name(name) => {
                // `r#x` and `x` are the same name.
                let key = name.unraw().to_string();
                if self.names.contains_key(&key) {
                    self.errors.push(syn::Error::new(
                        name.span(),
                        format!(
                            "the wire `{key}` is already defined; wires are single-assignment, so give this one another name (e.g. `{key}2`)"
                        ),
                    ));
                    return Shape::Dead;
                }
                let id = self.wires.len();
                self.wires.push(Wire {
                    name: name.clone(),
                    used: false,
                    synthetic: false,
                });
                self.names.insert(key, id);
                Shape::Wire(id)
            }
            Pat::Tuple(paren, items) => {
                if let Some(m) = too_wide(
                    items.len(),
                    |n| format!("this pattern destructures {n} wires"),
                    "nest them, e.g. `((a, b), c)`",
                ) {
                    self.errors.push(syn::Error::new(paren.span.join(), m));
                }
                let mut child_tys: Option<Vec<&Type>> = None;
                if let Some(ty) = check_arity.map(strip_parens) {
                    if let Type::Tuple(t) = ty {
                        if t.elems.len() != items.len() {
                            self.errors.push(syn::Error::new(
                                paren.span.join(),
                                format!(
                                    "this pattern destructures {} wires, but its type `{}` is a tuple of {}",
                                    items.len(),
                                    type_text(ty),
                                    t.elems.len()
                                ),
                            ));
                        } else {
                            child_tys = Some(t.elems.iter().collect());
                        }
                    }
                }
                let shapes = items
                    .iter()
                    .enumerate()
                    .map(|(i, p)| self.bind(p, child_tys.as_ref().map(|t| t[i])))
                    .collect();
                Shape::Tuple(shapes, Some(SpanEq(paren.span.join())))
            }
        }
    }

    fn read(&mut self, wires: &Wires) -> Read {
        match wires {
            Wires::Name(name) => {
                let key = name.unraw().to_string();
                match self.names.get(&key) {
                    Some(&id) => {
                        self.wires[id].used = true;
                        Read::Wire(id, name.span())
                    }
                    None => {
                        self.errors
                            .push(syn::Error::new(name.span(), self.undefined_message(&key)));
                        Read::Wire(usize::MAX, name.span())
                    }
                }
            }
            Wires::Tuple(paren, items) => {
                let wide = too_wide(
                    items.len(),
                    |n| format!("this tuple has {n} wires"),
                    "nest them, e.g. `((a, b), c)`",
                );
                if let (Some(m), true) = (wide, self.check_width) {
                    self.errors.push(syn::Error::new(paren.span.join(), m));
                }
                Read::Tuple(
                    items.iter().map(|w| self.read(w)).collect(),
                    paren.span.join(),
                )
            }
        }
    }

    fn undefined_message(&self, key: &str) -> String {
        if self.later.iter().any(|l| l == key) {
            return format!(
                "the wire `{key}` is used before the `let` that defines it; move that `let` above this use"
            );
        }
        let mut best: Option<(usize, &str)> = None;
        for name in self.names.keys() {
            let d = distance(key, name);
            if d <= 2 && d < key.len().max(2) && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, name));
            }
        }
        match best {
            Some((_, name)) => format!(
                "cannot find the wire `{key}` in this segment; did you mean `{name}`?"
            ),
            None => format!(
                "cannot find the wire `{key}` in this segment; wires are the inputs between `|…|` and the names bound by earlier `let`s"
            ),
        }
    }
}

fn mark_used(scope: &mut Scope<'_>, pat: &Pat) {
    match pat {
        Pat::Name(n) => {
            if let Some(&id) = scope.names.get(&n.unraw().to_string()) {
                scope.wires[id].used = true;
            }
        }
        Pat::Wild(_) => {}
        Pat::Tuple(_, items) => items.iter().for_each(|p| mark_used(scope, p)),
    }
}

/// A type as the user would write it (`Port<i64>`, not `Port < i64 >`).
pub(crate) fn type_text(ty: &Type) -> String {
    super::pretty(&quote::ToTokens::to_token_stream(ty))
}

/// `ty` without the parentheses and invisible groups around it.
pub(crate) fn strip_parens(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip_parens(&p.elem),
        Type::Group(g) => strip_parens(&g.elem),
        t => t,
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn pat_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Name(n) => out.push(n.unraw().to_string()),
        Pat::Wild(_) => {}
        Pat::Tuple(_, items) => items.iter().for_each(|p| pat_names(p, out)),
    }
}

/// Checks that every tuple in a declared interface has at most 12 elements.
pub(crate) fn check_interface_arity(ty: &Type, errors: &mut Errors) {
    if let Type::Tuple(t) = strip_parens(ty) {
        if let Some(m) = too_wide(
            t.elems.len(),
            |n| format!("this interface is a tuple of {n} ports"),
            "nest them, e.g. `((Port<i64>, Port<i64>), Port<i64>)`",
        ) {
            errors.push(syn::Error::new_spanned(t, m));
        }
        t.elems
            .iter()
            .for_each(|e| check_interface_arity(e, errors));
    }
}

/// Resolves names to wires. Returns `None` only if the invocation has no
/// outputs to resolve (an error is already recorded).
pub(crate) fn resolve(def: SegmentDef, errors: &mut Errors) -> Option<Resolved> {
    let mut later = Vec::new();
    for l in &def.lets {
        pat_names(&l.pat, &mut later);
    }
    let mut scope = Scope {
        wires: Vec::new(),
        names: HashMap::new(),
        errors,
        later,
        check_width: true,
    };

    if let Some(m) = too_wide(
        def.inputs.len(),
        |n| format!("this segment takes {n} inputs"),
        "group some of them, e.g. `|(a, b): (Port<i64>, Port<i64>), c: Port<i64>|`",
    ) {
        // At the first input past the limit.
        let extra = &def.inputs[MAX_ARITY];
        scope.errors.push(syn::Error::new(extra.pat.span(), m));
    }
    let mut input_shapes = Vec::new();
    for input in &def.inputs {
        if let Some(ty) = &input.ty {
            check_interface_arity(ty, scope.errors);
        }
        input_shapes.push(scope.bind(&input.pat, input.ty.as_ref()));
    }
    let inputs = if input_shapes.len() == 1 {
        input_shapes.pop().unwrap()
    } else {
        Shape::Tuple(input_shapes, None)
    };
    let mut output_too_wide = false;
    if let Some(ty) = &def.output {
        let before = scope.errors.len();
        check_interface_arity(ty, scope.errors);
        output_too_wide = scope.errors.len() > before;
    }

    for pat in &def.broken {
        scope.bind(pat, None);
        mark_used(&mut scope, pat);
    }

    let mut steps = Vec::new();
    for l in def.lets {
        // Reads first: `let x = x => Inc;` reads a previous `x`, if any.
        let args = scope.read(&l.wires);
        let out = scope.bind(&l.pat, None);
        steps.push(Step {
            args,
            segment: l.segment,
            out,
        });
    }

    let tail = def.tail?;
    // Outputs as wide as a too-wide declaration are the same mistake.
    scope.check_width = !output_too_wide;
    let mut outputs = scope.read(&tail.wires);
    scope.check_width = true;
    if let Some((_, segment)) = tail.apply {
        let id = scope.wires.len();
        scope.wires.push(Wire {
            name: Ident::new("__flowgraph_output", Span::call_site()),
            used: true,
            synthetic: true,
        });
        let span = outputs.span();
        steps.push(Step {
            args: outputs,
            segment,
            out: Shape::Wire(id),
        });
        outputs = Read::Wire(id, span);
    } else if let Some(ty) = &def.output {
        check_output_arity(&outputs, ty, scope.errors);
    }

    // An unused wire is often the consequence of another mistake (a
    // misspelt read, a broken `let`): report it only on its own.
    if scope.errors.is_empty() {
        for w in scope.wires.iter().filter(|w| !w.used) {
            let name = w.name.unraw().to_string();
            if !name.starts_with('_') {
                scope.errors.push(syn::Error::new(
                    w.name.span(),
                    format!(
                        "the wire `{name}` is never used; read it, or rename it `_{name}` (or `_`) to drop it on purpose"
                    ),
                ));
            }
        }
    }

    Some(Resolved {
        wires: scope.wires,
        inputs,
        steps,
        outputs,
        output_ty: def.output,
    })
}

fn check_output_arity(read: &Read, ty: &Type, errors: &mut Errors) {
    let ty = strip_parens(ty);
    if let (Read::Tuple(items, span), Type::Tuple(t)) = (read, ty) {
        if items.len() != t.elems.len() {
            errors.push(syn::Error::new(
                *span,
                format!(
                    "the body returns {} wires, but the declared output `{}` has {}",
                    items.len(),
                    type_text(ty),
                    t.elems.len()
                ),
            ));
        } else {
            for (r, t) in items.iter().zip(&t.elems) {
                check_output_arity(r, t, errors);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::parse::parse;
    use quote::quote;

    fn run(tokens: proc_macro2::TokenStream) -> (Option<Resolved>, Vec<String>) {
        let mut errors = Errors::default();
        let def = parse(tokens, &mut errors).expect("parses");
        let r = resolve(def, &mut errors);
        (r, errors.messages())
    }

    #[test]
    fn spec_block_resolves() {
        let (r, errors) = run(quote! {
            |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
                let c = (b, a) => Add;
                let d = (c, a) => Add;
                let e = (d, a) => Add;
                (e, d, c)
            }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let r = r.unwrap();
        let names: Vec<_> = r.wires.iter().map(|w| w.name.to_string()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(
            r.inputs,
            Shape::Tuple(vec![Shape::Wire(0), Shape::Wire(1)], None)
        );
        assert_eq!(r.steps.len(), 3);
        assert_eq!(r.steps[2].out, Shape::Wire(4));
        assert!(matches!(&r.steps[0].args, Read::Tuple(v, _)
            if matches!(v[..], [Read::Wire(1, _), Read::Wire(0, _)])));
    }

    #[test]
    fn raw_identifiers_are_the_same_name() {
        // Shadowing through `r#x` is refused like any other.
        let (_, errors) = run(quote! { |x: Port<i64>| -> Port<i64> { let r#x = x => Inc; r#x } });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`x` is already defined"), "{errors:?}");
        // `r#y` reads the wire `y`.
        let (r, errors) = run(quote! { |x: Port<i64>| -> Port<i64> { let y = x => Inc; r#y } });
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(r.unwrap().outputs, Read::Wire(1, _)));
    }

    #[test]
    fn undefined_with_suggestion() {
        let (_, errors) = run(quote! { |abc: Port<i64>| -> Port<i64> { let y = abd => Inc; y } });
        assert_eq!(errors.len(), 1, "{errors:?}"); // not also "`abc` is never used"
        assert!(errors[0].contains("cannot find the wire `abd`"));
        assert!(errors[0].contains("did you mean `abc`?"));
    }

    #[test]
    fn used_before_defined() {
        let (_, errors) = run(quote! {
            |a: Port<i64>| -> Port<i64> { let y = (a, z) => Add; let z = a => Inc; y }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`z` is used before the `let` that defines it"));
    }

    #[test]
    fn duplicates_and_shadowing() {
        let (_, errors) = run(quote! {
            |a: Port<i64>, a: Port<i64>| -> Port<i64> { let a = a => Inc; a }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|e| e.contains("`a` is already defined")));
    }

    #[test]
    fn unused_and_underscore() {
        let (_, errors) = run(quote! {
            |a: Port<i64>, _b: Port<i64>| -> Port<i64> {
                let (x, _y, _) = a => Split3;
                let unused = x => Inc;
                x
            }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`unused` is never used"));
        assert!(errors[0].contains("`_unused`"));
    }

    #[test]
    fn arity_limits() {
        let (_, errors) = run(quote! {
            |a: (Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>,
                 Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>)| -> Port<i64> {
                let y = a => Sum;
                y
            }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("tuple of 13 ports"));
    }

    #[test]
    fn wide_wire_tuples() {
        // Fed to a segment: reported.
        let (_, errors) = run(quote! {
            |a: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>,
                              Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>, Port<i64>) {
                let y = (a, a, a, a, a, a, a, a, a, a, a, a, a) => Sum;
                (y, y, y, y, y, y, y, y, y, y, y, y, y)
            }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("tuple of 13 ports"));
        assert!(errors[1].contains("this tuple has 13 wires"));
    }

    #[test]
    fn output_and_pattern_arity() {
        let (_, errors) = run(quote! {
            |(p, q): (Port<i64>, Port<i64>, Port<i64>)| -> (Port<i64>, Port<i64>) { (p, q, p) }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("destructures 2 wires, but its type"));
        assert!(errors[1].contains("returns 3 wires, but the declared output"));
    }

    #[test]
    fn tail_application_becomes_a_step() {
        let (r, errors) = run(quote! { |x: Port<i64>| -> Port<i64> { x => Inc } });
        assert!(errors.is_empty(), "{errors:?}");
        let r = r.unwrap();
        assert_eq!(r.steps.len(), 1);
        assert!(matches!(r.outputs, Read::Wire(1, _)));
    }

    #[test]
    fn types_read_as_written() {
        let ty: Type = syn::parse_quote!((
            Port<i64>,
            RefPort<Vec<u8>>,
            ::flowgraph::typed::Port<&'static str>
        ));
        assert_eq!(
            type_text(&ty),
            "(Port<i64>, RefPort<Vec<u8>>, ::flowgraph::typed::Port<&'static str>)"
        );
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("ab", "ab"), 0);
    }
}
