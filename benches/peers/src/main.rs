//! The Rust harness of the peer benchmark suite; `run.sh` drives it.
//!
//! ```text
//! flowgraph-peers gen WORKLOAD FILE            write a workload's edge list
//! flowgraph-peers calibrate NS...              choose k per target body time, print "target k ns"
//! flowgraph-peers run SYSTEM FILE K THREADS MS one run: "reps ns_per_node checksum extra"
//! flowgraph-peers report RESULTS_DIR OUT_DIR   write BENCHMARKS.md and the SVG plots
//! ```

mod report;
mod systems;
mod workload;

use std::hint::black_box;
use std::time::Instant;

use systems::{Flow, RayonJoin, RayonScope, Runner, Seq};
use workload::{spin, Dag};

/// The input value of the checked execution after the timed ones.
const CHECK_INPUT: u64 = 12345;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a[..] {
        ["gen", name, file] => {
            std::fs::write(file, workload::by_name(name).write()).expect("write edge list");
        }
        ["calibrate", ref targets @ ..] => {
            for t in targets {
                let target: f64 = t.parse().expect("a target in ns");
                let k = choose_k(target);
                println!("{target} {k} {:.1}", ns_per_body(k));
            }
        }
        ["run", system, file, k, threads, ms] => {
            let dag = Dag::parse(&std::fs::read_to_string(file).expect("read edge list"));
            let k: u64 = k.parse().expect("k");
            let threads: usize = threads.parse().expect("threads");
            let ms: f64 = ms.parse().expect("ms");
            run(system, &dag, k, threads, ms);
        }
        ["report", results, out] => report::write(results.as_ref(), out.as_ref()),
        _ => {
            eprintln!("usage: see the doc comment of benches/peers/src/main.rs");
            std::process::exit(2);
        }
    }
}

/// Nanoseconds per call of `spin(k, _)`: the fastest of 5 samples of about
/// 20 ms each (the least disturbed by other load).
fn ns_per_body(k: u64) -> f64 {
    let mut calls = 1u64;
    let mut best = f64::MAX;
    let mut samples = 0;
    while samples < 5 {
        let start = Instant::now();
        let mut acc = 0u64;
        for i in 0..calls {
            acc = acc.wrapping_add(spin(k, black_box(i)));
        }
        black_box(acc);
        let t = start.elapsed().as_secs_f64();
        if t > 0.02 {
            best = best.min(t * 1e9 / calls as f64);
            samples += 1;
        } else {
            calls *= 2;
        }
    }
    best
}

/// The k whose body takes about `target` ns (0 for a trivial body), from the
/// cost of one multiply-add measured on a long body.
fn choose_k(target: f64) -> u64 {
    if target <= 0.0 {
        return 0;
    }
    let base = ns_per_body(0);
    let per = (ns_per_body(4096) - base) / 4096.0;
    (((target - base) / per).round() as u64).max(1)
}

fn run(system: &str, dag: &Dag, k: u64, threads: usize, ms: f64) {
    let mut runner: Box<dyn Runner + '_> = match system {
        "flowgraph" => Box::new(Flow::new(dag, k, threads)),
        "sequential" => Box::new(Seq::new(dag, k)),
        "rayon-scope" => Box::new(RayonScope::new(dag, k, threads)),
        "rayon-join" => match RayonJoin::new(dag, k, threads) {
            Some(r) => Box::new(r),
            None => {
                println!("- - - not-applicable");
                return;
            }
        },
        _ => panic!("unknown system {system}"),
    };
    let flow_stats = |r: &dyn Runner| r.stats();
    // One warm-up execution, then at least 2 timed ones and `ms` in all.
    runner.run(1);
    let before = flow_stats(runner.as_ref());
    let mut reps = 0u64;
    let start = Instant::now();
    while reps < 2 || start.elapsed().as_secs_f64() * 1e3 < ms {
        runner.run(reps + 2);
        reps += 1;
    }
    let ns = start.elapsed().as_secs_f64() * 1e9 / (reps as f64 * dag.n as f64);
    let after = flow_stats(runner.as_ref());
    // flowgraph: the share of timed generations that ran on the pool.
    let extra = match (before, after) {
        (Some(b), Some(a)) => format!(
            "parallel={:.2}",
            (a.parallel_generations - b.parallel_generations) as f64
                / (a.generations - b.generations) as f64
        ),
        _ => "-".to_string(),
    };
    runner.run(CHECK_INPUT);
    let sum = runner.checksum();
    println!("{reps} {ns:.2} {sum} {extra}");
}
