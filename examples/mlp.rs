//! A two-hidden-layer perceptron trained by SGD, with every layer a node.
//!
//! One `stabilize` is one training step on one mini-batch: the batch node
//! copies the next samples into its buffer, three dense nodes run the forward
//! pass, a loss node computes softmax cross-entropy and its gradient, and the
//! backward pass is split so that independent GEMMs are independent nodes
//! (`∂W` beside `∂X` for each layer), which the pool runs side by side; an
//! SGD node per layer updates its parameters. Every activation and gradient
//! buffer is allocated once, when the node is created, and reused by every
//! step.
//!
//! The parameters are the one feedback edge of training: the update of step
//! t feeds the forward pass of step t + 1, across generations, which a DAG
//! cannot carry as a wire. They live in a shared, locked store read by the
//! dense nodes and written by the SGD node, which the graph orders after
//! every reader of the same step.
//!
//! GEMMs are gemmkit's, called single-threaded with `gemm_with`, which packs
//! its operands into a caller-owned workspace: each GEMM node keeps one per
//! block, so after the first steps no call allocates. Each GEMM node splits
//! its output rows into four blocks (two per thread on 2 threads) with
//! `flowgraph::par::for_each_chunk` ([`for_row_blocks`]), so the pool that
//! runs the graph also runs the blocks.
//!
//! The example asserts that the loss falls, that test accuracy reaches 95 %,
//! that the graph computes bit for bit what the same arithmetic in a plain
//! loop computes, and that a warm training step allocates nothing at all
//! (counted by a global allocator); it prints samples per second on 1 and 2
//! threads and for the plain loop.
//!
//! Run with `cargo run --release --example mlp`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use flowgraph::core::Pool;
use flowgraph::par;
use flowgraph::typed::*;
use gemmkit::{gemm_with, MatMut, MatRef, Parallelism, Workspace};

// ---------------------------------------------------------------------------
// Allocation counting (to show that a warm step allocates nothing).

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------
// Buffers and kernels, shared by the graph's nodes and the plain loop.

/// A row-major matrix whose buffer is allocated once.
#[derive(Clone, Debug)]
struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Mat {
    fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }
    /// Rows `rows` of the matrix.
    fn rows(&self, rows: Range<usize>) -> MatRef<'_, f32> {
        let data = &self.data[rows.start * self.cols..rows.end * self.cols];
        MatRef::from_row_major(data, rows.len(), self.cols)
    }
    fn all(&self) -> MatRef<'_, f32> {
        self.rows(0..self.rows)
    }
    /// Rows `rows` of the transpose (columns `rows` of the matrix).
    fn t_rows(&self, rows: Range<usize>) -> MatRef<'_, f32> {
        let end = (self.rows - 1) * self.cols + rows.end;
        let data = &self.data[rows.start..end];
        MatRef::new(data, rows.len(), self.rows, 1, self.cols as isize)
    }
    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// Blocks of rows per GEMM node: two per thread of this example's pool, so
/// that a thread that finishes early (its own node done, or slowed less by
/// the machine) takes over part of another's work; few, since each block
/// packs the right-hand operand for itself. The count does not depend on the
/// pool: the kernel's rounding depends on a block's shape, and a fixed split
/// keeps the result the same bit for bit on any number of threads.
const BLOCKS: usize = 4;

/// A GEMM node's packing memory: one gemmkit workspace per block of rows,
/// sized by the first steps and reused by every later one.
#[derive(Default)]
struct Scratch(Vec<Mutex<Workspace>>);

/// `c = alpha · a · b + beta · c` on this thread, packing into `ws`.
fn gemm(
    ws: &mut Workspace,
    alpha: f32,
    a: MatRef<'_, f32>,
    b: MatRef<'_, f32>,
    beta: f32,
    c: MatMut<'_, f32>,
) {
    gemm_with(ws, alpha, a, b, beta, c, Parallelism::Serial);
}

