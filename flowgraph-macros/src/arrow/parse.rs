//! Phase 1: the syntax tree of a `segment!` invocation.
//!
//! ```text
//! |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) {
//!     let c = (b, a) => Add;     // a `Let`: pattern = wires => segment expression;
//!     let (p, q) = c => Split;   // patterns destructure tuple outputs
//!     (p, q)                     // the tail: the outputs (optionally `wires => Segment`)
//! }
//! ```
//!
//! The parser keeps every token (for spans) and recovers from the mistakes
//! users make most, recording an error and going on, so that one invocation
//! reports all of them at once.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{token, Expr, Ident, Token, Type};

use super::Errors;

/// A whole invocation.
pub(crate) struct SegmentDef {
    /// The `|a: A, b: B|` list.
    pub(crate) inputs: Vec<Input>,
    /// The declared output interface, `None` if `-> Outputs` is missing.
    pub(crate) output: Option<Type>,
    /// The `let` statements, in order.
    pub(crate) lets: Vec<Let>,
    /// The patterns of `let`s that failed to parse (an error is recorded):
    /// their names count as defined, so the mistake is reported only once.
    pub(crate) broken: Vec<Pat>,
    /// The outputs; `None` if the body has none (an error already recorded).
    pub(crate) tail: Option<Tail>,
}

/// One input: a pattern and its declared interface.
pub(crate) struct Input {
    pub(crate) pat: Pat,
    /// `None` if the annotation is missing (an error already recorded).
    pub(crate) ty: Option<Type>,
}

/// A pattern binding wires: `x`, `_`, or a tuple of patterns.
pub(crate) enum Pat {
    Name(Ident),
    Wild(Token![_]),
    Tuple(token::Paren, Vec<Pat>),
}

/// Wires read by an arrow or returned: `x`, or a tuple of wires.
pub(crate) enum Wires {
    Name(Ident),
    Tuple(token::Paren, Vec<Wires>),
}

/// `let pat = wires => segment;`
pub(crate) struct Let {
    pub(crate) pat: Pat,
    pub(crate) wires: Wires,
    pub(crate) segment: Expr,
}

/// The final expression: `wires`, or `wires => segment`.
pub(crate) struct Tail {
    pub(crate) wires: Wires,
    pub(crate) apply: Option<(Token![=>], Expr)>,
}

impl Pat {
    pub(crate) fn span(&self) -> Span {
        match self {
            Pat::Name(i) => i.span(),
            Pat::Wild(w) => w.span,
            Pat::Tuple(p, _) => p.span.join(),
        }
    }
}

impl Parse for Pat {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![_]) {
            return Ok(Pat::Wild(input.parse()?));
        }
        if input.peek(token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            let items = Punctuated::<Pat, Token![,]>::parse_terminated(&content)?;
            // `(p)` is `p` in parentheses; `(p,)` is a 1-tuple.
            if items.len() == 1 && !items.trailing_punct() {
                return Ok(items.into_iter().next().unwrap());
            }
            return Ok(Pat::Tuple(paren, items.into_iter().collect()));
        }
        if input.peek(Ident) {
            return Ok(Pat::Name(input.parse()?));
        }
        Err(input
            .error("expected a wire name, `_` or a tuple of them, e.g. `x`, `(p, q)` or `(_, q)`"))
    }
}

impl Parse for Wires {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![_]) {
            let w: Token![_] = input.parse()?;
            return Err(syn::Error::new(
                w.span,
                "`_` discards a wire and cannot be read; name the wire where it is defined and use that name",
            ));
        }
        if input.peek(token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            let items = Punctuated::<Wires, Token![,]>::parse_terminated(&content)?;
            if items.len() == 1 && !items.trailing_punct() {
                return Ok(items.into_iter().next().unwrap());
            }
            return Ok(Wires::Tuple(paren, items.into_iter().collect()));
        }
        if input.peek(Ident) {
            return Ok(Wires::Name(input.parse()?));
        }
        Err(input.error("expected a wire name or a tuple of wires, e.g. `x` or `(b, a)`"))
    }
}

/// Parses a whole invocation, recording recoverable mistakes in `errors`.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> syn::Result<SegmentDef> {
    crate::errors::parse_with(tokens, |input| parse_def(input, errors))
}

