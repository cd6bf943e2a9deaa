//! Combinators (spec §7): user spellings, type inference, and the laws as
//! property tests against unfused graphs.

use flowgraph::core::Pool;
use flowgraph::typed::*;

mod common;
use common::{Add, Inc};

/// The spellings of spec §7, exactly as users write them.
mod inference {
    use super::*;

    #[test]
    fn spec_spellings() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let t = b.push_source(Source::new(10_i64));
        let a: Arr<Port<i64>, Port<i64>, _> = Arr::new(|(n, x), _| (n, x + 1));
        type Pair = (Port<i64>, Port<i64>);
        let id_closure: Arr<Pair, Pair, _> = Arr::new(|values, _| values);
        let x = b.push(Comp(Inc, a), *s);
        let y = b.push(Inc.then(Inc), *s);
        let (f0, f1) = b.push(Fork(Inc, Id::new()), *s);
        let (m0, m1) = b.push(Inc.fork(Inc), *s);
        let (p0, p1) = b.push(Par(Inc, Id::new()), (*s, *t));
        let (q0, q1) = b.push(Inc.par(Inc), (*s, *t));
        let l = b.push(Left::new(), (*s, *t));
        let r = b.push(Right::new(), (*s, *t));
        let i = b.push(Id::default(), *t);
        let (c0, c1) = b.push(id_closure, (*s, *t));
        let law = b.push(
            Fork(Comp(Left::new(), Inc), Comp(Right::new(), Inc)),
            (*s, *t),
        );
        let g = Graph::from_builder(b);
        let views = |hs: &[Handle<Port<i64>>]| hs.iter().map(|&h| g.view(h)).collect::<Vec<_>>();
        assert_eq!(views(&[x, y]), [3, 3]);
        assert_eq!(views(&[f0, f1, m0, m1]), [2, 1, 2, 2]);
        assert_eq!(views(&[p0, p1, q0, q1]), [2, 10, 2, 11]);
        assert_eq!(views(&[l, r, i, c0, c1]), [1, 10, 10, 1, 10]);
        assert_eq!(views(&[law.0, law.1]), views(&[q0, q1]));
    }

    #[test]
    fn arr_then_closure() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let x = b.push(
            Inc.then(Arr::new(|(n, x), _| (n, x * 3)))
                .then(Id::<Port<i64>>::new()),
            *s,
        );
        let y = b.push(Comp(Comp(Inc, Arr::new(|(n, x), _| (n, x * 3))), Inc), *s);
        let z = b.push(Fork(Left::new(), Right::new()).then(Add), (*s, *s));
        let w = b.push(
            Par(Comp(Left::new(), Inc), Comp(Right::new(), Inc)),
            ((*s, *s), (*s, *s)),
        );
        let g = Graph::from_builder(b);
        assert_eq!(g.view(x), 6);
        assert_eq!(g.view(y), 7);
        assert_eq!(g.view(z), 2);
        assert_eq!(g.view(w.0), 2);
    }

    #[test]
    fn arr_push_closure() {
        let mut b = GraphBuilder::new();
        let s = b.push_source(Source::new(1_i64));
        let v = b.push_source(RefSource::new(vec![1]));
        let x = b.push(Arr::new(|(n, x), _| (n, x * 3)).then(Inc), *s);
        let r = b.push(
            Arr::new(|(n, r), _| (n, r)).then(Id::<RefPort<Vec<i32>>>::new()),
            *v,
        );
        let g = Graph::from_builder(b);
        assert_eq!(g.view(x), 4);
        assert_eq!(g.ref_view(r), &[1]);
    }

    fn generic_forward<T: Send + Sync + 'static>(
    ) -> impl Segment<Inputs = RefPort<T>, Outputs = RefPort<T>> {
        let a: Arr<RefPort<T>, RefPort<T>, _> = Arr::new(|(n, r), _| (n, r));
        a
    }

    fn generic_then<S: Segment<Outputs = RefPort<T>>, T: Send + Sync + 'static>(
        s: S,
    ) -> impl Segment<Inputs = S::Inputs, Outputs = RefPort<T>> {
        s.then(Arr::new(|(n, r), _| (n, r)))
    }

    #[test]
    fn generic() {
        let mut b = GraphBuilder::new();
        let v = b.push_source(RefSource::new(vec![1]));
        let r = b.push(generic_forward(), *v);
        let r2 = b.push(generic_then(generic_forward()), *v);
        let g = Graph::from_builder(b);
        assert_eq!(g.ref_view(r), &[1]);
        assert_eq!(g.ref_view(r2), &[1]);
        let _ = Pool::new(1);
    }
}

