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
use syn::ext::IdentExt;
use syn::{Expr, Type};

use super::parse::SegmentDef;
use super::resolve::{strip_parens, Read, Resolved, Shape};
use super::Errors;

/// What the expansion needs from the signature, also on error.
pub(crate) struct Signature {
    /// The declared `Inputs`, `()` standing in for a missing annotation.
    pub(crate) inputs: TokenStream,
    /// The declared interface of each input.
    pub(crate) input_types: Vec<TokenStream>,
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
        let tys = tys.clone();
        let output = def
            .output
            .as_ref()
            .map_or_else(|| quote!(()), ToTokens::to_token_stream);
        let mut segments: Vec<Expr> = def.lets.iter().map(|l| l.segment.clone()).collect();
        if let Some((_, e)) = def.tail.as_ref().and_then(|t| t.apply.as_ref()) {
            segments.push(e.clone());
        }
        Signature {
            inputs,
            input_types: tys,
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

/// The expansion being built: the user's segments at the invocation
/// (`outer`), and the body of the fused `compute` (`body`), which holds the
/// checks, each made once where the payloads flow.
struct Direct {
    outer: TokenStream,
    body: TokenStream,
    /// The user's segments.
    segments: Vec<Ident>,
    /// Per wire: its variable and its marker in `compute`.
    wires: Vec<Option<(Ident, Ident)>>,
    next: usize,
}

/// The same hygienic local, reported at `at`.
fn located(ident: &Ident, at: Span) -> Ident {
    Ident::new(&ident.to_string(), Span::mixed_site().located_at(at))
}

fn private() -> TokenStream {
    quote!(::flowgraph::__private)
}

impl Direct {
    fn fresh(&mut self, what: &str) -> Ident {
        self.next += 1;
        Ident::new(&format!("__fg_{what}{}", self.next), Span::mixed_site())
    }

    /// Binds `value` (whose marker is `marker`) to `shape`.
    fn bind(&mut self, shape: &Shape, value: TokenStream, marker: &Ident) {
        match shape {
            Shape::Wire(w) => {
                let var = Ident::new(&format!("__fg_w{w}"), Span::mixed_site());
                self.body.extend(quote!(let #var = #value;));
                self.wires[*w] = Some((var, marker.clone()));
            }
            Shape::Dead => self.body.extend(quote!(let _ = #value;)),
            Shape::Tuple(items, span) => {
                let n = items.len();
                let split = Ident::new(&format!("split{n}"), Span::call_site());
                let (parts, values) = (self.fresh("parts"), self.fresh("values"));
                let at = span.map_or_else(Span::call_site, |s| s.0);
                let m = located(marker, at);
                let n_lit = proc_macro2::Literal::usize_unsuffixed(n);
                let check = quote_spanned!(at=> ::flowgraph::__private::destructure::<#n_lit, _>(#m, #value));
                self.body.extend(quote!(let (#parts, #values) = #check;));
                let markers: Vec<Ident> = (0..n).map(|_| self.fresh("m")).collect();
                let vars: Vec<Ident> = (0..n).map(|_| self.fresh("v")).collect();
                let private = private();
                self.body.extend(quote!(
                    let (#(#markers,)*) = #private::#split(#parts);
                    let (#(#vars,)*) = #values;
                ));
                for ((item, var), m) in items.iter().zip(&vars).zip(&markers) {
                    self.bind(item, quote!(#var), m);
                }
            }
        }
    }

    /// The value and the marker of wires read, the marker reported at the
    /// wires.
    fn read(&self, read: &Read) -> (TokenStream, TokenStream) {
        let private = private();
        match read {
            Read::Wire(w, at) => {
                let (var, marker) = self.wires[*w].as_ref().expect("a read wire is bound");
                let m = located(marker, *at);
                (quote!(#var), quote!(#m))
            }
            Read::Tuple(items, at) => {
                let (v, m): (Vec<_>, Vec<_>) = items.iter().map(|r| self.read(r)).unzip();
                let join = Ident::new(&format!("join{}", items.len()), *at);
                (
                    quote!((#(#v,)*)),
                    quote_spanned!(*at=> #private::#join(#(#m),*)),
                )
            }
        }
    }

    /// The outputs as declared: the payload, each output checked against
    /// its declaration.
    fn outputs(&mut self, read: &Read, ty: &Type) -> TokenStream {
        match (read, strip_parens(ty)) {
            (Read::Tuple(items, _), Type::Tuple(t)) if items.len() == t.elems.len() => {
                let values: Vec<_> = items
                    .iter()
                    .zip(&t.elems)
                    .map(|(r, t)| self.outputs(r, t))
                    .collect();
                quote!((#(#values,)*))
            }
            (read, ty) => {
                let private = private();
                let (value, markers) = self.read(read);
                let md = self.fresh("md");
                let at = read.span();
                let md_at = located(&md, at);
                self.body
                    .extend(quote_spanned!(at=> let #md = #private::Marker::<#ty>::new();));
                let o = self.fresh("out");
                let check = quote_spanned!(at=> ::flowgraph::__private::declare(::flowgraph::__private::join2(#md_at, #markers), ::flowgraph::__private::Check, #value));
                self.body.extend(quote!(let #o = #check;));
                quote!(#o)
            }
        }
    }
}

/// The segments as a balanced tree of pairs (`()` for none), so that each
/// state is reached in a logarithmic number of steps.
fn balanced(items: &[TokenStream]) -> TokenStream {
    match items {
        [] => quote!(()),
        [one] => one.clone(),
        _ => {
            let (l, r) = items.split_at(items.len() / 2);
            let (l, r) = (balanced(l), balanced(r));
            quote!((#l, #r))
        }
    }
}

/// The field path to the state of segment `k` of `n` in [`balanced`].
fn slot_path(k: usize, n: usize) -> TokenStream {
    if n <= 1 {
        return TokenStream::new();
    }
    let half = n / 2;
    if k < half {
        let rest = slot_path(k, half);
        quote!(.0 #rest)
    } else {
        let rest = slot_path(k - half, n - half);
        quote!(.1 #rest)
    }
}

/// The expansion of an invocation free of errors: one segment whose
/// `compute` calls the user's segments in order, its wires local variables,
/// so it grows linearly with the body.
pub(crate) fn expand(sig: &Signature, resolved: &Resolved) -> TokenStream {
    let private = private();
    let mut d = Direct {
        outer: TokenStream::new(),
        body: TokenStream::new(),
        segments: Vec::new(),
        wires: vec![None; resolved.wires.len()],
        next: 0,
    };

    // The inputs: a marker per declared input.
    let shapes: Vec<&Shape> = match (&resolved.inputs, sig.input_types.len()) {
        (s, 1) => vec![s],
        (Shape::Tuple(items, None), _) => items.iter().collect(),
        _ => unreachable!("several inputs form a tuple"),
    };
    let mut inputs = Vec::new();
    for (shape, ty) in shapes.into_iter().zip(&sig.input_types) {
        let m = d.fresh("mi");
        let at = syn::spanned::Spanned::span(ty);
        // "Not an interface", at the declaration, before anything else.
        d.outer
            .extend(quote_spanned!(at=> let _ = #private::interface::<#ty>();));
        d.body
            .extend(quote_spanned!(at=> let #m = #private::Marker::<#ty>::new();));
        let v = d.fresh("x");
        inputs.push((shape, v, m));
    }
    match inputs.as_slice() {
        [(_, v, _)] => d.body.extend(quote!(let #v = __fg_inputs;)),
        many => {
            let vs = many.iter().map(|(_, v, _)| v);
            d.body.extend(quote!(let (#(#vs,)*) = __fg_inputs;));
        }
    }
    for (shape, v, m) in &inputs {
        d.bind(shape, quote!(#v), m);
    }

    for (k, step) in resolved.steps.iter().enumerate() {
        let seg = &step.segment;
        let seg_span = syn::spanned::Spanned::span(seg);
        let (s, mi, mo) = (d.fresh("seg"), d.fresh("mi"), d.fresh("mo"));
        let s_at = located(&s, seg_span);
        d.outer.extend(quote!(let #s = #seg;));
        // "Not a segment", at the segment.
        let check = quote_spanned!(seg_span=> #private::interface_of(&#s_at));
        d.outer.extend(quote!(let _ = #check;));
        let slot = slot_path(k, resolved.steps.len());
        d.body.extend(quote!(
            let (#mi, #mo) = #private::slot_interfaces(&(*__fg_states) #slot);
        ));
        let (value, markers) = d.read(&step.args);
        let wires_span = step.args.span();
        let mi_at = located(&mi, wires_span);
        let feed = quote_spanned!(wires_span=> ::flowgraph::__private::feed(::flowgraph::__private::join2(#mi_at, #markers), ::flowgraph::__private::Check, #value));
        let o = d.fresh("o");
        d.body.extend(quote!(
            let #o = #private::run(&mut (*__fg_states) #slot, #feed, __fg_init);
        ));
        d.segments.push(s);
        d.bind(&step.out, quote!(#o), &mo);
    }

    let output_ty = resolved
        .output_ty
        .as_ref()
        .expect("an invocation without errors declares its outputs");
    let at = syn::spanned::Spanned::span(output_ty);
    d.outer
        .extend(quote_spanned!(at=> let _ = #private::interface::<#output_ty>();));
    let payload = d.outputs(&resolved.outputs, output_ty);

    let Direct {
        outer,
        body,
        segments,
        ..
    } = d;
    let leaves: Vec<TokenStream> = segments
        .iter()
        .map(|s| quote!(#private::Leaf(#s)))
        .collect();
    let tree = balanced(&leaves);
    let inputs_ty = &sig.inputs;
    let wiring = wiring(resolved);
    quote! {{
        #outer
        #private::fused(
            #private::Marker::<#inputs_ty>::new(),
            #private::Marker::<#output_ty>::new(),
            #wiring,
            #tree,
            #[allow(unused_variables, clippy::let_unit_value, reason = "wires dropped with `_` are still computed")]
            |__fg_inputs, __fg_states, __fg_init| {
                #body
                #payload
            },
        )
    }}
}

/// The constant describing the body for the exporters
/// (`::flowgraph::__private::Wiring`): the wire names, and the inputs, each
/// application and the outputs as trees of wire ids. A few tokens per wire
/// and per read, so it grows as the body does.
fn wiring(resolved: &Resolved) -> TokenStream {
    let private = private();
    // The wire of a tail application has no name (`""`).
    let names = resolved.wires.iter().map(|w| match w.synthetic {
        true => String::new(),
        false => w.name.unraw().to_string(),
    });
    let inputs = pattern(&resolved.inputs);
    let steps = resolved.steps.iter().map(|step| {
        let (reads, out) = (reads(&step.args), pattern(&step.out));
        quote!((#reads, #out))
    });
    let outputs = reads(&resolved.outputs);
    let c = Ident::new("__FG_WIRING", Span::mixed_site());
    quote! {{
        const #c: &#private::Wiring = {
            use #private::WireTree::{Dead as D, Tuple as T, Wire as W};
            &#private::Wiring {
                wires: &[#(#names),*],
                inputs: #inputs,
                steps: &[#(#steps),*],
                outputs: #outputs,
            }
        };
        #c
    }}
}

/// A pattern as a `WireTree` (`W(id)`, `D`, `T(&[…])`).
fn pattern(shape: &Shape) -> TokenStream {
    match shape {
        Shape::Wire(w) => quote!(W(#w)),
        Shape::Dead => quote!(D),
        Shape::Tuple(items, _) => {
            let items = items.iter().map(pattern);
            quote!(T(&[#(#items),*]))
        }
    }
}

/// Wires read, as a `WireTree`.
fn reads(read: &Read) -> TokenStream {
    match read {
        Read::Wire(w, _) => quote!(W(#w)),
        Read::Tuple(items, _) => {
            let items = items.iter().map(reads);
            quote!(T(&[#(#items),*]))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::arrow::segment;
    use quote::quote;

    fn expand(tokens: proc_macro2::TokenStream) -> String {
        segment(tokens).to_string()
    }

    #[test]
    fn one_fused_segment_with_checks_at_the_invocation() {
        let out = expand(quote! {
            |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
                let c = (b, a) => Add;
                let d = (c, a) => Add;
                let e = (d, a) => Add;
                (e, d, c)
            }
        });
        assert!(!out.contains("compile_error"), "{out}");
        // One check of each kind per application and per output.
        assert_eq!(out.matches("interface_of").count(), 3, "{out}");
        assert_eq!(out.matches("feed (").count(), 3, "{out}");
        assert_eq!(out.matches("declare (").count(), 3, "{out}");
        assert_eq!(out.matches("Leaf").count(), 3, "{out}");
        // Each generated path starts at `::flowgraph`.
        for path in [
            "__private :: fused",
            "__private :: run",
            "__private :: feed",
        ] {
            assert!(out.contains(path), "{path} in {out}");
            for (i, _) in out.match_indices(path) {
                assert!(
                    out[..i].ends_with(":: flowgraph :: "),
                    "{path} at {i} in {out}"
                );
            }
        }
        // The states form a balanced tree: the third of three is `.1 .1`.
        assert!(out.contains("(* __fg_states) . 1 . 1"), "{out}");
        // The body, described for the exporters with the user's names.
        for part in [
            r#"wires : & ["a" , "b" , "c" , "d" , "e"]"#,
            "inputs : T (& [W (0usize) , W (1usize)])",
            "steps : & [(T (& [W (1usize) , W (0usize)]) , W (2usize)) , (T (& [W (2usize) , W (0usize)]) , W (3usize))",
            "outputs : T (& [W (4usize) , W (3usize) , W (2usize)])",
        ] {
            assert!(out.contains(part), "{part} in {out}");
        }
    }

    #[test]
    fn the_description_names_patterns_and_leaves_tail_results_unnamed() {
        let out = expand(quote! {
            |(x, r#y): (Port<i64>, Port<i64>)| -> Port<i64> {
                let (p, _) = (y, x) => Pair;
                p => Inc
            }
        });
        assert!(!out.contains("compile_error"), "{out}");
        for part in [
            r#"wires : & ["x" , "y" , "p" , ""]"#,
            "inputs : T (& [W (0usize) , W (1usize)])",
            "steps : & [(T (& [W (1usize) , W (0usize)]) , T (& [W (2usize) , D])) , (W (2usize) , W (3usize))]",
            "outputs : W (3usize)",
        ] {
            assert!(out.contains(part), "{part} in {out}");
        }
    }

    #[test]
    fn slot_paths_follow_the_balanced_tree() {
        let paths: Vec<String> = (0..5).map(|k| super::slot_path(k, 5).to_string()).collect();
        assert_eq!(
            paths,
            [
                ". 0 . 0",
                ". 0 . 1",
                ". 1 . 0",
                ". 1 . 1 . 0",
                ". 1 . 1 . 1"
            ]
        );
        assert_eq!(super::slot_path(0, 1).to_string(), "");
        assert_eq!(
            super::balanced(&[quote!(a), quote!(b), quote!(c)]).to_string(),
            quote!((a, (b, c))).to_string()
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