fn parse_def(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<SegmentDef> {
    let mut inputs = Vec::new();
    let inputs_span;
    if input.peek(Token![||]) {
        let bars: Token![||] = input.parse()?;
        inputs_span = (bars.spans[0], bars.spans[1]);
    } else {
        let open: Token![|] = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a closure-like segment: `|x: Port<i64>| -> Port<i64> { let y = x => Inc; y }`",
            )
        })?;
        let mut close_span = open.span;
        loop {
            if input.peek(Token![|]) {
                let close: Token![|] = input.parse()?;
                close_span = close.span;
                break;
            }
            if input.is_empty() {
                return Err(syn::Error::new(
                    close_span,
                    "expected `|` closing the inputs",
                ));
            }
            let pat: Pat = input.parse()?;
            let ty = if input.peek(Token![:]) {
                input.parse::<Token![:]>()?;
                Some(input.parse::<Type>()?)
            } else {
                errors.push(syn::Error::new(
                    pat.span(),
                    format!(
                        "the input `{}` needs a type annotation: write `{}: Port<i64>` (or the interface it carries)",
                        pat_text(&pat),
                        pat_text(&pat)
                    ),
                ));
                None
            };
            inputs.push(Input { pat, ty });
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            } else if !input.peek(Token![|]) {
                return Err(input.error("expected `,` or `|` after an input"));
            }
        }
        inputs_span = (open.span, close_span);
    }

    let output = if input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        Some(input.parse::<Type>()?)
    } else {
        // At the end of the input, `input.span()` is the call site.
        let at = if input.is_empty() {
            inputs_span.1
        } else {
            input.span()
        };
        errors.push(syn::Error::new(
            at,
            "missing the output interface: write `-> Port<i64>` (or a tuple like `-> (Port<i64>, Port<i64>)`) before the body",
        ));
        None
    };

    let body;
    let brace = syn::braced!(body in input);
    if !input.is_empty() {
        return Err(input.error("unexpected tokens after the body of `segment!`"));
    }
    let mut broken = Vec::new();
    let (lets, tail) = parse_body(&body, brace.span.close(), errors, &mut broken)?;
    Ok(SegmentDef {
        inputs,
        output,
        lets,
        broken,
        tail,
    })
}

fn pat_text(pat: &Pat) -> String {
    match pat {
        Pat::Name(i) => i.to_string(),
        Pat::Wild(_) => "_".into(),
        Pat::Tuple(_, items) => {
            let inner: Vec<_> = items.iter().map(pat_text).collect();
            format!("({})", inner.join(", "))
        }
    }
}

/// Splits the body into statements at top-level `;` and parses each one.
fn parse_body(
    body: ParseStream<'_>,
    close: Span,
    errors: &mut Errors,
    broken: &mut Vec<Pat>,
) -> syn::Result<(Vec<Let>, Option<Tail>)> {
    let all: TokenStream = body.parse()?;
    let mut stmts: Vec<(Vec<TokenTree>, Option<Span>)> = Vec::new();
    let mut cur = Vec::new();
    for tt in all {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ';' => {
                stmts.push((std::mem::take(&mut cur), Some(p.span())));
            }
            _ => cur.push(tt),
        }
    }
    let tail_tokens = cur;

    let mut lets = Vec::new();
    for (tokens, semi) in stmts {
        if tokens.is_empty() {
            if let Some(semi) = semi {
                errors.push(syn::Error::new(semi, "unexpected `;`: remove it"));
            }
            continue;
        }
        let is_let = matches!(&tokens[0], TokenTree::Ident(i) if i == "let");
        if !is_let {
            errors.push(syn::Error::new_spanned(
                stream(&tokens),
                "only `let` statements may come before the outputs: write `let y = x => Segment;`",
            ));
            continue;
        }
        match parse_let(&tokens) {
            Ok(l) => lets.push(l),
            Err(e) => {
                errors.push(e);
                if let Some(pat) = let_pattern(&tokens) {
                    broken.push(pat);
                }
            }
        }
    }

    if tail_tokens.is_empty() {
        errors.push(syn::Error::new(
            close,
            "the body must end with the segment's outputs, e.g. `(e, d, c)` or `y`, without a `;`",
        ));
        return Ok((lets, None));
    }
    if matches!(&tail_tokens[0], TokenTree::Ident(i) if i == "let") {
        errors.push(syn::Error::new_spanned(
            stream(&tail_tokens),
            "this `let` needs a `;`, and the body must end with the segment's outputs, e.g. `(e, d, c)`",
        ));
        return Ok((lets, None));
    }
    match parse_tail(&tail_tokens) {
        Ok(t) => Ok((lets, Some(t))),
        Err(e) => {
            errors.push(e);
            Ok((lets, None))
        }
    }
}

/// Finds a top-level `=>` in `tokens`; returns the index of its `=`.
fn find_arrow(tokens: &[TokenTree]) -> Option<usize> {
    tokens.windows(2).position(|w| match (&w[0], &w[1]) {
        (TokenTree::Punct(a), TokenTree::Punct(b)) => {
            a.as_char() == '=' && a.spacing() == proc_macro2::Spacing::Joint && b.as_char() == '>'
        }
        _ => false,
    })
}

fn stream(tokens: &[TokenTree]) -> TokenStream {
    tokens.iter().cloned().collect()
}

