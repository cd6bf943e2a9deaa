//! Per-node cost on graphs that stand for real ones, each against plain
//! Rust computing the same values in the same run (one thread):
//!
//! - `wavefront`: an n×n grid of trivial 2-input nodes (node (i, j) reads
//!   (i−1, j) and (i, j−1)), fully recomputed from its corner source;
//!   baseline: the same recurrence over a `Vec`.
//! - `mixed`: a random DAG of eight segment kinds (fan-in 1–4; by-value and
//!   `RefPort` inputs; forwarding and state-borrowing outputs; a `RefPorts`
//!   fan-in; a notify cut), 1k and 100k nodes in 100 independent blocks,
//!   pokes whose cones cover 1 %, 10 % and 100 % of the graph; baseline: a
//!   plain loop recomputing every node of the same DAG.
//! - `sheet`: a spreadsheet of rows of four cells where a rounding cell cuts
//!   each row after two (half the cone skipped), against recomputing every
//!   cell.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flowgraph::core::Pool;
use flowgraph::typed::*;

struct Add2;
impl Segment for Add2 {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((m, a), (n, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (m || n, a.wrapping_add(b))
    }
}

fn wavefront(c: &mut Criterion) {
    let mut group = c.benchmark_group("wavefront");
    for n in [64usize, 128] {
        group.throughput(Throughput::Elements((n * n) as u64));
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let mut rows: Vec<Vec<Handle<Port<i64>>>> = Vec::new();
        for i in 0..n {
            let mut row = Vec::with_capacity(n);
            for j in 0..n {
                let up = if i > 0 { rows[i - 1][j] } else { *s };
                let left = if j > 0 { row[j - 1] } else { *s };
                row.push(b.push(Add2, (up, left)));
            }
            rows.push(row);
        }
        let mut g = Graph::from_builder(b);
        let mut pool = Pool::new(1);
        let last = rows[n - 1][n - 1];
        let mut v = 1;
        group.bench_with_input(BenchmarkId::new("graph", n), &n, |bn, _| {
            bn.iter(|| {
                v += 1;
                *g.state_mut(s) = v;
                g.stabilize(&mut pool);
                black_box(g.view(last))
            })
        });
        // Checked only when the bench ran (a filter may skip it).
        if g.stats().generations > 0 {
            assert_eq!(g.stats().last_cone, n * n + 1);
        }
        let mut grid = vec![0_i64; n * n];
        group.bench_with_input(BenchmarkId::new("plain", n), &n, |bn, _| {
            bn.iter(|| {
                let s = black_box(v);
                for i in 0..n {
                    for j in 0..n {
                        let up = if i > 0 { grid[(i - 1) * n + j] } else { s };
                        let left = if j > 0 { grid[i * n + j - 1] } else { s };
                        grid[i * n + j] = up.wrapping_add(left);
                    }
                }
                black_box(grid[n * n - 1])
            })
        });
    }
    group.finish();
}

// ----- the mixed DAG -----

/// `x * 3 + 1`, notifying only when the result's low bits change (a cut
/// that fires about half the time).
struct Cut;
impl Segment for Cut {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    #[inline]
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), s: &'b mut i64, _: bool) -> (bool, i64) {
        let y = x.wrapping_mul(3).wrapping_add(1);
        let changed = (y & 1) != (*s & 1);
        *s = y;
        (changed || y % 3 == 0, y)
    }
}

