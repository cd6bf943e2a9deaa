//! Seeing a graph: its drawing, its profile and its timeline.
//!
//! A small audio-level pipeline: a window of samples and a gain feed a
//! fused `segment!` node (mean and range of the window), a node splitting
//! the window into 16 band energies (a `RefPorts` group), a moving average
//! (the expensive node) and a report. It runs 40 generations with profiling
//! and the timeline on, prints the profile, and writes into `target/inspect/`
//! (or `$INSPECT_OUT`):
//!
//! - `graph.dot` and `graph.mmd`: the graph, coloured by time share, the
//!   `segment!` node drawn with its inner wires under the names its body
//!   gives them;
//! - `trace.json`: the timeline, for <https://ui.perfetto.dev> or
//!   `chrome://tracing`;
//! - `graph.svg`, when Graphviz's `dot` is on the `PATH`.
//!
//! `cargo run --release --example inspect`
#![allow(
    clippy::ptr_arg,
    reason = "a `RefPort<Vec<f64>>` input is a `&Vec<f64>` parameter"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use flowgraph::core::Pool;
use flowgraph::segment;
use flowgraph::typed::*;
use flowgraph::{segment_fn, segment_impl};

const WINDOW: usize = 4096;
const BANDS: usize = 16;
const SMOOTH: usize = 64;

#[segment_fn]
fn mean(v: &Vec<f64>) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The smallest and largest sample, by reference into the window.
#[segment_fn]
fn bounds(v: &Vec<f64>) -> (&f64, &f64) {
    let lo = v.iter().min_by(|a, b| a.total_cmp(b)).unwrap();
    let hi = v.iter().max_by(|a, b| a.total_cmp(b)).unwrap();
    (lo, hi)
}

#[segment_fn]
fn range(lo: &f64, hi: &f64) -> f64 {
    hi - lo
}

/// The energy of each of `BANDS` equal slices of the window, as a group in
/// the node's arena.
struct Bands;

impl Segment for Bands {
    type Inputs = RefPort<Vec<f64>>;
    type Outputs = RefPorts<f64>;
    type State = Arena;

    fn init(self) -> Arena {
        Arena::new()
    }

    fn compute<'a, 'b: 'a>(
        (n, v): (bool, &'a Vec<f64>),
        arena: &'b mut Arena,
        _: bool,
    ) -> (&'a [bool], &'a [&'a f64]) {
        arena.reset();
        let width = v.len() / BANDS;
        let energy = arena.alloc_slice_fill_with(BANDS, |b| {
            v[b * width..(b + 1) * width].iter().map(|x| x * x).sum()
        });
        (
            arena.alloc_slice_fill_copy(BANDS, n),
            arena.alloc_refs(energy),
        )
    }
}

/// The index of the loudest band.
#[segment_fn]
fn loudest(bands: &[&f64]) -> usize {
    (0..bands.len())
        .max_by(|&a, &b| bands[a].total_cmp(bands[b]))
        .unwrap()
}

/// A moving average over `SMOOTH` samples, computed naively: the node the
/// profile should point at.
struct Smooth {
    out: Vec<f64>,
}

#[segment_impl]
impl Smooth {
    fn compute(&mut self, v: &Vec<f64>) -> &Vec<f64> {
        self.out.clear();
        for i in 0..v.len() {
            let from = i.saturating_sub(SMOOTH - 1);
            let w = &v[from..=i];
            self.out.push(w.iter().sum::<f64>() / w.len() as f64);
        }
        &self.out
    }
}

/// The peak of the smoothed signal, times the gain.
#[segment_fn]
fn level(smooth: &Vec<f64>, gain: f64) -> f64 {
    gain * smooth.iter().fold(f64::MIN, |a, &b| a.max(b))
}

/// What the pipeline reports each generation.
#[derive(Clone, Copy, Debug)]
struct Summary {
    mean: f64,
    range: f64,
    loudest: usize,
    level: f64,
}

#[segment_fn]
fn report(mean: f64, range: f64, loudest: usize, level: f64) -> Summary {
    Summary {
        mean,
        range,
        loudest,
        level,
    }
}

/// A window of a sine whose frequency and phase move with `t`.
fn window(t: usize) -> Vec<f64> {
    let f = 1.0 + (t % 7) as f64;
    (0..WINDOW)
        .map(|i| {
            let x = i as f64 / WINDOW as f64;
            (std::f64::consts::TAU * f * x + t as f64).sin() * (1.0 + x * (t % 3) as f64)
        })
        .collect()
}

/// `target/inspect`, beside the example's own binary (whatever the
/// current directory), or `$INSPECT_OUT`.
fn out_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("INSPECT_OUT") {
        return dir.into();
    }
    let exe = std::env::current_exe().expect("the example's path");
    // target/<profile>/examples/inspect → target/inspect
    exe.ancestors()
        .nth(3)
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
        .join("inspect")
}

