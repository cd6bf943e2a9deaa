//! Classification: a Rust parameter or return type → an interface tree.
//!
//! `T` → `Port<T>`, `&T` → `RefPort<T>`, `&[&T]` → `RefPorts<T>`, `&[T]` → `Ports<T>`,
//! `Notify<X>` → the leaf of `X` with an explicit notify flag, tuples →
//! tuples (arity ≤ 12), `()` → no port.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, PathArguments, Type};

use crate::too_wide;

/// Common owned types that are not `Copy`: as a by-value port they would fail
/// deep inside the interface bounds, so they get a direct message.
const NOT_COPY: &[&str] = &[
    "String", "Vec", "Box", "Rc", "Arc", "HashMap", "HashSet", "BTreeMap", "BTreeSet", "VecDeque",
    "PathBuf", "OsString",
];

/// How one leaf rides the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeafKind {
    /// `T` by value: `Port<T>`.
    Port,
    /// `&T`: `RefPort<T>`.
    RefPort,
    /// `&[&T]`: `RefPorts<T>`.
    RefPorts,
    /// `&[T]`: `Ports<T>`, a by-value group.
    Ports,
}

impl LeafKind {
    /// True for the group kinds (`RefPorts`, `Ports`).
    pub(crate) fn is_group(self) -> bool {
        matches!(self, LeafKind::RefPorts | LeafKind::Ports)
    }
}

/// An interface tree classified from a user type.
#[derive(Debug, Clone)]
pub(crate) enum Tree {
    /// One port; `value` is the carried `T` (without the reference).
    Leaf {
        kind: LeafKind,
        value: Box<Type>,
        /// Wrapped in `Notify<…>`: the flag is passed / returned explicitly.
        notify: bool,
        /// The user's whole leaf type, for error spans.
        span: Span,
    },
    /// `()` or a tuple of trees.
    Tuple(Vec<Tree>),
    /// The payloads of a `#[derive(Interface)]` struct, `QuoteValues<'_>`:
    /// a path type with a lifetime argument. `values` is that type with its
    /// lifetimes made `'static`; the flags are the function's to read and set.
    Named { values: Box<Type>, span: Span },
}

/// Which side of the function a type sits on; some messages differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Input,
    Output,
}

impl Tree {
    /// Classifies `ty`, collecting every error.
    pub(crate) fn classify(ty: &Type, side: Side, errors: &mut Errors) -> Tree {
        classify(ty, side, false, errors)
    }

