//! Graphviz DOT.

use std::fmt::Write as _;

use crate::export::model::{ClusterKind, Model, Shape};
use crate::export::shape::{dot_escape, html_escape};

pub(crate) fn render(m: &Model) -> String {
    let mut out = String::new();
    out.push_str("digraph flowgraph {\n");
    out.push_str(
        "    graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.4];\n",
    );
    out.push_str("    node [fontname=\"Helvetica\", fontsize=10, style=\"filled\", fillcolor=\"#ffffff\"];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\", fontcolor=\"#333333\"];\n");
    nodes_in(m, None, 1, &mut out);
    for (c, cl) in m.clusters.iter().enumerate() {
        if cl.parent.is_none() {
            cluster(m, c, 1, &mut out);
        }
    }
    for e in &m.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_escape(&e.label)));
        }
        if e.dashed {
            attrs.push("style=dashed".to_string());
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "    {} -> {};", e.from, e.to);
        } else {
            let _ = writeln!(out, "    {} -> {} [{}];", e.from, e.to, attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

/// `label="…"`, or with profile figures an HTML-like label that prints
/// them smaller, on two lines in a circle.
fn label(text: &str, stats: Option<&str>, circle: bool) -> String {
    let text = if circle {
        // The id above the name keeps the circle small.
        text.replacen(' ', "\n", 1)
    } else {
        text.to_string()
    };
    match stats {
        None => format!("label=\"{}\"", dot_escape(&text)),
        Some(stats) => {
            let stats = if circle {
                stats.replacen(" · ", "\n", 1)
            } else {
                stats.to_string()
            };
            format!(
                "label=<{}<br/><font point-size=\"8\">{}</font>>",
                html_escape(&text),
                html_escape(&stats)
            )
        }
    }
}

fn nodes_in(m: &Model, cluster: Option<usize>, depth: usize, out: &mut String) {
    let pad = indent(depth);
    for n in m.nodes.iter().filter(|n| n.cluster == cluster) {
        let stats = n.stats.as_deref();
        let attrs = match n.shape {
            Shape::Circle => format!("shape=circle, margin=0, {}", label(&n.label, stats, true)),
            Shape::Box => format!(
                "shape=box, style=\"rounded,filled\", {}",
                label(&n.label, stats, false)
            ),
            Shape::In | Shape::Out => format!(
                "shape=point, width=0.08, fillcolor=\"#555555\", tooltip=\"{}\"",
                dot_escape(&n.label)
            ),
        };
        let fill = n
            .fill
            .as_ref()
            .map_or_else(String::new, |f| format!(", fillcolor=\"{f}\""));
        let _ = writeln!(out, "{pad}{} [{attrs}{fill}];", n.key);
    }
}

fn cluster(m: &Model, c: usize, depth: usize, out: &mut String) {
    let pad = indent(depth);
    let cl = &m.clusters[c];
    let _ = writeln!(out, "{pad}subgraph cluster_{} {{", cl.key);
    let inner = indent(depth + 1);
    let _ = writeln!(
        out,
        "{inner}{};",
        label(&cl.label, cl.stats.as_deref(), false)
    );
    match cl.kind {
        ClusterKind::Fused => {
            let fill = cl.fill.as_deref().unwrap_or("#eef3fb");
            let _ = writeln!(
                out,
                "{inner}style=\"rounded,filled\"; color=\"#4a78b5\"; fillcolor=\"{fill}\";"
            );
        }
        ClusterKind::Rank => {
            let _ = writeln!(out, "{inner}style=\"rounded,dashed\"; color=\"#777777\";");
        }
    }
    nodes_in(m, Some(c), depth + 1, out);
    if cl.kind == ClusterKind::Fused {
        // Inputs on the left edge, outputs on the right one.
        for shape in [Shape::In, Shape::Out] {
            let keys: Vec<&str> = m
                .nodes
                .iter()
                .filter(|n| n.cluster == Some(c) && n.shape == shape)
                .map(|n| n.key.as_str())
                .collect();
            if keys.len() > 1 {
                let _ = writeln!(out, "{inner}{{ rank=same; {}; }}", keys.join("; "));
            }
        }
    }
    for (child, cl) in m.clusters.iter().enumerate() {
        if cl.parent == Some(c) {
            cluster(m, child, depth + 1, out);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}