/// Runs `f(rows, block, workspace)` over blocks of the rows of the row-major
/// `out` (`rows` × `cols`), [`BLOCKS`] of them, on the threads of the pool
/// running the graph (`flowgraph::par`; in turn outside `stabilize` or on one
/// thread), each with a workspace of its own. Each block writes disjoint
/// rows.
fn for_row_blocks(
    out: &mut [f32],
    rows: usize,
    cols: usize,
    scratch: &mut Scratch,
    f: impl Fn(Range<usize>, &mut [f32], &mut Workspace) + Sync,
) {
    let block = rows.div_ceil(BLOCKS).max(1);
    let blocks = rows.div_ceil(block);
    if scratch.0.len() < blocks {
        scratch.0.resize_with(blocks, Mutex::default);
    }
    let workspaces = &scratch.0;
    par::for_each_chunk(out, block * cols, |i, chunk| {
        let n = chunk.len() / cols;
        let mut ws = workspaces[i].lock().unwrap_or_else(PoisonError::into_inner);
        f(i * block..i * block + n, chunk, &mut ws);
    });
}

/// One dense layer's parameters: `w` is `inputs × outputs`.
#[derive(Clone, Debug)]
struct Params {
    w: Mat,
    b: Vec<f32>,
}

/// Parameters shared by the nodes that read them and the SGD node.
type Shared = Arc<RwLock<Params>>;

/// `out = x · w + b`, then ReLU if `relu`.
fn dense(p: &Params, x: &Mat, out: &mut Mat, scratch: &mut Scratch, relu: bool) {
    let cols = out.cols;
    for_row_blocks(&mut out.data, x.rows, cols, scratch, |rows, o, ws| {
        for r in o.chunks_mut(cols) {
            r.copy_from_slice(&p.b);
        }
        let n = rows.len();
        gemm(
            ws,
            1.0,
            x.rows(rows),
            p.w.all(),
            1.0,
            MatMut::from_row_major(o, n, cols),
        );
        if relu {
            o.iter_mut().for_each(|v| *v = v.max(0.0));
        }
    });
}

/// Softmax cross-entropy over the batch: writes `∂loss/∂logits` (averaged
/// over the batch) and returns the mean loss and the accuracy.
fn softmax_xent(logits: &Mat, labels: &[u8], grad: &mut Mat) -> (f32, f32) {
    let n = logits.rows as f32;
    let (mut loss, mut correct) = (0.0f32, 0usize);
    for (i, &label) in labels.iter().enumerate() {
        let z = logits.row(i);
        let max = z.iter().copied().fold(f32::MIN, f32::max);
        let total: f32 = z.iter().map(|v| (v - max).exp()).sum();
        let label = label as usize;
        loss += total.ln() + max - z[label];
        let best = (0..z.len()).fold(0, |b, j| if z[j] > z[b] { j } else { b });
        correct += usize::from(best == label);
        let g = &mut grad.data[i * grad.cols..(i + 1) * grad.cols];
        for j in 0..z.len() {
            let p = (z[j] - max).exp() / total;
            g[j] = (p - f32::from(u8::from(j == label))) / n;
        }
    }
    (loss / n, correct as f32 / n)
}

/// `dx = dy · wᵀ`, masked by ReLU's derivative at `x` (x = relu(·) > 0).
fn back_x(p: &Params, dy: &Mat, x: &Mat, dx: &mut Mat, scratch: &mut Scratch) {
    let cols = dx.cols;
    for_row_blocks(&mut dx.data, dy.rows, cols, scratch, |rows, d, ws| {
        let n = rows.len();
        let mask = &x.data[rows.start * cols..rows.end * cols];
        gemm(
            ws,
            1.0,
            dy.rows(rows),
            p.w.t_rows(0..p.w.cols),
            0.0,
            MatMut::from_row_major(d, n, cols),
        );
        // A select, not a branch: the branch would mispredict on about
        // half of the elements, and it keeps the loop vectorized.
        d.iter_mut()
            .zip(mask)
            .for_each(|(d, &x)| *d = if x > 0.0 { *d } else { 0.0 });
    });
}

/// The gradient of one layer's parameters.
#[derive(Clone, Debug)]
struct Grad {
    w: Mat,
    b: Vec<f32>,
}

