//! `#[derive(Interface)]`: a struct of interfaces becomes an interface whose
//! payloads and handles are companion structs with the same field names.
//!
//! The generated impls only delegate: the struct's engine-facing
//! representation is the tuple of its fields' representations (nested
//! when wider than 12), and its payloads and handles convert field by field
//! to and from the fields' own. No layout is computed here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericParam, Ident, Type, Visibility};

use crate::errors::Errors;
use crate::MAX_ARITY;

/// The derive's entry point: the companion types and the impls, or the
/// errors (each on the user's token).
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match crate::errors::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.into_compile_error(),
    };
    let mut errors = Errors::default();
    let fields = check(&input, &mut errors);
    match (errors.finish(), fields) {
        (Ok(()), Some(fields)) => expand(&input, &fields),
        (Err(e), _) => e.into_compile_error(),
        (Ok(()), None) => syn::Error::new(input.ident.span(), "no fields").into_compile_error(),
    }
}

/// One field: its name, visibility and interface type.
struct Field<'a> {
    name: &'a Ident,
    vis: &'a Visibility,
    ty: &'a Type,
}

/// The struct's named fields, if it is a struct this derive accepts.
fn check<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<Vec<Field<'a>>> {
    for p in &input.generics.params {
        if let GenericParam::Lifetime(l) = p {
            errors.at(
                &l.lifetime,
                "an interface cannot have lifetime parameters: it describes ports, and the payloads' lifetime is the generation's (`…Values<'a>`); a port carries `'static` values or references (`RefPort<T>`)",
            );
        }
    }
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => {
                if named.named.is_empty() {
                    errors.at(
                        name,
                        format!("`{name}` has no ports: an interface without ports is `()`"),
                    );
                }
                named
                    .named
                    .iter()
                    .filter_map(|f| {
                        Some(Field {
                            name: f.ident.as_ref()?,
                            vis: &f.vis,
                            ty: &f.ty,
                        })
                    })
                    .collect()
            }
            Fields::Unnamed(unnamed) => {
                errors.at(
                    unnamed,
                    "`#[derive(Interface)]` needs named fields, which name the payloads' and handles' fields: `struct Quote { bid: Port<f64>, ask: Port<f64> }`; for positional ports use a tuple interface, `(Port<f64>, Port<f64>)`",
                );
                Vec::new()
            }
            Fields::Unit => {
                errors.at(
                    name,
                    format!("`{name}` has no ports: an interface without ports is `()`; list the ports as fields: `struct {name} {{ x: Port<f64> }}`"),
                );
                Vec::new()
            }
        },
        Data::Enum(e) => {
            errors.at(
                e.enum_token,
                "an enum cannot be an interface: every port of an interface exists at once; use a struct of ports (`#[derive(Interface)] struct …`), or carry the enum as a value, `Port<MyEnum>`",
            );
            Vec::new()
        }
        Data::Union(u) => {
            errors.at(
                u.union_token,
                "a union cannot be an interface: every port of an interface exists at once; use a struct of ports (`#[derive(Interface)] struct …`)",
            );
            Vec::new()
        }
    };
    errors.is_empty().then_some(fields)
}

/// The representation tree over the field indices: tuples of at most
/// [`MAX_ARITY`] elements, nested when there are more fields.
enum Nest {
    Field(usize),
    Tuple(Vec<Nest>),
}

fn nest(indices: &[usize]) -> Nest {
    if indices.len() <= MAX_ARITY {
        return Nest::Tuple(indices.iter().map(|&i| Nest::Field(i)).collect());
    }
    // The smallest chunk (a power of 12) that needs at most 12 chunks.
    let mut chunk = MAX_ARITY;
    while indices.len().div_ceil(chunk) > MAX_ARITY {
        chunk *= MAX_ARITY;
    }
    Nest::Tuple(indices.chunks(chunk).map(nest).collect())
}

impl Nest {
    /// The tuple built from each field's tokens.
    fn build(&self, leaf: &impl Fn(usize) -> TokenStream) -> TokenStream {
        match self {
            Nest::Field(i) => leaf(*i),
            Nest::Tuple(items) => {
                let items = items.iter().map(|n| n.build(leaf));
                quote!((#(#items,)*))
            }
        }
    }

    /// The tuple-index path to each field, in field order.
    fn paths(&self, prefix: &TokenStream, out: &mut Vec<(usize, TokenStream)>) {
        match self {
            Nest::Field(i) => out.push((*i, prefix.clone())),
            Nest::Tuple(items) => {
                for (k, n) in items.iter().enumerate() {
                    let k = syn::Index::from(k);
                    n.paths(&quote!(#prefix.#k), out);
                }
            }
        }
    }
}

/// True if `tokens` name one of `params`.
fn mentions(tokens: &TokenStream, params: &[String]) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => params.iter().any(|p| i == p),
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), params),
        _ => false,
    })
}

