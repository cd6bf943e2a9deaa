//! Graph export (DOT, Mermaid), the per-node profile and the timeline.
//!
//! Golden files live in `tests/golden/`; after an intended change of the
//! drawings, regenerate them with `UPDATE_GOLDEN=1 cargo test --test export`
//! and review the diff. Every drawing a test writes goes through Graphviz
//! (`dot -Tsvg`) when `dot` is on the `PATH`; under `CI` a missing `dot` is
//! a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;

/// A stateless increment operator (spec §2).
struct Inc;
impl Segment for Inc {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((_, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (true, x + 1)
    }
}

/// A stateless adder with two inputs (spec §2).
struct Add;
impl Segment for Add {
    type Inputs = (Port<i64>, Port<i64>);
    type Outputs = Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((na, a), (nb, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (na || nb, a + b)
    }
}

/// Spins for `n` multiply-adds: coarse enough for the parallel scheduler.
struct Spin(u64);
impl Segment for Spin {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = u64;
    fn init(self) -> u64 {
        self.0
    }
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), iters: &'b mut u64, _: bool) -> (bool, i64) {
        let mut acc = x;
        let k = std::hint::black_box(6364136223846793005_i64);
        for _ in 0..*iters {
            acc = acc.wrapping_mul(k).wrapping_add(1442695040888963407);
        }
        (n, acc)
    }
}

/// `len` copies of its input, as a group in its arena.
struct Spread(usize);
impl Segment for Spread {
    type Inputs = Port<f64>;
    type Outputs = RefPorts<f64>;
    type State = (usize, Arena);
    fn init(self) -> (usize, Arena) {
        (self.0, Arena::new())
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, f64),
        (len, arena): &'b mut (usize, Arena),
        _: bool,
    ) -> (&'a [bool], &'a [&'a f64]) {
        arena.reset();
        let values = arena.alloc_slice_fill_copy(*len, x);
        (
            arena.alloc_slice_fill_copy(*len, n),
            arena.alloc_refs(values),
        )
    }
}

/// The sum of a group.
struct Total;
impl Segment for Total {
    type Inputs = RefPorts<f64>;
    type Outputs = Port<f64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        (flags, values): (&'a [bool], &'a [&'a f64]),
        _: &'b mut (),
        _: bool,
    ) -> (bool, f64) {
        (flags.iter().any(|&f| f), values.iter().copied().sum())
    }
}

/// The spec's diamond: `s`, `a = s + 1`, `d = s + a`.
fn diamond() -> (Graph, SourceHandle<Source<i64>>) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1));
    let a = b.push(Inc, *s);
    b.push(Add, (*s, a));
    (Graph::from_builder(b), s)
}

/// The spec's `segment!`: three sums in one node, between two sources and
/// a consumer.
fn fused() -> Graph {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(1));
    let t = b.push_source(Source::new(2));
    let seg = segment!(|a: Port<i64>, b: Port<i64>| -> (Port<i64>, Port<i64>, Port<i64>) {
        let c = (b, a) => Add;
        let d = (c, a) => Add;
        let e = (d, a) => Add;
        (e, d, c)
    });
    let (e, d, _c) = b.push(seg, (*s, *t));
    b.push(Add, (e, d));
    Graph::from_builder(b)
}

