//! Phase 4: the pipeline of stages → Rust tokens.
//!
//! Every generated path is fully qualified (`::flowgraph::typed::…` for the
//! public combinators, `::flowgraph::__private::…` for the helpers), and
//! every local is hygienic (`Span::mixed_site`), so the expansion neither
//! sees nor shadows the user's names.
//!
//! Types flow forward. The inputs start as a typed `Id::<Inputs>`; each
//! stage is then built next to a *witness*, the value of the previous stage,
//! from which helpers such as `left_of(&witness)` take the types of their
//! inputs (`Left<A, B>` where the witness outputs `(A, B)`). Every type is
//! therefore known where it is formed; the user writes none of the
//! intermediate ones, and a mismatch is reported at the `=>` that causes it,
//! not deep inside the final combinator.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::{Expr, Type};

use super::lower::{Lowered, Plumb, SpanEq};
use super::parse::SegmentDef;
use super::resolve::Resolved;
use super::Errors;

/// What the expansion needs from the signature, also on error.
pub(crate) struct Signature {
    /// The declared `Inputs`, `()` standing in for a missing annotation.
    pub(crate) inputs: TokenStream,
    /// The span of the whole input list.
    pub(crate) inputs_span: Span,
    /// The declared `Outputs`, `()` if missing.
    pub(crate) output: TokenStream,
    /// The user's segment expressions, to keep them type-checked on error.
    pub(crate) segments: Vec<Expr>,
}

