#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks: a C linker, rustfmt and clippy
# for the stable toolchain, and nightly with Miri.
set -euo pipefail

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! command -v cc >/dev/null; then
    # No prompts: CI has no stdin.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # --no-install-recommends: only what the build needs.
    apt-get install -y -q --no-install-recommends build-essential
fi

if ! command -v rustup >/dev/null; then
    echo "setup: rustup is missing; this project expects a machine with a rustup-managed toolchain" >&2
    exit 1
fi

rustup component add --toolchain stable rustfmt clippy

if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^miri'; then
    # rust-src: Miri builds its own standard library from source.
    rustup toolchain install nightly --profile minimal --component miri rust-src
fi

rustc --version
cargo +nightly miri --version
