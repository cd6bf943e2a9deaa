//! Parsing: a function signature → a [`Signature`] model, with the
//! `#[state(…)]` / `#[init]` parameter attributes stripped from the kept
//! function.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, GenericParam, Pat, ReturnType, Type};

use crate::attrs::ports::{Errors, Side, Tree};
use crate::too_wide;

/// Which macro is reading the signature; they accept different receivers
/// and state forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `#[segment_fn]` on a free function.
    Fn,
    /// `#[segment_impl]` on an inherent impl: `compute` may take `self`.
    Impl,
}

/// How the compute method takes its receiver (impl form only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    None,
    Ref,
    Mut,
}

/// The role of one (non-receiver) parameter.
#[derive(Debug, Clone)]
pub(crate) enum Role {
    /// An input port tree.
    Input(Tree),
    /// The node's state (`#[state] s: &mut S`); `init: None` means `Default`.
    State {
        ty: Box<Type>,
        init: Option<Box<Expr>>,
    },
    /// The `init` flag (`#[init] first: bool`).
    Init,
    /// A per-node parameter (`#[param] k: f64`): a field of the generated
    /// struct, kept in the state and passed by clone.
    Param { name: syn::Ident, ty: Box<Type> },
}

/// A classified signature.
#[derive(Debug, Clone)]
pub(crate) struct Signature {
    pub(crate) receiver: Receiver,
    /// Where a `self` parameter sits, whichever the form.
    pub(crate) receiver_span: Option<Span>,
    pub(crate) params: Vec<Role>,
    pub(crate) output: Tree,
    /// Every input and output type was classified without error, so the
    /// interfaces are the intended ones even if the signature has mistakes.
    pub(crate) interfaces_ok: bool,
}

impl Signature {
    /// The input trees, in parameter order.
    pub(crate) fn inputs(&self) -> impl Iterator<Item = &Tree> {
        self.params.iter().filter_map(|p| match p {
            Role::Input(t) => Some(t),
            _ => None,
        })
    }

    /// The `#[param]` parameters, in order.
    pub(crate) fn params(&self) -> impl Iterator<Item = (&syn::Ident, &Type)> {
        self.params.iter().filter_map(|p| match p {
            Role::Param { name, ty } => Some((name, &**ty)),
            _ => None,
        })
    }

    /// The `#[state]` parameter, if any.
    pub(crate) fn state(&self) -> Option<(&Type, Option<&Expr>)> {
        self.params.iter().find_map(|p| match p {
            Role::State { ty, init } => Some((&**ty, init.as_deref())),
            _ => None,
        })
    }
}

