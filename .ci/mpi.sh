#!/usr/bin/env bash
# Distributed graphs (feature `mpi`): installs Open MPI when missing, lints
# the feature, checks its compile-fail doctest, then runs the MPI programs
# under mpirun on 1 to 6 ranks. Each run is under `timeout`, so a hang
# fails CI instead of eating its time budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Whether every package named is installed: `dpkg -s` alone also succeeds
# for a removed package whose configuration files remain.
installed() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

if ! command -v mpirun >/dev/null || ! installed libopenmpi-dev openmpi-bin libclang-dev; then
    # No prompts: CI has no stdin.
    export DEBIAN_FRONTEND=noninteractive
    # -q: shorter logs.
    apt-get update -q
    # -y: no confirmation prompt. libclang-dev: mpi-sys generates its
    # bindings with bindgen.
    apt-get install -y -q libopenmpi-dev openmpi-bin libclang-dev
fi

# Feature builds get their own target directory, so they do not evict the
# default build's artifacts.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/mpi"
# mpirun refuses to run as root without these two; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# The library with the feature, all its targets, warnings as errors; then
# the MPI examples (they live in the root package, `flowgraph-suite`).
cargo clippy -p flowgraph --features mpi --all-targets -- -D warnings
cargo clippy -p flowgraph-suite --features mpi --examples -- -D warnings
# Doctests with the feature on: the README's worked example runs (as a
# single rank), and a compile-fail case proves that a value without
# `Serialize` cannot cross ranks.
cargo test -p flowgraph --features mpi --doc
# The feature's unit tests (the wire format's decoders); they need no MPI
# job.
cargo test -p flowgraph --features mpi --lib mpi::

examples=(mpi_oracle mpi_panic mpi_dead mpi_kill mpi_mismatch mpi_pipeline mpi_bench)
# --release: the benchmark's numbers mean something, and the random graphs
# run fast; one profile for all the programs saves a build.
cargo build --release --features mpi "${examples[@]/#/--example=}"
bin="$CARGO_TARGET_DIR/release/examples"

# mpirun with:
#   -n N             N ranks (processes);
#   --oversubscribe  more ranks than cores (CI machines have 2 cores);
#   timeout 300      a hang is a failure, not a stuck CI run.
run() {
    local n=$1
    shift
    echo "--- mpirun -n $n $*"
    timeout 300 mpirun -n "$n" --oversubscribe "$@"
}

# Random graphs across ranks, every value checked against one process;
# 4 and 6 ranks share the 2 cores (a few seconds each).
for n in 1 2 3 4 6; do
    run "$n" "$bin/mpi_oracle"
done
# The same with MPI on a communication thread (`Cluster::init_threaded`).
for n in 2 3 6; do
    run "$n" "$bin/mpi_oracle" threaded
done
# Ranks that recorded different graphs (an `i64` source where the last rank
# has a `u64` one; a source placed elsewhere) are refused at build time on
# every rank, naming the node and the ranks; the program checks the
# messages and that no build call ran.
run 2 "$bin/mpi_mismatch"
run 3 "$bin/mpi_mismatch"
run 3 "$bin/mpi_mismatch" placement
# A panic on one rank poisons every rank; nobody hangs (in both modes).
# Three ranks, repeated: whether a middle rank hears of the poison before
# or after its own generation ends, and before or after the poisoned rank's
# shutdown, depends on timing (a run takes well under a second).
run 2 "$bin/mpi_panic"
run 2 "$bin/mpi_panic" threaded
for _ in 1 2 3 4 5; do
    run 3 "$bin/mpi_panic"
    run 3 "$bin/mpi_panic" threaded
done
# The README's worked example.
for n in 1 2; do
    run "$n" "$bin/mpi_pipeline"
done
# A hung rank: the others must time out (2 s) and take the job down with an
# error, well before `timeout 60` would. Same mpirun flags as `run`.
log=$(mktemp)
if timeout 60 mpirun -n 3 --oversubscribe "$bin/mpi_dead" >"$log" 2>&1; then
    cat "$log"
    echo "mpi_dead: the job succeeded although a rank hung" >&2
    exit 1
fi
grep -q "no message from rank(s) \[2\]" "$log" || {
    cat "$log"
    echo "mpi_dead: no timeout message naming the hung rank" >&2
    exit 1
}
echo "mpi_dead: the job failed on the timeout, as expected"
# A rank that leaves early (drops its cluster): the others fail at once.
if timeout 60 mpirun -n 3 --oversubscribe "$bin/mpi_dead" quit >"$log" 2>&1; then
    cat "$log"
    echo "mpi_dead quit: the job succeeded although a rank left" >&2
    exit 1
fi
grep -q "rank 2 shut down its cluster" "$log" || {
    cat "$log"
    echo "mpi_dead quit: no message naming the rank that left" >&2
    exit 1
}
echo "mpi_dead quit: the job failed naming the rank that left, as expected"
# A rank SIGKILLed in the middle of a generation (it holds the value the
# others wait for): the job must fail, and within 30 s — the others' timeout
# is 5 s, and Open MPI usually notices the dead process at once. `timeout 60`
# (exit code 124) would mean a hang.
for args in "" threaded; do
    SECONDS=0
    status=0
    # shellcheck disable=SC2086 # $args: no argument or one word
    timeout 60 mpirun -n 3 --oversubscribe "$bin/mpi_kill" $args >"$log" 2>&1 || status=$?
    elapsed=$SECONDS
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || [ "$elapsed" -gt 30 ] ||
        ! grep -q "killing itself in generation 5" "$log"; then
        cat "$log"
        echo "mpi_kill $args: exit status $status after ${elapsed}s; expected a failure within 30 s" >&2
        exit 1
    fi
    echo "mpi_kill $args: the job failed ${elapsed}s after start (status $status), as expected"
done
# Benchmarks, as a smoke test: FLOWGRAPH_BENCH_ITERS=100 keeps it short
# (timings on a shared CI machine mean little; run it by hand for numbers).
FLOWGRAPH_BENCH_ITERS=100 run 2 "$bin/mpi_bench"
FLOWGRAPH_BENCH_ITERS=100 run 2 "$bin/mpi_bench" threaded
