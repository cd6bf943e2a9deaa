#!/usr/bin/env bash
# Formatting and lints for every crate and every target (tests, examples,
# benches). Warnings are errors.
set -euo pipefail
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