/// The index of the binding `=` of a `let`: `let` pat `=` rest; a pattern
/// holds no `=`, and the first lone `=` is the binding one (`=>` is a joint
/// `=`).
fn binding_eq(tokens: &[TokenTree]) -> Option<usize> {
    tokens.iter().position(|tt| {
        matches!(tt, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone)
    })
}

/// The index of the first `:` in `tokens` (a type annotation).
fn first_colon(tokens: &[TokenTree]) -> Option<usize> {
    tokens
        .iter()
        .position(|tt| matches!(tt, TokenTree::Punct(p) if p.as_char() == ':'))
}

/// The pattern of a `let` statement, if it has a readable one.
fn let_pattern(tokens: &[TokenTree]) -> Option<Pat> {
    let pat = &tokens[1..binding_eq(tokens)?];
    let end = first_colon(pat).unwrap_or(pat.len());
    crate::errors::parse2(stream(&pat[..end])).ok()
}

fn parse_let(tokens: &[TokenTree]) -> syn::Result<Let> {
    let Some(eq) = binding_eq(tokens) else {
        return Err(syn::Error::new_spanned(
            stream(tokens),
            "expected `let pattern = wires => Segment;`",
        ));
    };
    let pat_tokens = &tokens[1..eq];
    if pat_tokens.is_empty() {
        return Err(syn::Error::new(
            tokens[0].span(),
            "this `let` binds no wire: name the outputs, as in `let y = x => Segment;` (or `let _ = …` to drop them)",
        ));
    }
    if let Some(colon) = first_colon(pat_tokens) {
        return Err(syn::Error::new_spanned(
            stream(&pat_tokens[colon..]),
            "wires take their types from the segment that produces them: remove this annotation",
        ));
    }
    let pat: Pat = crate::errors::parse2(stream(pat_tokens))?;
    let rhs = &tokens[eq + 1..];
    if rhs.is_empty() {
        return Err(syn::Error::new(
            tokens[eq].span(),
            "expected `wires => Segment` after `=`",
        ));
    }
    let Some(arrow) = find_arrow(rhs) else {
        return Err(syn::Error::new_spanned(
            stream(rhs),
            format!(
                "`let {} = {}` binds no segment: a `let` applies a segment to wires, as in `let {} = {} => Segment;`",
                pat_text(&pat),
                super::pretty(&stream(rhs)),
                pat_text(&pat),
                if rhs.len() == 1 || is_group(rhs) { super::pretty(&stream(rhs)) } else { "x".into() },
            ),
        ));
    };
    let (wires, _, segment) = parse_application(rhs, arrow)?;
    Ok(Let {
        pat,
        wires,
        segment,
    })
}

