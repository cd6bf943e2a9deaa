//! Code generation: the `impl ::flowgraph::typed::Segment` for a classified
//! signature. Generated code names the runtime only through `::flowgraph::…`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::derive::parse::{Receiver, Role, Signature};
use crate::derive::ports::{LeafKind, Tree};

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
        Receiver::Ref => args.push(quote!(&*__fg_state)),
        Receiver::Mut => args.push(quote!(__fg_state)),
    }
    for p in &sig.params {
        args.push(match p {
            Role::Input(_) => values.next().expect("one value per input"),
            Role::State { .. } => quote!(__fg_state),
            Role::Init => quote!(__fg_init),
        });
    }
    let out = format_ident!("__fg_out");
    let convert = output(&sig.output, quote!(#out), &mut 0);

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
                let #out = #call(#(#args),*);
                #convert
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
                LeafKind::RefPorts => quote!(#n.iter().any(|&__fg_b| __fg_b)),
            };
            notifies.push(term.clone());
            let value = if *notify {
                quote!(::flowgraph::typed::Notify(#term, #v))
            } else {
                quote!(#v)
            };
            (quote!((#n, #v)), value)
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

/// Turns the user's return value `expr` into the output payload.
fn output(tree: &Tree, expr: TokenStream, counter: &mut usize) -> TokenStream {
    match tree {
        Tree::Leaf { notify: true, .. } => {
            quote!({
                let ::flowgraph::typed::Notify(__fg_f, __fg_x) = #expr;
                (__fg_f, __fg_x)
            })
        }
        Tree::Leaf { span, .. } => {
            let s = *span;
            quote_spanned!(s=> (__fg_notify, #expr))
        }
        Tree::Tuple(children) => {
            let names: Vec<_> = (0..children.len())
                .map(|i| format_ident!("__fg_o{}_{}", *counter, i, span = Span::call_site()))
                .collect();
            *counter += 1;
            let converted: Vec<_> = children
                .iter()
                .zip(&names)
                .map(|(c, n)| output(c, quote!(#n), counter))
                .collect();
            quote!({
                let (#(#names,)*) = #expr;
                (#(#converted,)*)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::derive::parse::{signature, Form};
    use crate::derive::ports::Errors;
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
        assert!(out.contains(&quote!((__fg_notify, __fg_out)).to_string()));
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
            &quote!(let ::flowgraph::typed::Notify(__fg_f, __fg_x) = __fg_o0_0;).to_string()
        ));
        assert!(out.contains(&quote!((__fg_notify, __fg_o0_1)).to_string()));
    }
}
