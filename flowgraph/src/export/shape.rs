//! What the typed layer tells the exporters about a segment: the port tree of
//! each interface and, for fused segments, the combinator tree inside.
//!
//! These types are reached by the hidden `Interface::port_tree` and
//! `Segment::__fused` methods; they carry only `&'static str` type names.

use std::fmt::{self, Write as _};

/// How a leaf rides its wire.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    /// `ViewPort<V>` (`Port<T>` when `V` is `Scalar<T>`).
    View,
    /// `RefViewPort<V>` (`RefPort<T>`).
    RefView,
    /// `RefViewPorts<V>` (`RefPorts<T>`), a group.
    RefViews,
    /// `ViewPorts<V>` (`Ports<T>`), a by-value group.
    Views,
}

/// One leaf of an interface: its kind and the full type name of its view
/// family (`flowgraph::typed::interface::Scalar<f64>`, or a user's view).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortDesc {
    /// The leaf's kind.
    pub kind: PortKind,
    /// `std::any::type_name` of the view family `V`.
    pub view: &'static str,
}

impl PortDesc {
    /// The label of this leaf as a user writes its type: `Port<f64>`,
    /// `RefPort<Vec<u32>>`, `RefPorts<f64>`, `ViewPort<Slice>`.
    pub(crate) fn label(&self) -> String {
        let view = short_name(self.view);
        let scalar = view
            .strip_prefix("Scalar<")
            .and_then(|s| s.strip_suffix('>'));
        let (name, arg) = match (self.kind, scalar) {
            (PortKind::View, Some(t)) => ("Port", t),
            (PortKind::RefView, Some(t)) => ("RefPort", t),
            (PortKind::RefViews, Some(t)) => ("RefPorts", t),
            (PortKind::Views, Some(t)) => ("Ports", t),
            (PortKind::View, None) => ("ViewPort", view.as_str()),
            (PortKind::RefView, None) => ("RefViewPort", view.as_str()),
            (PortKind::RefViews, None) => ("RefViewPorts", view.as_str()),
            (PortKind::Views, None) => ("ViewPorts", view.as_str()),
        };
        format!("{name}<{arg}>")
    }
}

/// The tree of an interface: a leaf, or a tuple (`()` is the empty tuple).
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortTree {
    /// A port.
    Leaf(PortDesc),
    /// `()` or a tuple of interfaces.
    Tuple(Vec<PortTree>),
    /// A `#[derive(Interface)]` struct: its fields, by name, in leaf order.
    Fields(Vec<(&'static str, PortTree)>),
}

impl PortTree {
    /// The leaves, in leaf order (the order of handles and wires).
    pub(crate) fn leaves(&self, out: &mut Vec<PortDesc>) {
        match self {
            PortTree::Leaf(p) => out.push(*p),
            PortTree::Tuple(items) => items.iter().for_each(|i| i.leaves(out)),
            PortTree::Fields(fields) => fields.iter().for_each(|(_, f)| f.leaves(out)),
        }
    }
}

/// The inner structure of a fused segment, as its combinators describe it.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Structure {
    /// A segment that is not a combinator.
    Leaf {
        /// `std::any::type_name` of the segment.
        name: &'static str,
        /// Its input interface.
        inputs: PortTree,
        /// Its output interface.
        outputs: PortTree,
    },
    /// `Id`: the inputs, unchanged.
    Id,
    /// `Left`: the first element of a pair.
    Left,
    /// `Right`: the second element of a pair.
    Right,
    /// Element `0` of a tuple.
    Pick(usize),
    /// Drops its inputs: outputs `()`.
    Nil,
    /// `Comp(f, g)`: `g` after `f`.
    Comp(Box<Structure>, Box<Structure>),
    /// `Fork(f, g)`: both on the same inputs.
    Fork(Box<Structure>, Box<Structure>),
    /// `Par(f, g)`: `f` on the first element, `g` on the second.
    Par(Box<Structure>, Box<Structure>),
    /// Every part on the same inputs, outputs as a tuple.
    Fan(Vec<Structure>),
    /// A `segment!`: its segments, in order, and how its wires join them.
    Wired {
        /// The body as the user wrote it: wire names, patterns and reads.
        wiring: &'static Wiring,
        /// The structure of each application's segment, in order.
        parts: Vec<Structure>,
    },
}

/// The body of a `segment!`, as its expansion describes it (a constant read
/// only by the exporters): the wires the user named, where the inputs and
/// each application bind them, what each application reads, and the
/// outputs.
#[doc(hidden)]
#[derive(Debug)]
pub struct Wiring {
    /// The name of each wire, by id, as written (`r#` dropped); `""` for
    /// the unnamed result of a tail application (`… => Segment` last).
    pub wires: &'static [&'static str],
    /// The inputs between `|…|`, bound as a tuple if there are several.
    pub inputs: WireTree,
    /// Per application `let pattern = reads => segment;`: `(reads,
    /// pattern)`.
    pub steps: &'static [(WireTree, WireTree)],
    /// The wires of the outputs.
    pub outputs: WireTree,
}