/// `dw = xᵀ · dy`, `db = Σ_rows dy`.
fn back_w(dy: &Mat, x: &Mat, g: &mut Grad, scratch: &mut Scratch) {
    let (rows, cols) = (g.w.rows, g.w.cols);
    for_row_blocks(&mut g.w.data, rows, cols, scratch, |rows, w, ws| {
        let n = rows.len();
        gemm(
            ws,
            1.0,
            x.t_rows(rows),
            dy.all(),
            0.0,
            MatMut::from_row_major(w, n, cols),
        );
    });
    g.b.iter_mut().for_each(|b| *b = 0.0);
    for i in 0..dy.rows {
        g.b.iter_mut().zip(dy.row(i)).for_each(|(b, d)| *b += d);
    }
}

fn sgd(p: &mut Params, g: &Grad, lr: f32) {
    p.w.data
        .iter_mut()
        .zip(&g.w.data)
        .for_each(|(w, d)| *w -= lr * d);
    p.b.iter_mut().zip(&g.b).for_each(|(b, d)| *b -= lr * d);
}

// ---------------------------------------------------------------------------
// Data: two interleaved spirals, seeded.

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn normal(&mut self) -> f32 {
        let (u, v) = (self.uniform().max(1e-7), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

/// `n` points of two spirals (class 0 and 1, one and a half turns each).
struct Dataset {
    x: Mat,
    labels: Vec<u8>,
}

/// A batch's class labels.
#[derive(Clone, Debug)]
struct Labels(Vec<u8>);

/// A batch's mean loss and accuracy.
#[derive(Clone, Copy, Debug)]
struct BatchStats {
    loss: f32,
    accuracy: f32,
}

fn spirals(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng(seed);
    let mut x = Mat::zeros(n, 2);
    let labels: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
    for (i, &class) in labels.iter().enumerate() {
        let t = rng.uniform();
        let r = 0.1 + 0.9 * t;
        let angle = 3.0 * std::f32::consts::PI * t + f32::from(class) * std::f32::consts::PI;
        x.data[2 * i] = 2.0 * r * angle.cos() + 0.03 * rng.normal();
        x.data[2 * i + 1] = 2.0 * r * angle.sin() + 0.03 * rng.normal();
    }
    Dataset { x, labels }
}

/// He-uniform initial parameters for layers of the given widths.
fn init_params(widths: &[usize], seed: u64) -> Vec<Params> {
    let mut rng = Rng(seed);
    widths
        .windows(2)
        .map(|w| {
            let bound = (6.0 / w[0] as f32).sqrt();
            let mut m = Mat::zeros(w[0], w[1]);
            m.data
                .iter_mut()
                .for_each(|v| *v = bound * (2.0 * rng.uniform() - 1.0));
            Params {
                w: m,
                b: vec![0.0; w[1]],
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The graph.

/// Copies mini-batch number `step` (cycling through the data set) into its
/// buffers.
struct Batch {
    data: Arc<Dataset>,
    x: Mat,
    labels: Labels,
}

#[flowgraph::segment_impl]
impl Batch {
    fn compute(&mut self, step: u64) -> (&Mat, &Labels) {
        fill_batch(&self.data, step, &mut self.x, &mut self.labels.0);
        (&self.x, &self.labels)
    }
}

fn fill_batch(data: &Dataset, step: u64, x: &mut Mat, labels: &mut [u8]) {
    let n = data.labels.len();
    for (i, label) in labels.iter_mut().enumerate() {
        let j = (step as usize * x.rows + i) % n;
        x.data[2 * i..2 * i + 2].copy_from_slice(data.x.row(j));
        *label = data.labels[j];
    }
}

/// A dense layer, ReLU on the hidden ones.
struct Dense {
    params: Shared,
    relu: bool,
    out: Mat,
    scratch: Scratch,
}

#[flowgraph::segment_impl]
impl Dense {
    fn compute(&mut self, x: &Mat) -> &Mat {
        let p = self.params.read().unwrap();
        dense(&p, x, &mut self.out, &mut self.scratch, self.relu);
        &self.out
    }
}

/// Softmax cross-entropy: the gradient of the logits, the loss and accuracy.
struct Loss {
    grad: Mat,
}

#[flowgraph::segment_impl]
impl Loss {
    fn compute(&mut self, logits: &Mat, labels: &Labels) -> (&Mat, BatchStats) {
        let (loss, accuracy) = softmax_xent(logits, &labels.0, &mut self.grad);
        (&self.grad, BatchStats { loss, accuracy })
    }
}

/// `∂x` of a layer from `∂y`.
struct BackX {
    params: Shared,
    dx: Mat,
    scratch: Scratch,
}

#[flowgraph::segment_impl]
impl BackX {
    fn compute(&mut self, dy: &Mat, x: &Mat) -> &Mat {
        let p = self.params.read().unwrap();
        back_x(&p, dy, x, &mut self.dx, &mut self.scratch);
        &self.dx
    }
}

/// `∂W`, `∂b` of a layer from `∂y`.
struct BackW {
    grad: Grad,
    scratch: Scratch,
}

#[flowgraph::segment_impl]
impl BackW {
    fn compute(&mut self, dy: &Mat, x: &Mat) -> &Grad {
        back_w(dy, x, &mut self.grad, &mut self.scratch);
        &self.grad
    }
}

/// Applies one SGD step to a layer. `after` is the last reader of these
/// parameters in the step (the layer's `BackX`), so the update follows it.
/// The build call (when the graph is frozen) only sizes the buffers
/// upstream: it does not train.
struct Sgd {
    params: Shared,
    lr: f32,
    steps: u64,
}

#[flowgraph::segment_impl]
impl Sgd {
    fn compute(&mut self, #[init] build: bool, grad: &Grad, _after: &Mat) -> u64 {
        if !build {
            sgd(&mut self.params.write().unwrap(), grad, self.lr);
            self.steps += 1;
        }
        self.steps
    }
}

struct Config {
    batch: usize,
    hidden: usize,
    lr: f32,
    train: usize,
    test: usize,
    steps: u64,
    timed_steps: u64,
}

/// The training graph and its handles.
struct Trainer {
    g: Graph,
    step: SourceHandle<Source<u64>>,
    stats: Handle<Port<BatchStats>>,
    params: Vec<Shared>,
}

impl Trainer {
    fn new(cfg: &Config, data: Arc<Dataset>, params: &[Params]) -> Trainer {
        let params: Vec<Shared> = params
            .iter()
            .map(|p| Arc::new(RwLock::new(p.clone())))
            .collect();
        let width = |l: usize| params[l].read().unwrap().w.cols;
        let rows = cfg.batch;
        let mut b = GraphBuilder::new();
        let step = b.push_source(Source::new(0_u64));
        let batch = Batch {
            data,
            x: Mat::zeros(rows, 2),
            labels: Labels(vec![0; rows]),
        };
        let (x, labels) = b.push(batch, *step);
        let mut acts = vec![x];
        for (l, p) in params.iter().enumerate() {
            let relu = l + 1 < params.len();
            let out = Mat::zeros(rows, width(l));
            let a = b.push(
                Dense {
                    params: p.clone(),
                    relu,
                    out,
                    scratch: Scratch::default(),
                },
                acts[l],
            );
            acts.push(a);
        }
        let logits = *acts.last().unwrap();
        let (mut dy, stats) = b.push(
            Loss {
                grad: Mat::zeros(rows, width(params.len() - 1)),
            },
            (logits, labels),
        );
        for l in (0..params.len()).rev() {
            let (cin, cout) = {
                let p = params[l].read().unwrap();
                (p.w.rows, p.w.cols)
            };
            let grad = Grad {
                w: Mat::zeros(cin, cout),
                b: vec![0.0; cout],
            };
            let gw = b.push(
                BackW {
                    grad,
                    scratch: Scratch::default(),
                },
                (dy, acts[l]),
            );
            let after = if l > 0 {
                let dx = b.push(
                    BackX {
                        params: params[l].clone(),
                        dx: Mat::zeros(rows, cin),
                        scratch: Scratch::default(),
                    },
                    (dy, acts[l]),
                );
                dy = dx;
                dx
            } else {
                acts[0]
            };
            b.push(
                Sgd {
                    params: params[l].clone(),
                    lr: cfg.lr,
                    steps: 0,
                },
                (gw, after),
            );
        }
        Trainer {
            g: Graph::from_builder(b),
            step,
            stats,
            params,
        }
    }

    /// One training step; returns the batch's loss.
    fn step(&mut self, step: u64, pool: &mut Pool) -> f32 {
        *self.g.state_mut(self.step) = step;
        self.g.stabilize(pool);
        self.g.view(self.stats).loss
    }

    fn params(&self) -> Vec<Params> {
        self.params
            .iter()
            .map(|p| p.read().unwrap().clone())
            .collect()
    }
}

/// The same arithmetic as the graph, as a plain loop over the same kernels.
struct Plain {
    data: Arc<Dataset>,
    params: Vec<Params>,
    x: Mat,
    labels: Vec<u8>,
    acts: Vec<Mat>,
    dys: Vec<Mat>,
    grads: Vec<Grad>,
    /// Packing memory: one per layer, for its forward and backward GEMMs.
    scratch: Vec<Scratch>,
    lr: f32,
}

impl Plain {
    fn new(cfg: &Config, data: Arc<Dataset>, params: &[Params]) -> Plain {
        let rows = cfg.batch;
        Plain {
            data,
            x: Mat::zeros(rows, 2),
            labels: vec![0; rows],
            acts: params.iter().map(|p| Mat::zeros(rows, p.w.cols)).collect(),
            dys: params.iter().map(|p| Mat::zeros(rows, p.w.cols)).collect(),
            grads: params
                .iter()
                .map(|p| Grad {
                    w: Mat::zeros(p.w.rows, p.w.cols),
                    b: vec![0.0; p.w.cols],
                })
                .collect(),
            scratch: params.iter().map(|_| Scratch::default()).collect(),
            params: params.to_vec(),
            lr: cfg.lr,
        }
    }

    /// One training step; returns the batch's loss.
    fn step(&mut self, step: u64) -> f32 {
        let layers = self.params.len();
        fill_batch(&self.data, step, &mut self.x, &mut self.labels);
        for l in 0..layers {
            let (done, rest) = self.acts.split_at_mut(l);
            let input = if l == 0 { &self.x } else { &done[l - 1] };
            let relu = l + 1 < layers;
            dense(
                &self.params[l],
                input,
                &mut rest[0],
                &mut self.scratch[l],
                relu,
            );
        }
        let stats = softmax_xent(
            &self.acts[layers - 1],
            &self.labels,
            &mut self.dys[layers - 1],
        );
        for l in (0..layers).rev() {
            let input = if l == 0 { &self.x } else { &self.acts[l - 1] };
            let scratch = &mut self.scratch[l];
            back_w(&self.dys[l], input, &mut self.grads[l], scratch);
            if l > 0 {
                let (lower, upper) = self.dys.split_at_mut(l);
                back_x(
                    &self.params[l],
                    &upper[0],
                    input,
                    &mut lower[l - 1],
                    scratch,
                );
            }
            sgd(&mut self.params[l], &self.grads[l], self.lr);
        }
        stats.0
    }
}

/// Accuracy of `params` on a data set (not part of a training step).
fn accuracy(params: &[Params], data: &Dataset) -> f32 {
    let mut x = data.x.clone();
    let mut scratch = Scratch::default();
    for (l, p) in params.iter().enumerate() {
        let mut out = Mat::zeros(x.rows, p.w.cols);
        dense(p, &x, &mut out, &mut scratch, l + 1 < params.len());
        x = out;
    }
    let correct = (0..x.rows)
        .filter(|&i| {
            let z = x.row(i);
            usize::from(z[1] > z[0]) == data.labels[i] as usize
        })
        .count();
    correct as f32 / x.rows as f32
}

fn main() {
    // Small sizes under `cargo test`, full ones with `cargo run --release`.
    let cfg = if cfg!(test) {
        Config {
            batch: 64,
            hidden: 64,
            lr: 0.2,
            train: 1024,
            test: 512,
            steps: 1500,
            timed_steps: 20,
        }
    } else {
        Config {
            batch: 256,
            hidden: 256,
            lr: 0.05,
            train: 8192,
            test: 2048,
            steps: 3000,
            timed_steps: 500,
        }
    };
    let train = Arc::new(spirals(cfg.train, 1));
    let test = spirals(cfg.test, 2);
    let init = init_params(&[2, cfg.hidden, cfg.hidden, 2], 3);

    let mut pool = Pool::new(2);
    let mut trainer = Trainer::new(&cfg, train.clone(), &init);
    let mut plain = Plain::new(&cfg, train.clone(), &init);
    let start = Instant::now();
    let mut first = 0.0;
    let mut last = 0.0;
    let window = 50;
    for s in 0..cfg.steps {
        let loss = trainer.step(s, &mut pool);
        // The graph computes exactly what the plain loop computes.
        let plain_loss = plain.step(s);
        assert_eq!(
            loss.to_bits(),
            plain_loss.to_bits(),
            "step {s}: graph and plain loop differ"
        );
        if s < window {
            first += loss / window as f32;
        }
        if s >= cfg.steps - window {
            last += loss / window as f32;
        }
        if s % (cfg.steps / 6) == 0 {
            let batch = trainer.g.view(trainer.stats);
            println!(
                "step {s:>5}: loss {loss:.4}, batch accuracy {:.1} %",
                100.0 * batch.accuracy
            );
        }
    }
    let acc = accuracy(&trainer.params(), &test);
    println!(
        "trained {} steps in {:.2} s: mean loss {first:.4} over the first {window} steps, {last:.4} over the last; \
         test accuracy {:.1} %",
        cfg.steps,
        start.elapsed().as_secs_f64(),
        100.0 * acc
    );
    assert!(
        last < 0.5 * first,
        "the loss did not fall: {first} -> {last}"
    );
    assert!(acc >= 0.95, "test accuracy {acc} < 95 %");

    // A warm step allocates nothing, GEMM packing included, on 1 thread
    // and on 2.
    for threads in [1, 2] {
        let mut pool = Pool::new(threads);
        for s in 0..100 {
            trainer.step(s, &mut pool);
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let parallel_before = trainer.g.stats().parallel_generations;
        for s in 0..10 {
            trainer.step(s, &mut pool);
        }
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        let parallel = trainer.g.stats().parallel_generations - parallel_before;
        assert_eq!(
            allocations, 0,
            "10 warm steps on {threads} thread(s) allocated {allocations} times"
        );
        println!(
            "{threads} thread(s), {parallel} of 10 warm steps on the pool: {allocations} allocations"
        );
    }

    // Throughput, in samples per second: rounds of the graph on 1 thread,
    // on 2, and the plain loop, one after the other, so that all three see
    // the same machine (a shared one drifts); medians over the rounds.
    let rounds = 5;
    let steps = cfg.timed_steps / rounds;
    let rate = |t: Instant| (steps * cfg.batch as u64) as f64 / t.elapsed().as_secs_f64();
    let mut pools = [Pool::new(1), Pool::new(2)];
    let (mut one, mut two, mut loop_) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        for (pool, rates) in pools.iter_mut().zip([&mut one, &mut two]) {
            trainer.step(0, pool);
            let start = Instant::now();
            for s in 0..steps {
                trainer.step(s, pool);
            }
            rates.push(rate(start));
        }
        plain.step(0);
        let start = Instant::now();
        for s in 0..steps {
            plain.step(s);
        }
        loop_.push(rate(start));
    }
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio =
        |a: &[f64], b: &[f64]| median(&a.iter().zip(b).map(|(a, b)| a / b).collect::<Vec<_>>());
    println!(
        "batch {}, layers 2-{h}-{h}-2, medians of {rounds} rounds of {steps} steps: \
         graph {:.0} samples/s on 1 thread, {:.0} on 2 ({:.2}x); plain loop {:.0} samples/s \
         (graph on 1 thread: {:.2}x its time)",
        cfg.batch,
        median(&one),
        median(&two),
        ratio(&two, &one),
        median(&loop_),
        ratio(&loop_, &one),
        h = cfg.hidden
    );
}

#[test]
fn mlp() {
    main();
}