// ----- property tests: the laws, and fused against unfused -----

/// Random trials per law, and generations per trial (Miri is far slower).
const TRIALS: u64 = if cfg!(miri) { 2 } else { 40 };
const GENERATIONS: usize = if cfg!(miri) { 6 } else { 150 };

/// A small deterministic PRNG (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A small value, so that pokes often repeat a value and cut-offs fire.
    fn small(&mut self) -> i64 {
        self.below(9) as i64 - 4
    }
}

/// What a random [`Op`] does.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `x + k`.
    Add,
    /// `x * k`.
    Mul,
    /// Notifies only for even values: a cut-off that lets values change.
    Even,
    /// Quantizes to `x / k` and notifies only when that changed (spec §6
    /// `Abs`-like cut-off).
    Quant,
    /// Accumulates the inputs that notify.
    Sum,
    /// Like an `Operator`: counts the computes that saw a notification, and
    /// takes a passthrough otherwise.
    Passive,
}

/// A random `Port<i64> → Port<i64>` segment. Its state changes only on
/// notified inputs (or the build call), so running it on an input that did
/// not notify leaves its state as skipping it would.
#[derive(Clone, Copy, Debug)]
struct Op {
    kind: Kind,
    k: i64,
}

impl Op {
    fn random(rng: &mut Rng) -> Op {
        let kind = match rng.below(6) {
            0 => Kind::Add,
            1 => Kind::Mul,
            2 => Kind::Even,
            3 => Kind::Quant,
            4 => Kind::Sum,
            _ => Kind::Passive,
        };
        Op {
            kind,
            k: 1 + rng.below(3) as i64,
        }
    }

    fn apply((n, x): (bool, i64), (op, mem): &mut (Op, i64), init: bool) -> (bool, i64) {
        let fresh = n || init;
        match op.kind {
            Kind::Add => (n, x.wrapping_add(op.k)),
            Kind::Mul => (n, x.wrapping_mul(op.k)),
            Kind::Even => (n && x % 2 == 0, x),
            Kind::Quant => {
                if fresh {
                    let q = x.div_euclid(op.k);
                    let changed = init || q != *mem;
                    *mem = q;
                    (changed, q)
                } else {
                    (false, *mem)
                }
            }
            Kind::Sum => {
                if fresh {
                    *mem = mem.wrapping_add(x);
                }
                (n, *mem)
            }
            Kind::Passive => {
                if fresh {
                    *mem += 1;
                    (true, x ^ *mem)
                } else {
                    (false, x ^ *mem)
                }
            }
        }
    }

    /// The same op as a closure segment.
    fn arr(self) -> impl Segment<Inputs = Port<i64>, Outputs = Port<i64>> {
        let mut state = (self, 0);
        let arr: Arr<Port<i64>, Port<i64>, _> =
            Arr::new(move |values, ctx| Op::apply(values, &mut state, ctx.init()));
        arr
    }
}

impl Segment for Op {
    type Inputs = Port<i64>;
    type Outputs = Port<i64>;
    type State = (Op, i64);
    fn init(self) -> (Op, i64) {
        (self, 0)
    }
    fn compute<'a, 'b: 'a>(x: (bool, i64), state: &'b mut (Op, i64), init: bool) -> (bool, i64) {
        Op::apply(x, state, init)
    }
}

/// A real `Operator` placed after fused nodes: counts the notifications that
/// reach it (its passthrough runs otherwise).
struct Count;

impl Operator for Count {
    type Inputs = Port<i64>;
    type Outputs = Port<(i64, u32)>;
    type State = u32;
    fn init(self) -> u32 {
        0
    }
    fn compute<'a, 'b: 'a>(
        (_, x): (bool, i64),
        count: &'b mut u32,
        init: bool,
    ) -> (bool, (i64, u32)) {
        if !init {
            *count += 1;
        }
        (true, (x, *count))
    }
    fn passthrough<'a, 'b: 'a>((_, x): (bool, i64), count: &'b u32) -> (bool, (i64, u32)) {
        (false, (x, *count))
    }
}

