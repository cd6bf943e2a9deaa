//! Turns the raw runs into `BENCHMARKS.md` and two SVG plots.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;

/// Systems in table order: (key in results.csv, name in tables).
const SYSTEMS: [(&str, &str); 6] = [
    ("flowgraph", "flowgraph"),
    ("tbb", "oneTBB"),
    ("tbb-lightweight", "oneTBB lightweight"),
    ("rayon-scope", "rayon scope"),
    ("rayon-join", "rayon join"),
    ("sequential", "sequential"),
];
const COLORS: [RGBColor; 6] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(90, 90, 90),
];

/// A plotted line: system index, threads, (body ns, value) points.
type Series = (usize, usize, Vec<(f64, f64)>);

struct Run {
    system: String,
    workload: String,
    nodes: usize,
    k: u64,
    threads: usize,
    ns: f64,
    checksum: String,
}

/// Median, min and max of one (system, workload, k, threads) cell.
#[derive(Clone, Copy)]
struct Cell {
    median: f64,
    min: f64,
    max: f64,
    runs: usize,
}

fn cell(mut v: Vec<f64>) -> Cell {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Cell {
        median,
        min: v[0],
        max: v[n - 1],
        runs: n,
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else if ns >= 100.0 {
        format!("{ns:.0} ns")
    } else {
        format!("{ns:.1} ns")
    }
}

fn fmt_num(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{ns:.0}")
    } else if ns >= 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.2}")
    }
}