/// A `segment!` with every kind of wire: a destructured input tuple, a raw
/// identifier, a wire carrying a pair (`p`), a tuple pattern with `_`, a
/// wire dropped on purpose (`_spare`), combinators and a nested `segment!`
/// (whose result is a tail application) as applications, and a nested
/// output.
fn wired() -> Graph {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(3_i64));
    let t = b.push_source(Source::new(4_i64));
    let u = b.push_source(Source::new(5_i64));
    let seg = segment!(|(x, r#y): (Port<i64>, Port<i64>), z: Port<i64>| -> (Port<i64>, (Port<i64>, Port<i64>)) {
        let p = x => Inc.fork(Id::new());
        let (hi, _) = p => Id::new();
        let sum = (hi, r#y) => Add;
        let _spare = z => Inc;
        let q = (sum, z) => segment!(|v: Port<i64>, w: Port<i64>| -> Port<i64> { (w, v) => Add });
        (q, p)
    });
    let (q, p) = b.push(seg, ((*s, *t), *u));
    let pair = b.push(Add, p);
    let last = b.push(Inc, q);
    let g = Graph::from_builder(b);
    // (x + 1 + y) + z, then + 1; and (x + 1) + x.
    assert_eq!((g.view(last), g.view(pair)), (14, 7));
    g
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("export");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a drawing to the test output directory and, for DOT, checks that
/// Graphviz renders it.
fn written(name: &str, text: &str) -> PathBuf {
    let path = out_dir().join(name);
    std::fs::write(&path, text).unwrap();
    if name.ends_with(".dot") {
        graphviz_accepts(&path);
    }
    path
}

fn graphviz_accepts(path: &Path) {
    let svg = path.with_extension("svg");
    match Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .arg("-o")
        .arg(&svg)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "`dot -Tsvg {}` failed: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let svg = std::fs::read_to_string(&svg).unwrap();
            assert!(svg.contains("<svg"), "no SVG from {}", path.display());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "Graphviz `dot` is not on the PATH, and CI needs it: `apt-get install graphviz`"
            );
            eprintln!("note: `dot` not found, {} not rendered", path.display());
        }
        Err(e) => panic!("cannot run `dot`: {e}"),
    }
}

/// Compares `actual` with golden file `name` (or rewrites it under
/// `UPDATE_GOLDEN`).
fn golden(name: &str, actual: &str) {
    written(name, actual);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; create it with `UPDATE_GOLDEN=1 cargo test --test export`",
            path.display()
        )
    });
    assert!(
        actual == expected,
        "{name} differs from its golden file {}; if the change is intended, run \
         `UPDATE_GOLDEN=1 cargo test --test export`.\n--- actual ---\n{actual}",
        path.display()
    );
}

#[test]
fn diamond_dot() {
    golden("diamond.dot", &diamond().0.to_dot());
}

#[test]
fn diamond_mermaid() {
    golden("diamond.mmd", &diamond().0.to_mermaid());
}

#[test]
fn fused_segment_dot() {
    golden("segment.dot", &fused().to_dot());
}

#[test]
fn fused_segment_mermaid() {
    golden("segment.mmd", &fused().to_mermaid());
}

#[test]
fn wired_segment_dot() {
    golden("segment-wired.dot", &wired().to_dot());
}

#[test]
fn wired_segment_mermaid() {
    golden("segment-wired.mmd", &wired().to_mermaid());
}

#[test]
fn wires_keep_the_names_written_in_the_body() {
    let dot = wired().to_dot();
    for edge in [
        // `(x, r#y)`: the destructured input, `r#` dropped.
        "n3_i1 -> n3_s1 [label=\"y: Port<i64>\"]",
        // `let (hi, _) = p => Id::new()` renames the first leaf of `p`.
        "n3_s0 -> n3_s1 [label=\"hi: Port<i64>\"]",
        // The nested `segment!` reads `sum` and `z` under those names.
        "n3_s1 -> n3_s3 [label=\"sum: Port<i64>\"]",
        "n3_i2 -> n3_s3 [label=\"z: Port<i64>\"]",
        // Its tail application is `q`; `p` is a pair, output as `p.0, p.1`,
        // the second leaf being `x` through `Id`.
        "n3_s3 -> n3_o0 [label=\"q: Port<i64>\"]",
        "n3_s0 -> n3_o1 [label=\"p.0: Port<i64>\"]",
        "n3_i0 -> n3_o2 [label=\"p.1: Port<i64>\"]",
    ] {
        assert!(dot.contains(edge), "{edge} in {dot}");
    }
    // `_spare = z => Inc` runs, and nothing reads it.
    assert!(dot.contains("n3_i2 -> n3_s2"), "{dot}");
    assert!(!dot.contains("n3_s2 ->"), "{dot}");
    assert!(!dot.contains("__flowgraph"), "{dot}");
}