type Src = SourceHandle<Source<i64>>;

/// Builds two sources, lets `build` wire the graph, then runs `GENERATIONS`
/// random generations on `threads` threads. After every generation, `check`
/// compares the outputs it cares about.
fn drive<T>(
    seed: u64,
    threads: usize,
    build: impl FnOnce(&mut GraphBuilder, Src, Src) -> T,
    check: impl Fn(&Graph, &T, &str),
) {
    let mut rng = Rng(seed);
    let mut b = GraphBuilder::new();
    let s = b.push_source(Source::new(rng.small()));
    let t = b.push_source(Source::new(rng.small()));
    let outputs = build(&mut b, s, t);
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(threads);
    check(&g, &outputs, &format!("seed {seed}, build call"));
    for generation in 0..GENERATIONS {
        // Poke s, t, both or neither; sometimes with an unchanged value.
        let which = rng.below(4);
        if which & 1 != 0 {
            let v = rng.small();
            *g.state_mut(s) = v;
        }
        if which & 2 != 0 {
            let v = rng.small();
            *g.state_mut(t) = v;
        }
        g.stabilize(&mut pool);
        check(
            &g,
            &outputs,
            &format!("seed {seed}, generation {generation}, threads {threads}"),
        );
    }
}

/// Value and notify flag of a `Port<i64>` leaf.
fn read(g: &Graph, h: Handle<Port<i64>>) -> (bool, i64) {
    (g.notified(h), g.view(h))
}

/// Asserts every handle reads the value of the fused form `fused` whenever
/// that form notified. A chain of separate nodes below a cut-off is skipped
/// (it keeps its last value and flag), where a fused node runs and reports
/// `false`, possibly with a new value (an `Even` cut lets values change
/// silently). When the fused output notifies, every step saw a notified
/// input in both forms, so both computed the same.
fn same_value_when_notified(
    g: &Graph,
    fused: Handle<Port<i64>>,
    hs: &[Handle<Port<i64>>],
    at: &str,
) {
    if !g.notified(fused) {
        return;
    }
    let want = g.view(fused);
    for (i, &h) in hs.iter().enumerate() {
        assert_eq!(
            g.view(h),
            want,
            "form {i} differs from the fused form at {at}"
        );
    }
}

/// Asserts every handle reads the same value and flag as the first.
fn same(g: &Graph, hs: &[Handle<Port<i64>>], at: &str) {
    let first = read(g, hs[0]);
    for (i, &h) in hs.iter().enumerate().skip(1) {
        assert_eq!(read(g, h), first, "form {i} differs from form 0 at {at}");
    }
}

fn seeds() -> impl Iterator<Item = (u64, usize)> {
    (0..TRIALS).flat_map(|seed| [(seed, 1), (seed, 2)])
}

#[test]
fn law_par_is_fork_of_projections() {
    for (seed, threads) in seeds() {
        let mut rng = Rng(seed ^ 0x5eed);
        let (f, g) = (Op::random(&mut rng), Op::random(&mut rng));
        drive(
            seed,
            threads,
            |b, s, t| {
                let par = b.push(Par(f, g), (*s, *t));
                let method = b.push(f.par(g), (*s, *t));
                let fork = b.push(Fork(Comp(Left::new(), f), Comp(Right::new(), g)), (*s, *t));
                // Unfused: each side runs only in its own cone, so only the
                // values (not the flags) are comparable.
                let alone = (b.push(f, *s), b.push(g, *t));
                (par, method, fork, alone)
            },
            |gr, &(par, method, fork, alone), at| {
                same(gr, &[par.0, method.0, fork.0], at);
                same(gr, &[par.1, method.1, fork.1], at);
                assert_eq!(gr.view(par.0), gr.view(alone.0), "{f:?} alone at {at}");
                assert_eq!(gr.view(par.1), gr.view(alone.1), "{g:?} alone at {at}");
            },
        );
    }
}

#[test]
fn law_fork_is_both_on_the_same_input() {
    for (seed, threads) in seeds() {
        let mut rng = Rng(seed ^ 0xf0f0);
        let (f, g) = (Op::random(&mut rng), Op::random(&mut rng));
        drive(
            seed,
            threads,
            |b, s, _| {
                let fork = b.push(Fork(f, g), *s);
                let method = b.push(f.fork(g), *s);
                let alone = (b.push(f, *s), b.push(g, *s));
                (fork, method, alone)
            },
            |gr, &(fork, method, alone), at| {
                same(gr, &[fork.0, method.0, alone.0], at);
                same(gr, &[fork.1, method.1, alone.1], at);
            },
        );
    }
}