    /// The interface type, fully qualified (`::flowgraph::typed::Port<T>`, …).
    pub(crate) fn interface(&self) -> TokenStream {
        match self {
            Tree::Leaf {
                kind, value, span, ..
            } => {
                let port = match kind {
                    LeafKind::Port => quote_spanned!(*span=> Port),
                    LeafKind::RefPort => quote_spanned!(*span=> RefPort),
                    LeafKind::RefPorts => quote_spanned!(*span=> RefPorts),
                    LeafKind::Ports => quote_spanned!(*span=> Ports),
                };
                quote_spanned!(*span=> ::flowgraph::typed::#port<#value>)
            }
            Tree::Tuple(children) => {
                let children = children.iter().map(Tree::interface);
                quote!((#(#children,)*))
            }
            Tree::Named { values, span } => {
                quote_spanned!(*span=> <#values as ::flowgraph::__private::ValuesOf>::Interface)
            }
        }
    }
}

/// True for a path whose last segment has a lifetime argument other than
/// `'static`: `QuoteValues<'_>`, `PairValues<'a, f64>`. (As a by-value port
/// such a type would be an error: a port carries a `'static` value.)
fn names_payloads(p: &syn::TypePath) -> bool {
    match p.path.segments.last().map(|s| &s.arguments) {
        Some(PathArguments::AngleBracketed(args)) => args
            .args
            .iter()
            .any(|a| matches!(a, GenericArgument::Lifetime(l) if l.ident != "static")),
        _ => false,
    }
}

/// `ty` with every lifetime made `'static`.
fn all_static(ty: &Type) -> Type {
    struct Static;
    impl VisitMut for Static {
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            *l = syn::Lifetime::new("'static", l.span());
        }
    }
    let mut ty = ty.clone();
    Static.visit_type_mut(&mut ty);
    ty
}

pub(crate) use crate::errors::Errors;

fn classify(ty: &Type, side: Side, in_notify: bool, errors: &mut Errors) -> Tree {
    let leaf = |kind, value: &Type| Tree::Leaf {
        kind,
        value: Box::new(value.clone()),
        notify: in_notify,
        span: ty.span(),
    };
    match ty {
        Type::Paren(p) => classify(&p.elem, side, in_notify, errors),
        Type::Group(g) => classify(&g.elem, side, in_notify, errors),
        Type::Tuple(t) => {
            if in_notify && !t.elems.is_empty() {
                errors.at(
                    ty,
                    "`Notify` wraps one port, not a tuple: wrap each element, e.g. `(Notify<A>, Notify<B>)`",
                );
            }
            if let Some(m) = too_wide(
                t.elems.len(),
                |n| format!("this tuple of ports has {n} elements"),
                "nest them, e.g. `((A, B), C)`",
            ) {
                errors.at(ty, m);
            }
            Tree::Tuple(
                t.elems
                    .iter()
                    .map(|e| classify(e, side, false, errors))
                    .collect(),
            )
        }
        Type::Reference(r) => {
            if let Some(m) = r.mutability {
                match side {
                    Side::Input => errors.at(
                        m,
                        "`&mut` inputs are not allowed: an input is a shared view of an upstream output; take `&T` or `T`, or mark the node's own state with `#[state(init = …)]`",
                    ),
                    Side::Output => errors.at(
                        m,
                        "a segment cannot return `&mut`: outputs are shared with every consumer; return `&T`",
                    ),
                }
            }
            match &*r.elem {
                Type::Slice(s) => match &*s.elem {
                    Type::Reference(inner) if inner.mutability.is_none() => {
                        check_static(&inner.elem, errors);
                        if in_notify && side == Side::Input {
                            errors.at(
                                ty,
                                "`Notify<&[&T]>` would give one flag for the whole group: take `&[&T]` (the node runs when any member changed); to see which members changed, implement `Segment` by hand, whose `RefPorts<T>` payload is `(&[bool], &[&T])`, a flag per member",
                            );
                        }
                        leaf(LeafKind::RefPorts, &inner.elem)
                    }
                    elem => {
                        if in_notify && side == Side::Input {
                            errors.at(
                                ty,
                                "`Notify<&[T]>` would give one flag for the whole group: take `&[T]` (the node runs when any member changed); to see which members changed, implement `Segment` by hand, whose `Ports<T>` payload is `(&[bool], &[T])`, a flag per member",
                            );
                        }
                        if let Type::Path(p) = elem {
                            let last = p.path.segments.last().expect("a path has a segment");
                            if check_static(elem, errors)
                                && NOT_COPY.iter().any(|n| last.ident == n)
                            {
                                errors.at(
                                    elem,
                                    format!(
                                        "`{}` is not `Copy`, so it cannot be a member of a by-value group `&[{}]` (`Ports`): take `&[&{}]` (a `RefPorts` group)",
                                        last.ident,
                                        show(elem),
                                        show(elem)
                                    ),
                                );
                            }
                        } else {
                            check_static(elem, errors);
                        }
                        leaf(LeafKind::Ports, elem)
                    }
                },
                elem if is_unsized(elem) => {
                    errors.at(
                        ty,
                        format!(
                            "`{}` is unsized, so `{}` cannot be a port type: a port carries a sized value; take `&String` (a `RefPort<String>`), a `&Vec<T>`, or a `Box`",
                            show(elem),
                            show(ty)
                        ),
                    );
                    leaf(LeafKind::RefPort, &r.elem)
                }
                _ => {
                    check_static(&r.elem, errors);
                    leaf(LeafKind::RefPort, &r.elem)
                }
            }
        }
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last().expect("a path has a segment");
            if last.ident == "Notify" {
                if in_notify {
                    errors.at(ty, "`Notify<Notify<…>>`: wrap a port once");
                }
                match &last.arguments {
                    PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
                        if let GenericArgument::Type(inner) = &args.args[0] {
                            return classify(inner, side, true, errors);
                        }
                    }
                    _ => {}
                }
                errors.at(ty, "`Notify` takes one type: `Notify<T>`, `Notify<&T>`");
                return leaf(LeafKind::Port, ty);
            }
            if names_payloads(p) {
                if in_notify {
                    errors.at(
                        ty,
                        "the payloads of a derived interface carry their own notify flags (`(bool, T)` per field): drop the `Notify`",
                    );
                }
                return Tree::Named {
                    values: Box::new(all_static(ty)),
                    span: ty.span(),
                };
            }
            if check_static(ty, errors) && NOT_COPY.iter().any(|n| last.ident == n) {
                errors.at(
                    ty,
                    match side {
                        Side::Input => format!("`{}` is not `Copy`, so it cannot ride a by-value port: take it by reference, `&{}` (a `RefPort`)", last.ident, show(ty)),
                        Side::Output => format!("`{}` is not `Copy`, so it cannot ride a by-value port: keep it in the state and return a reference, `&{}` (a `RefPort`)", last.ident, show(ty)),
                    },
                );
            }
            leaf(LeafKind::Port, ty)
        }
        Type::ImplTrait(_) => {
            errors.at(
                ty,
                "`impl Trait` cannot be a port type: a port carries one concrete type; name it",
            );
            leaf(LeafKind::Port, ty)
        }
        Type::Infer(_) => {
            errors.at(
                ty,
                "`_` cannot be a port type: the port types form the segment's interface; name them",
            );
            leaf(LeafKind::Port, ty)
        }
        Type::Never(_) => {
            errors.at(ty, "`!` cannot be a port type");
            leaf(LeafKind::Port, ty)
        }
        Type::Ptr(_) => {
            errors.at(
                ty,
                "raw pointers cannot be port types: payloads cross threads; use `&T`",
            );
            leaf(LeafKind::Port, ty)
        }
        Type::Macro(_) => {
            errors.at(
                ty,
                "a type macro cannot be a port type here: the macro must see the type; write it out",
            );
            leaf(LeafKind::Port, ty)
        }
        _ => {
            check_static(ty, errors);
            leaf(LeafKind::Port, ty)
        }
    }
}

/// `str`, `[T]` (outside `&[&T]`) or `dyn Trait`.
fn is_unsized(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.qself.is_none() && p.path.is_ident("str"),
        Type::TraitObject(_) => true,
        Type::Paren(p) => is_unsized(&p.elem),
        _ => false,
    }
}