#[test]
fn one_edge_per_wire_labelled_with_its_port() {
    let dot = diamond().0.to_dot();
    assert_eq!(dot.matches(" -> ").count(), 3);
    assert_eq!(dot.matches("[label=\"Port<i64>\"]").count(), 3);
    assert!(dot.contains("n0 [shape=circle"), "{dot}");
    assert!(dot.contains("n2 [shape=box"), "{dot}");
}

#[test]
fn a_fused_node_is_a_cluster_of_its_segments() {
    let g = fused();
    assert_eq!(g.len(), 4);
    let dot = g.to_dot();
    assert!(dot.contains("subgraph cluster_n2 {"), "{dot}");
    assert!(dot.contains("label=\"#2 fused: 3 segments\""), "{dot}");
    // Three inner `Add`s, two inputs, three outputs.
    for k in 0..3 {
        assert!(dot.contains(&format!("n2_s{k} [shape=box")), "{dot}");
        assert!(dot.contains(&format!("n2_o{k} [shape=point")), "{dot}");
    }
    // The wiring inside, labelled with the names the user wrote: `c = (b,
    // a) => Add` reads both inputs, `d = (c, a) => Add` reads `c`, and the
    // outputs `(e, d, c)` leave from the segments that made them.
    for edge in [
        "n2_i1 -> n2_s0 [label=\"b: Port<i64>\"]",
        "n2_i0 -> n2_s0 [label=\"a: Port<i64>\"]",
        "n2_s0 -> n2_s1 [label=\"c: Port<i64>\"]",
        "n2_i0 -> n2_s2 [label=\"a: Port<i64>\"]",
        "n2_s2 -> n2_o0 [label=\"e: Port<i64>\"]",
        "n2_s1 -> n2_o1 [label=\"d: Port<i64>\"]",
        "n2_s0 -> n2_o2 [label=\"c: Port<i64>\"]",
    ] {
        assert!(dot.contains(edge), "{edge} in {dot}");
    }
    assert_eq!(dot.matches(" -> n2_s").count(), 6, "{dot}");
    assert!(
        dot.contains("n2_i0 [shape=point, width=0.08, fillcolor=\"#555555\", tooltip=\"a\"]"),
        "{dot}"
    );
    let mmd = g.to_mermaid();
    assert!(
        mmd.contains("n2_s0 -->|\"c: Port#lt;i64#gt;\"| n2_s1"),
        "{mmd}"
    );
    // Outer wires attach to the cluster's points.
    assert!(dot.contains("n0 -> n2_i0"), "{dot}");
    assert!(dot.contains("n2_o1 -> n3"), "{dot}");
}

#[test]
fn combinators_are_clusters_too() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(2_i64));
    let double: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, 2 * x));
    let (x, y) = b.push(double.then(Inc).fork(Id::new()), *s);
    b.push(Add, (x, y));
    let lone = b.push(Id::new(), *s);
    b.push(Inc, lone);
    let g = Graph::from_builder(b);
    let dot = written("combinators.dot", &g.to_dot());
    let dot = std::fs::read_to_string(dot).unwrap();
    assert!(dot.contains("label=\"#1 fused: 2 segments\""), "{dot}");
    assert!(
        dot.contains("n1_s0 [shape=box, style=\"rounded,filled\", label=\"Arr\"]"),
        "{dot}"
    );
    assert!(
        dot.contains("n1_s1 [shape=box, style=\"rounded,filled\", label=\"Inc\"]"),
        "{dot}"
    );
    // `Id` inside the fork forwards the input to output 1.
    assert!(dot.contains("n1_i0 -> n1_o1"), "{dot}");
    // A lone `Id` is a plain node.
    assert!(
        dot.contains("n3 [shape=box, style=\"rounded,filled\", label=\"#3 Id<Port<i64>>\"]"),
        "{dot}"
    );
    written("combinators.mmd", &g.to_mermaid());
}

