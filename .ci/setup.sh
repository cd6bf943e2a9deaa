#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks: a C linker, rustup with a
# stable toolchain (plus rustfmt and clippy), and nightly with Miri.
set -euo pipefail

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! command -v cc >/dev/null || ! command -v curl >/dev/null; then
    # No prompts: CI has no stdin.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # --no-install-recommends: only what the build needs.
    apt-get install -y -q --no-install-recommends build-essential ca-certificates curl
fi

if ! command -v rustup >/dev/null; then
    # -y: no prompt; --profile minimal: components are added below as needed.
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
        sh -s -- -y --profile minimal --default-toolchain stable
fi

rustup component add --toolchain stable rustfmt clippy

if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^miri'; then
    # rust-src: Miri builds its own standard library from source.
    rustup toolchain install nightly --profile minimal --component miri rust-src
fi

rustc --version
cargo +nightly miri --version
