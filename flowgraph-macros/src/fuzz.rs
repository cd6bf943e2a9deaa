//! Token mutations of valid inputs, fed to every macro in-process: no input
//! makes a macro panic, and every error points into the user's input.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use proptest::prelude::*;

/// Valid inputs: the macro, its attribute arguments and its input.
const SEEDS: &[(&str, &str, &str)] = &[
    (
        "segment",
        "",
        "|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>) { let c = (b, a) => Add; let (p, q) = c => Split.then(Scale(2)); let _r = p => Inc; (q, a) }",
    ),
    (
        "segment",
        "",
        "|(x, _): (Port<i64>, RefPort<u8>)| -> Port<i64> { let y = x => Inc; let z = (y, x) => Add; z => Scale(3) }",
    ),
    ("segment", "", "|| -> Port<i64> { let y = () => Const(1); y }"),
    (
        "segment_fn",
        "name = Named",
        "pub fn moving_sum<'x>(#[state(init = 0)] s: &mut i64, #[init] first: bool, x: Notify<i64>, ys: &[&f64], f: fn(&i64) -> i64) -> (i64, &'x i64) { todo!() }",
    ),
    (
        "segment_fn",
        "",
        "fn pick(a: &i64, b: (u8, &Vec<u8>)) -> Notify<&i64> { a }",
    ),
    (
        "segment_impl",
        "",
        "impl<T: Copy> Scale<T> { fn helper() {} fn compute(&mut self, x: T, y: &T) -> (T, Notify<&T>) { todo!() } }",
    ),
    (
        "derive",
        "",
        "pub struct Quote<T: Copy + Send + Sync + 'static> { pub bid: Port<T>, ask: (Port<f64>, RefPort<u8>), pub(crate) more: Inner }",
    ),
];

/// Tokens inserted by mutations: the punctuation and words the macros read.
const VOCABULARY: &[&str] = &[
    "=>",
    "=",
    "let",
    ";",
    ",",
    "_",
    "__",
    "_1",
    "r#x",
    "x",
    "a",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "|",
    "||",
    ":",
    "::",
    "->",
    "&",
    "&mut",
    "mut",
    "'a",
    "'gen",
    "'__flowgraph",
    "Notify",
    "#[state]",
    "#[init]",
    "#[state(init = 1)]",
    "#[state(init)]",
    "name",
    "name = X",
    "fn",
    "self",
    "&self",
    "&mut self",
    "async",
    "impl",
    "dyn",
    "0",
    "1.5",
    "\"s\"",
    "Port<i64>",
    "[&i64]",
    "&[&u8]",
    "&str",
    "()",
    "(,)",
    "!",
    "?",
    "#",
    "struct",
    "enum",
    "union",
    "pub",
    "where",
    "T",
    "'x",
];

/// The leaf tokens of `ts` as text, groups as their delimiters.
fn flatten(ts: TokenStream, out: &mut Vec<String>) {
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push(open.into());
                flatten(g.stream(), out);
                out.push(close.into());
            }
            TokenTree::Punct(p) => {
                // Keep joint punctuation together: `=>`, `::`, `->`.
                let c = p.as_char().to_string();
                match out.last_mut() {
                    Some(last) if last.ends_with('\u{0}') => {
                        last.pop();
                        last.push_str(&c);
                    }
                    _ => out.push(c),
                }
                if p.spacing() == proc_macro2::Spacing::Joint {
                    out.last_mut().unwrap().push('\u{0}');
                }
            }
            other => out.push(other.to_string()),
        }
    }
    for t in out.iter_mut() {
        t.retain(|c| c != '\u{0}');
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Insert(usize, usize),
    Replace(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), 0..VOCABULARY.len()).prop_map(|(a, w)| Mutation::Insert(a, w)),
        (any::<usize>(), 0..VOCABULARY.len()).prop_map(|(a, w)| Mutation::Replace(a, w)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Drops unmatched closing delimiters and closes the open ones, so that
/// (almost) every mutation is a token stream.
fn balance(tokens: &mut Vec<String>) {
    let mut open = Vec::new();
    tokens.retain(|t| match t.as_str() {
        "(" | "[" | "{" => {
            open.push(t.clone());
            true
        }
        ")" | "]" | "}" => {
            let want = match t.as_str() {
                ")" => "(",
                "]" => "[",
                _ => "{",
            };
            if open.last().map(String::as_str) == Some(want) {
                open.pop();
                true
            } else {
                false
            }
        }
        _ => true,
    });
    while let Some(o) = open.pop() {
        tokens.push(
            match o.as_str() {
                "(" => ")",
                "[" => "]",
                _ => "}",
            }
            .into(),
        );
    }
}

fn apply(tokens: &mut Vec<String>, m: &Mutation) {
    let n = tokens.len().max(1);
    match *m {
        Mutation::Delete(i) if !tokens.is_empty() => {
            tokens.remove(i % n);
        }
        Mutation::Duplicate(i) if !tokens.is_empty() => {
            let t = tokens[i % n].clone();
            tokens.insert(i % n, t);
        }
        Mutation::Swap(i, j) if !tokens.is_empty() => tokens.swap(i % n, j % n),
        Mutation::Insert(i, w) => tokens.insert(i % (tokens.len() + 1), VOCABULARY[w].into()),
        Mutation::Replace(i, w) if !tokens.is_empty() => tokens[i % n] = VOCABULARY[w].into(),
        Mutation::Truncate(i) => tokens.truncate(i % n),
        _ => {}
    }
}

/// The byte range of `ts`'s tokens.
fn range(ts: &TokenStream) -> Option<(usize, usize)> {
    let mut lo = usize::MAX;
    let mut hi = 0;
    for tt in ts.clone() {
        let r = tt.span().byte_range();
        lo = lo.min(r.start);
        hi = hi.max(r.end);
    }
    (lo <= hi).then_some((lo, hi))
}

/// The spans of the `compile_error!` invocations in `out`.
fn error_spans(out: &TokenStream, spans: &mut Vec<(std::ops::Range<usize>, String)>) {
    let tokens: Vec<TokenTree> = out.clone().into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "compile_error" => {
                let msg = tokens
                    .get(i + 2)
                    .map(ToString::to_string)
                    .unwrap_or_default();
                spans.push((id.span().byte_range(), msg));
            }
            TokenTree::Group(g) => error_spans(&g.stream(), spans),
            _ => {}
        }
    }
}