/// Reads `sig`, strips the parameter attributes it understands, and records
/// every mistake in `errors`.
pub(crate) fn signature(sig: &mut syn::Signature, form: Form, errors: &mut Errors) -> Signature {
    let what = match form {
        Form::Fn => "`#[segment_fn]`",
        Form::Impl => "`#[segment_impl]`",
    };
    if let Some(a) = &sig.asyncness {
        errors.at(
            a,
            "a segment cannot be `async`: `compute` runs to completion on the pool; remove `async`",
        );
    }
    if let Some(u) = &sig.unsafety {
        errors.at(
            u,
            "a segment cannot be `unsafe fn`: the graph calls it with no extra guarantees; make it safe and keep `unsafe` blocks inside",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.at(abi, "a segment cannot declare an ABI: remove `extern`");
    }
    if let Some(v) = &sig.variadic {
        errors.at(v, "a segment cannot be variadic");
    }
    let has_type_params = sig
        .generics
        .params
        .iter()
        .any(|g| !matches!(g, GenericParam::Lifetime(_)));
    for g in &sig.generics.params {
        match g {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(_) | GenericParam::Const(_) => errors.at(
                g,
                match form {
                    Form::Fn => format!("{what} does not support generic parameters: a segment is one concrete node type; use concrete types, or put the generics on a struct and use `#[segment_impl]`"),
                    Form::Impl => format!("`compute` cannot have generic parameters under {what}: the interface must be fixed by the impl; move the parameter to the impl block"),
                },
            ),
        }
    }
    if let Some(w) = &sig.generics.where_clause {
        if form == Form::Fn {
            errors.at(
                w,
                format!(
                    "{what} does not support `where` clauses: a segment is one concrete node type"
                ),
            );
        }
    }

    let mut receiver = Receiver::None;
    let mut receiver_span = None;
    // Port types may name the function's type parameters, unknown outside it.
    let mut interfaces_ok = !has_type_params;
    let mut params = Vec::new();
    let mut state_seen: Option<syn::Attribute> = None;
    let mut init_seen = false;
    for arg in sig.inputs.iter_mut() {
        match arg {
            FnArg::Receiver(r) => {
                receiver_span = Some(r.span());
                if form == Form::Fn {
                    errors.at(
                        &*r,
                        "`#[segment_fn]` is for free functions: for a method taking `self`, put `#[segment_impl]` on the impl block",
                    );
                } else if r.colon_token.is_some() {
                    errors.at(
                        &*r,
                        "write the receiver as `&mut self` or `&self`: typed receivers are not supported",
                    );
                } else if r.reference.is_none() {
                    errors.at(
                        &*r,
                        "`compute` cannot take `self` by value: it runs every generation on the same state; take `&mut self` or `&self`",
                    );
                } else if r.mutability.is_some() {
                    receiver = Receiver::Mut;
                } else {
                    receiver = Receiver::Ref;
                }
            }
            FnArg::Typed(pt) => {
                let attrs = std::mem::take(&mut pt.attrs);
                let mut role = None;
                for attr in attrs {
                    if attr.path().is_ident("state") {
                        role = Some(state_role(&attr, &pt.ty, form, errors));
                        if let Some(first) = &state_seen {
                            let mut e = syn::Error::new_spanned(
                                &attr,
                                "a segment has one `#[state]`: group the state into one struct or tuple",
                            );
                            e.combine(syn::Error::new_spanned(
                                first,
                                "the first `#[state]` is here",
                            ));
                            errors.push(e);
                        }
                        state_seen = Some(attr.clone());
                    } else if attr.path().is_ident("param") {
                        if let Err(e) = attr.meta.require_path_only() {
                            errors.push(syn::Error::new(
                                e.span(),
                                "`#[param]` takes no arguments: `#[param] k: f64`",
                            ));
                        }
                        if form == Form::Impl {
                            errors.at(
                                &attr,
                                "under `#[segment_impl]` the struct's fields are the parameters: read them through `&self`",
                            );
                        }
                        match &*pt.pat {
                            Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                                role = Some(Role::Param {
                                    name: i.ident.clone(),
                                    ty: pt.ty.clone(),
                                });
                            }
                            other => {
                                errors.at(
                                    other,
                                    "a `#[param]` becomes a field of the segment struct: name it, e.g. `#[param] k: f64`",
                                );
                                role = Some(Role::Init);
                            }
                        }
                    } else if attr.path().is_ident("init") {
                        if let Err(e) = attr.meta.require_path_only() {
                            errors.push(syn::Error::new(
                                e.span(),
                                "`#[init]` takes no arguments: `#[init] first: bool`",
                            ));
                        }
                        if !is_bool(&pt.ty) {
                            errors.at(
                                &pt.ty,
                                "the `#[init]` parameter is the build-call flag: its type is `bool`",
                            );
                        }
                        if init_seen {
                            errors.at(&attr, "a segment has one `#[init]` parameter");
                        }
                        init_seen = true;
                        role = Some(Role::Init);
                    } else {
                        pt.attrs.push(attr);
                    }
                }
                let role = role.unwrap_or_else(|| {
                    if let Some(m) = mut_ref(&pt.ty) {
                        errors.at(
                            m,
                            match form {
                                Form::Fn => format!(
                                    "`&mut` inputs are not allowed: inputs are shared views of upstream outputs; if `{}` is the node's state, mark it `#[state(init = …)]` (or `#[state]` for `Default`)",
                                    pat_name(&pt.pat)
                                ),
                                Form::Impl => "`&mut` inputs are not allowed: inputs are shared views of upstream outputs; the node's state is `&mut self`".to_owned(),
                            },
                        );
                        interfaces_ok = false;
                        return Role::Input(Tree::Tuple(Vec::new()));
                    }
                    let before = errors.len();
                    let tree = Tree::classify(&pt.ty, Side::Input, errors);
                    interfaces_ok &= errors.len() == before;
                    Role::Input(tree)
                });
                params.push(role);
            }
        }
    }
    let inputs = params
        .iter()
        .filter(|p| matches!(p, Role::Input(_)))
        .count();
    if let Some(m) = too_wide(
        inputs,
        |n| format!("this segment takes {n} input parameters"),
        "group some into a tuple parameter",
    ) {
        interfaces_ok = false;
        errors.at(&sig.inputs, m);
    }
    let before = errors.len();
    let output = match &sig.output {
        ReturnType::Default => Tree::Tuple(Vec::new()),
        ReturnType::Type(_, ty) => Tree::classify(ty, Side::Output, errors),
    };
    interfaces_ok &= errors.len() == before;
    Signature {
        receiver,
        receiver_span,
        params,
        output,
        interfaces_ok,
    }
}

