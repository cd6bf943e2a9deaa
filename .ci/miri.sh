#!/usr/bin/env bash
# The core and typed tests under Miri (undefined behaviour, data races,
# leaks). The tests shrink themselves with `cfg!(miri)`.
set -euo pipefail
# Builds Miri's standard library first, so the test step's time is its own.
cargo +nightly miri setup
cargo +nightly miri test -p flowgraph --lib
cargo +nightly miri test --test spec --test oracle --test panics --test guards --test wiring \
    --test combinators --test arena --test segment_macro --test derive \
    --test soundness --test forged_handles --test cutoffs --test par \
    --test derive_interface --test derive_interface_forged --test priority --test by_value_groups
