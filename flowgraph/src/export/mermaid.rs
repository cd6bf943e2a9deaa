//! Mermaid flowcharts.

use std::fmt::Write as _;

use crate::export::model::{ClusterKind, Model, Shape};
use crate::export::shape::mermaid_escape;

pub(crate) fn render(m: &Model) -> String {
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    nodes_in(m, None, 1, &mut out);
    for (c, cl) in m.clusters.iter().enumerate() {
        if cl.parent.is_none() {
            cluster(m, c, 1, &mut out);
        }
    }
    for e in &m.edges {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        if e.label.is_empty() {
            let _ = writeln!(out, "    {} {arrow} {}", e.from, e.to);
        } else {
            let _ = writeln!(
                out,
                "    {} {arrow}|\"{}\"| {}",
                e.from,
                mermaid_escape(&e.label),
                e.to
            );
        }
    }
    let points: Vec<&str> = m
        .nodes
        .iter()
        .filter(|n| matches!(n.shape, Shape::In | Shape::Out))
        .map(|n| n.key.as_str())
        .collect();
    if !points.is_empty() {
        out.push_str("    classDef port fill:#555555,stroke:#555555,color:#ffffff,font-size:8px\n");
        let _ = writeln!(out, "    class {} port", points.join(","));
    }
    for (c, cl) in m.clusters.iter().enumerate() {
        match (cl.kind, &cl.fill) {
            (ClusterKind::Fused, fill) => {
                let fill = fill.as_deref().unwrap_or("#eef3fb");
                let _ = writeln!(
                    out,
                    "    style {} fill:{fill},stroke:#4a78b5",
                    m.clusters[c].key
                );
            }
            (ClusterKind::Rank, _) => {
                let _ = writeln!(
                    out,
                    "    style {} fill:#ffffff,stroke:#777777,stroke-dasharray:5 5",
                    cl.key
                );
            }
        }
    }
    for n in &m.nodes {
        if let Some(f) = &n.fill {
            let _ = writeln!(out, "    style {} fill:{f}", n.key);
        }
    }
    out
}

fn nodes_in(m: &Model, cluster: Option<usize>, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for n in m.nodes.iter().filter(|n| n.cluster == cluster) {
        let label = mermaid_escape(&with_stats(&n.label, n.stats.as_deref()));
        let _ = match n.shape {
            Shape::Circle => writeln!(out, "{pad}{}((\"{label}\"))", n.key),
            Shape::Box => writeln!(out, "{pad}{}(\"{label}\")", n.key),
            Shape::In | Shape::Out => writeln!(out, "{pad}{}((\"{label}\"))", n.key),
        };
    }
}

fn cluster(m: &Model, c: usize, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    let cl = &m.clusters[c];
    let label = with_stats(&cl.label, cl.stats.as_deref());
    let _ = writeln!(
        out,
        "{pad}subgraph {} [\"{}\"]",
        cl.key,
        mermaid_escape(&label)
    );
    let _ = writeln!(out, "{pad}    direction LR");
    nodes_in(m, Some(c), depth + 1, out);
    for (child, cl) in m.clusters.iter().enumerate() {
        if cl.parent == Some(c) {
            cluster(m, child, depth + 1, out);
        }
    }
    let _ = writeln!(out, "{pad}end");
}

fn with_stats(label: &str, stats: Option<&str>) -> String {
    match stats {
        Some(s) => format!("{label}\n{s}"),
        None => label.to_string(),
    }
}
