//! The `segment!` arrow notation: parse → resolve → expand.
//!
//! Each phase is a module working on `proc_macro2` tokens, unit-tested on
//! its own. Errors are collected across phases (as serde's `Ctxt` does) and
//! reported together, each at the narrowest span of the user's input; on
//! error the macro still expands to a placeholder segment of the declared
//! type, so that one mistake gives one message.

mod expand;
#[cfg(test)]
mod growth;
mod parse;
mod resolve;

use proc_macro2::TokenStream;

pub(crate) use crate::errors::Errors;

/// Tokens as the user would write them (`(a, b)`, `Port<i64>`), for
/// messages.
pub(crate) fn pretty(tokens: &TokenStream) -> String {
    let mut s = tokens.to_string();
    // A leading `::` keeps the space before it (`, ::a::b`), an inner one
    // does not (`a::b`).
    for (from, to) in [
        (", :: ", ", \0"),
        ("( :: ", "(\0"),
        ("< :: ", "<\0"),
        (" :: ", "::"),
        (":: ", "::"),
        ("\0", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        ("& ", "&"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Expands `segment!(…)`.
pub(crate) fn segment(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let def = match parse::parse(input, &mut errors) {
        Ok(def) => def,
        Err(e) => {
            errors.push(e);
            return expand::fallback(None, errors);
        }
    };
    let sig = expand::Signature::of(&def);
    let resolved = resolve::resolve(def, &mut errors);
    match resolved {
        Some(r) if errors.is_empty() => expand::expand(&sig, &r),
        _ => expand::fallback(Some(&sig), errors),
    }
}
