//! Code generation: the `impl ::flowgraph::typed::Segment` for a classified
//! signature. Generated code names the runtime only through `::flowgraph::…`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use crate::attrs::parse::{Receiver, Role, Signature};
use crate::attrs::ports::{LeafKind, Tree};

/// What the generated impl needs beyond the signature.
pub(crate) struct Target<'a> {
    /// `impl<…>` generics, the type and the `where` clause.
    pub(crate) impl_generics: TokenStream,
    pub(crate) self_ty: TokenStream,
    pub(crate) where_clause: TokenStream,
    /// The state type and the body of `init(self)`.
    pub(crate) state: TokenStream,
    pub(crate) init: TokenStream,
    /// The user function, called as `#call(args…)`.
    pub(crate) call: TokenStream,
    pub(crate) sig: &'a Signature,
}

/// The interface of the inputs: one parameter is its own tree, several form a tuple.
pub(crate) fn inputs_interface(sig: &Signature) -> TokenStream {
    let inputs: Vec<&Tree> = sig.inputs().collect();
    match inputs.as_slice() {
        [one] => one.interface(),
        many => {
            let many = many.iter().map(|t| t.interface());
            quote!((#(#many,)*))
        }
    }
}

/// A stand-in `impl Segment` for a signature with mistakes whose interfaces
/// are nevertheless known: uses of the segment still type-check, so each
/// mistake is reported once, at its definition. Its `compute` cannot run (the
/// crate does not compile).
pub(crate) fn placeholder_impl(
    impl_generics: &TokenStream,
    self_ty: &TokenStream,
    where_clause: &TokenStream,
    sig: &Signature,
) -> TokenStream {
    let inputs_iface = inputs_interface(sig);
    let outputs_iface = sig.output.interface();
    quote! {
        impl #impl_generics ::flowgraph::typed::Segment for #self_ty #where_clause {
            type Inputs = #inputs_iface;
            type Outputs = #outputs_iface;
            type State = ();

            fn init(self) -> Self::State {}

            fn compute<'a, 'b: 'a>(
                _: <Self::Inputs as ::flowgraph::typed::Interface>::Values<'a>,
                _: &'b mut Self::State,
                _: bool,
            ) -> <Self::Outputs as ::flowgraph::typed::Interface>::Values<'a> {
                ::core::unreachable!("a segment with compile errors")
            }
        }
    }
}

