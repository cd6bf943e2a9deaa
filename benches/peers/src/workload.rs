//! The workloads as edge lists: generated here, written to a file, and read
//! back by both harnesses, so every system runs exactly the same graph.

use std::fmt::Write as _;
use std::hint::black_box;

/// The node body: `k` dependent multiply-adds whose constants the optimizer
/// cannot see (otherwise the loop folds). The C++ harness spins the same way.
#[inline(always)]
pub fn spin(k: u64, mut x: u64) -> u64 {
    let m = black_box(0x9E37_79B9_7F4A_7C15_u64);
    let a = black_box(0x1442_6950_4088_8963_u64);
    for _ in 0..k {
        x = x.wrapping_mul(m).wrapping_add(a);
    }
    x
}

/// A DAG whose node ids are a topological order (every edge goes up).
pub struct Dag {
    pub n: usize,
    /// Predecessors of node `v`: `preds[pred_start[v]..pred_start[v + 1]]`.
    pub pred_start: Vec<usize>,
    pub preds: Vec<u32>,
    /// Successors, in the same layout.
    pub succ_start: Vec<usize>,
    pub succs: Vec<u32>,
}

impl Dag {
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Dag {
        let mut indeg = vec![0usize; n];
        let mut outdeg = vec![0usize; n];
        for &(u, v) in edges {
            assert!(u < v && (v as usize) < n, "edge {u} -> {v} is not upward");
            indeg[v as usize] += 1;
            outdeg[u as usize] += 1;
        }
        let csr = |deg: &[usize]| {
            let mut start = vec![0; n + 1];
            for i in 0..n {
                start[i + 1] = start[i] + deg[i];
            }
            start
        };
        let pred_start = csr(&indeg);
        let succ_start = csr(&outdeg);
        let mut preds = vec![0; edges.len()];
        let mut succs = vec![0; edges.len()];
        let (mut pi, mut si) = (pred_start.clone(), succ_start.clone());
        for &(u, v) in edges {
            preds[pi[v as usize]] = u;
            pi[v as usize] += 1;
            succs[si[u as usize]] = v;
            si[u as usize] += 1;
        }
        Dag {
            n,
            pred_start,
            preds,
            succ_start,
            succs,
        }
    }

    pub fn preds(&self, v: usize) -> &[u32] {
        &self.preds[self.pred_start[v]..self.pred_start[v + 1]]
    }

    pub fn succs(&self, v: usize) -> &[u32] {
        &self.succs[self.succ_start[v]..self.succ_start[v + 1]]
    }

    pub fn roots(&self) -> Vec<u32> {
        (0..self.n as u32)
            .filter(|&v| self.preds(v as usize).is_empty())
            .collect()
    }

    /// `n m`, then one `u v` line per edge.
    pub fn write(&self) -> String {
        let mut s = format!("{} {}\n", self.n, self.preds.len());
        for v in 0..self.n {
            for &u in self.preds(v) {
                writeln!(s, "{u} {v}").unwrap();
            }
        }
        s
    }

    pub fn parse(text: &str) -> Dag {
        let mut it = text
            .split_ascii_whitespace()
            .map(|t| t.parse::<u64>().expect("edge list: a number"));
        let n = it.next().expect("edge list: node count") as usize;
        let m = it.next().expect("edge list: edge count") as usize;
        let edges: Vec<(u32, u32)> = (0..m)
            .map(|_| (it.next().unwrap() as u32, it.next().unwrap() as u32))
            .collect();
        Dag::from_edges(n, &edges)
    }

    /// Node `v` computes `spin(k, x)` at a root (x the input value) and
    /// `spin(k, sum of its predecessors)` elsewhere; the checksum sums all.
    pub fn sequential(&self, k: u64, x: u64, values: &mut [u64]) {
        for v in 0..self.n {
            let p = self.preds(v);
            let input = if p.is_empty() {
                x
            } else {
                p.iter()
                    .fold(0u64, |s, &u| s.wrapping_add(values[u as usize]))
            };
            values[v] = spin(k, input);
        }
    }
}

