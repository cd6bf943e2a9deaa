//! The drawing, independent of its notation: nodes, clusters and edges with
//! their labels and styles, built from a graph and rendered by `dot.rs` and
//! `mermaid.rs`.

use crate::export::fused::{End, Inner};
use crate::export::profile::Profile;
use crate::export::shape::{segment_label, short_name, Nanos, PortDesc};
use crate::export::topology::Topology;

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A source or another input-less node (a message node).
    Circle,
    /// A compute node.
    Box,
    /// An input of a fused node.
    In,
    /// An output of a fused node.
    Out,
}

/// What a cluster stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClusterKind {
    /// The inside of a fused node.
    Fused,
    /// The nodes placed on one MPI rank.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code, reason = "built by `mpi`"))]
    Rank,
}

pub(crate) struct Node {
    /// Identifier, unique in the drawing (`n3`, `n3_s0`, `n3_i1`).
    pub(crate) key: String,
    pub(crate) label: String,
    /// Runs, mean time and share, from the profile.
    pub(crate) stats: Option<String>,
    pub(crate) shape: Shape,
    pub(crate) cluster: Option<usize>,
    /// Fill colour `#rrggbb`, from the profile.
    pub(crate) fill: Option<String>,
}

pub(crate) struct Cluster {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) stats: Option<String>,
    pub(crate) kind: ClusterKind,
    pub(crate) parent: Option<usize>,
    pub(crate) fill: Option<String>,
}

pub(crate) struct Edge {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) label: String,
    /// A remote (cross-rank) edge.
    pub(crate) dashed: bool,
}

#[derive(Default)]
pub(crate) struct Model {
    pub(crate) nodes: Vec<Node>,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) edges: Vec<Edge>,
}

/// White for a share of 0, a strong red for the hottest node.
fn heat(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let g = (255.0 - 175.0 * t).round() as u8;
    let b = (255.0 - 185.0 * t).round() as u8;
    format!("#ff{g:02x}{b:02x}")
}

/// Runs, mean time and share of node `v`, and its fill colour.
fn decoration(p: &Profile, v: usize, hottest: f64) -> Option<(String, String)> {
    let n = p.node(v);
    if n.runs == 0 && n.skips == 0 {
        return None;
    }
    let share = p.share(v);
    let mut line = format!(
        "{} runs · mean {} · {:.1}%",
        n.runs,
        Nanos(n.mean().as_nanos() as u64),
        100.0 * share
    );
    if n.skips > 0 {
        line = format!("{line} · {} skips", n.skips);
    }
    let t = if hottest > 0.0 { share / hottest } else { 0.0 };
    Some((line, heat(t)))
}

impl Model {
    /// The drawing of a graph: `names[v]` is node `v`'s segment type name.
    pub(crate) fn of_graph(
        topo: &Topology,
        names: &dyn Fn(usize) -> &'static str,
        profile: Option<&Profile>,
    ) -> Model {
        let mut m = Model::default();
        let n = topo.len();
        let hottest = profile.map_or(0.0, |p| (0..n).map(|v| p.share(v)).fold(0.0, f64::max));
        let mut outputs: Vec<Vec<PortDesc>> = Vec::with_capacity(n);
        for v in 0..n {
            let (ins, outs) = topo.ports(v);
            let mut in_leaves = Vec::new();
            ins.leaves(&mut in_leaves);
            let mut out_leaves = Vec::new();
            outs.leaves(&mut out_leaves);
            let deco = profile.and_then(|p| decoration(p, v, hottest));
            let key = format!("n{v}");
            if let Some(s) = topo.fused(v) {
                let inner = Inner::of(s, &ins);
                let c = m.clusters.len();
                let label = format!(
                    "#{v} fused: {} segment{}",
                    inner.segments.len(),
                    if inner.segments.len() == 1 { "" } else { "s" }
                );
                let (stats, fill) = deco.unzip();
                m.clusters.push(Cluster {
                    key: key.clone(),
                    label,
                    stats,
                    kind: ClusterKind::Fused,
                    parent: None,
                    fill,
                });
                let point = |m: &mut Model, key: String, label: String, shape: Shape| {
                    m.nodes.push(Node {
                        key,
                        label,
                        stats: None,
                        shape,
                        cluster: Some(c),
                        fill: None,
                    })
                };
                // A point reads as the user's wire name, if it has one.
                let named = |names: &[Option<String>], k: usize, side: &str| {
                    names
                        .get(k)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| format!("{side} {k}"))
                };
                for i in 0..in_leaves.len() {
                    let label = named(&inner.inputs, i, "in");
                    point(&mut m, format!("{key}_i{i}"), label, Shape::In);
                }
                for (k, seg) in inner.segments.iter().enumerate() {
                    m.nodes.push(Node {
                        key: format!("{key}_s{k}"),
                        label: seg.clone(),
                        stats: None,
                        shape: Shape::Box,
                        cluster: Some(c),
                        fill: None,
                    });
                }
                for j in 0..out_leaves.len() {
                    let label = named(&inner.outputs, j, "out");
                    point(&mut m, format!("{key}_o{j}"), label, Shape::Out);
                }
                for e in &inner.edges {
                    let end = |e: End| match e {
                        End::Input(i) => format!("{key}_i{i}"),
                        End::Segment(k) => format!("{key}_s{k}"),
                        End::Output(j) => format!("{key}_o{j}"),
                    };
                    m.edges.push(Edge {
                        from: end(e.from),
                        to: end(e.to),
                        label: e.label.clone(),
                        dashed: false,
                    });
                }
            } else {
                let label = format!("#{v} {}", segment_label(names(v)));
                let (stats, fill) = deco.unzip();
                m.nodes.push(Node {
                    key,
                    label,
                    stats,
                    shape: if in_leaves.is_empty() {
                        Shape::Circle
                    } else {
                        Shape::Box
                    },
                    cluster: None,
                    fill,
                });
            }
            outputs.push(out_leaves);
        }
        for v in 0..n {
            for w in topo.inputs(v) {
                let (p, l) = (w.node as usize, w.from_leaf);
                let from = if topo.fused(p).is_some() {
                    format!("n{p}_o{l}")
                } else {
                    format!("n{p}")
                };
                let to = if topo.fused(v).is_some() {
                    format!("n{v}_i{}", w.leaf)
                } else {
                    format!("n{v}")
                };
                let label = outputs[p]
                    .get(l as usize)
                    .map_or_else(String::new, |d| topo.port_label(w.node, l, d));
                m.edges.push(Edge {
                    from,
                    to,
                    label,
                    dashed: false,
                });
            }
        }
        m
    }

    /// The drawing of a distributed graph: one cluster per rank, remote
    /// edges dashed.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code, reason = "built by `mpi`"))]
    pub(crate) fn of_dist(ranks: usize, nodes: &[DistNode<'_>]) -> Model {
        let mut m = Model::default();
        for r in 0..ranks {
            m.clusters.push(Cluster {
                key: format!("rank{r}"),
                label: format!("rank {r}"),
                stats: None,
                kind: ClusterKind::Rank,
                parent: None,
                fill: None,
            });
        }
        for (v, d) in nodes.iter().enumerate() {
            let label = match d.remote_from {
                Some(from) => format!("#{v} from rank {from}"),
                None => format!("#{v} {}", segment_label(d.name)),
            };
            m.nodes.push(Node {
                key: format!("n{v}"),
                label,
                stats: None,
                shape: if d.source || d.remote_from.is_some() {
                    Shape::Circle
                } else {
                    Shape::Box
                },
                cluster: Some(d.rank),
                fill: None,
            });
        }
        for (v, d) in nodes.iter().enumerate() {
            for &s in d.succs {
                let target = &nodes[s as usize];
                let remote = target.remote_from.is_some();
                m.edges.push(Edge {
                    from: format!("n{v}"),
                    to: format!("n{s}"),
                    label: if remote {
                        remote_label(target.name)
                    } else {
                        String::new()
                    },
                    dashed: remote,
                });
            }
        }
        m
    }
}