fn main() {
    let mut b = GraphBuilder::new();
    let samples = b.push_source(RefSource::new(window(0)));
    let gain = b.push_source(Source::new(1.0_f64));
    let (m, r) = b.push(
        segment!(|v: RefPort<Vec<f64>>| -> (Port<f64>, Port<f64>) {
            let m = v => Mean;
            let (lo, hi) = v => Bounds;
            let r = (lo, hi) => Range;
            (m, r)
        }),
        *samples,
    );
    let bands = b.push(Bands, *samples);
    let top = b.push(Loudest, bands);
    let smooth = b.push(Smooth { out: Vec::new() }, *samples);
    let lvl = b.push(Level, (smooth, *gain));
    let out = b.push(Report, (m, r, top, lvl));
    let mut g = Graph::from_builder(b);

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut pool = Pool::new(threads);
    g.enable_trace(100_000);
    for t in 1..=40 {
        if t % 4 == 0 {
            // Only the gain moves: a smaller cone.
            *g.state_mut(gain) = 1.0 + t as f64 / 40.0;
        } else {
            *g.state_mut(samples) = window(t);
        }
        g.stabilize(&mut pool);
    }

    // The results are right.
    let w = window(39);
    let r = g.view(out);
    assert!((r.mean - w.iter().sum::<f64>() / WINDOW as f64).abs() < 1e-12);
    let (lo, hi) = w
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
    assert_eq!(r.range, hi - lo);
    assert!(r.loudest < BANDS);
    assert!(r.level.is_finite());
    println!("last report: {r:?}\n");

    // The profile counts what the scheduler ran.
    let profile = g.profile();
    println!("{profile}");
    let stats = g.stats();
    assert_eq!(profile.runs(), stats.nodes_run);
    assert_eq!(profile.node(out.node()).runs, 40);
    assert_eq!(profile.node(smooth.node()).runs, 30);
    assert_eq!(*profile.critical_path().first().unwrap(), samples.node());

    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let dot = g.export().with_profile().to_dot();
    assert!(
        dot.contains("subgraph cluster_n2"),
        "the fused node is a cluster"
    );
    assert!(
        dot.contains("n2_s1 -> n2_s2 [label=\"lo: RefPort<f64>\"]"),
        "its inner wires carry the names written in the `segment!`"
    );
    assert!(dot.contains("RefPorts<f64> ×16"), "the group is labelled");
    std::fs::write(dir.join("graph.dot"), &dot).expect("write graph.dot");
    std::fs::write(
        dir.join("graph.mmd"),
        g.export().with_profile().to_mermaid(),
    )
    .expect("write graph.mmd");
    g.write_trace(dir.join("trace.json"))
        .expect("write trace.json");
    let trace = std::fs::read_to_string(dir.join("trace.json")).unwrap();
    assert_eq!(
        trace.matches("\"cat\":\"node\"").count() as u64,
        stats.nodes_run
    );

    println!(
        "wrote {}/graph.dot, graph.mmd and trace.json",
        dir.display()
    );
    let svg = dir.join("graph.svg");
    match Command::new("dot").arg("-Tsvg").arg(dir.join("graph.dot")).arg("-o").arg(&svg).status() {
        Ok(s) if s.success() => println!("wrote {} (open it in a browser)", svg.display()),
        Ok(s) => panic!("`dot -Tsvg` failed: {s}"),
        Err(_) => println!(
            "Graphviz is not installed: install it (`apt-get install graphviz`, `brew install graphviz`), then run\n    dot -Tsvg {} -o {}",
            dir.join("graph.dot").display(),
            svg.display()
        ),
    }
    println!(
        "open {} in https://ui.perfetto.dev or chrome://tracing",
        dir.join("trace.json").display()
    );
}

#[test]
fn inspect() {
    main();
}