#[test]
fn groups_and_references_are_labelled() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0.5_f64));
    let group = b.push(Spread(64), *s);
    b.push(Total, group);
    let v = b.push_source(RefSource::new(vec![1_u32, 2, 3]));
    let len: Arr<RefPort<Vec<u32>>, Port<usize>, _> =
        Arr::new(|(n, v): (bool, &Vec<u32>), _| (n, v.len()));
    b.push(len, *v);
    let refs: Vec<Handle<RefPort<Vec<u32>>>> = vec![*v, *v];
    let count: Arr<RefPorts<Vec<u32>>, Port<usize>, _> =
        Arr::new(|(f, _): (&[bool], &[&Vec<u32>]), _| (f.iter().any(|&f| f), f.len()));
    b.push(count, refs);
    let g = Graph::from_builder(b);
    let dot = written("groups.dot", &g.to_dot());
    let dot = std::fs::read_to_string(dot).unwrap();
    assert!(
        dot.contains("n1 -> n2 [label=\"RefPorts<f64> ×64\"]"),
        "{dot}"
    );
    assert!(
        dot.contains("n3 -> n4 [label=\"RefPort<Vec<u32>>\"]"),
        "{dot}"
    );
    // A fan-in draws one edge per element.
    assert_eq!(
        dot.matches("n3 -> n5 [label=\"RefPort<Vec<u32>>\"]")
            .count(),
        2,
        "{dot}"
    );
    written("groups.mmd", &g.to_mermaid());
}

/// Runs `gens` generations, poking the source each time.
fn run(g: &mut Graph, s: SourceHandle<Source<i64>>, pool: &mut Pool, gens: i64) {
    for i in 0..gens {
        *g.state_mut(s) = i;
        g.stabilize(pool);
    }
}

#[test]
fn profile_counts_equal_stats() {
    let (mut g, s) = diamond();
    let mut pool = Pool::new(1);
    run(&mut g, s, &mut pool, 3); // before profiling: not counted
    let before = g.stats();
    g.enable_profiling();
    run(&mut g, s, &mut pool, 20);
    g.stabilize(&mut pool); // an empty generation
    let p = g.profile();
    let after = g.stats();
    assert!(p.is_enabled());
    assert_eq!(p.runs(), after.nodes_run - before.nodes_run);
    assert_eq!(p.skips(), after.nodes_skipped - before.nodes_skipped);
    assert_eq!(p.runs(), 60);
    for v in 0..3 {
        assert_eq!(p.node(v).runs, 20, "node {v}");
        assert_eq!(p.node(v).last_generation, Some(after.generations - 1));
        assert!(p.node(v).max <= p.node(v).total);
    }
    assert_eq!(p.generations(), after.generations);
    assert_eq!(p.node(2).label, "Add");
    assert_eq!(p.critical_path().first(), Some(&0));
    assert_eq!(p.critical_path().last(), Some(&2));
    let table = p.to_string();
    assert!(table.contains("critical path"), "{table}");
    assert_eq!(
        table
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count(),
        3,
        "{table}"
    );
    // The precision caps the rows, heaviest first.
    let top = format!("{p:.1}");
    let rows = top.lines().filter(|l| l.trim_start().starts_with('#'));
    assert_eq!(rows.count(), 1, "{top}");
    assert!(top.contains("… 2 more nodes"), "{top}");
    // Profiling off: zeros, and the scheduler runs without the hook.
    g.disable_profiling();
    run(&mut g, s, &mut pool, 2);
    assert!(!g.profile().is_enabled());
    assert_eq!(g.profile().runs(), 0);
}

