//! Errors shared by both macro families: one collector, and parsing that
//! reports the end of the input at the user's last token.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};

/// Collected errors, reported together, each at its own span: one
/// invocation reports all its mistakes at once.
#[derive(Debug, Default)]
pub(crate) struct Errors(Vec<syn::Error>);

impl Errors {
    /// Records an error at `tokens`' span.
    pub(crate) fn at(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    /// How many errors were recorded so far.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The messages, for tests.
    #[cfg(test)]
    pub(crate) fn messages(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    /// The errors combined into one, if any.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        let mut all = self.0.into_iter();
        match all.next() {
            None => Ok(()),
            Some(mut first) => {
                all.for_each(|e| first.combine(e));
                Err(first)
            }
        }
    }

    /// The errors as `compile_error!` invocations.
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.0.into_iter().map(|e| e.to_compile_error()).collect()
    }
}

/// The span of the last token of `tokens` (the closing delimiter of a final
/// group), if any.
fn last_span(tokens: &TokenStream) -> Option<Span> {
    tokens.clone().into_iter().last().map(|tt| match tt {
        TokenTree::Group(g) => g.span_close(),
        other => other.span(),
    })
}

/// `error` with its "unexpected end of input" parts moved from the call site
/// (where `syn` puts them) to the last token of `tokens`, the user's input.
pub(crate) fn at_end_of(error: syn::Error, tokens: &TokenStream) -> syn::Error {
    let Some(end) = last_span(tokens) else {
        return error;
    };
    error
        .into_iter()
        .map(|e| {
            if e.to_string().starts_with("unexpected end of input") {
                syn::Error::new(end, e.to_string())
            } else {
                e
            }
        })
        .reduce(|mut a, b| {
            a.combine(b);
            a
        })
        .expect("an error has at least one message")
}

/// Parses all of `tokens` with `f`, an error at the end of the input
/// pointing at the last token rather than at the call site.
pub(crate) fn parse_with<T>(
    tokens: TokenStream,
    f: impl FnOnce(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<T> {
    let Some(end) = last_span(&tokens) else {
        return f.parse2(tokens);
    };
    // Inside a group, `syn` reports the end of input at the group's span.
    let mut group = Group::new(Delimiter::Parenthesis, tokens);
    group.set_span(end);
    let wrapped = TokenStream::from(TokenTree::Group(group));
    let parser = |input: ParseStream<'_>| {
        let content;
        syn::parenthesized!(content in input);
        let value = f(&content)?;
        if !content.is_empty() {
            return Err(content.error("unexpected token"));
        }
        Ok(value)
    };
    parser
        .parse2(wrapped)
        .map_err(|e| at_end_of(e, &TokenStream::new()))
}

/// Parses all of `tokens` as a `T`, like [`parse_with`].
pub(crate) fn parse2<T: syn::parse::Parse>(tokens: TokenStream) -> syn::Result<T> {
    parse_with(tokens, T::parse)
}
