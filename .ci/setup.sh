#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks: a C linker, Graphviz (the
# graph export tests render with `dot`), rustfmt and clippy for the stable
# toolchain, and nightly with Miri.
set -euo pipefail

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# System packages, one `apt-get` run for all that are missing.
packages=()
if ! command -v cc >/dev/null; then
    packages+=(build-essential)
fi
if ! command -v dot >/dev/null; then
    packages+=(graphviz)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "setup: installing ${packages[*]}"
    # No prompts: CI has no stdin.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # --no-install-recommends: only what the build needs.
    apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

if ! command -v rustup >/dev/null; then
    echo "setup: rustup is missing; this project expects a machine with a rustup-managed toolchain" >&2
    exit 1
fi

rustup component add --toolchain stable rustfmt clippy

# Miri, with rust-src (Miri builds its own standard library from source).
# Two machine states need work: no nightly at all, or a nightly without one
# of the two components. `--component` takes one comma-separated list: a
# second word after it would be read as another toolchain name.
if ! rustup toolchain list | grep -q '^nightly-'; then
    rustup toolchain install nightly --profile minimal --component miri,rust-src --no-self-update
else
    installed=$(rustup component list --toolchain nightly --installed)
    if ! grep -q '^miri' <<<"$installed" || ! grep -q '^rust-src' <<<"$installed"; then
        rustup component add --toolchain nightly miri rust-src
    fi
fi

rustc --version
cargo +nightly miri --version
dot -V
