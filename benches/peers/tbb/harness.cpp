// The oneTBB side of the peer benchmark suite; run.sh builds and drives it.
//
//   harness calibrate K...                  print "k ns_per_body" per k
//   harness run POLICY FILE K THREADS MS    one run: "reps ns_per_node checksum -"
//
// POLICY is `default` or `lightweight` (the continue_node policy). FILE is the
// edge list written by the Rust harness (`n m`, then `u v` per edge, u < v),
// so both sides run the same DAG and compute the same values: node v spins k
// dependent multiply-adds on the sum of its predecessors' values (on the
// input value at a root).
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace flow = oneapi::tbb::flow;
using Clock = std::chrono::steady_clock;

// The same body as the Rust harness: the empty asm hides the constants from
// the optimizer, as std::hint::black_box does there.
static inline uint64_t spin(uint64_t k, uint64_t x) {
    uint64_t m = 0x9E3779B97F4A7C15ull, a = 0x1442695040888963ull;
    asm volatile("" : "+r"(m), "+r"(a));
    for (uint64_t i = 0; i < k; ++i) x = x * m + a;
    return x;
}

static double ns_per_body(uint64_t k) {
    uint64_t calls = 1;
    double best = 1e300;
    int samples = 0;
    while (samples < 5) {
        auto t0 = Clock::now();
        uint64_t acc = 0;
        for (uint64_t i = 0; i < calls; ++i) {
            uint64_t x = i;
            asm volatile("" : "+r"(x));
            acc += spin(k, x);
        }
        asm volatile("" : : "r"(acc));
        double t = std::chrono::duration<double>(Clock::now() - t0).count();
        if (t > 0.02) {
            best = std::min(best, t * 1e9 / double(calls));
            ++samples;
        } else {
            calls *= 2;
        }
    }
    return best;
}

struct Dag {
    size_t n = 0;
    std::vector<size_t> pred_start;
    std::vector<uint32_t> preds;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
};

static Dag read_dag(const char* file) {
    std::ifstream in(file);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file);
        std::exit(1);
    }
    Dag d;
    size_t m;
    in >> d.n >> m;
    d.edges.resize(m);
    std::vector<size_t> indeg(d.n, 0);
    for (auto& e : d.edges) {
        in >> e.first >> e.second;
        indeg[e.second]++;
    }
    d.pred_start.assign(d.n + 1, 0);
    for (size_t v = 0; v < d.n; ++v) d.pred_start[v + 1] = d.pred_start[v] + indeg[v];
    d.preds.resize(m);
    std::vector<size_t> fill(d.pred_start.begin(), d.pred_start.end() - 1);
    for (auto& e : d.edges) d.preds[fill[e.second]++] = e.first;
    return d;
}

template <typename Node>
static void run(const Dag& d, uint64_t k, double ms) {
    std::vector<uint64_t> values(d.n, 0);
    uint64_t input = 0;
    flow::graph g;
    flow::broadcast_node<flow::continue_msg> start(g);
    std::vector<std::unique_ptr<Node>> nodes;
    nodes.reserve(d.n);
    for (size_t v = 0; v < d.n; ++v) {
        nodes.emplace_back(new Node(g, [&, v](const flow::continue_msg&) {
            size_t b = d.pred_start[v], e = d.pred_start[v + 1];
            uint64_t x = input;
            if (b != e) {
                x = 0;
                for (size_t i = b; i < e; ++i) x += values[d.preds[i]];
            }
            values[v] = spin(k, x);
        }));
    }
    for (size_t v = 0; v < d.n; ++v)
        if (d.pred_start[v] == d.pred_start[v + 1]) flow::make_edge(start, *nodes[v]);
    for (auto& e : d.edges) flow::make_edge(*nodes[e.first], *nodes[e.second]);

    auto execute = [&](uint64_t x) {
        input = x;
        start.try_put(flow::continue_msg());
        g.wait_for_all();
    };
    // One warm-up execution, then at least 2 timed ones and `ms` in all.
    execute(1);
    uint64_t reps = 0;
    auto t0 = Clock::now();
    double elapsed = 0;
    while (reps < 2 || elapsed * 1e3 < ms) {
        execute(reps + 2);
        ++reps;
        elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    double ns = elapsed * 1e9 / (double(reps) * double(d.n));
    execute(12345);
    uint64_t sum = 0;
    for (uint64_t v : values) sum += v;
    std::printf("%llu %.2f %llu -\n", (unsigned long long)reps, ns, (unsigned long long)sum);
}

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "calibrate") == 0) {
        for (int i = 2; i < argc; ++i) {
            uint64_t k = std::strtoull(argv[i], nullptr, 10);
            std::printf("%llu %.1f\n", (unsigned long long)k, ns_per_body(k));
        }
        return 0;
    }
    if (argc != 7 || std::strcmp(argv[1], "run") != 0) {
        std::fprintf(stderr, "usage: harness run default|lightweight FILE K THREADS MS | calibrate K...\n");
        return 2;
    }
    std::string policy = argv[2];
    Dag d = read_dag(argv[3]);
    uint64_t k = std::strtoull(argv[4], nullptr, 10);
    int threads = std::atoi(argv[5]);
    double ms = std::atof(argv[6]);
    oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism, threads);
    oneapi::tbb::task_arena arena(threads);
    arena.execute([&] {
        if (policy == "lightweight")
            run<flow::continue_node<flow::continue_msg, flow::lightweight>>(d, k, ms);
        else if (policy == "default")
            run<flow::continue_node<flow::continue_msg>>(d, k, ms);
        else {
            std::fprintf(stderr, "unknown policy %s\n", policy.c_str());
            std::exit(2);
        }
    });
    return 0;
}
