//! Generated `Segment` impls for plain Rust functions (`#[segment_fn]`) and
//! for structs with a `compute` method (`#[segment_impl]`).
//!
//! Phases: `parse` (signature → roles, attributes stripped) with `ports`
//! (types → interface trees), `lifetimes` (elided lifetimes named), then
//! `expand` (the `impl Segment`). Errors are collected; on error the item is
//! still emitted (without its `Segment` impl) so one mistake gives one message.

mod expand;
mod lifetimes;
mod parse;
mod ports;

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use expand::Target;
use parse::{Form, Signature};
use ports::Errors;

/// `#[segment_fn]`: a unit struct named after the function, the function as
/// its associated `call`, and the `Segment` impl.
pub(crate) fn segment_fn(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.at(&attr, "`#[segment_fn]` takes no arguments");
    }
    let mut f: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            return syn::Error::new_spanned(
                item,
                "`#[segment_fn]` goes on a function: `#[segment_fn] fn inc(x: i64) -> i64 { x + 1 }`; for a struct with a `compute` method, put `#[segment_impl]` on its impl block",
            )
            .into_compile_error();
        }
    };
    let sig = parse::signature(&mut f.sig, Form::Fn, &mut errors);
    lifetimes::name_elided(&mut f.sig);

    let name = f.sig.ident.clone();
    let vis = &f.vis;
    let (docs, attrs): (Vec<_>, Vec<_>) = f.attrs.iter().partition(|a| a.path().is_ident("doc"));
    let unit = quote! {
        #(#docs)*
        #[allow(non_camel_case_types, reason = "the segment is named after its function")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #vis struct #name;
    };
    if let Err(e) = errors.finish() {
        let e = e.into_compile_error();
        if sig.receiver_span.is_some() {
            // A method: the unit struct could not live in its impl block.
            return quote!(#e #f);
        }
        return quote!(#e #unit);
    }

    let mut call_sig = f.sig.clone();
    call_sig.ident = syn::Ident::new("call", name.span());
    let block = &f.block;
    let (state, init) = match sig.state() {
        Some((ty, Some(init))) => (
            ty.to_token_stream(),
            quote!(let __fg_state: #ty = #init; __fg_state),
        ),
        Some((ty, None)) => (
            ty.to_token_stream(),
            quote_spanned!(ty.span()=> <#ty as ::core::default::Default>::default()),
        ),
        None => (quote!(()), quote!()),
    };
    let imp = expand::segment_impl(&Target {
        impl_generics: quote!(),
        self_ty: quote!(#name),
        where_clause: quote!(),
        state,
        init,
        call: quote!(Self::call),
        sig: &sig,
    });
    quote! {
        #unit
        impl #name {
            /// Calls the function this segment was generated from, outside any graph.
            #(#attrs)*
            #vis #call_sig #block
        }
        #imp
    }
}

/// `#[segment_impl]`: the struct is the state, `compute` is the body.
pub(crate) fn segment_impl(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !attr.is_empty() {
        errors.at(&attr, "`#[segment_impl]` takes no arguments");
    }
    let mut imp: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(_) => {
            return syn::Error::new_spanned(
                item,
                "`#[segment_impl]` goes on an inherent impl block with a `compute` method: `#[segment_impl] impl Counter { fn compute(&mut self, x: i64) -> i64 { … } }`; for a free function, use `#[segment_fn]`",
            )
            .into_compile_error();
        }
    };
    if let Some((_, path, _)) = &imp.trait_ {
        errors.at(
            path,
            "`#[segment_impl]` goes on an inherent impl block (`impl Counter { fn compute … }`), not on a trait impl",
        );
    }
    for l in imp.generics.lifetimes() {
        errors.at(
            l,
            "a segment's state lives as long as the graph, so it cannot have lifetime parameters: own the data",
        );
    }
    let mut sig: Option<Signature> = None;
    for item in imp.items.iter_mut() {
        if let syn::ImplItem::Fn(m) = item {
            if m.sig.ident == "compute" {
                sig = Some(parse::signature(&mut m.sig, Form::Impl, &mut errors));
                lifetimes::name_elided(&mut m.sig);
            }
        }
    }
    if sig.is_none() {
        errors.at(
            &imp.self_ty,
            "`#[segment_impl]` needs a `compute` method in this impl block: `fn compute(&mut self, x: i64) -> i64 { … }` (`&mut self` is the state; `&self` or no receiver also work)",
        );
    }
    if let Err(e) = errors.finish() {
        let e = e.into_compile_error();
        return quote!(#e #imp);
    }
    let sig = sig.expect("checked above");
    let (impl_generics, _, where_clause) = imp.generics.split_for_impl();
    let self_ty = &imp.self_ty;
    let state = quote_spanned!(self_ty.span()=> Self);
    let generated = expand::segment_impl(&Target {
        impl_generics: quote!(#impl_generics),
        self_ty: quote!(#self_ty),
        where_clause: quote!(#where_clause),
        state,
        init: quote!(self),
        call: quote!(Self::compute),
        sig: &sig,
    });
    quote! {
        #imp
        #generated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fn_form_keeps_the_body_as_call() {
        let out = segment_fn(
            quote!(),
            quote! {
                /// Adds.
                pub fn add(a: i64, b: &i64) -> i64 { a + *b }
            },
        )
        .to_string();
        assert!(out.contains(
            &quote!(
                pub struct add;
            )
            .to_string()
        ));
        assert!(out.contains(
            &quote!(
                pub fn call<'a>(a: i64, b: &'a i64) -> i64 {
                    a + *b
                }
            )
            .to_string()
        ));
        assert!(out.contains(&quote!(impl ::flowgraph::typed::Segment for add).to_string()));
        assert!(out.contains(
            &quote!(
                type State = ();
            )
            .to_string()
        ));
    }

    #[test]
    fn fn_form_state_init_and_default() {
        let out = segment_fn(
            quote!(),
            quote!(
                fn count(#[state(init = 10)] n: &mut u64, _x: i64) -> u64 {
                    *n += 1;
                    *n
                }
            ),
        )
        .to_string();
        assert!(out.contains(
            &quote!(
                type State = u64;
            )
            .to_string()
        ));
        assert!(out.contains(
            &quote!(
                fn init(self) -> Self::State {
                    let __fg_state: u64 = 10;
                    __fg_state
                }
            )
            .to_string()
        ));
        assert!(out.contains(&quote!(fn call<'a>(n: &'a mut u64, _x: i64) -> u64).to_string()));
        let out = segment_fn(
            quote!(),
            quote!(
                fn count(#[state] n: &mut u64) {}
            ),
        )
        .to_string();
        assert!(out.contains(&quote!(<u64 as ::core::default::Default>::default()).to_string()));
    }

    #[test]
    fn errors_still_emit_the_struct() {
        let out = segment_fn(
            quote!(),
            quote!(
                fn bad(x: &mut i64) {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"));
        assert!(out.contains(
            &quote!(
                struct bad;
            )
            .to_string()
        ));
        assert!(!out.contains("Segment for"));
        let out = segment_fn(
            quote!(oops),
            quote!(
                fn f() {}
            ),
        )
        .to_string();
        assert!(out.contains("takes no arguments"));
        let out = segment_fn(
            quote!(),
            quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.contains("goes on a function"));
    }

    #[test]
    fn impl_form_uses_the_struct_as_state() {
        let out = segment_impl(
            quote!(),
            quote! {
                impl<T: Copy> Scale<T> {
                    fn compute(&self, x: T) -> T { x }
                    fn helper() {}
                }
            },
        )
        .to_string();
        assert!(out
            .contains(&quote!(impl<T: Copy> ::flowgraph::typed::Segment for Scale<T>).to_string()));
        assert!(out.contains(
            &quote!(
                type State = Self;
            )
            .to_string()
        ));
        assert!(out.contains(&quote!(Self::compute(&*__fg_state, __fg_v0)).to_string()));
        assert!(out.contains(
            &quote!(
                fn compute<'a>(&'a self, x: T) -> T {
                    x
                }
            )
            .to_string()
        ));
        assert!(out.contains("helper"));
    }

    #[test]
    fn impl_form_mistakes() {
        let out = segment_impl(quote!(), quote!(impl Foo { fn other(&self) {} })).to_string();
        assert!(out.contains("needs a `compute` method"));
        let out = segment_impl(
            quote!(),
            quote!(impl Clone for Foo { fn compute(&self) {} }),
        )
        .to_string();
        assert!(out.contains("not on a trait impl"));
        let out = segment_impl(
            quote!(),
            quote!(
                impl<'x> Foo<'x> {
                    fn compute(&self) {}
                }
            ),
        )
        .to_string();
        assert!(out.contains("cannot have lifetime parameters"));
    }
}
