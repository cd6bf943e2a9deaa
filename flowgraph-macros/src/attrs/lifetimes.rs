//! Elided lifetimes: every `&T` / `'_` in a compute signature borrows for the
//! same generation, so they are all named by one lifetime. This lets
//! `fn pick(a: &i64, b: &i64) -> &i64` compile as written (plain elision
//! would reject it), and lets a result borrow either from the state or from
//! the inputs.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{GenericParam, Lifetime, LifetimeParam, ReturnType, Signature};

/// Names every elided lifetime of `sig` (parameters, receiver and result)
/// with one new lifetime parameter, declared on `sig`. Returns whether
/// anything was renamed.
pub(crate) fn name_elided(sig: &mut Signature) -> bool {
    let taken = |name: &str| {
        sig.generics
            .lifetimes()
            .any(|l| l.lifetime.ident == name.trim_start_matches('\''))
    };
    // The first free name: `'a`, `'gen`, then `'__flowgraph`, `'__flowgraph1`, …
    let name = ["'a".to_owned(), "'gen".to_owned()]
        .into_iter()
        .chain((0..).map(|i| match i {
            0 => "'__flowgraph".to_owned(),
            i => format!("'__flowgraph{i}"),
        }))
        .find(|n| !taken(n))
        .unwrap_or_default();
    let mut namer = Namer {
        lifetime: Lifetime::new(&name, Span::call_site()),
        renamed: false,
    };
    for arg in sig.inputs.iter_mut() {
        match arg {
            syn::FnArg::Receiver(r) => {
                if let Some((_, lt @ None)) = &mut r.reference {
                    *lt = Some(namer.lifetime.clone());
                    namer.renamed = true;
                }
            }
            syn::FnArg::Typed(pt) => namer.visit_type_mut(&mut pt.ty),
        }
    }
    if let ReturnType::Type(_, ty) = &mut sig.output {
        namer.visit_type_mut(ty);
    }
    if namer.renamed {
        sig.generics.params.insert(
            0,
            GenericParam::Lifetime(LifetimeParam::new(namer.lifetime)),
        );
    }
    namer.renamed
}

struct Namer {
    lifetime: Lifetime,
    renamed: bool,
}

impl VisitMut for Namer {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some(self.lifetime.clone());
            self.renamed = true;
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }

    fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
        if l.ident == "_" {
            *l = self.lifetime.clone();
            self.renamed = true;
        }
    }

    // `fn(&T)`, `dyn Fn(&T)` and `impl Fn(&T)` open their own elision scope.
    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    #[test]
    fn names_all_elided_lifetimes_alike() {
        let mut sig: Signature = parse_quote!(fn f(&mut self, a: &i64, b: &[&u8], c: Foo<'_>, f: fn(&u8)) -> (&i64, &'static str));
        assert!(name_elided(&mut sig));
        assert_eq!(
            quote!(#sig).to_string(),
            quote!(fn f<'a>(&'a mut self, a: &'a i64, b: &'a [&'a u8], c: Foo<'a>, f: fn(&u8)) -> (&'a i64, &'static str))
                .to_string()
        );
    }

    #[test]
    fn avoids_declared_names_and_leaves_explicit_ones() {
        let mut sig: Signature = parse_quote!(fn f<'a>(a: &'a i64, b: &u8) -> &'a i64);
        assert!(name_elided(&mut sig));
        assert_eq!(
            quote!(#sig).to_string(),
            quote!(fn f<'gen, 'a>(a: &'a i64, b: &'gen u8) -> &'a i64).to_string()
        );
        let mut sig: Signature = parse_quote!(fn f(a: i64) -> i64);
        assert!(!name_elided(&mut sig));
        // Every usual name taken: a numbered one.
        let mut sig: Signature =
            parse_quote!(fn f<'a, 'gen, '__flowgraph>(a: &'a i64, b: &u8) -> &'gen i64);
        assert!(name_elided(&mut sig));
        assert_eq!(
            quote!(#sig).to_string(),
            quote!(fn f<'__flowgraph1, 'a, 'gen, '__flowgraph>(a: &'a i64, b: &'__flowgraph1 u8) -> &'gen i64).to_string()
        );
    }
}