struct Sum3;
impl Segment for Sum3 {
    type Inputs = (Port<i64>, Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((a, x), (b, y), (c, z)): ((bool, i64), (bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (a || b || c, x.wrapping_add(y).wrapping_sub(z))
    }
}

struct Mix4;
impl Segment for Mix4 {
    type Inputs = (Port<i64>, Port<i64>, Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((a, w), (b, x), (c, y), (d, z)): ((bool, i64), (bool, i64), (bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (a || b || c || d, (w ^ x).wrapping_add(y ^ z))
    }
}

/// Keeps its input in its state and exposes it by reference.
struct Hold;
impl Segment for Hold {
    type Inputs = Port<i64>;
    type Outputs = RefPort<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    #[inline]
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), s: &'b mut i64, _: bool) -> (bool, &'a i64) {
        *s = x.wrapping_add(7);
        (n, s)
    }
}

/// Forwards one of its reference inputs, chosen by a by-value one.
struct Pick;
impl Segment for Pick {
    type Inputs = (RefPort<i64>, RefPort<i64>, Port<i64>);
    type Outputs = RefPort<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((a, x), (b, y), (c, k)): ((bool, &'a i64), (bool, &'a i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, &'a i64) {
        if k & 1 == 0 {
            (a || c, x)
        } else {
            (b || c, y)
        }
    }
}

/// A reference and a value, added.
struct RefAdd;
impl Segment for RefAdd {
    type Inputs = (RefPort<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        ((a, x), (b, y)): ((bool, &'a i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (a || b, x.wrapping_add(y))
    }
}

/// The sum of a group of references.
struct GroupSum;
impl Segment for GroupSum {
    type Inputs = RefPorts<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    #[inline]
    fn compute<'a, 'b: 'a>(
        (f, r): (&'a [bool], &'a [&'a i64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (f.iter().any(|&f| f), r.iter().map(|&&x| x).sum())
    }
}

/// A node of the plain-Rust baseline: its kind and its inputs (indices of
/// earlier values), in the same order as the graph's.
#[derive(Clone, Copy)]
enum Plain {
    Source,
    Add2(usize, usize),
    Cut(usize),
    Sum3(usize, usize, usize),
    Mix4(usize, usize, usize, usize),
    Hold(usize),
    Pick(usize, usize, usize),
    RefAdd(usize, usize),
    GroupSum([usize; 4], usize),
}

struct Mixed {
    g: Graph,
    sources: Vec<SourceHandle<Source<i64>>>,
    plain: Vec<Plain>,
    out: Handle<Port<i64>>,
}

/// A random DAG of `n` nodes in 100 blocks: each block starts with a source
/// and its nodes read only earlier nodes of the same block, so poking k
/// sources makes a cone of about k % of the graph.
/// An index among the last 64 entries of a list of `len`.
fn near(len: usize, r: usize) -> usize {
    len - 1 - r.min(63).min(len - 1)
}

fn mixed_dag(n: usize) -> Mixed {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |k: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % k as u64) as usize
    };
    let mut b = GraphBuilder::new();
    let mut ports: Vec<(Handle<Port<i64>>, usize)> = Vec::new();
    let mut refs: Vec<(Handle<RefPort<i64>>, usize)> = Vec::new();
    let mut plain = Vec::with_capacity(n);
    let mut sources = Vec::new();
    let mut out = None;
    let block = n / 100;
    while plain.len() < n {
        let id = plain.len();
        if id % block == 0 {
            // A new block: nothing before it can be read any more.
            ports.clear();
            refs.clear();
            let s = b.push_source(Source::new(id as i64));
            ports.push((*s, id));
            sources.push(s);
            plain.push(Plain::Source);
            // Every block has a reference to read from the start.
            let h = b.push(Hold, *s);
            refs.push((h, id + 1));
            plain.push(Plain::Hold(id));
            continue;
        }
        let p = |next: &mut dyn FnMut(usize) -> usize| ports[near(ports.len(), next(64))];
        let kind = next(8);
        let (node, value) = match kind {
            0 => {
                let (a, b2) = (p(&mut next), p(&mut next));
                (Plain::Add2(a.1, b2.1), Some(b.push(Add2, (a.0, b2.0))))
            }
            1 => {
                let a = p(&mut next);
                (Plain::Cut(a.1), Some(b.push(Cut, a.0)))
            }
            2 => {
                let (a, b2, c2) = (p(&mut next), p(&mut next), p(&mut next));
                (
                    Plain::Sum3(a.1, b2.1, c2.1),
                    Some(b.push(Sum3, (a.0, b2.0, c2.0))),
                )
            }
            3 => {
                let a = p(&mut next);
                let h = b.push(Hold, a.0);
                refs.push((h, id));
                (Plain::Hold(a.1), None)
            }
            4 => {
                let (a, b2, c2, d) = (p(&mut next), p(&mut next), p(&mut next), p(&mut next));
                (
                    Plain::Mix4(a.1, b2.1, c2.1, d.1),
                    Some(b.push(Mix4, (a.0, b2.0, c2.0, d.0))),
                )
            }
            5 => {
                let x = refs[near(refs.len(), next(64))];
                let y = refs[near(refs.len(), next(64))];
                let k = p(&mut next);
                let h = b.push(Pick, (x.0, y.0, k.0));
                refs.push((h, id));
                (Plain::Pick(x.1, y.1, k.1), None)
            }
            6 => {
                let x = refs[near(refs.len(), next(64))];
                let y = p(&mut next);
                (Plain::RefAdd(x.1, y.1), Some(b.push(RefAdd, (x.0, y.0))))
            }
            _ => {
                let len = 1 + next(4);
                let picked: Vec<_> = (0..len).map(|_| refs[near(refs.len(), next(64))]).collect();
                let mut idx = [0; 4];
                for (k, r) in picked.iter().enumerate() {
                    idx[k] = r.1;
                }
                let hs: Vec<_> = picked.iter().map(|r| r.0).collect();
                (Plain::GroupSum(idx, len), Some(b.push(GroupSum, hs)))
            }
        };
        if let Some(h) = value {
            ports.push((h, id));
            out = Some(h);
        }
        plain.push(node);
    }
    Mixed {
        g: Graph::from_builder(b),
        sources,
        plain,
        out: out.expect("some by-value node"),
    }
}

/// The plain-Rust recomputation of every node (the same arithmetic).
fn recompute(plain: &[Plain], v: &mut [i64], seed: i64) -> i64 {
    for (id, node) in plain.iter().enumerate() {
        v[id] = match *node {
            Plain::Source => seed.wrapping_add(id as i64),
            Plain::Add2(a, b) => v[a].wrapping_add(v[b]),
            Plain::Cut(a) => v[a].wrapping_mul(3).wrapping_add(1),
            Plain::Sum3(a, b, c) => v[a].wrapping_add(v[b]).wrapping_sub(v[c]),
            Plain::Mix4(a, b, c, d) => (v[a] ^ v[b]).wrapping_add(v[c] ^ v[d]),
            Plain::Hold(a) => v[a].wrapping_add(7),
            Plain::Pick(x, y, k) => {
                if v[k] & 1 == 0 {
                    v[x]
                } else {
                    v[y]
                }
            }
            Plain::RefAdd(x, y) => v[x].wrapping_add(v[y]),
            Plain::GroupSum(idx, len) => idx[..len].iter().map(|&i| v[i]).sum(),
        };
    }
    v[plain.len() - 1]
}

fn mixed(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixed");
    for n in [1_000usize, 100_000] {
        let mut m = mixed_dag(n);
        let mut pool = Pool::new(1);
        for percent in [1usize, 10, 100] {
            // Poke the first k of the 100 blocks' sources: a cone of k %.
            let k = percent;
            let poked = &m.sources[..k];
            let mut ran = 0;
            let mut rounds = 0;
            group.bench_function(BenchmarkId::new(format!("graph_{n}"), percent), |bn| {
                bn.iter(|| {
                    for s in poked {
                        *m.g.state_mut(*s) += 1;
                    }
                    m.g.stabilize(&mut pool);
                    ran += m.g.stats().last_cone;
                    rounds += 1;
                    black_box(m.g.view(m.out))
                })
            });
            eprintln!(
                "mixed {n}: {k} of 100 blocks poked, {:.1} % of nodes run",
                100.0 * ran as f64 / (rounds as f64 * n as f64)
            );
        }
        let mut v = vec![0_i64; n];
        let mut seed = 0;
        group.bench_function(BenchmarkId::new(format!("plain_{n}"), "all"), |bn| {
            bn.iter(|| {
                seed += 1;
                black_box(recompute(&m.plain, &mut v, black_box(seed)))
            })
        });
    }
    group.finish();
}

/// Rounds down to a multiple of 1000 and notifies only when that changed:
/// a cell whose small input changes leave it unchanged.
struct Thousands;
impl Segment for Thousands {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = i64;
    fn init(self) -> i64 {
        0
    }
    #[inline]
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), s: &'b mut i64, _: bool) -> (bool, i64) {
        let y = x.div_euclid(1000) * 1000;
        let changed = y != *s;
        *s = y;
        (changed, y)
    }
}

/// A sheet of `ROWS` rows of four cells: `a = s + s`, `b = thousands(a)`,
/// `c = b + b`, `d = c + c`. A small change of `s` runs `a` and `b`, cuts at
/// `b`, skips `c` and never reaches `d`: half the static cone is cut off.
fn sheet(c: &mut Criterion) {
    const ROWS: usize = 1_000;
    let mut group = c.benchmark_group("sheet");
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1_i64));
    let mut last = Vec::new();
    for _ in 0..ROWS {
        let a = b.push(Add2, (*s, *s));
        let t = b.push(Thousands, a);
        let c2 = b.push(Add2, (t, t));
        last.push(b.push(Add2, (c2, c2)));
    }
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(1);
    let mut v = 0;
    group.throughput(Throughput::Elements(4 * ROWS as u64));
    group.bench_function("graph", |bn| {
        bn.iter(|| {
            v = (v + 1) % 400;
            *g.state_mut(s) = v;
            g.stabilize(&mut pool);
            black_box(g.view(last[ROWS - 1]))
        })
    });
    eprintln!(
        "sheet: last generation ran {} nodes, skipped {} at cutoffs, of {}",
        g.stats().last_cone,
        g.stats().last_skipped,
        g.len()
    );
    let mut vals = vec![0_i64; 4 * ROWS];
    group.bench_function("plain", |bn| {
        bn.iter(|| {
            let s = black_box(v);
            for r in 0..ROWS {
                let a = s.wrapping_add(s);
                let t = a.div_euclid(1000) * 1000;
                let c2 = t.wrapping_add(t);
                vals[4 * r] = a;
                vals[4 * r + 1] = t;
                vals[4 * r + 2] = c2;
                vals[4 * r + 3] = c2.wrapping_add(c2);
            }
            black_box(vals[4 * ROWS - 1])
        })
    });
    group.finish();
}

criterion_group!(benches, wavefront, mixed, sheet);
criterion_main!(benches);
