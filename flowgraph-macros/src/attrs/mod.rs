//! The attribute macros: generated `Segment` impls for plain Rust functions (`#[segment_fn]`) and
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

/// `#[segment_fn]`: the function, unchanged but for its elided lifetimes, a
/// unit struct (the function's name in `CamelCase`, or `name = …`) and its
/// `Segment` impl calling the function.
pub(crate) fn segment_fn(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut f: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            // Nothing to point at but the attribute's arguments, if any.
            let at = if item.is_empty() { attr } else { item };
            return syn::Error::new_spanned(
                at,
                "`#[segment_fn]` goes on a function: `#[segment_fn] fn inc(x: i64) -> i64 { x + 1 }`; for a struct with a `compute` method, put `#[segment_impl]` on its impl block",
            )
            .into_compile_error();
        }
    };
    let struct_name = struct_name(attr, &f.sig.ident, &mut errors);
    let sig = parse::signature(&mut f.sig, Form::Fn, &mut errors);
    lifetimes::name_elided(&mut f.sig);
    let Some(struct_name) = struct_name else {
        let e = errors.finish().expect_err("recorded").into_compile_error();
        return quote!(#e #f);
    };

    let name = &f.sig.ident;
    let vis = &f.vis;
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    // The struct and its impl exist exactly when the function does.
    let cfgs: Vec<_> = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .collect();
    let link = format!(" The segment computed by [`{name}`].");
    let (param_names, param_tys): (Vec<_>, Vec<_>) = sig.params().unzip();
    let unit = if param_names.is_empty() {
        quote! {
            #(#cfgs)*
            #(#docs)*
            #[doc = ""]
            #[doc = #link]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            #vis struct #struct_name;
        }
    } else {
        let field_docs = param_names
            .iter()
            .map(|n| format!(" The `{n}` parameter of [`{name}`]."));
        quote! {
            #(#cfgs)*
            #(#docs)*
            #[doc = ""]
            #[doc = #link]
            #[derive(Clone, Debug)]
            #vis struct #struct_name {
                #(#[doc = #field_docs] pub #param_names: #param_tys,)*
            }
        }
    };
    if let Err(e) = errors.finish() {
        let e = e.into_compile_error();
        if sig.receiver_span.is_some() || struct_name == *name {
            // A method (the unit struct could not live in its impl block), or
            // a struct that would clash with the function.
            return quote!(#e #f);
        }
        let placeholder = if sig.interfaces_ok {
            expand::placeholder_impl(&quote!(), &quote!(#struct_name), &quote!(), &sig)
        } else {
            quote!()
        };
        return quote!(#e #f #unit #(#cfgs)* #placeholder);
    }

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
    // Parameters ride in the state, before the user's.
    let (state, init) = if param_names.is_empty() {
        (state, init)
    } else {
        (
            quote!(((#(#param_tys,)*), #state)),
            quote!(((#(self.#param_names,)*), { #init })),
        )
    };
    let imp = expand::segment_impl(&Target {
        impl_generics: quote!(),
        self_ty: quote!(#struct_name),
        where_clause: quote!(),
        state,
        init,
        call: quote!(#name),
        sig: &sig,
    });
    quote! {
        #f
        #unit
        #(#cfgs)*
        #imp
    }
}

/// The segment struct's name: `name = Ident` from the attribute, or the
/// function's name in `CamelCase`.
/// `None` (an error recorded) if there is no valid name.
fn struct_name(attr: TokenStream, fn_name: &syn::Ident, errors: &mut Errors) -> Option<syn::Ident> {
    let mut name: Option<syn::Ident> = None;
    if !attr.is_empty() {
        let parsed = crate::errors::parse_with(attr, |input| {
            while !input.is_empty() {
                let path: syn::Path = input.call(syn::Path::parse_mod_style)?;
                if !path.is_ident("name") {
                    return Err(syn::Error::new_spanned(
                        path,
                        "unknown `#[segment_fn]` argument: the only one is `name = StructName`",
                    ));
                }
                if !input.peek(syn::Token![=]) {
                    return Err(syn::Error::new_spanned(path, "write `name = StructName`"));
                }
                input.parse::<syn::Token![=]>()?;
                let n: syn::Ident = input.parse()?;
                if name.is_some() {
                    return Err(syn::Error::new(n.span(), "`name` is given twice: keep one"));
                }
                name = Some(n);
                if !input.is_empty() {
                    input.parse::<syn::Token![,]>()?;
                }
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    if let Some(n) = name {
        if n == *fn_name {
            errors.at(
                &n,
                "the segment struct needs a name other than the function's",
            );
        }
        return Some(n);
    }
    let camel = camel_case(&fn_name.to_string());
    // `__` and `_1` have no CamelCase form (empty, or starting with a digit);
    // `self_` would give the keyword `Self`.
    match syn::parse_str::<syn::Ident>(&camel) {
        Ok(c) => {
            let c = syn::Ident::new(&c.to_string(), fn_name.span());
            if c == *fn_name {
                errors.at(
                    fn_name,
                    format!("the segment struct would be named like the function, `{fn_name}`: name it with `#[segment_fn(name = …)]`, or name the function in `snake_case`"),
                );
            }
            Some(c)
        }
        Err(_) => {
            errors.at(
                fn_name,
                format!("the segment struct's name comes from the function's in CamelCase, and `{fn_name}` has none: name it with `#[segment_fn(name = …)]`"),
            );
            None
        }
    }
}

/// `moving_average` → `MovingAverage`.
fn camel_case(snake: &str) -> String {
    let snake = snake.strip_prefix("r#").unwrap_or(snake);
    snake
        .split('_')
        .filter_map(|w| {
            let mut c = w.chars();
            let first = c.next()?;
            Some(first.to_uppercase().chain(c).collect::<String>())
        })
        .collect()
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
            let at = if item.is_empty() { attr } else { item };
            return syn::Error::new_spanned(
                at,
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
    let (impl_generics, _, where_clause) = imp.generics.split_for_impl();
    let self_ty = &imp.self_ty;
    if let Err(e) = errors.finish() {
        let e = e.into_compile_error();
        let placeholder = match &sig {
            Some(sig)
                if sig.interfaces_ok
                    && imp.trait_.is_none()
                    && imp.generics.lifetimes().next().is_none() =>
            {
                expand::placeholder_impl(
                    &quote!(#impl_generics),
                    &quote!(#self_ty),
                    &quote!(#where_clause),
                    sig,
                )
            }
            _ => quote!(),
        };
        return quote!(#e #imp #placeholder);
    }
    let sig = sig.expect("checked above");
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
    fn fn_form_keeps_the_function_and_adds_a_struct() {
        let out = segment_fn(
            quote!(),
            quote! {
                /// Adds.
                pub fn add_one(a: i64, b: &i64) -> i64 { a + *b }
            },
        )
        .to_string();
        assert!(out.contains(
            &quote!(
                pub struct AddOne;
            )
            .to_string()
        ));
        assert!(out.contains(
            &quote!(
                pub fn add_one<'a>(a: i64, b: &'a i64) -> i64 {
                    a + *b
                }
            )
            .to_string()
        ));
        assert!(out.contains(&quote!(impl ::flowgraph::typed::Segment for AddOne).to_string()));
        assert!(out.contains(&quote!(add_one(__fg_v0, __fg_v1)).to_string()));
        assert!(out.contains(
            &quote!(
                type State = ();
            )
            .to_string()
        ));
        let out = segment_fn(
            quote!(name = Plus),
            quote!(
                fn add(a: i64) -> i64 {
                    a
                }
            ),
        )
        .to_string();
        assert!(out.contains(
            &quote!(
                struct Plus;
            )
            .to_string()
        ));
    }

    #[test]
    fn cfg_follows_the_function() {
        let out = segment_fn(
            quote!(),
            quote!(
                #[cfg(test)]
                fn inc(a: i64) -> i64 {
                    a
                }
            ),
        )
        .to_string();
        assert_eq!(out.matches(&quote!(#[cfg(test)]).to_string()).count(), 3);
    }

    #[test]
    fn struct_names() {
        assert_eq!(camel_case("moving_average"), "MovingAverage");
        assert_eq!(camel_case("r#type"), "Type");
        assert_eq!(camel_case("_x__y2"), "XY2");
        let out = segment_fn(
            quote!(),
            quote!(
                fn Inc(a: i64) {}
            ),
        )
        .to_string();
        assert!(out.contains("name it with `#[segment_fn(name = …)]`"));
        let out = segment_fn(
            quote!(nam = X),
            quote!(
                fn inc(a: i64) {}
            ),
        )
        .to_string();
        assert!(out.contains("the only one is `name = StructName`"));
    }

    #[test]
    fn names_without_a_camel_case_form_are_errors_not_panics() {
        for f in [
            quote!(
                fn __() {}
            ),
            quote!(
                fn ___() {}
            ),
            quote!(
                fn _1() {}
            ),
        ] {
            let out = segment_fn(quote!(), f).to_string();
            assert!(out.contains("has none"), "{out}");
            assert!(!out.contains("impl"), "{out}");
        }
        // `self_` would be the keyword `Self`.
        let out = segment_fn(
            quote!(),
            quote!(
                fn self_() {}
            ),
        )
        .to_string();
        assert!(out.contains("has none"), "{out}");
        // An explicit name needs no CamelCase form.
        let out = segment_fn(
            quote!(name = Named),
            quote!(
                fn __() -> i64 {
                    1
                }
            ),
        )
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert!(
            out.contains(
                &quote!(
                    struct Named;
                )
                .to_string()
            ),
            "{out}"
        );
    }

    #[test]
    fn attribute_mistakes_are_reported_at_the_user_tokens() {
        let errors = |attr: TokenStream| {
            let mut errors = Errors::default();
            let name: syn::Ident = syn::parse_quote!(inc);
            struct_name(attr, &name, &mut errors);
            errors.finish().unwrap_err()
        };
        let e = errors(quote!(name));
        assert!(e.to_string().contains("write `name = StructName`"), "{e}");
        let e = errors(quote!(name = Foo, name = Bar));
        assert!(e.to_string().contains("`name` is given twice"), "{e}");
    }

    #[test]
    fn reserved_lifetime_names_are_avoided_not_fatal() {
        let out = segment_fn(
            quote!(),
            quote!(
                fn f<'a, 'gen, '__flowgraph>(x: &i64) -> i64 {
                    *x
                }
            ),
        )
        .to_string();
        assert!(out.contains("'__flowgraph1"), "{out}");
        let out = segment_impl(
            quote!(),
            quote!(impl S { fn compute<'a, 'gen, '__flowgraph>(&self, x: &i64) -> i64 { *x } }),
        )
        .to_string();
        assert!(out.contains("'__flowgraph1"), "{out}");
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
        assert!(out.contains(&quote!(fn count<'a>(n: &'a mut u64, _x: i64) -> u64).to_string()));
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
                struct Bad;
            )
            .to_string()
        ));
        assert!(
            !out.contains("Segment for"),
            "no impl: the input's interface is unknown"
        );
        let out = segment_fn(
            quote!(),
            quote!(
                async fn late(x: i64) -> i64 {
                    x
                }
            ),
        )
        .to_string();
        assert!(out.contains("cannot be `async`"));
        assert!(
            out.contains(&quote!(impl ::flowgraph::typed::Segment for Late).to_string()),
            "a stand-in impl keeps uses of `Late` quiet"
        );
        assert!(out.contains("unreachable"));
        let out = segment_fn(
            quote!(oops),
            quote!(
                fn f() {}
            ),
        )
        .to_string();
        assert!(out.contains("unknown `#[segment_fn]` argument"));
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
        assert!(out.contains(&quote!(Self::compute(&*__fg_user, __fg_v0)).to_string()));
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