#[test]
fn law_comp_is_associative() {
    for (seed, threads) in seeds() {
        let mut rng = Rng(seed ^ 0xa55);
        let (f, g, h) = (
            Op::random(&mut rng),
            Op::random(&mut rng),
            Op::random(&mut rng),
        );
        drive(
            seed,
            threads,
            |b, s, _| {
                let left = b.push(Comp(Comp(f, g), h), *s);
                let right = b.push(Comp(f, Comp(g, h)), *s);
                let method = b.push(f.then(g.then(h)), *s);
                let fh = b.push(f, *s);
                let gh = b.push(g, fh);
                let unfused = b.push(h, gh);
                [left, right, method, unfused]
            },
            |gr, outs, at| {
                same(gr, &outs[..3], at);
                same_value_when_notified(gr, outs[0], outs, at);
            },
        );
    }
}

#[test]
fn law_id_is_a_unit_of_comp() {
    for (seed, threads) in seeds() {
        let f = Op::random(&mut Rng(seed ^ 0x1d));
        drive(
            seed,
            threads,
            |b, s, _| {
                let plain = b.push(f, *s);
                let before = b.push(Comp(Id::new(), f), *s);
                let after = b.push(Comp(f, Id::new()), *s);
                let both = b.push(Id::new().then(f).then(Id::new()), *s);
                [plain, before, after, both]
            },
            |gr, outs, at| same(gr, outs, at),
        );
    }
}

#[test]
fn fused_chain_computes_what_separate_nodes_compute() {
    for (seed, threads) in seeds() {
        let mut rng = Rng(seed ^ 0xc4a1);
        let o: [Op; 8] = std::array::from_fn(|_| Op::random(&mut rng));
        drive(
            seed,
            threads,
            |b, s, t| {
                let unfused = o.iter().fold(*s, |h, &op| b.push(op, h));
                let left = b.push(
                    o[0].then(o[1])
                        .then(o[2])
                        .then(o[3])
                        .then(o[4])
                        .then(o[5])
                        .then(o[6])
                        .then(o[7]),
                    *s,
                );
                let right = b.push(
                    o[0].then(
                        o[1].then(o[2].then(o[3].then(o[4].then(o[5].then(o[6].then(o[7])))))),
                    ),
                    *s,
                );
                let balanced = b.push(
                    Comp(
                        Comp(Comp(o[0], o[1]), Comp(o[2], o[3])),
                        Comp(Comp(o[4], o[5]), Comp(o[6], o[7])),
                    ),
                    *s,
                );
                let closures = b.push(
                    o[0].arr()
                        .then(o[1].arr())
                        .then(o[2].arr())
                        .then(o[3].arr())
                        .then(o[4].arr())
                        .then(o[5].arr())
                        .then(o[6].arr())
                        .then(o[7].arr()),
                    *s,
                );
                // Half fused, half not, through a projection of a pair.
                let mid = b
                    .push(
                        Par(o[0].then(o[1]).then(o[2]).then(o[3]), Id::new()),
                        (*s, *t),
                    )
                    .0;
                let mixed = o[4..].iter().fold(mid, |h, &op| b.push(op, h));
                let outs = [unfused, left, right, balanced, closures, mixed];
                // What follows a fused node sees its cut-offs.
                let counts = outs.map(|h| b.push(Count, h));
                (outs, counts)
            },
            |gr, (outs, counts), at| {
                same(gr, &outs[1..5], at);
                same_value_when_notified(gr, outs[1], &outs[..5], at);
                // `mixed` shares the chain's values, and its flags whenever
                // s was poked (its fused half also runs when only t was).
                assert_eq!(gr.view(outs[5]), gr.view(outs[0]), "mixed at {at}");
                let first = gr.view(counts[0]);
                for (i, &c) in counts.iter().enumerate().take(5) {
                    assert_eq!(gr.view(c), first, "count after form {i} at {at} ({o:?})");
                }
            },
        );
    }
}