/// Spins like [`Spin`], and never notifies: a cutoff.
struct MuteSpin(u64);
impl Segment for MuteSpin {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = u64;
    fn init(self) -> u64 {
        self.0
    }
    fn compute<'a, 'b: 'a>(x: (bool, i64), iters: &'b mut u64, init: bool) -> (bool, i64) {
        let (_, y) = Spin::compute(x, iters, init);
        (false, y)
    }
}

#[test]
fn profile_skips_equal_stats() {
    // s → 32 coarse cutoffs → 32 nodes that a cutoff skips; and s → Inc.
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    let below: Vec<_> = (0..32)
        .map(|_| {
            let m = b.push(MuteSpin(5_000), *s);
            b.push(Inc, m)
        })
        .collect();
    let inc = b.push(Inc, *s);
    let mut g = Graph::from_builder(b);
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        g.disable_profiling();
        g.enable_profiling();
        let before = g.stats();
        run(&mut g, s, &mut pool, 8);
        let (p, after) = (g.profile(), g.stats());
        assert_eq!(
            p.runs(),
            after.nodes_run - before.nodes_run,
            "{threads} threads"
        );
        assert_eq!(
            p.skips(),
            after.nodes_skipped - before.nodes_skipped,
            "{threads} threads"
        );
        assert_eq!(p.skips(), 8 * 32, "{threads} threads");
        assert!(below
            .iter()
            .all(|h| p.node(h.node()).skips == 8 && p.node(h.node()).runs == 0));
        assert_eq!((p.node(inc.node()).runs, p.node(inc.node()).skips), (8, 0));
        if threads == 2 {
            assert!(
                after.parallel_generations > before.parallel_generations,
                "{after:?}"
            );
        }
    }
}

/// 64 independent coarse nodes: generations run on the pool's workers.
fn wide() -> (Graph, SourceHandle<Source<i64>>) {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0_i64));
    for _ in 0..64 {
        b.push(Spin(5_000), *s);
    }
    (Graph::from_builder(b), s)
}

#[test]
fn profile_counts_equal_stats_on_the_pool() {
    let (mut g, s) = wide();
    let mut pool = Pool::new(2);
    g.enable_trace(100_000);
    run(&mut g, s, &mut pool, 10);
    let stats = g.stats();
    assert!(stats.parallel_generations > 0, "{stats:?}");
    let p = g.profile();
    assert_eq!(p.runs(), stats.nodes_run);
    assert!((1..65).all(|v| p.node(v).runs == 10));
    let trace: serde_json::Value = serde_json::from_str(&g.trace_json()).unwrap();
    let nodes = events(&trace, "node");
    assert_eq!(nodes.len() as u64, stats.nodes_run);
    // Each worker that ran a node has a named lane.
    let lanes: std::collections::BTreeSet<u64> =
        nodes.iter().map(|e| e["tid"].as_u64().unwrap()).collect();
    let names = named_lanes(&trace);
    assert!(
        lanes.iter().all(|l| names.contains(l)),
        "{lanes:?} vs {names:?}"
    );
    let parallel = events(&trace, "generation")
        .iter()
        .filter(|e| e["args"]["parallel"] == true)
        .count();
    assert_eq!(parallel as u64, stats.parallel_generations);
}

fn events<'t>(trace: &'t serde_json::Value, cat: &str) -> Vec<&'t serde_json::Value> {
    trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["cat"] == cat)
        .collect()
}

fn named_lanes(trace: &serde_json::Value) -> Vec<u64> {
    trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["tid"].as_u64().unwrap())
        .collect()
}

