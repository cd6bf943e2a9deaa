#!/usr/bin/env bash
# Formatting and lints for every crate and every target (tests, examples,
# benches). Warnings are errors.
set -euo pipefail
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# Broken intra-doc links and malformed docs are errors too.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
# The macro crate is pinned exactly (`=`): its generated code names
# `flowgraph::__private`, so only the matching release may be used with it.
grep -Eq '^flowgraph-macros = \{.*version = "=' flowgraph/Cargo.toml || {
    echo "lint: flowgraph must depend on flowgraph-macros with an exact (=) version" >&2
    exit 1
}
