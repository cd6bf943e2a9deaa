#!/usr/bin/env bash
# The README's test command: unit, integration, ui (trybuild) and doc tests,
# and the examples (each runs its `main` from a `#[test]`).
set -euo pipefail
cargo test --workspace