pub fn write(results: &Path, out: &Path) {
    let text = std::fs::read_to_string(results.join("results.csv")).expect("results.csv");
    let runs: Vec<Run> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_ascii_whitespace().collect();
            assert!(f.len() >= 9, "malformed result line: {l}");
            if f[6] == "-" {
                return None; // not applicable (rayon join on a general DAG)
            }
            Some(Run {
                system: f[0].into(),
                workload: f[1].into(),
                nodes: f[2].parse().unwrap(),
                k: f[3].parse().unwrap(),
                threads: f[4].parse().unwrap(),
                ns: f[7].parse().unwrap(),
                checksum: f[8].into(),
            })
        })
        .collect();
    // body k -> (target, Rust ns, C++ ns)
    let calib: BTreeMap<u64, (String, f64, String)> =
        std::fs::read_to_string(results.join("calib.txt"))
            .expect("calib.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split_ascii_whitespace().collect();
                (
                    f[1].parse().unwrap(),
                    (f[0].to_string(), f[2].parse().unwrap(), f[3].to_string()),
                )
            })
            .collect();
    let machine = std::fs::read_to_string(results.join("machine.md")).expect("machine.md");

    // Every system must agree on every workload's values.
    let mut sums: BTreeMap<(&str, u64), (&str, &str)> = BTreeMap::new();
    for r in &runs {
        let prev = sums
            .entry((&r.workload, r.k))
            .or_insert((&r.checksum, &r.system));
        assert_eq!(
            prev.0, r.checksum,
            "checksum mismatch on {} k={}: {} says {}, {} says {}",
            r.workload, r.k, prev.1, prev.0, r.system, r.checksum
        );
    }

    let mut workloads: Vec<(String, usize)> = Vec::new();
    let mut cells: BTreeMap<(String, String, u64, usize), Vec<f64>> = BTreeMap::new();
    for r in &runs {
        if !workloads.iter().any(|(w, _)| *w == r.workload) {
            workloads.push((r.workload.clone(), r.nodes));
        }
        cells
            .entry((r.system.clone(), r.workload.clone(), r.k, r.threads))
            .or_default()
            .push(r.ns);
    }
    let cells: BTreeMap<_, Cell> = cells.into_iter().map(|(key, v)| (key, cell(v))).collect();
    let get = |s: &str, w: &str, k: u64, t: usize| {
        cells.get(&(s.to_string(), w.to_string(), k, t)).copied()
    };
    let ks: Vec<u64> = calib.keys().copied().collect();
    let body = |k: u64| {
        if k == 0 {
            "trivial".to_string()
        } else {
            format!("~{}", fmt_ns(calib[&k].1))
        }
    };
    let ratio = |a: Option<Cell>, b: Option<Cell>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}", a.median / b.median),
        _ => "–".into(),
    };
    let speedup = |s: &str, w: &str, k: u64| ratio(get(s, w, k, 1), get(s, w, k, 2));

    let mut md = String::new();
    md.push_str(
        "# Peer benchmarks\n\n\
         Generated by `bash benches/peers/run.sh` (the numbers below are one run of it;\n\
         re-run it on a quiet machine before drawing conclusions). Each workload is a\n\
         DAG read from the same edge-list file by the C++ oneTBB harness\n\
         (`benches/peers/tbb/harness.cpp`, `continue_node` with the default and the\n\
         `lightweight` policy) and the Rust harness (`benches/peers/src/`: flowgraph,\n\
         rayon `scope` and `join`, and a plain sequential loop). A node computes `k`\n\
         dependent multiply-adds on the sum of its predecessors' values (its body);\n\
         every system computes the same values, checked by a checksum. A run is one\n\
         process: it builds the graph, executes it once to warm up, then times at\n\
         least 2 executions and the time budget in all, and reports the mean time per\n\
         node. Systems are interleaved run by run; cells are medians (min–max) over\n\
         the runs, in **ns per node** (body included).\n\n",
    );
    md.push_str(&machine);
    md.push_str("\n## Node bodies\n\nCalibrated once per suite run: ns per body call in a tight loop, the fastest of 5 samples.\nBoth harnesses compile the body to the same two-instruction loop (`imul`, `add`), so a\ndifference between the two columns is measurement noise (other load on the machine).\nThe tables label each body by the Rust column.\n\n| body | k (multiply-adds) | Rust ns/body | C++ ns/body |\n|---|---|---|---|\n");
    for (&k, (target, rust, cpp)) in &calib {
        writeln!(
            md,
            "| {} (target {target} ns) | {k} | {rust:.1} | {cpp} |",
            body(k)
        )
        .unwrap();
    }

    let wl_header = |md: &mut String, first: &str| {
        write!(md, "| {first} |").unwrap();
        for (w, n) in &workloads {
            write!(md, " {w} ({n}) |").unwrap();
        }
        md.push_str("\n|---|");
        for _ in &workloads {
            md.push_str("---|");
        }
        md.push('\n');
    };
    md.push_str("\n## Summary\n\n### flowgraph time / oneTBB time, 2 threads (below 1: flowgraph ahead)\n\n");
    wl_header(&mut md, "body");
    for &k in &ks {
        write!(md, "| {} |", body(k)).unwrap();
        for (w, _) in &workloads {
            let r = ratio(get("flowgraph", w, k, 2), get("tbb", w, k, 2));
            let lw = ratio(get("flowgraph", w, k, 2), get("tbb-lightweight", w, k, 2));
            write!(md, " {r} (lw {lw}) |").unwrap();
        }
        md.push('\n');
    }
    md.push_str("\n### Speed-up, 2 threads over 1 thread: flowgraph / oneTBB\n\n");
    wl_header(&mut md, "body");
    for &k in &ks {
        write!(md, "| {} |", body(k)).unwrap();
        for (w, _) in &workloads {
            write!(
                md,
                " {} / {} |",
                speedup("flowgraph", w, k),
                speedup("tbb", w, k)
            )
            .unwrap();
        }
        md.push('\n');
    }

    md.push_str("\n## Per workload\n");
    for (w, n) in &workloads {
        writeln!(md, "\n### {w} ({n} nodes)\n").unwrap();
        for t in [1, 2] {
            let systems: Vec<_> = SYSTEMS
                .iter()
                .filter(|(s, _)| ks.iter().any(|&k| get(s, w, k, t).is_some()))
                .collect();
            let runs = ks
                .iter()
                .filter_map(|&k| get("flowgraph", w, k, t))
                .map(|c| c.runs)
                .max()
                .unwrap_or(0);
            writeln!(
                md,
                "{t} thread{}, ns per node, median (min–max) of {runs} runs:\n",
                if t == 1 { "" } else { "s" }
            )
            .unwrap();
            md.push_str("| body |");
            for (_, name) in &systems {
                write!(md, " {name} |").unwrap();
            }
            md.push_str(" flowgraph / oneTBB | flowgraph / lightweight |\n|---|");
            for _ in &systems {
                md.push_str("---|");
            }
            md.push_str("---|---|\n");
            for &k in &ks {
                write!(md, "| {} |", body(k)).unwrap();
                for (s, _) in &systems {
                    match get(s, w, k, t) {
                        Some(c) => write!(
                            md,
                            " {} ({}–{}) |",
                            fmt_num(c.median),
                            fmt_num(c.min),
                            fmt_num(c.max)
                        )
                        .unwrap(),
                        None => md.push_str(" – |"),
                    }
                }
                let f = get("flowgraph", w, k, t);
                writeln!(
                    md,
                    " {} | {} |",
                    ratio(f, get("tbb", w, k, t)),
                    ratio(f, get("tbb-lightweight", w, k, t))
                )
                .unwrap();
            }
            md.push('\n');
        }
        md.push_str("Speed-up, 2 threads over 1:\n\n| body |");
        let par: Vec<_> = SYSTEMS
            .iter()
            .filter(|(s, _)| ks.iter().any(|&k| get(s, w, k, 2).is_some()))
            .collect();
        for (_, name) in &par {
            write!(md, " {name} |").unwrap();
        }
        md.push_str("\n|---|");
        for _ in &par {
            md.push_str("---|");
        }
        md.push('\n');
        for &k in &ks {
            write!(md, "| {} |", body(k)).unwrap();
            for (s, _) in &par {
                write!(md, " {} |", speedup(s, w, k)).unwrap();
            }
            md.push('\n');
        }
    }
    md.push_str("\n## Plots\n\n![ns per node against body time](plots/ns_per_node.svg)\n\n![speed-up against body time](plots/speedup.svg)\n");
    std::fs::create_dir_all(out.join("plots")).expect("plots dir");
    std::fs::write(out.join("BENCHMARKS.md"), md).expect("write BENCHMARKS.md");

    let x_of = |k: u64| calib[&k].1.max(0.5);
    let panels = |file: &str, title: &str, speed: bool| {
        let path = out.join("plots").join(file);
        let root = SVGBackend::new(&path, (1200, 760)).into_drawing_area();
        root.fill(&WHITE).unwrap();
        let root = root.titled(title, ("sans-serif", 22)).unwrap();
        let cols = workloads.len().clamp(1, 3);
        let rows = workloads.len().div_ceil(cols);
        let areas = root.split_evenly((rows, cols));
        let (x0, x1) = (x_of(ks[0]) * 0.7, x_of(*ks.last().unwrap()) * 1.4);
        for ((w, n), area) in workloads.iter().zip(areas) {
            // (system index, threads, points)
            let mut series: Vec<Series> = Vec::new();
            for (i, (s, _)) in SYSTEMS.iter().enumerate() {
                for t in [1, 2] {
                    if speed && t == 1 {
                        continue;
                    }
                    let pts: Vec<(f64, f64)> = ks
                        .iter()
                        .filter_map(|&k| {
                            let v = if speed {
                                Some(get(s, w, k, 1)?.median / get(s, w, k, 2)?.median)
                            } else {
                                Some(get(s, w, k, t)?.median)
                            };
                            v.map(|v| (x_of(k), v))
                        })
                        .collect();
                    if !pts.is_empty() {
                        series.push((i, t, pts));
                    }
                }
            }
            let ys = series.iter().flat_map(|s| s.2.iter().map(|p| p.1));
            let (lo, hi) = ys.fold((f64::MAX, 0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
            let caption = format!("{w} ({n} nodes)");
            let mut b = ChartBuilder::on(&area);
            b.caption(caption, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(32)
                .y_label_area_size(48);
            if speed {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), 0.0..(hi.max(2.0) * 1.1))
                    .unwrap();
                c.configure_mesh()
                    .x_desc("body ns")
                    .y_desc("speed-up 2T/1T")
                    .draw()
                    .unwrap();
                c.draw_series(LineSeries::new([(x0, 1.0), (x1, 1.0)], BLACK.mix(0.3)))
                    .unwrap();
                for (i, _, pts) in &series {
                    let col = COLORS[*i];
                    c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                        .unwrap()
                        .label(SYSTEMS[*i].1)
                        .legend(move |(x, y)| {
                            PathElement::new([(x, y), (x + 16, y)], col.stroke_width(2))
                        });
                    c.draw_series(pts.iter().map(|&p| Circle::new(p, 3, col.filled())))
                        .unwrap();
                }
                c.configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .label_font(("sans-serif", 10))
                    .background_style(WHITE.mix(0.7))
                    .border_style(BLACK)
                    .draw()
                    .unwrap();
            } else {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), (lo * 0.7..hi * 1.4).log_scale())
                    .unwrap();
                c.configure_mesh()
                    .x_desc("body ns")
                    .y_desc("ns per node")
                    .draw()
                    .unwrap();
                for (i, t, pts) in &series {
                    let col = COLORS[*i];
                    let style = if *t == 1 {
                        col.stroke_width(1)
                    } else {
                        col.stroke_width(3)
                    };
                    let label = format!("{} {}T", SYSTEMS[*i].1, t);
                    c.draw_series(LineSeries::new(pts.clone(), style))
                        .unwrap()
                        .label(label)
                        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], style));
                }
                c.configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .label_font(("sans-serif", 10))
                    .background_style(WHITE.mix(0.7))
                    .border_style(BLACK)
                    .draw()
                    .unwrap();
            }
        }
        root.present().unwrap();
    };
    panels(
        "ns_per_node.svg",
        "ns per node against body time (thin: 1 thread, thick: 2 threads)",
        false,
    );
    panels(
        "speedup.svg",
        "speed-up of 2 threads over 1 against body time",
        true,
    );
}