fn mut_ref(ty: &Type) -> Option<syn::token::Mut> {
    match ty {
        Type::Reference(r) => r.mutability,
        _ => None,
    }
}

fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("bool"))
}

fn pat_name(pat: &Pat) -> String {
    match pat {
        Pat::Ident(i) => i.ident.to_string(),
        _ => "this parameter".to_owned(),
    }
}

fn state_role(attr: &syn::Attribute, ty: &Type, form: Form, errors: &mut Errors) -> Role {
    if form == Form::Impl {
        errors.at(
            attr,
            "under `#[segment_impl]` the state is the struct itself: take `&mut self` instead of a `#[state]` parameter",
        );
    }
    let inner = match ty {
        Type::Reference(r) if r.mutability.is_some() => (*r.elem).clone(),
        _ => {
            errors.at(
                ty,
                "the `#[state]` parameter is the node's mutable state: its type is `&mut S`",
            );
            ty.clone()
        }
    };
    struct Borrow(Option<Span>);
    impl syn::visit_mut::VisitMut for Borrow {
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            if l.ident != "static" && self.0.is_none() {
                self.0 = Some(l.span());
            }
        }
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if r.lifetime.is_none() && self.0.is_none() {
                self.0 = Some(r.span());
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
    }
    let mut borrow = Borrow(None);
    syn::visit_mut::VisitMut::visit_type_mut(&mut borrow, &mut inner.clone());
    if let Some(span) = borrow.0 {
        errors.push(syn::Error::new(
            span,
            "the state lives as long as the graph, so it cannot borrow: own the data (`'static`)",
        ));
    }
    let mut init = None;
    match &attr.meta {
        syn::Meta::Path(_) => {}
        syn::Meta::List(_) => {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("init") {
                    if !meta.input.peek(syn::Token![=]) {
                        return Err(meta.error(
                            "`init` needs the initial value: `#[state(init = <expr>)]`, or `#[state]` alone for `Default::default()`",
                        ));
                    }
                    let value = meta.value()?.parse::<Expr>()?;
                    if init.is_some() {
                        return Err(syn::Error::new_spanned(
                            &meta.path,
                            "`init` is given twice: keep one",
                        ));
                    }
                    init = Some(Box::new(value));
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown `#[state]` argument: write `#[state(init = <expr>)]`, or `#[state]` for `Default::default()`",
                    ))
                }
            });
            if let Err(e) = parsed {
                errors.push(e);
            }
        }
        syn::Meta::NameValue(nv) => errors.at(
            nv,
            "write `#[state(init = <expr>)]`, or `#[state]` for `Default::default()`",
        ),
    }
    Role::State {
        ty: Box::new(inner),
        init,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn parse(mut f: syn::ItemFn, form: Form) -> (Result<Signature, String>, syn::ItemFn) {
        let mut errors = Errors::default();
        let sig = signature(&mut f.sig, form, &mut errors);
        let r = match errors.finish() {
            Ok(()) => Ok(sig),
            Err(e) => Err(e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")),
        };
        (r, f)
    }

    #[test]
    fn roles_and_stripped_attributes() {
        let (sig, f) = parse(
            parse_quote! {
                fn f(#[state(init = vec![1])] s: &mut Vec<i64>, x: i64, #[init] first: bool, y: &u8) -> &i64 { &s[0] }
            },
            Form::Fn,
        );
        let sig = sig.unwrap();
        assert_eq!(sig.inputs().count(), 2);
        let (ty, init) = sig.state().unwrap();
        assert_eq!(quote::quote!(#ty).to_string(), "Vec < i64 >");
        assert_eq!(quote::quote!(#init).to_string(), "vec ! [1]");
        assert!(matches!(sig.params[2], Role::Init));
        assert!(f.sig.inputs.iter().all(|a| match a {
            FnArg::Typed(p) => p.attrs.is_empty(),
            FnArg::Receiver(_) => false,
        }));
    }

    #[test]
    fn receivers_in_impl_form() {
        let (sig, _) = parse(
            parse_quote!(
                fn compute(&mut self, x: i64) {}
            ),
            Form::Impl,
        );
        assert_eq!(sig.unwrap().receiver, Receiver::Mut);
        let (sig, _) = parse(
            parse_quote!(
                fn compute(&self) -> u8 {
                    0
                }
            ),
            Form::Impl,
        );
        assert_eq!(sig.unwrap().receiver, Receiver::Ref);
    }

    #[test]
    fn mistakes_are_all_reported() {
        let cases: Vec<(syn::ItemFn, Form, &[&str])> = vec![
            (
                parse_quote!(
                    async fn f() {}
                ),
                Form::Fn,
                &["cannot be `async`"],
            ),
            (
                parse_quote!(
                    fn f<T>(x: T) {}
                ),
                Form::Fn,
                &["generic parameters"],
            ),
            (
                parse_quote!(
                    fn f(s: &mut u8) {}
                ),
                Form::Fn,
                &["mark it `#[state(init = …)]`"],
            ),
            (
                parse_quote!(
                    fn f(&self) {}
                ),
                Form::Fn,
                &["put `#[segment_impl]` on the impl block"],
            ),
            (
                parse_quote!(
                    fn f(self) {}
                ),
                Form::Impl,
                &["cannot take `self` by value"],
            ),
            (
                parse_quote!(
                    fn f(#[state] s: u8) {}
                ),
                Form::Fn,
                &["its type is `&mut S`"],
            ),
            (
                parse_quote!(
                    fn f(#[state(int = 0)] s: &mut u8) {}
                ),
                Form::Fn,
                &["unknown `#[state]` argument"],
            ),
            (
                parse_quote!(
                    fn f(#[init] i: u8) {}
                ),
                Form::Fn,
                &["its type is `bool`"],
            ),
            (
                parse_quote!(
                    fn f(#[state] s: &mut u8) {}
                ),
                Form::Impl,
                &["the state is the struct itself"],
            ),
            (
                parse_quote!(
                    fn compute(&self, #[param] k: f64) {}
                ),
                Form::Impl,
                &["the struct's fields are the parameters"],
            ),
            (
                parse_quote!(
                    fn f(#[param] (a, b): (u8, u8), #[param(x)] c: u8) {}
                ),
                Form::Fn,
                &[
                    "name it, e.g. `#[param] k: f64`",
                    "`#[param]` takes no arguments",
                ],
            ),
            (
                parse_quote!(
                    fn f(#[state(init = 1, init = 2)] a: &mut u8) {}
                ),
                Form::Fn,
                &["`init` is given twice"],
            ),
            (
                parse_quote!(
                    fn f(#[state] a: &mut u8, #[state] b: &mut u8) {}
                ),
                Form::Fn,
                &["one `#[state]`", "the first `#[state]` is here"],
            ),
            (
                parse_quote!(
                    async fn f(x: impl Copy) -> &mut u8 {}
                ),
                Form::Fn,
                &["`async`", "`impl Trait`", "cannot return `&mut`"],
            ),
        ];
        for (f, form, expected) in cases {
            let name = quote::quote!(#f).to_string();
            let err = parse(f, form).0.unwrap_err();
            for e in expected {
                assert!(err.contains(e), "{name}: expected {e:?} in {err:?}");
            }
        }
    }
}
