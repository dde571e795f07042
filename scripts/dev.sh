#!/usr/bin/env bash
# The one driver behind the README's commands. Needs only rustup, cargo, node and npm; installs
# everything else into the project (idempotently): the wasm32 target, wasm-bindgen-cli at the
# exact version in Cargo.lock (into .tools/), npm packages (into node_modules/), and Debian's
# redis-server when it is not on PATH (the webhook tests start a real Redis).
#
#   bash scripts/dev.sh build   # build pkg/ (the npm package)
#   bash scripts/dev.sh demo    # build, start the Kakao emulator on loopback, run examples-node/demo.mjs
#   bash scripts/dev.sh test    # everything: fmt, clippy, cargo test, wasm tests, JS lint and checkJs, node tests (incl.
#                               # the tarball in Node ESM/CJS, TypeScript, Deno, Bun, workerd)
#   bash scripts/dev.sh fuzz [SECONDS]  # every fuzz target for SECONDS each (default 60), release
#   bash scripts/dev.sh bench   # build, then bench/run.mjs: SDK vs a plain-JS client; writes BENCHMARKS.md
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.tools
export PATH="$TOOLS/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # redis-server, for the webhook tests against a real Redis (started by the tests on loopback).
  if ! command -v redis-server >/dev/null 2>&1; then
    step "apt-get install redis-server (for the webhook tests)"
    if [ "$(id -u)" -eq 0 ]; then
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
    else
      sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
    fi
  fi
  local want have
  want=$(wasm_bindgen_version)
  have=$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    step "installing wasm-bindgen-cli $want into .tools/ (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "=$want" --root "$TOOLS" --locked \
      || cargo install wasm-bindgen-cli --version "=$want" --root "$TOOLS"
  fi
  # By content, not by time: a fresh checkout's lockfile is always newer than node_modules.
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.installed-lock.json; then
    step "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock.json
  fi
}

build() {
  ensure_tools
  step "cargo build --release --target wasm32-unknown-unknown"
  cargo build --release --target wasm32-unknown-unknown --quiet
  step "wasm-bindgen --target web"
  rm -rf target/bindgen target/bindgen-input
  # The same .wasm, its target_features without `multivalue`: see scripts/bindgen-input.mjs.
  mkdir -p target/bindgen-input
  node scripts/bindgen-input.mjs target/wasm32-unknown-unknown/release/kakao_talk_channel.wasm \
    target/bindgen-input/kakao_talk_channel.wasm
  wasm-bindgen target/bindgen-input/kakao_talk_channel.wasm \
    --target web --out-dir target/bindgen
  step "assemble pkg/"
  node scripts/build-pkg.mjs
}

run_tests() {
  ensure_tools
  step "cargo fmt --check"
  cargo fmt --check
  step "cargo clippy (host and wasm32, -D warnings)"
  cargo clippy --all-targets --quiet -- -D warnings
  cargo clippy --all-targets --quiet --target wasm32-unknown-unknown -- -D warnings
  step "cargo test (pure core, native)"
  cargo test --quiet
  step "wasm-bindgen-test under Node (wasm edge)"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --target wasm32-unknown-unknown
  build
  step "biome lint (JS) and tsc --checkJs over pkg-template's JS as built"
  node_modules/.bin/biome lint
  node_modules/.bin/tsc -p tsconfig.checkjs.json
  step "node --test tests/ (the built package and its npm tarball, against the emulator, in Node, Deno, Bun, workerd)"
  node --test --test-reporter=spec tests/*.test.mjs tests/*.test.cjs
}

case "${1:-}" in
  build) build ;;
  demo)
    build
    step "demo: examples-node/demo.mjs against the emulator on loopback"
    node examples-node/demo.mjs
    ;;
  test) run_tests ;;
  bench)
    build
    step "bench/run.mjs: the SDK against a plain-JS client (a few minutes; writes BENCHMARKS.md)"
    node bench/run.mjs
    ;;
  fuzz)
    step "fuzzing every parser and validator for ${2:-60} s per target"
    FUZZ_SECONDS="${2:-60}" cargo test --release --test fuzz -- --nocapture --test-threads=2
    ;;
  *)
    echo "usage: bash scripts/dev.sh build|demo|test|bench|fuzz [seconds]" >&2
    exit 2
    ;;
esac