/// A node of a distributed graph, as every rank records it.
#[cfg_attr(not(feature = "mpi"), allow(dead_code, reason = "built by `mpi`"))]
pub(crate) struct DistNode<'a> {
    pub(crate) rank: usize,
    pub(crate) name: &'static str,
    pub(crate) succs: &'a [u32],
    pub(crate) source: bool,
    /// For the receiving end of a remote edge: the sending rank.
    pub(crate) remote_from: Option<usize>,
}

/// The port of a remote edge from its receiver's type name
/// (`RecvEnd<f64, false>` → `Port<f64>`, `…, true>` → `RefPort<…>`).
#[cfg_attr(not(feature = "mpi"), allow(dead_code, reason = "built by `mpi`"))]
fn remote_label(receiver: &str) -> String {
    let short = short_name(receiver);
    let inner = short
        .strip_prefix("RecvEnd<")
        .and_then(|s| s.strip_suffix('>'));
    match inner.and_then(|s| s.rsplit_once(", ")) {
        Some((t, "false")) => format!("Port<{t}>"),
        Some((t, "true")) => format!("RefPort<{t}>"),
        _ => short,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_labels() {
        assert_eq!(
            remote_label("flowgraph::mpi::edge::RecvEnd<f64, false>"),
            "Port<f64>"
        );
        assert_eq!(
            remote_label("flowgraph::mpi::edge::RecvEnd<alloc::vec::Vec<(u32, u8)>, true>"),
            "RefPort<Vec<(u32, u8)>>"
        );
        assert_eq!(remote_label("my::Other"), "Other");
    }

    #[test]
    fn ranks_are_clusters_and_remote_edges_dashed() {
        // Rank 0: a source feeding node 1; node 2 receives node 1's value
        // on rank 1, where node 3 reads it.
        let remote = "flowgraph::mpi::edge::RecvEnd<f64, false>";
        let nodes = [
            DistNode {
                rank: 0,
                name: "flowgraph::typed::source::Source<f64>",
                succs: &[1],
                source: true,
                remote_from: None,
            },
            DistNode {
                rank: 0,
                name: "app::Smooth",
                succs: &[2],
                source: false,
                remote_from: None,
            },
            DistNode {
                rank: 1,
                name: remote,
                succs: &[3],
                source: false,
                remote_from: Some(0),
            },
            DistNode {
                rank: 1,
                name: "app::Histogram",
                succs: &[],
                source: false,
                remote_from: None,
            },
        ];
        let dot = crate::export::dot::render(&Model::of_dist(2, &nodes));
        for want in [
            "subgraph cluster_rank0 {",
            "label=\"rank 1\";",
            "n1 -> n2 [label=\"Port<f64>\", style=dashed];",
            "n2 -> n3;",
            "n2 [shape=circle, margin=0, label=\"#2\\nfrom rank 0\"];",
        ] {
            assert!(dot.contains(want), "{want} in {dot}");
        }
        let mmd = crate::export::mermaid::render(&Model::of_dist(2, &nodes));
        assert!(mmd.contains("n1 -.->|\"Port#lt;f64#gt;\"| n2"), "{mmd}");
        assert!(mmd.contains("subgraph rank1 [\"rank 1\"]"), "{mmd}");
    }

    #[test]
    fn heat_runs_from_white_to_red() {
        assert_eq!(heat(0.0), "#ffffff");
        assert_eq!(heat(1.0), "#ff5046");
    }
}