/// A type as the user would write it: `Vec<u8>`, not `Vec < u8 >`.
pub(crate) fn show(ty: &Type) -> String {
    let mut s = ty.to_token_stream().to_string();
    for (from, to) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" :: ", "::"),
        (":: ", "::"),
        (" ,", ","),
        ("& ", "&"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// A carried value must be `'static` (ports name a `Scalar<T>`): no lifetimes
/// or references inside `T`. Returns whether `ty` passed.
fn check_static(ty: &Type, errors: &mut Errors) -> bool {
    struct Find<'e> {
        errors: &'e mut Errors,
        found: bool,
    }
    impl VisitMut for Find<'_> {
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            if !self.found && l.ident != "static" {
                self.found = true;
                self.errors.at(
                    &*l,
                    format!("a port carries a `'static` value, so its type cannot borrow for `{l}`: pass the borrowed value itself as `&T`, or own the data"),
                );
            }
        }
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if !self.found && r.lifetime.is_none() {
                self.found = true;
                self.errors.at(
                    &*r,
                    "a port carries a `'static` value, so its type cannot hold a reference: only the outermost `&` (a `RefPort`) or `&[&T]` (a `RefPorts`) may borrow",
                );
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
        // `fn(&T)` and `dyn Fn(&T)` borrow only for the call: they are `'static`.
        fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
        fn visit_parenthesized_generic_arguments_mut(
            &mut self,
            _: &mut syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_impl_trait_mut(&mut self, t: &mut syn::TypeImplTrait) {
            if !self.found {
                self.found = true;
                self.errors.at(
                    &*t,
                    "`impl Trait` cannot be a port type: a port carries one concrete type; name it",
                );
            }
        }
    }
    let mut find = Find {
        errors,
        found: false,
    };
    find.visit_type_mut(&mut ty.clone());
    !find.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn iface(ty: Type, side: Side) -> Result<String, String> {
        let mut errors = Errors::default();
        let tree = Tree::classify(&ty, side, &mut errors);
        match errors.finish() {
            Ok(()) => Ok(squash(tree.interface())),
            Err(e) => Err(e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")),
        }
    }

    /// Token text without spaces: `>>` and `> >` compare equal.
    fn squash(t: TokenStream) -> String {
        t.to_string().replace(' ', "")
    }

    #[test]
    fn scalars_refs_groups_and_tuples() {
        assert_eq!(
            iface(parse_quote!(i64), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::Port<i64>))
        );
        assert_eq!(
            iface(parse_quote!(&'x Vec<u8>), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::RefPort<Vec<u8>>))
        );
        assert_eq!(
            iface(parse_quote!(&[&f64]), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::RefPorts<f64>))
        );
        assert_eq!(
            iface(parse_quote!(&[f64]), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::Ports<f64>))
        );
        assert_eq!(
            iface(parse_quote!((i64, (Notify<&u8>,))), Side::Input).unwrap(),
            squash(quote!((
                ::flowgraph::typed::Port<i64>,
                (::flowgraph::typed::RefPort<u8>,),
            )))
        );
        assert_eq!(iface(parse_quote!(()), Side::Output).unwrap(), "()");
        // A function pointer borrows only for its call.
        assert_eq!(
            iface(parse_quote!(fn(&i64) -> i64), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::Port<fn(&i64) -> i64>))
        );
    }

    #[test]
    fn a_path_with_a_lifetime_names_a_derived_interface() {
        assert_eq!(
            iface(parse_quote!(QuoteValues<'_>), Side::Input).unwrap(),
            squash(quote!(
                <QuoteValues<'static> as ::flowgraph::__private::ValuesOf>::Interface
            ))
        );
        assert_eq!(
            iface(parse_quote!((m::PairValues<'a, f64>, i64)), Side::Output).unwrap(),
            squash(quote!((
                <m::PairValues<'static, f64> as ::flowgraph::__private::ValuesOf>::Interface,
                ::flowgraph::typed::Port<i64>,
            )))
        );
        // A `'static` argument is an ordinary by-value port.
        assert_eq!(
            iface(parse_quote!(Cow<'static, str>), Side::Input).unwrap(),
            squash(quote!(::flowgraph::typed::Port<Cow<'static, str>>))
        );
        assert!(iface(parse_quote!(Notify<QuoteValues<'_>>), Side::Input)
            .unwrap_err()
            .contains("carry their own notify flags"));
    }

    #[test]
    fn shows_types_as_written() {
        assert_eq!(
            show(&parse_quote!(std::collections::HashMap<u8, Vec<&'a str>>)),
            "std::collections::HashMap<u8, Vec<&'a str>>"
        );
    }

    #[test]
    fn rejects_what_cannot_ride_a_wire() {
        let cases: Vec<(Type, Side, &str)> = vec![
            (parse_quote!(&mut i64), Side::Input, "`&mut` inputs"),
            (parse_quote!(&mut i64), Side::Output, "cannot return `&mut`"),
            (
                parse_quote!(&[String]),
                Side::Input,
                "cannot be a member of a by-value group `&[String]`",
            ),
            (
                parse_quote!(Notify<&[u8]>),
                Side::Input,
                "one flag for the whole group",
            ),
            (parse_quote!(impl Copy), Side::Input, "`impl Trait`"),
            (parse_quote!(Vec<&'x u8>), Side::Input, "borrow for `'x`"),
            (
                parse_quote!(String),
                Side::Input,
                "take it by reference, `&String`",
            ),
            (
                parse_quote!(Vec<u8>),
                Side::Output,
                "return a reference, `&Vec<u8>`",
            ),
            (
                parse_quote!(Option<&u8>),
                Side::Input,
                "cannot hold a reference",
            ),
            (
                parse_quote!(Notify<&[&u8]>),
                Side::Input,
                "one flag for the whole group",
            ),
            (
                parse_quote!(&str),
                Side::Input,
                "`str` is unsized, so `&str` cannot be a port type",
            ),
            (
                parse_quote!(&dyn std::fmt::Debug),
                Side::Input,
                "is unsized",
            ),
            (
                parse_quote!(Notify<(i64, i64)>),
                Side::Output,
                "wrap each element",
            ),
            (
                parse_quote!((u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8)),
                Side::Input,
                "this tuple of ports has 13 elements, but interfaces are tuples of at most 12",
            ),
        ];
        for (ty, side, expected) in cases {
            let err = iface(ty.clone(), side).unwrap_err();
            assert!(
                err.contains(expected),
                "{}: got {err:?}",
                ty.to_token_stream()
            );
        }
    }
}