// ----- references and groups through fused nodes -----

/// Keeps `x + k` in its state and outputs a reference to it.
struct Store(i64);

impl Segment for Store {
    type Inputs = Port<i64>;
    type Outputs = RefPort<i64>;
    type State = (i64, i64);
    fn init(self) -> (i64, i64) {
        (self.0, 0)
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, i64),
        state: &'b mut (i64, i64),
        _: bool,
    ) -> (bool, &'a i64) {
        state.1 = x + state.0;
        (n, &state.1)
    }
}

/// Outputs `len` copies of its input's multiples, from its arena.
struct Spread(usize);

struct SpreadState {
    len: usize,
    arena: Arena,
}

impl Segment for Spread {
    type Inputs = RefPort<i64>;
    type Outputs = RefPorts<i64>;
    type State = SpreadState;
    fn init(self) -> SpreadState {
        SpreadState {
            len: self.0,
            arena: Arena::new(),
        }
    }
    fn compute<'a, 'b: 'a>(
        (n, x): (bool, &'a i64),
        state: &'b mut SpreadState,
        _: bool,
    ) -> (&'a [bool], &'a [&'a i64]) {
        state.arena.reset();
        let arena = &state.arena;
        let values = arena.alloc_slice_fill_with(state.len, |i| x * i as i64);
        (
            arena.alloc_slice_fill_copy(state.len, n),
            arena.alloc_refs(values),
        )
    }
}

#[test]
fn references_are_forwarded_through_fused_nodes() {
    let mut b = GraphBuilder::new();
    let v = b.push_source(RefSource::new(vec![1_i64, 2, 3]));
    let s = b.push_source(Source::new(5_i64));
    // Forward the vector, and measure it, in one node.
    let fwd: Arr<RefPort<Vec<i64>>, RefPort<Vec<i64>>, _> = Arr::new(|(n, r), _| (n, r));
    let (r, len) = b.push(
        fwd.fork(Arr::new(|(n, r): (bool, &Vec<i64>), _| (n, r.len() as i64)).then(Inc)),
        *v,
    );
    // A reference into a fused part's state, read by the next part.
    let (stored, loaded) = b.push(
        Store(10).then(Fork(
            Id::new(),
            Arr::new(|(n, r): (bool, &i64), _| (n, *r)).then(Inc),
        )),
        *s,
    );
    // A group from a fused part's arena, summed by the next part.
    let sum = b.push(
        Store(0)
            .then(Spread(4))
            .then(Arr::new(|(flags, values): (&[bool], &[&i64]), _| {
                (
                    flags.iter().any(|&f| f),
                    values.iter().copied().sum::<i64>(),
                )
            }))
            .then(Inc),
        *s,
    );
    let mut g = Graph::from_builder(b);
    let mut pool = Pool::new(2);
    for x in [5, 7, -3] {
        *g.state_mut(s) = x;
        g.state_mut(v).push(x);
        g.stabilize(&mut pool);
        assert!(std::ptr::eq(g.ref_view(r), g.ref_view(*v)));
        assert_eq!(g.view(len), g.ref_view(*v).len() as i64 + 1);
        assert_eq!(*g.ref_view(stored), x + 10);
        assert_eq!(g.view(loaded), x + 11);
        assert_eq!(g.view(sum), x * (1 + 2 + 3) + 1);
    }
}

/// `Arr` closures forwarding references, with interfaces from a generic
/// context.
fn swap_refs<T: Send + Sync + 'static, U: Send + Sync + 'static>(
) -> impl Segment<Inputs = (RefPort<T>, RefPort<U>), Outputs = (RefPort<U>, RefPort<T>)> {
    Arr::<(RefPort<T>, RefPort<U>), (RefPort<U>, RefPort<T>), _>::new(|(a, b), _| (b, a))
}

#[test]
fn generic_closure_inference() {
    let mut b = GraphBuilder::new();
    let v = b.push_source(RefSource::new(String::from("v")));
    let w = b.push_source(RefSource::new(7_u8));
    let (x, y) = b.push(swap_refs().then(swap_refs()).then(swap_refs()), (*v, *w));
    let g = Graph::from_builder(b);
    assert!(std::ptr::eq(g.ref_view(x), g.ref_view(*w)));
    assert!(std::ptr::eq(g.ref_view(y), g.ref_view(*v)));
}
