//! Pins how the expansion of `segment!` grows with the body: linearly (up
//! to the logarithmic path to each segment's state), for chains, for
//! reduction trees whose leaves are all live at once, and for wide fans.

use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};

/// Every token, groups counted with their contents.
fn count(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) => 1 + count(&g.stream()),
            _ => 1,
        })
        .sum()
}

/// `n` leaves read from one input, then summed pairwise, level by level:
/// all `n` leaves are live at once.
fn tree(n: usize) -> TokenStream {
    let mut lets = Vec::new();
    let mut level: Vec<_> = (0..n).map(|i| format_ident!("l{i}")).collect();
    for l in &level {
        lets.push(quote!(let #l = x => Inc;));
    }
    let mut k = 0;
    while level.len() > 1 {
        let mut next = Vec::new();
        for pair in level.chunks(2) {
            if let [a, b] = pair {
                let s = format_ident!("s{k}");
                k += 1;
                lets.push(quote!(let #s = (#a, #b) => Add;));
                next.push(s);
            } else {
                next.push(pair[0].clone());
            }
        }
        level = next;
    }
    let out = &level[0];
    quote!(|x: Port<i64>| -> Port<i64> { #(#lets)* #out })
}

/// A chain of `n` applications.
fn chain(n: usize) -> TokenStream {
    let mut lets = Vec::new();
    let mut prev = format_ident!("x");
    for i in 0..n {
        let w = format_ident!("c{i}");
        lets.push(quote!(let #w = #prev => Inc;));
        prev = w;
    }
    quote!(|x: Port<i64>| -> Port<i64> { #(#lets)* #prev })
}

/// `n` applications reading the input, each read again, in order, by a
/// chain of sums that also reads the input every time.
fn fan(n: usize) -> TokenStream {
    let mut lets = Vec::new();
    for i in 0..n {
        let w = format_ident!("f{i}");
        lets.push(quote!(let #w = x => Inc;));
    }
    let mut acc = format_ident!("f0");
    for i in 1..n {
        let (w, a) = (format_ident!("f{i}"), format_ident!("a{i}"));
        lets.push(quote!(let #a = ((#acc, #w), x) => Add3;));
        acc = a;
    }
    quote!(|x: Port<i64>| -> (Port<i64>, Port<i64>) { #(#lets)* (#acc, x) })
}

#[test]
fn expansion_grows_linearly() {
    // Each shape, and its number of applications for `n`.
    for (name, shape, applications) in [
        ("chain", chain as fn(usize) -> TokenStream, 1),
        ("tree", tree, 2),
        ("fan", fan, 2),
    ] {
        let sizes: Vec<usize> = [64, 128, 256]
            .into_iter()
            .map(|n| {
                let out = crate::arrow::segment(shape(n));
                assert!(!out.to_string().contains("compile_error"), "{name}: {out}");
                count(&out)
            })
            .collect();
        // Doubling the body at most doubles the expansion, but for one more
        // step on each path to a state.
        for w in sizes.windows(2) {
            let ratio = w[1] as f64 / w[0] as f64;
            assert!(
                ratio < 2.2,
                "{name}: {sizes:?} grows {ratio:.2}× per doubling"
            );
        }
        let per_application = sizes[2] / (256 * applications);
        assert!(
            per_application < 200,
            "{name}: {sizes:?}: {per_application} tokens per application"
        );
        eprintln!("{name}: {sizes:?}");
    }
}