fn is_group(tokens: &[TokenTree]) -> bool {
    tokens.len() == 1
        && matches!(&tokens[0], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
}

fn parse_application(tokens: &[TokenTree], arrow: usize) -> syn::Result<(Wires, Token![=>], Expr)> {
    let lhs = &tokens[..arrow];
    if lhs.is_empty() {
        return Err(syn::Error::new(
            tokens[arrow].span(),
            "expected the wires fed to the segment before `=>`, e.g. `(b, a) => Add`",
        ));
    }
    let wires: Wires = crate::errors::parse2(stream(lhs)).map_err(|e| {
        if e.to_string().starts_with("`_`") {
            return e;
        }
        syn::Error::new(
            e.span(),
            format!(
                "expected a wire or a tuple of wires before `=>`, found `{}`; compute values inside a segment, not between wires",
                super::pretty(&stream(lhs))
            ),
        )
    })?;
    let arrow_tok: Token![=>] = crate::errors::parse2(stream(&tokens[arrow..arrow + 2]))?;
    let rhs = &tokens[arrow + 2..];
    if rhs.is_empty() {
        return Err(syn::Error::new(
            tokens[arrow + 1].span(),
            "expected a segment after `=>`, e.g. `=> Add` or `=> Scale(3)`",
        ));
    }
    let segment: Expr = crate::errors::parse2(stream(rhs))?;
    Ok((wires, arrow_tok, segment))
}

fn parse_tail(tokens: &[TokenTree]) -> syn::Result<Tail> {
    if let Some(arrow) = find_arrow(tokens) {
        let (wires, arrow_tok, segment) = parse_application(tokens, arrow)?;
        return Ok(Tail {
            wires,
            apply: Some((arrow_tok, segment)),
        });
    }
    let wires: Wires = crate::errors::parse2(stream(tokens)).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!(
                "expected the segment's outputs (a wire or a tuple of wires), found `{}`",
                super::pretty(&stream(tokens))
            ),
        )
    })?;
    Ok(Tail { wires, apply: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn ok(tokens: TokenStream) -> SegmentDef {
        let mut errors = Errors::default();
        let def = parse(tokens, &mut errors).expect("parses");
        assert!(errors.is_empty(), "{:?}", errors.messages());
        def
    }

    fn recoverable(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        parse(tokens, &mut errors).expect("recovers");
        errors.messages()
    }

    #[test]
    fn spec_block() {
        let def = ok(quote! {
            |a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
                let c = (b, a) => Add;
                let d = (c, a) => Add;
                let e = (d, a) => Add;
                (e, d, c)
            }
        });
        assert_eq!(def.inputs.len(), 2);
        assert!(def.output.is_some());
        assert_eq!(def.lets.len(), 3);
        let tail = def.tail.unwrap();
        assert!(matches!(tail.wires, Wires::Tuple(_, ref w) if w.len() == 3));
        assert!(tail.apply.is_none());
    }

    #[test]
    fn patterns_expressions_and_tail_application() {
        let def = ok(quote! {
            |(x, _): (Port<i64>, Port<u8>)| -> Port<i64> {
                let (p, (q, _r)) = x => Split.then(Other::new(3, |v| v + 1));
                let y = ((p, q), x) => segment!(|a: Port<i64>| -> Port<i64> { a });
                y => Scale(3)
            }
        });
        assert!(matches!(def.inputs[0].pat, Pat::Tuple(_, ref p) if p.len() == 2));
        assert!(matches!(def.lets[0].pat, Pat::Tuple(_, ref p) if p.len() == 2));
        assert!(matches!(def.lets[1].segment, Expr::Macro(_)));
        assert!(def.tail.unwrap().apply.is_some());
    }

    #[test]
    fn parentheses_versus_one_tuples() {
        let def = ok(
            quote! { |x: Port<i64>| -> (Port<i64>,) { let (y) = (x) => Inc; let (z,) = (y,) => One; (z,) } },
        );
        assert!(matches!(def.lets[0].pat, Pat::Name(_)));
        assert!(matches!(def.lets[0].wires, Wires::Name(_)));
        assert!(matches!(def.lets[1].pat, Pat::Tuple(_, ref p) if p.len() == 1));
        assert!(matches!(def.lets[1].wires, Wires::Tuple(_, ref w) if w.len() == 1));
    }

    #[test]
    fn no_inputs() {
        let def = ok(quote! { || -> Port<i64> { let y = () => Const; y } });
        assert!(def.inputs.is_empty());
        assert!(matches!(def.lets[0].wires, Wires::Tuple(_, ref w) if w.is_empty()));
    }

    #[test]
    fn missing_annotation_and_output_are_recovered() {
        let errors = recoverable(quote! { |a, b: Port<i64>| { (a, b) } });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("`a` needs a type annotation"));
        assert!(errors[1].contains("missing the output interface"));
    }

    #[test]
    fn let_without_arrow() {
        let errors = recoverable(quote! { |a: Port<i64>| -> Port<i64> { let b = a; b } });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("binds no segment"), "{errors:?}");
        assert!(errors[0].contains("`let b = a => Segment;`"), "{errors:?}");
    }

    #[test]
    fn let_without_arrow_quotes_the_user_tokens() {
        let errors =
            recoverable(quote! { |a: Port<i64>, c: Port<i64>| -> Port<i64> { let b = (a, c); b } });
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("`let b = (a, c)` binds no segment"),
            "{errors:?}"
        );
        assert!(
            errors[0].contains("`let b = (a, c) => Segment;`"),
            "{errors:?}"
        );
    }

    #[test]
    fn annotated_wire_is_reported_once() {
        let mut errors = Errors::default();
        let def = parse(
            quote! { |x: Port<i64>| -> Port<i64> { let y: Port<i64> = x => Inc; y } },
            &mut errors,
        )
        .unwrap();
        assert_eq!(errors.len(), 1);
        assert!(matches!(&def.broken[..], [Pat::Name(n)] if n == "y"));
    }

    #[test]
    fn expression_between_wires() {
        let errors =
            recoverable(quote! { |a: Port<i64>| -> Port<i64> { let b = a + a => Inc; b } });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("before `=>`"), "{errors:?}");
    }

    #[test]
    fn missing_tail() {
        let errors = recoverable(quote! { |a: Port<i64>| -> Port<i64> { let b = a => Inc; } });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("must end with the segment's outputs"));
    }

    #[test]
    fn reading_underscore() {
        let errors = recoverable(quote! { |a: Port<i64>| -> Port<i64> { let b = _ => Inc; b } });
        assert!(errors[0].contains("`_` discards a wire"), "{errors:?}");
    }

    #[test]
    fn let_without_pattern() {
        let errors = recoverable(quote! { |x: Port<i64>| -> Port<i64> { let = x => Inc; x } });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("binds no wire"), "{errors:?}");
    }

    #[test]
    fn not_a_closure() {
        let mut errors = Errors::default();
        assert!(parse(quote! { Add }, &mut errors).is_err());
    }
}