/// Wires in a tree of values: a pattern that binds them, or wires read.
#[doc(hidden)]
#[derive(Debug)]
pub enum WireTree {
    /// Wire `id` (an index into [`Wiring::wires`]).
    Wire(usize),
    /// A value bound to `_`.
    Dead,
    /// A tuple.
    Tuple(&'static [WireTree]),
}

impl Structure {
    /// The structure of a plain segment `S`.
    pub(crate) fn leaf<S: crate::typed::Segment + ?Sized>() -> Structure {
        use crate::typed::Interface;
        Structure::Leaf {
            name: std::any::type_name::<S>(),
            inputs: S::Inputs::port_tree(),
            outputs: S::Outputs::port_tree(),
        }
    }

    /// The structure of segment `s`: its combinator tree, or a leaf.
    pub(crate) fn of<S: crate::typed::Segment>(s: &S) -> Structure {
        s.__fused().unwrap_or_else(Structure::leaf::<S>)
    }
}

/// Shortens every path inside a type name to its last segment:
/// `alloc::vec::Vec<my::Point>` → `Vec<Point>`; a closure reads `{closure}`.
pub(crate) fn short_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let last = token.rsplit("::").next().unwrap_or("");
        let last = match last {
            "{{closure}}" => "{closure}",
            other => other,
        };
        out.push_str(last);
        token.clear();
    };
    for c in full.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}') {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    alias_ports(&out)
}