impl Signature {
    pub(crate) fn of(def: &SegmentDef) -> Signature {
        let tys: Vec<TokenStream> = def
            .inputs
            .iter()
            .map(|i| match &i.ty {
                Some(t) => t.to_token_stream(),
                None => quote!(()),
            })
            .collect();
        let inputs = match tys.len() {
            1 => tys[0].clone(),
            _ => quote!((#(#tys,)*)),
        };
        let output = def
            .output
            .as_ref()
            .map_or_else(|| quote!(()), ToTokens::to_token_stream);
        let mut segments: Vec<Expr> = def.lets.iter().map(|l| l.segment.clone()).collect();
        if let Some((_, e)) = def.tail.as_ref().and_then(|t| t.apply.as_ref()) {
            segments.push(e.clone());
        }
        let inputs_span = def
            .inputs_span
            .0
            .join(def.inputs_span.1)
            .unwrap_or(def.inputs_span.0);
        Signature {
            inputs,
            inputs_span,
            output,
            segments,
        }
    }
}

/// The expansion on error: the messages, and a placeholder segment of the
/// declared type, so the mistake is reported once and not again at every use.
pub(crate) fn fallback(sig: Option<&Signature>, errors: Errors) -> TokenStream {
    let errors = errors.into_compile_errors();
    let Some(sig) = sig else {
        return quote! {{
            #errors
            ::flowgraph::__private::Placeholder::<(), ()>::new()
        }};
    };
    let (inputs, output, segments) = (&sig.inputs, &sig.output, &sig.segments);
    quote! {{
        #errors
        let _ = || { #(let _ = #segments;)* };
        ::flowgraph::__private::Placeholder::<#inputs, #output>::new()
    }}
}

struct Gen<'r> {
    resolved: &'r Resolved,
    next: usize,
}

impl Gen<'_> {
    fn fresh(&mut self, what: &str) -> Ident {
        self.next += 1;
        Ident::new(&format!("__{what}{}", self.next), Span::mixed_site())
    }

    /// The expression of segment `p`, whose inputs are the outputs of `w`.
    fn expr(&mut self, p: &Plumb, w: &Ident) -> TokenStream {
        let private = quote!(::flowgraph::__private);
        let typed = quote!(::flowgraph::typed);
        match p {
            Plumb::Id => quote!(#private::id_of(&#w)),
            Plumb::Left(span) => projection(quote!(left_of), *span, w),
            Plumb::Right(span) => projection(quote!(right_of), *span, w),
            Plumb::Pick { index, arity, span } => {
                let index = proc_macro2::Literal::usize_unsuffixed(*index);
                let arity = proc_macro2::Literal::usize_unsuffixed(*arity);
                projection(quote!(pick_of::<#index, #arity, _>), *span, w)
            }
            Plumb::Comp(f, g) => {
                let (a, b) = (self.fresh("f"), self.fresh("g"));
                let fe = self.expr(f, w);
                let ge = self.expr(g, &a);
                quote!({ let #a = #fe; let #b = #ge; #typed::Comp(#a, #b) })
            }
            Plumb::Fork(f, g) => {
                let (fe, ge) = (self.expr(f, w), self.expr(g, w));
                quote!(#typed::Fork(#fe, #ge))
            }
            Plumb::Par(f, g) => {
                let (l, r) = (self.fresh("l"), self.fresh("r"));
                let (fe, ge) = (self.expr(f, &l), self.expr(g, &r));
                quote!({
                    let #l = #private::left_of(&#w);
                    let #r = #private::right_of(&#w);
                    #typed::Par(#fe, #ge)
                })
            }
            Plumb::Fan(items) if items.is_empty() => quote!(#private::nil_of(&#w)),
            Plumb::Fan(items) => {
                let items: Vec<_> = items.iter().map(|i| self.expr(i, w)).collect();
                quote!(#private::Fan((#(#items,)*)))
            }
            Plumb::Apply { args, step } => {
                let step = &self.resolved.steps[*step];
                let (a, s) = (self.fresh("args"), self.fresh("seg"));
                let (i, o) = (self.fresh("ins"), self.fresh("wires"));
                let ae = self.expr(args, w);
                let seg = &step.segment;
                let seg_span = syn::spanned::Spanned::span(seg);
                let wires_span = step.args.span();
                let s_s = located(&s, seg_span);
                let (i_w, o_w) = (located(&i, wires_span), located(&o, wires_span));
                // Each check is reported at the user's tokens: "not a
                // segment" at the segment, a mismatch at the wires.
                let ins = quote_spanned!(seg_span=> #private::inputs_of(&#s_s));
                let feeds = quote_spanned!(wires_span=> #private::check_feeds(#i_w, #o_w));
                quote!({
                    let #a = #ae;
                    let #s = #seg;
                    let #i = #ins;
                    let #o = #private::outputs_of(&#a);
                    #feeds;
                    #private::apply(#a, #s)
                })
            }
            Plumb::Expect { inner, ty, span } => {
                let e = self.fresh("out");
                let ie = self.expr(inner, w);
                let e_user = located(&e, span.0);
                let ty: &Type = ty;
                let check = quote_spanned!(span.0=> #private::expect::<#ty, _>(#private::outputs_of(&#e_user)));
                quote!({ let #e = #ie; #check; #e })
            }
        }
    }
}

/// The projection helper `f` applied to the witness `w`.
fn projection(f: TokenStream, span: Option<SpanEq>, w: &Ident) -> TokenStream {
    let private = quote!(::flowgraph::__private);
    match span {
        // A destructuring the user wrote: a mismatch is reported at the
        // pattern.
        Some(s) => {
            let w = located(w, s.0);
            quote_spanned!(s.0=> #private::#f(&#w))
        }
        None => quote!(#private::#f(&#w)),
    }
}

/// The same hygienic local, reported at `at`.
fn located(ident: &Ident, at: Span) -> Ident {
    Ident::new(&ident.to_string(), Span::mixed_site().located_at(at))
}

fn comp_tree(stages: &[Ident]) -> TokenStream {
    match stages {
        [one] => quote!(#one),
        _ => {
            let (l, r) = stages.split_at(stages.len() / 2);
            let (l, r) = (comp_tree(l), comp_tree(r));
            quote!(::flowgraph::typed::Comp(#l, #r))
        }
    }
}

/// The expansion of an invocation free of errors.
pub(crate) fn expand(sig: &Signature, resolved: &Resolved, lowered: &Lowered) -> TokenStream {
    let mut g = Gen { resolved, next: 0 };
    let inputs = &sig.inputs;
    let w0 = g.fresh("inputs");
    let start = quote_spanned!(sig.inputs_span=> ::flowgraph::__private::input::<#inputs>());
    let mut body = quote!(let #w0 = #start;);
    let mut names = Vec::new();
    let mut witness = w0;
    for stage in &lowered.stages {
        let s = g.fresh("stage");
        let e = g.expr(stage, &witness);
        body.extend(quote!(let #s = #e;));
        names.push(s.clone());
        witness = s;
    }
    let all = comp_tree(&names);
    quote!({ #body #all })
}

#[cfg(test)]
mod tests {
    use crate::arrow::segment;
    use quote::quote;

    fn expand(tokens: proc_macro2::TokenStream) -> String {
        segment(tokens).to_string()
    }

    #[test]
    fn paths_are_fully_qualified() {
        let out = expand(quote! {
            |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
                let c = (b, a) => Add;
                let d = (c, a) => Add;
                let e = (d, a) => Add;
                (e, d, c)
            }
        });
        assert!(!out.contains("compile_error"), "{out}");
        for word in [
            "Comp", "Fork", "Par", "left_of", "right_of", "apply", "expect",
        ] {
            assert!(out.contains(word), "{word} in {out}");
        }
        // Each generated path starts at `::flowgraph`.
        for path in ["typed :: Comp", "typed :: Fork", "__private :: apply"] {
            for (i, _) in out.match_indices(path) {
                assert!(
                    out[..i].ends_with(":: flowgraph :: "),
                    "{path} at {i} in {out}"
                );
            }
        }
        // The stages compose as a balanced tree: 4 stages → `Comp(Comp, Comp)`.
        assert!(
            out.contains("Comp (:: flowgraph :: typed :: Comp (__stage"),
            "{out}"
        );
    }

    #[test]
    fn errors_expand_to_a_placeholder() {
        let out = expand(quote! { |a: Port<i64>| -> Port<u8> { let b = c => Inc; b } });
        assert!(out.contains("compile_error"));
        assert!(
            out.contains("Placeholder :: < Port < i64 > , Port < u8 > >"),
            "{out}"
        );
        // The user's segments stay type-checked.
        assert!(out.contains("let _ = Inc ;"), "{out}");
    }

    #[test]
    fn unparsable_input_still_yields_a_placeholder() {
        let out = expand(quote! { 42 });
        assert!(out.contains("compile_error"));
        assert!(out.contains("Placeholder :: < () , () >"), "{out}");
    }
}