#[test]
fn the_trace_has_one_complete_event_per_node_run() {
    let (mut g, s) = diamond();
    let mut pool = Pool::new(1);
    run(&mut g, s, &mut pool, 2); // not traced
    g.enable_trace(1_000);
    run(&mut g, s, &mut pool, 5);
    g.disable_trace();
    run(&mut g, s, &mut pool, 4); // profiled, not traced
    let path = out_dir().join("diamond-trace.json");
    g.write_trace(&path).unwrap();
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let nodes = events(&trace, "node");
    assert_eq!(nodes.len(), 15);
    assert_eq!(g.profile().runs(), 27);
    for e in &nodes {
        assert_eq!(e["ph"], "X");
        assert!(e["ts"].as_f64().unwrap() >= 0.0);
        assert!(e["dur"].as_f64().unwrap() >= 0.0);
        let gen = e["args"]["generation"].as_u64().unwrap();
        assert!((3..=7).contains(&gen), "{e}");
    }
    let names: std::collections::BTreeSet<&str> =
        nodes.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["#0 Source<i64>", "#1 Inc", "#2 Add"].into_iter().collect()
    );
    assert_eq!(events(&trace, "generation").len(), 5);
    // Serial generations run on the caller's lane.
    let lanes: std::collections::BTreeSet<u64> =
        nodes.iter().map(|e| e["tid"].as_u64().unwrap()).collect();
    assert_eq!(lanes.len(), 1);
}

#[test]
fn the_trace_is_bounded() {
    let (mut g, s) = diamond();
    let mut pool = Pool::new(1);
    g.enable_trace(10);
    run(&mut g, s, &mut pool, 100);
    let trace: serde_json::Value = serde_json::from_str(&g.trace_json()).unwrap();
    let nodes = events(&trace, "node");
    assert_eq!(nodes.len(), 10);
    assert_eq!(trace["otherData"]["dropped_events"], 290);
    // The most recent ones are kept.
    assert!(nodes
        .iter()
        .all(|e| e["args"]["generation"].as_u64().unwrap() >= 96));
}

#[test]
fn no_trace_is_an_empty_timeline() {
    let (g, _) = diamond();
    let trace: serde_json::Value = serde_json::from_str(&g.trace_json()).unwrap();
    assert!(events(&trace, "node").is_empty());
}

#[test]
fn profiled_drawings_show_runs_and_colours() {
    let (mut g, s) = wide();
    let mut pool = Pool::new(1);
    g.enable_profiling();
    run(&mut g, s, &mut pool, 3);
    let dot = g.export().with_profile().to_dot();
    written("profiled.dot", &dot);
    assert_eq!(dot.matches("3 runs").count(), 65, "{dot}");
    assert!(dot.contains("fillcolor=\"#ff"), "{dot}");
    let mmd = g.export().with_profile().to_mermaid();
    written("profiled.mmd", &mmd);
    assert!(mmd.contains("style n1 fill:#ff"), "{mmd}");
    // Without a profile, the option changes nothing.
    let (plain, _) = diamond();
    assert_eq!(plain.export().with_profile().to_dot(), plain.to_dot());
}

/// Copies its input into a by-value group of `len` members.
#[flowgraph::segment_fn]
fn spread_values(#[state] out: &mut Vec<f64>, #[param] len: usize, x: f64) -> &[f64] {
    out.clear();
    out.resize(len, x);
    out
}

#[flowgraph::segment_fn]
fn total_values(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

#[test]
fn by_value_groups_are_labelled() {
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(0.5_f64));
    let group = b.push(SpreadValues { len: 64 }, *s);
    b.push(TotalValues, group);
    let cells: Vec<_> = (0..3)
        .map(|i| *b.push_source(Source::new(f64::from(i))))
        .collect();
    b.push(TotalValues, &cells);
    let g = Graph::from_builder(b);
    let dot = g.to_dot();
    assert!(dot.contains("n1 -> n2 [label=\"Ports<f64> ×64\"]"), "{dot}");
    // A fan-in draws one edge per member, labelled as the member's port.
    for c in 3..6 {
        assert!(
            dot.contains(&format!("n{c} -> n6 [label=\"Port<f64>\"]")),
            "{dot}"
        );
    }
    let mmd = g.to_mermaid();
    assert!(mmd.contains("Ports#lt;f64#gt; ×64"), "{mmd}");
}
