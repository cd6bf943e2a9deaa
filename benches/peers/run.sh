#!/usr/bin/env bash
# The peer benchmark suite: flowgraph against oneTBB's flow graph, rayon and
# plain sequential code on the same DAGs.
#
#   bash benches/peers/run.sh           full run: writes benches/peers/BENCHMARKS.md
#                                       and benches/peers/plots/*.svg
#   bash benches/peers/run.sh --smoke   tiny sizes, a few seconds of runs; writes
#                                       into target/peers/smoke/ (what CI runs)
#
# For a quick comparison, PEERS_WORKLOADS, PEERS_TARGETS (body times in ns)
# and PEERS_RUNS restrict a full-size run, e.g.
#   PEERS_WORKLOADS="wavefront128 random256x64" PEERS_TARGETS="360 1200" bash benches/peers/run.sh
# which then writes into target/peers/custom/ and leaves BENCHMARKS.md alone.
#
# Installs g++ and libtbb-dev through apt when missing, builds the Rust
# harness (benches/peers/src, a package outside the workspace) and the C++
# harness (benches/peers/tbb/harness.cpp), then runs every workload at every
# body size on 1 and 2 threads, interleaving the systems run by run.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=full
case "${1:-}" in
    "") ;;
    --smoke) mode=smoke ;;
    *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac

log() { echo "[peers $(date +%T)] $*" >&2; }

missing=()
command -v g++ >/dev/null || missing+=(g++)
[ -f /usr/include/oneapi/tbb/flow_graph.h ] || missing+=(libtbb-dev)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build=target/peers
log "building the harnesses"
cargo build --quiet --release --manifest-path benches/peers/Cargo.toml --target-dir "$build"
# -O3 without -march=native: the same code generation level as Rust's release
# profile, for the same generic x86-64 target.
g++ -O3 -std=c++17 -o "$build/tbb-harness" benches/peers/tbb/harness.cpp -ltbb
rs="$build/release/flowgraph-peers"
cc="$build/tbb-harness"

if [ "$mode" = smoke ]; then
    workloads=(wavefront16 tree10 random16x16 independent256)
    targets=(0 300 3000)
    runs=3
    ms=2
    out="$build/smoke"
else
    workloads=(wavefront64 wavefront128 wavefront256 tree16 random256x64 independent16384)
    targets=(0 50 130 360 1200 3500 20000)
    runs=5
    ms=200
    out=benches/peers
    if [ -n "${PEERS_WORKLOADS:-}${PEERS_TARGETS:-}${PEERS_RUNS:-}" ]; then
        read -r -a workloads <<<"${PEERS_WORKLOADS:-${workloads[*]}}"
        read -r -a targets <<<"${PEERS_TARGETS:-${targets[*]}}"
        runs=${PEERS_RUNS:-$runs}
        mode=custom
        out="$build/custom"
    fi
fi
res="$build/results-$mode"
rm -rf "$res"
mkdir -p "$res" "$out"

for w in "${workloads[@]}"; do
    "$rs" gen "$w" "$res/$w.txt"
done

log "calibrating the node bodies"
: >"$res/calib.txt"
while read -r target k ns; do
    cpp=$("$cc" calibrate "$k" | cut -d' ' -f2)
    echo "$target $k $ns $cpp" >>"$res/calib.txt"
done < <("$rs" calibrate "${targets[@]}")
mapfile -t ks < <(cut -d' ' -f2 "$res/calib.txt")

{
    echo "## Machine"
    echo
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) logical CPUs"
    echo "- memory: $(free -h | awk '/^Mem:/ {print $2}'), kernel $(uname -r)"
    echo "- $(rustc --version); $(g++ --version | head -1); oneTBB $(dpkg-query -W -f='${Version}' libtbb-dev 2>/dev/null || echo '(version unknown)')"
    echo "- flowgraph at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- mode: $mode; $runs runs per cell; time budget per run: $ms ms"
    echo "- load when the runs started: \`$(uptime)\`"
} >"$res/machine.md"

# One run of SYSTEM on WORKLOAD at body K on T threads, appended to results.csv.
one() {
    local sys=$1 w=$2 k=$3 t=$4 r=$5 line
    case $sys in
        tbb) line=$("$cc" run default "$res/$w.txt" "$k" "$t" "$ms") ;;
        tbb-lightweight) line=$("$cc" run lightweight "$res/$w.txt" "$k" "$t" "$ms") ;;
        *) line=$("$rs" run "$sys" "$res/$w.txt" "$k" "$t" "$ms") ;;
    esac
    echo "$sys $w $(head -c 64 "$res/$w.txt" | cut -d' ' -f1 | head -1) $k $t $r $line" >>"$res/results.csv"
}

systems=(flowgraph tbb tbb-lightweight rayon-scope rayon-join sequential)
: >"$res/results.csv"
for r in $(seq 1 "$runs"); do
    log "run $r of $runs"
    for w in "${workloads[@]}"; do
        for k in "${ks[@]}"; do
            for t in 1 2; do
                # Rotate the order each run, so no system always runs first.
                for i in "${!systems[@]}"; do
                    sys=${systems[$(((i + r) % ${#systems[@]}))]}
                    [ "$sys" = sequential ] && [ "$t" = 2 ] && continue
                    one "$sys" "$w" "$k" "$t" "$r"
                done
            done
        done
    done
done
echo "- load when the runs ended: \`$(uptime)\`" >>"$res/machine.md"

"$rs" report "$res" "$out"
log "wrote $out/BENCHMARKS.md and $out/plots/"
