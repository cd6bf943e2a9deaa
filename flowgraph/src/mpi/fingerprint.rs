//! The graph check at build time: before any node runs or any value crosses,
//! every rank sends rank 0 a description of the graph it recorded, and rank
//! 0 answers every rank with the first difference, if any.
//!
//! Ranks that run slightly different code would otherwise exchange values
//! that decode as something else (an `i64` read as a `u64` gets postcard's
//! zigzag bytes), or wait for messages that never come. The description is
//! one line per node: its segment type, its placement, the nodes it reads,
//! and for a remote edge the producing rank and the value's type and size.

use crate::mpi::builder::Meta;
use crate::mpi::comm::{Link, WaitError};

/// Why the check did not pass.
pub(super) enum Refused {
    /// The ranks recorded different graphs: the first difference.
    Differs(String),
    /// A message of the check did not come (a rank is poisoned, gone or
    /// silent).
    Wait(WaitError),
}

/// One line per node, after the node count.
pub(super) fn describe(nodes: &[Meta]) -> String {
    use std::fmt::Write;
    let mut out = format!("{} nodes", nodes.len());
    for m in nodes {
        let _ = write!(
            out,
            "\n`{}` on rank {}, reading {:?}",
            m.name, m.rank, m.producers
        );
        if let (Some(from), Some((ty, size))) = (m.edge_from, m.value) {
            let _ = write!(
                out,
                ", a remote edge from rank {from} carrying `{ty}` ({size} bytes)"
            );
        }
    }
    out
}

/// The first difference between rank 0's description and rank `them`'s.
pub(super) fn difference(ours: &str, theirs: &str, them: usize) -> Option<String> {
    let mut a = ours.lines();
    let mut b = theirs.lines();
    let (count_a, count_b) = (a.next().unwrap_or(""), b.next().unwrap_or(""));
    let mut node = 0;
    loop {
        match (a.next(), b.next()) {
            (None, None) => {
                return (count_a != count_b).then(|| {
                    format!("rank 0 recorded {count_a}, rank {them} recorded {count_b}")
                })
            }
            (Some(x), Some(y)) if x == y => node += 1,
            (Some(x), Some(y)) => {
                return Some(format!(
                    "node #{node} differs between rank 0 and rank {them}: rank 0 has {x}; rank {them} has {y}"
                ))
            }
            (Some(x), None) => {
                return Some(format!(
                    "rank 0 recorded {count_a}, rank {them} recorded {count_b}: node #{node}, only on rank 0, is {x}"
                ))
            }
            (None, Some(y)) => {
                return Some(format!(
                    "rank 0 recorded {count_a}, rank {them} recorded {count_b}: node #{node}, only on rank {them}, is {y}"
                ))
            }
        }
    }
}

/// Checks, collectively, that every rank recorded the same graph `graph`:
/// on a difference every rank returns the same message, naming the first
/// node that differs and the ranks involved.
pub(super) fn verify(link: &Link, graph: u32, nodes: &[Meta]) -> Result<(), Refused> {
    if link.size == 1 {
        return Ok(());
    }
    let ours = describe(nodes);
    if link.rank != 0 {
        link.send_check(graph, 0, ours.as_bytes());
        let verdict = link.recv_check(graph, 0).map_err(Refused::Wait)?;
        return match verdict.is_empty() {
            true => Ok(()),
            false => Err(Refused::Differs(
                String::from_utf8_lossy(&verdict).into_owned(),
            )),
        };
    }
    let mut verdict = String::new();
    for r in 1..link.size {
        let theirs = link.recv_check(graph, r).map_err(Refused::Wait)?;
        if verdict.is_empty() {
            if let Some(d) = difference(&ours, &String::from_utf8_lossy(&theirs), r) {
                verdict = d;
            }
        }
    }
    for r in 1..link.size {
        link.send_check(graph, r, verdict.as_bytes());
    }
    match verdict.is_empty() {
        true => Ok(()),
        false => Err(Refused::Differs(verdict)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &'static str, rank: usize, producers: Vec<u32>) -> Meta {
        Meta {
            rank,
            name,
            succs: Vec::new(),
            producers,
            value: None,
            edge_from: None,
            is_source: false,
        }
    }

    fn edge(rank: usize, from: usize, producer: u32, ty: &'static str, size: usize) -> Meta {
        Meta {
            value: Some((ty, size)),
            edge_from: Some(from),
            ..node("RecvEnd", rank, vec![producer])
        }
    }

    #[test]
    fn equal_graphs_have_no_difference() {
        let g = [node("Source<i64>", 0, vec![]), edge(1, 0, 0, "i64", 8)];
        assert_eq!(difference(&describe(&g), &describe(&g), 1), None);
    }

    #[test]
    fn a_remote_value_of_another_type_is_named() {
        let ours = [node("Source<i64>", 0, vec![]), edge(1, 0, 0, "i64", 8)];
        let theirs = [node("Source<u64>", 0, vec![]), edge(1, 0, 0, "u64", 8)];
        let d = difference(&describe(&ours), &describe(&theirs), 2).unwrap();
        assert_eq!(
            d,
            "node #0 differs between rank 0 and rank 2: rank 0 has `Source<i64>` on rank 0, \
             reading []; rank 2 has `Source<u64>` on rank 0, reading []"
        );
        // Only the edge differs: its value type is named.
        let theirs = [node("Source<i64>", 0, vec![]), edge(1, 0, 0, "u64", 8)];
        let d = difference(&describe(&ours), &describe(&theirs), 1).unwrap();
        assert!(d.starts_with("node #1 differs"), "{d}");
        assert!(
            d.contains("carrying `i64` (8 bytes)") && d.contains("carrying `u64`"),
            "{d}"
        );
    }

    #[test]
    fn placement_wiring_and_length_differences_are_named() {
        let ours = [node("Source<i64>", 0, vec![]), node("Inc", 0, vec![0])];
        let moved = [node("Source<i64>", 0, vec![]), node("Inc", 1, vec![0])];
        let d = difference(&describe(&ours), &describe(&moved), 1).unwrap();
        assert!(
            d.contains("`Inc` on rank 0") && d.contains("`Inc` on rank 1"),
            "{d}"
        );
        let rewired = [node("Source<i64>", 0, vec![]), node("Inc", 0, vec![])];
        assert!(difference(&describe(&ours), &describe(&rewired), 1).is_some());
        let longer = [
            node("Source<i64>", 0, vec![]),
            node("Inc", 0, vec![0]),
            node("Inc", 0, vec![1]),
        ];
        let d = difference(&describe(&ours), &describe(&longer), 1).unwrap();
        assert_eq!(
            d,
            "rank 0 recorded 2 nodes, rank 1 recorded 3 nodes: node #2, only on rank 1, is \
             `Inc` on rank 0, reading [1]"
        );
        let d = difference(&describe(&longer), &describe(&ours), 1).unwrap();
        assert!(d.contains("only on rank 0"), "{d}");
    }
}