fn expand(input: &DeriveInput, fields: &[Field<'_>]) -> TokenStream {
    let name = &input.ident;
    let vis = &input.vis;
    let values = format_ident!("{}Values", name, span = name.span());
    let handles = format_ident!("{}Handles", name, span = name.span());
    let iface = quote!(::flowgraph::typed::Interface);
    let layout = quote!(::flowgraph::__private::Layout);
    let connect = quote!(::flowgraph::typed::Connect);

    // Every field must be an interface. A field whose type depends on the
    // struct's parameters gets a bound; the others are checked once, below,
    // on the field's own type (a bound on them would be reported at the
    // derive instead).
    let params: Vec<String> = input
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.to_string()),
            GenericParam::Const(c) => Some(c.ident.to_string()),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let mut checked = input.generics.clone();
    let mut generics = input.generics.clone();
    {
        let wc = generics.make_where_clause();
        let checked_wc = checked.make_where_clause();
        for f in fields {
            let ty = f.ty;
            if mentions(&quote!(#ty), &params) {
                let bound: syn::WherePredicate =
                    syn::parse_quote_spanned!(ty.span()=> #ty: ::flowgraph::typed::Interface);
                wc.predicates.push(bound.clone());
                checked_wc.predicates.push(bound);
            } else {
                // A bound on a concrete type: if it does not hold, it is
                // reported on the field's type.
                wc.predicates.push(
                    syn::parse_quote_spanned!(ty.span()=> #ty: ::flowgraph::typed::Interface),
                );
            }
        }
    }
    let (checked_g, _, checked_where) = checked.split_for_impl();
    let (impl_g, ty_g, where_c) = generics.split_for_impl();
    // Each field's check, first in the expansion, on the field's type.
    let checks: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote_spanned! {ty.span()=>
                #[allow(dead_code)]
                fn __fg_is_interface #checked_g () #checked_where {
                    fn is_interface<T: ::flowgraph::typed::Interface>() {}
                    is_interface::<#ty>();
                }
            }
        })
        .collect();
    let where_preds: Vec<_> = where_c.expect("made above").predicates.iter().collect();

    // The payloads' generics: `'a` first, then the struct's.
    let mut values_generics = generics.clone();
    values_generics.params.insert(0, syn::parse_quote!('a));
    let (values_impl_g, values_ty_g, _) = values_generics.split_for_impl();
    let values_a = quote!(#values #values_ty_g);
    let self_ty = quote!(#name #ty_g);
    let handles_ty = quote!(#handles #ty_g);

    let names: Vec<&Ident> = fields.iter().map(|f| f.name).collect();
    // For the exporters, which label a field's wire `w.field`.
    let field_names: Vec<String> = names
        .iter()
        .map(|n| syn::ext::IdentExt::unraw(*n).to_string())
        .collect();
    let tys: Vec<&Type> = fields.iter().map(|f| f.ty).collect();
    // The fields' payload and handle types, spanned on the field's type so
    // that a field that is not an interface is reported there.
    let vtys: Vec<TokenStream> = tys
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as ::flowgraph::typed::Interface>::Values<'a>))
        .collect();
    let htys: Vec<TokenStream> = tys
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as ::flowgraph::typed::Interface>::Handles))
        .collect();
    let fvis: Vec<&Visibility> = fields.iter().map(|f| f.vis).collect();
    let name_strs: Vec<String> = names
        .iter()
        .map(|n| n.to_string().trim_start_matches("r#").to_owned())
        .collect();

    let values_docs = format!(
        " The payloads of a [`{name}`] interface: each field is the payload of the port of the same name."
    );
    let handles_docs = format!(
        " The handles of a [`{name}`] interface: each field names the port of the same name."
    );
    let value_field_docs = name_strs.iter().map(|n| format!(" The `{n}` payload."));
    let handle_field_docs = name_strs.iter().map(|n| format!(" The `{n}` handle."));

    let tree = nest(&(0..fields.len()).collect::<Vec<_>>());
    let repr = tree.build(&|i| {
        let ty = tys[i];
        quote_spanned!(ty.span()=> <#ty as #iface>::Repr)
    });
    let into = tree.build(&|i| {
        let (ty, n) = (tys[i], names[i]);
        quote!(<#ty as #iface>::into_repr(values.#n))
    });
    let mut paths = Vec::new();
    tree.paths(&quote!(stored), &mut paths);
    let from = paths.iter().map(|(i, path)| {
        let (ty, n) = (tys[*i], names[*i]);
        quote!(#n: <#ty as #iface>::from_repr(#path))
    });
    let leaves = tys
        .iter()
        .map(|ty| quote!(<<#ty as #iface>::Repr as #layout>::LEAVES as u32));

    quote! {
        #(const _: () = { #checks };)*

        #[doc = #values_docs]
        #vis struct #values #values_generics #where_c {
            #(
                #[doc = #value_field_docs]
                #fvis #names: #vtys,
            )*
        }

        #[doc = #handles_docs]
        #vis struct #handles #generics #where_c {
            #(
                #[doc = #handle_field_docs]
                #fvis #names: #htys,
            )*
        }

        const _: () = {
            // The struct is a description, never built: its fields are
            // "read" here so that they do not count as dead code.
            #[allow(dead_code)]
            fn __fg_fields #impl_g (s: &#self_ty) #where_c {
                let _ = (#(&s.#names,)*);
            }

            impl #values_impl_g ::core::clone::Clone for #values_a #where_c {
                #[inline(always)]
                fn clone(&self) -> Self {
                    *self
                }
            }
            impl #values_impl_g ::core::marker::Copy for #values_a #where_c {}
            impl #values_impl_g ::core::fmt::Debug for #values_a
            where
                #(#where_preds,)*
                #(#vtys: ::core::fmt::Debug,)*
            {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(::core::stringify!(#values))
                        #(.field(#name_strs, &self.#names))*
                        .finish()
                }
            }
            impl #values_impl_g ::core::cmp::PartialEq for #values_a
            where
                #(#where_preds,)*
                #(#vtys: ::core::cmp::PartialEq,)*
            {
                fn eq(&self, other: &Self) -> bool {
                    true #(&& self.#names == other.#names)*
                }
            }

            impl #impl_g ::core::clone::Clone for #handles_ty #where_c {
                #[inline(always)]
                fn clone(&self) -> Self {
                    *self
                }
            }
            impl #impl_g ::core::marker::Copy for #handles_ty #where_c {}
            impl #impl_g ::core::fmt::Debug for #handles_ty
            where
                #(#where_preds,)*
                #(#htys: ::core::fmt::Debug,)*
            {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(::core::stringify!(#handles))
                        #(.field(#name_strs, &self.#names))*
                        .finish()
                }
            }
            impl #impl_g ::core::cmp::PartialEq for #handles_ty
            where
                #(#where_preds,)*
                #(#htys: ::core::cmp::PartialEq,)*
            {
                fn eq(&self, other: &Self) -> bool {
                    true #(&& self.#names == other.#names)*
                }
            }
            impl #impl_g ::core::cmp::Eq for #handles_ty
            where
                #(#where_preds,)*
                #(#htys: ::core::cmp::Eq,)*
            {
            }
            impl #impl_g ::core::hash::Hash for #handles_ty
            where
                #(#where_preds,)*
                #(#htys: ::core::hash::Hash,)*
            {
                fn hash<__H: ::core::hash::Hasher>(&self, state: &mut __H) {
                    #(::core::hash::Hash::hash(&self.#names, state);)*
                }
            }

            impl #impl_g ::flowgraph::__private::InterfaceSeal for #self_ty #where_c {}

            impl #impl_g #iface for #self_ty #where_c {
                type Values<'a> = #values_a;
                type Handles = #handles_ty;
                type Repr = #repr;

                #[inline(always)]
                fn any_notify(values: &Self::Values<'_>) -> bool {
                    false #(|| <#tys as #iface>::any_notify(&values.#names))*
                }

                #[inline(always)]
                fn from_repr<'a>(
                    stored: <Self::Repr as #layout>::Stored<'a>,
                ) -> Self::Values<'a> {
                    #values { #(#from,)* }
                }

                #[inline(always)]
                fn into_repr<'a>(
                    values: Self::Values<'a>,
                ) -> <Self::Repr as #layout>::Stored<'a> {
                    #into
                }

                #[allow(unused_assignments, reason = "the last leaf count is not needed")]
                fn handles(graph: u64, node: u32, first: u32) -> Self::Handles {
                    let mut next = first;
                    #handles {
                        #(#names: {
                            let h = <#tys as #iface>::handles(graph, node, next);
                            next += #leaves;
                            h
                        },)*
                    }
                }

                fn port_tree() -> ::flowgraph::__private::PortTree {
                    ::flowgraph::__private::PortTree::Fields(::std::vec![
                        #((#field_names, <#tys as #iface>::port_tree())),*
                    ])
                }
            }

            impl #values_impl_g ::flowgraph::__private::ValuesOf for #values_a #where_c {
                type Interface = #self_ty;
            }

            impl #impl_g ::flowgraph::__private::ConnectSeal for #handles_ty #where_c {}

            impl #impl_g #connect<#self_ty> for #handles_ty
            where
                #(#where_preds,)*
                #(#htys: #connect<#tys>,)*
            {
                fn wires(self, graph: u64, out: &mut ::std::vec::Vec<::flowgraph::core::Wire>) {
                    #(<#htys as #connect<#tys>>::wires(self.#names, graph, out);)*
                }
            }
        };
    }
}