/// The `impl Segment` block.
pub(crate) fn segment_impl(t: &Target<'_>) -> TokenStream {
    let Target {
        impl_generics,
        self_ty,
        where_clause,
        state,
        init,
        call,
        sig,
    } = t;
    let inputs_iface = inputs_interface(sig);
    let outputs_iface = sig.output.interface();

    // Output leaves: a pattern binding each one, the payload built from them,
    // and the notify plane of each group output.
    let mut out = Outputs::default();
    let (out_pattern, payload) = out.bind(&sig.output);
    let groups = out.groups.len();
    let (state, init, unwrap_state, fill_planes) = if groups == 0 {
        (
            quote!(#state),
            quote!(#init),
            quote!(let __fg_user = __fg_state;),
            quote!(),
        )
    } else {
        // Group outputs need a notify plane per element, kept beside the state.
        let fill = out
            .groups
            .iter()
            .map(|(value, flag)| quote!((#value.len(), #flag)));
        (
            quote!(::flowgraph::__private::Planes<#state>),
            quote!(::flowgraph::__private::Planes::new({ #init }, #groups)),
            quote!(let ::flowgraph::__private::Planes { state: __fg_user, planes: __fg_planes } = __fg_state;),
            quote!(let __fg_planes = ::flowgraph::__private::fill_planes(__fg_planes, [#(#fill),*]);),
        )
    };

    let mut counter = 0;
    let mut pats = Vec::new();
    let mut values = Vec::new();
    let mut notifies = Vec::new();
    for tree in sig.inputs() {
        let (p, v) = destructure(tree, &mut counter, &mut notifies);
        pats.push(p);
        values.push(v);
    }
    let pattern = match pats.as_slice() {
        [one] => one.clone(),
        many => quote!((#(#many,)*)),
    };
    let default_notify = if notifies.is_empty() {
        // A node without inputs runs only when poked (or built): it notifies.
        quote!(true)
    } else {
        quote!(#(#notifies)||*)
    };

    let mut values = values.into_iter();
    let mut args = Vec::new();
    match sig.receiver {
        Receiver::None => {}
        Receiver::Ref => args.push(quote!(&*__fg_user)),
        Receiver::Mut => args.push(quote!(__fg_user)),
    }
    let mut param_index = 0;
    for p in &sig.params {
        args.push(match p {
            Role::Input(_) => values.next().expect("one value per input"),
            Role::State { .. } => quote!(__fg_user),
            Role::Init => quote!(__fg_init),
            Role::Param { .. } => {
                let i = proc_macro2::Literal::usize_unsuffixed(param_index);
                param_index += 1;
                quote!(::core::clone::Clone::clone(&__fg_params.#i))
            }
        });
    }
    // Parameters ride in the state, before the user's.
    let unwrap_params = if param_index > 0 {
        quote!(let (__fg_params, __fg_user) = __fg_user;)
    } else {
        quote!()
    };

    quote! {
        impl #impl_generics ::flowgraph::typed::Segment for #self_ty #where_clause {
            type Inputs = #inputs_iface;
            type Outputs = #outputs_iface;
            type State = #state;

            #[inline]
            fn init(self) -> Self::State {
                #init
            }

            #[inline]
            #[allow(unused_variables, reason = "not every signature reads every flag")]
            fn compute<'a, 'b: 'a>(
                __fg_inputs: <Self::Inputs as ::flowgraph::typed::Interface>::Values<'a>,
                __fg_state: &'b mut Self::State,
                __fg_init: bool,
            ) -> <Self::Outputs as ::flowgraph::typed::Interface>::Values<'a> {
                let #pattern = __fg_inputs;
                let __fg_notify: bool = #default_notify;
                #unwrap_state
                #unwrap_params
                let #out_pattern = #call(#(#args),*);
                #fill_planes
                #payload
            }
        }
    }
}

/// The pattern binding one input tree's payload, and the value handed to the
/// user function; pushes each leaf's notify term.
fn destructure(
    tree: &Tree,
    counter: &mut usize,
    notifies: &mut Vec<TokenStream>,
) -> (TokenStream, TokenStream) {
    match tree {
        Tree::Leaf { kind, notify, .. } => {
            let n = format_ident!("__fg_n{}", *counter);
            let v = format_ident!("__fg_v{}", *counter);
            *counter += 1;
            let term = match kind {
                LeafKind::Port | LeafKind::RefPort => quote!(#n),
                LeafKind::RefPorts | LeafKind::Ports => quote!(#n.iter().any(|&__fg_b| __fg_b)),
            };
            notifies.push(term.clone());
            let value = if *notify {
                quote!(::flowgraph::typed::Notify(#term, #v))
            } else {
                quote!(#v)
            };
            (quote!((#n, #v)), value)
        }
        Tree::Named { .. } => {
            let v = format_ident!("__fg_v{}", *counter);
            *counter += 1;
            let iface = tree.interface();
            notifies.push(quote!(<#iface as ::flowgraph::typed::Interface>::any_notify(&#v)));
            (quote!(#v), quote!(#v))
        }
        Tree::Tuple(children) => {
            let (pats, values): (Vec<_>, Vec<_>) = children
                .iter()
                .map(|c| destructure(c, counter, notifies))
                .unzip();
            (quote!((#(#pats,)*)), quote!((#(#values,)*)))
        }
    }
}

/// The output leaves of one signature, numbered in order.
#[derive(Default)]
struct Outputs {
    /// How many leaves are bound so far.
    leaves: usize,
    /// Per group leaf: the bound value and its flag, in order.
    groups: Vec<(TokenStream, TokenStream)>,
}

impl Outputs {
    /// The pattern binding the user's result, leaf by leaf, and the output
    /// payload built from those bindings (once the planes are filled).
    fn bind(&mut self, tree: &Tree) -> (TokenStream, TokenStream) {
        match tree {
            Tree::Leaf {
                kind, notify, span, ..
            } => {
                let k = self.leaves;
                self.leaves += 1;
                let v = format_ident!("__fg_o{}", k);
                let (pattern, flag) = if *notify {
                    let f = format_ident!("__fg_f{}", k);
                    (quote!(::flowgraph::typed::Notify(#f, #v)), quote!(#f))
                } else {
                    (quote!(#v), quote!(__fg_notify))
                };
                let payload = if kind.is_group() {
                    let g = self.groups.len();
                    self.groups.push((quote!(#v), flag));
                    quote_spanned!(*span=> (&__fg_planes[#g][..], #v))
                } else {
                    quote_spanned!(*span=> (#flag, #v))
                };
                (pattern, payload)
            }
            Tree::Named { .. } => {
                // The function sets each field's flag itself.
                let v = format_ident!("__fg_o{}", self.leaves);
                self.leaves += 1;
                (quote!(#v), quote!(#v))
            }
            Tree::Tuple(children) => {
                let (pats, parts): (Vec<_>, Vec<_>) = children.iter().map(|c| self.bind(c)).unzip();
                (quote!((#(#pats,)*)), quote!((#(#parts,)*)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::parse::{signature, Form};
    use crate::attrs::ports::Errors;
    use syn::parse_quote;

    fn expand(mut sig: syn::Signature) -> String {
        let mut errors = Errors::default();
        let s = signature(&mut sig, Form::Fn, &mut errors);
        errors.finish().unwrap();
        segment_impl(&Target {
            impl_generics: quote!(),
            self_ty: quote!(f),
            where_clause: quote!(),
            state: quote!(()),
            init: quote!(),
            call: quote!(Self::call),
            sig: &s,
        })
        .to_string()
    }

    #[test]
    fn one_input_is_not_a_tuple() {
        let out = expand(parse_quote!(fn f(x: i64) -> i64));
        assert!(out.contains(
            &quote!(
                type Inputs = ::flowgraph::typed::Port<i64>;
            )
            .to_string()
        ));
        assert!(out.contains(&quote!(let (__fg_n0, __fg_v0) = __fg_inputs;).to_string()));
        assert!(out.contains(&quote!(let __fg_notify: bool = __fg_n0;).to_string()));
        assert!(out.contains(
            &quote!(let __fg_o0 = Self::call(__fg_v0); (__fg_notify, __fg_o0)).to_string()
        ));
    }

    #[test]
    fn notify_is_the_or_of_every_leaf_and_true_without_inputs() {
        let out = expand(parse_quote!(fn f(x: (i64, &u8), g: &[&u8]) -> i64));
        assert!(out.contains(
            &quote!(let __fg_notify: bool = __fg_n0 || __fg_n1 || __fg_n2.iter().any(|&__fg_b| __fg_b);)
                .to_string()
        ));
        assert!(out.contains(&quote!(Self::call((__fg_v0, __fg_v1,), __fg_v2)).to_string()));
        let out = expand(parse_quote!(fn f() -> i64));
        assert!(
            out.contains(&quote!(let () = __fg_inputs; let __fg_notify: bool = true;).to_string())
        );
    }

    #[test]
    fn group_outputs_get_a_notify_plane_beside_the_state() {
        let out = expand(parse_quote!(fn f(xs: &[&u8]) -> (u8, Notify<&[&u8]>)));
        assert!(out.contains(
            &quote!(
                type State = ::flowgraph::__private::Planes<()>;
            )
            .to_string()
        ));
        assert!(out.contains(
            &quote!(let __fg_planes = ::flowgraph::__private::fill_planes(__fg_planes, [(__fg_o1.len(), __fg_f1)]);)
                .to_string()
        ));
        assert!(out.contains(
            &quote!(((__fg_notify, __fg_o0), (&__fg_planes[0usize][..], __fg_o1),)).to_string()
        ));
    }

    #[test]
    fn notify_wrappers_pass_and_return_the_flag() {
        let out = expand(parse_quote!(fn f(#[init] i: bool, x: Notify<i64>) -> (Notify<i64>, i64)));
        assert!(out.contains(
            &quote!(Self::call(
                __fg_init,
                ::flowgraph::typed::Notify(__fg_n0, __fg_v0)
            ))
            .to_string()
        ));
        assert!(out.contains(
            &quote!(let (::flowgraph::typed::Notify(__fg_f0, __fg_o0), __fg_o1,) = Self::call)
                .to_string()
        ));
        assert!(out.contains(&quote!(((__fg_f0, __fg_o0), (__fg_notify, __fg_o1),)).to_string()));
    }
}