pub fn checksum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().fold(0u64, |s, v| s.wrapping_add(v))
}

/// Node (i, j) of an s×s grid waits for (i−1, j) and (i, j−1).
pub fn wavefront(s: usize) -> Dag {
    let mut e = Vec::new();
    for i in 0..s {
        for j in 0..s {
            let v = (i * s + j) as u32;
            if i > 0 {
                e.push((v - s as u32, v));
            }
            if j > 0 {
                e.push((v - 1, v));
            }
        }
    }
    Dag::from_edges(s * s, &e)
}

/// A complete binary out-tree of `depth` levels (2^depth − 1 nodes).
pub fn out_tree(depth: u32) -> Dag {
    let n = (1usize << depth) - 1;
    let e: Vec<(u32, u32)> = (1..n as u32).map(|v| ((v - 1) / 2, v)).collect();
    Dag::from_edges(n, &e)
}

/// `n` tasks with no edges between them.
pub fn independent(n: usize) -> Dag {
    Dag::from_edges(n, &[])
}

/// SplitMix64: a fixed-seed generator, so the DAG is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `layers` layers of `width` nodes; each node sends edges to 1–4 distinct
/// nodes of the next layer, and a node left without a predecessor gets one.
/// In-degrees are capped at 4 (the flowgraph harness wires nodes of arity
/// 1–4 through by-value ports).
pub fn random_layered(layers: usize, width: usize, seed: u64) -> Dag {
    const MAX_IN: usize = 4;
    let mut rng = Rng(seed);
    let mut e = Vec::new();
    for l in 0..layers - 1 {
        let base = l * width;
        let next = base + width;
        let mut indeg = vec![0usize; width];
        let mut outdeg = vec![0usize; width];
        for (u, out) in outdeg.iter_mut().enumerate() {
            let d = 1 + rng.below(4);
            let mut picked = Vec::with_capacity(d);
            for _ in 0..8 * d {
                if picked.len() == d {
                    break;
                }
                let t = rng.below(width);
                if indeg[t] < MAX_IN && !picked.contains(&t) {
                    picked.push(t);
                    indeg[t] += 1;
                }
            }
            if picked.is_empty() {
                if let Some(t) = (0..width).find(|&t| indeg[t] < MAX_IN) {
                    picked.push(t);
                    indeg[t] += 1;
                }
            }
            *out = picked.len();
            for t in picked {
                e.push(((base + u) as u32, (next + t) as u32));
            }
        }
        for (t, _) in indeg.iter().enumerate().filter(|(_, &d)| d == 0) {
            let mut u = rng.below(width);
            while outdeg[u] >= 4 {
                u = (u + 1) % width;
            }
            outdeg[u] += 1;
            e.push(((base + u) as u32, (next + t) as u32));
        }
    }
    e.sort_unstable_by_key(|&(u, v)| (v, u));
    Dag::from_edges(layers * width, &e)
}

/// A workload by name, at full or smoke size.
pub fn by_name(name: &str) -> Dag {
    match name {
        "wavefront16" => wavefront(16),
        "wavefront64" => wavefront(64),
        "wavefront128" => wavefront(128),
        "wavefront256" => wavefront(256),
        "tree10" => out_tree(10),
        "tree16" => out_tree(16),
        "random16x16" => random_layered(16, 16, 0x5EED),
        "random256x64" => random_layered(256, 64, 0x5EED),
        "independent256" => independent(256),
        "independent16384" => independent(16384),
        _ => panic!("unknown workload {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let w = wavefront(3);
        assert_eq!(w.preds(4), &[1, 3]);
        assert_eq!(w.roots(), vec![0]);
        let t = out_tree(3);
        assert_eq!(t.succs(0), &[1, 2]);
        let r = random_layered(10, 8, 1);
        for v in 8..80 {
            assert!((1..=4).contains(&r.preds(v).len()));
        }
        for u in 0..72 {
            assert!((1..=4).contains(&r.succs(u).len()), "node {u}");
        }
        let back = Dag::parse(&r.write());
        assert_eq!(back.preds, r.preds);
    }
}