/// Writes ports of scalars as users spell them: `ViewPort<Scalar<T>>` →
/// `Port<T>`, and the same for `RefPort`, `RefPorts` and `Ports`.
fn alias_ports(s: &str) -> String {
    const ALIASES: [(&str, &str); 4] = [
        ("RefViewPorts<Scalar<", "RefPorts<"),
        ("RefViewPort<Scalar<", "RefPort<"),
        ("ViewPorts<Scalar<", "Ports<"),
        ("ViewPort<Scalar<", "Port<"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'scan: while let Some(c) = rest.chars().next() {
        let boundary = !out.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        for (long, short) in ALIASES {
            let Some(after) = rest.strip_prefix(long).filter(|_| boundary) else {
                continue;
            };
            // The `>` closing `Scalar<`, which must be followed by the one
            // closing the port.
            let mut depth = 1;
            let close = after.char_indices().find_map(|(i, c)| {
                match c {
                    '<' => depth += 1,
                    '>' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            });
            if let Some(i) = close.filter(|&i| after[i + 1..].starts_with('>')) {
                out.push_str(short);
                out.push_str(&alias_ports(&after[..i]));
                out.push('>');
                rest = &after[i + 2..];
                continue 'scan;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The label of a segment: its short type name; a closure-made `Arr` reads
/// `Arr` (its interfaces label its edges).
pub(crate) fn segment_label(full: &str) -> String {
    let short = short_name(full);
    if short.starts_with("Arr<") && short.ends_with("{closure}>") {
        return "Arr".to_string();
    }
    short
}

/// Escapes `s` for a double-quoted DOT string.
pub(crate) fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for the text of a Graphviz HTML-like label.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for a double-quoted Mermaid label: Mermaid entity codes for
/// the characters it would read as markup.
pub(crate) fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A duration in ns, µs, ms or s, three significant digits.
pub(crate) struct Nanos(pub(crate) u64);

impl fmt::Display for Nanos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0 as f64;
        let (v, unit) = if ns < 1e3 {
            (ns, "ns")
        } else if ns < 1e6 {
            (ns / 1e3, "µs")
        } else if ns < 1e9 {
            (ns / 1e6, "ms")
        } else {
            (ns / 1e9, "s")
        };
        let mut s = String::new();
        if unit == "ns" || v >= 100.0 {
            write!(s, "{v:.0} {unit}")?;
        } else if v >= 10.0 {
            write!(s, "{v:.1} {unit}")?;
        } else {
            write!(s, "{v:.2} {unit}")?;
        }
        f.pad(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_name("alloc::vec::Vec<u32>"), "Vec<u32>");
        assert_eq!(
            short_name("my::Pair<alloc::string::String, (i64, &[f64])>"),
            "Pair<String, (i64, &[f64])>"
        );
        assert_eq!(short_name("inspect::main::{{closure}}"), "{closure}");
        assert_eq!(short_name("[u8; 4]"), "[u8; 4]");
        assert_eq!(
            short_name("flowgraph::typed::ops::id::Id<flowgraph::typed::interface::ViewPort<flowgraph::typed::interface::Scalar<i64>>>"),
            "Id<Port<i64>>"
        );
        assert_eq!(
            short_name("Left<(RefViewPort<Scalar<Vec<u8>>>, RefViewPorts<Scalar<f64>>), MyViewPort<Scalar<u8>>>"),
            "Left<(RefPort<Vec<u8>>, RefPorts<f64>), MyViewPort<Scalar<u8>>>"
        );
        assert_eq!(short_name("ViewPort<Slice>"), "ViewPort<Slice>");
    }

    #[test]
    fn port_labels() {
        use crate::typed::*;
        let label = |t: PortTree| match t {
            PortTree::Leaf(p) => p.label(),
            t => panic!("not a leaf: {t:?}"),
        };
        assert_eq!(label(Port::<f64>::port_tree()), "Port<f64>");
        assert_eq!(label(RefPort::<Vec<u32>>::port_tree()), "RefPort<Vec<u32>>");
        assert_eq!(label(RefPorts::<f64>::port_tree()), "RefPorts<f64>");
        assert_eq!(
            label(ViewPort::<Slice<f64>>::port_tree()),
            "ViewPort<Slice<f64>>"
        );
        assert_eq!(
            <(Port<i64>, ())>::port_tree(),
            PortTree::Tuple(vec![Port::<i64>::port_tree(), PortTree::Tuple(vec![])])
        );
    }

    #[test]
    fn durations() {
        assert_eq!(Nanos(12).to_string(), "12 ns");
        assert_eq!(Nanos(1_234).to_string(), "1.23 µs");
        assert_eq!(Nanos(12_345).to_string(), "12.3 µs");
        assert_eq!(Nanos(123_456_789).to_string(), "123 ms");
        assert_eq!(Nanos(2_500_000_000).to_string(), "2.50 s");
    }

    #[test]
    fn escapes() {
        assert_eq!(dot_escape("a\"b\nc"), "a\\\"b\\nc");
        assert_eq!(mermaid_escape("#1 Port<i64>"), "#35;1 Port#lt;i64#gt;");
    }
}