fn run(which: &str, attr: TokenStream, item: TokenStream) -> TokenStream {
    match which {
        "segment" => crate::arrow::segment(item),
        "segment_fn" => crate::attrs::segment_fn(attr, item),
        "derive" => crate::interface::derive(item),
        _ => crate::attrs::segment_impl(attr, item),
    }
}

/// Feeds one mutated input; `Err` describes a failure.
fn check(which: &str, attr_text: &str, item_text: &str) -> Result<(), String> {
    // Mutations can unbalance delimiters: such text is not a token stream,
    // and no macro ever sees it.
    let (Ok(attr), Ok(item)) = (
        TokenStream::from_str(attr_text),
        TokenStream::from_str(item_text),
    ) else {
        return Ok(());
    };
    let out = catch_unwind(AssertUnwindSafe(|| run(which, attr.clone(), item.clone())))
        .map_err(|_| format!("`{which}` panicked on `{attr_text}` / `{item_text}`"))?;
    let mut spans = Vec::new();
    error_spans(&out, &mut spans);
    let ranges: Vec<_> = [range(&attr), range(&item)].into_iter().flatten().collect();
    for (span, msg) in spans {
        // An empty invocation has nothing else to point at.
        if ranges.is_empty() {
            continue;
        }
        let inside = ranges
            .iter()
            .any(|&(lo, hi)| span.start >= lo && span.end <= hi && span.start < span.end);
        if !inside {
            return Err(format!(
                "`{which}`: the error {msg} at {span:?} is outside the input {ranges:?}: `{attr_text}` / `{item_text}`"
            ));
        }
    }
    Ok(())
}

#[test]
fn seeds_expand_without_errors() {
    for (which, attr, item) in SEEDS {
        let out = run(
            which,
            TokenStream::from_str(attr).unwrap(),
            TokenStream::from_str(item).unwrap(),
        );
        assert!(!out.to_string().contains("compile_error"), "{which}: {out}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_inputs_never_panic_and_errors_point_into_the_input(
        seed in 0..SEEDS.len(),
        in_attr in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let (which, attr, item) = SEEDS[seed];
        let mut attr_tokens = Vec::new();
        flatten(TokenStream::from_str(attr).unwrap(), &mut attr_tokens);
        let mut item_tokens = Vec::new();
        flatten(TokenStream::from_str(item).unwrap(), &mut item_tokens);
        let target = if in_attr && which != "segment" && which != "derive" { &mut attr_tokens } else { &mut item_tokens };
        for m in &mutations {
            apply(target, m);
        }
        balance(target);
        let result = check(which, &attr_tokens.join(" "), &item_tokens.join(" "));
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}

#[test]
fn known_mistakes_point_into_the_input() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "segment",
            "",
            "|x: Port<i64>| -> Port<i64> { let y = x => Foo::; y }",
        ),
        (
            "segment",
            "",
            "|x: Port<i64>| -> Port<i64> { let = x => Inc; x }",
        ),
        (
            "segment",
            "",
            "|x: Port<i64>| -> Port<i64> { let r#x = x => Inc; r#x }",
        ),
        (
            "segment",
            "",
            "|x: Port<i64>| -> Port<i64> { let y = x => ; y }",
        ),
        ("segment", "", "|x: Port<i64>| -> Port<i64>"),
        ("segment", "", "|x: Port<i64>"),
        ("segment", "", ""),
        ("segment_fn", "name", "fn f(x: i64) -> i64 { x }"),
        ("segment_fn", "name =", "fn f(x: i64) -> i64 { x }"),
        ("segment_fn", "", "fn __(x: i64) -> i64 { x }"),
        ("segment_fn", "", "fn f(#[state(init = )] s: &mut i64) {}"),
        ("segment_fn", "", ""),
        ("segment_impl", "", "impl S {}"),
        ("derive", "", "struct Q(Port<u8>);"),
        ("derive", "", "enum Q { A }"),
        ("derive", "", "union Q { a: u8 }"),
        ("derive", "", "struct Q<'a> { x: RefPort<&'a u8> }"),
        ("derive", "", "struct Q;"),
        ("derive", "", "struct Q {}"),
        ("derive", "", "struct Q { x: }"),
        ("derive", "", ""),
    ];
    for (which, attr, item) in cases {
        let out = run(
            which,
            TokenStream::from_str(attr).unwrap(),
            TokenStream::from_str(item).unwrap(),
        );
        assert!(
            out.to_string().contains("compile_error"),
            "{which} {item}: {out}"
        );
        check(which, attr, item).unwrap();
    }
}
