#!/usr/bin/env bash
# Formatting and lints for every crate and every target (tests, examples,
# benches). Warnings are errors.
set -euo pipefail
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# Broken intra-doc links and malformed docs are errors too.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
