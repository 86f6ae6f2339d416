#!/usr/bin/env bash
# Rebuilds large.wasm from the generator (takes ~2 minutes: clang compiles a 12.7 MB C file).
# Requires python3, clang-14, lld-14; wabt's wasm-validate checks the result (default features).
set -euo pipefail
cd "$(dirname "$0")"
NFUNCS=12000
SEED=20261124
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 gen_large.py "$NFUNCS" "$SEED" > "$tmp/large.c"
clang-14 --target=wasm32 -O2 -nostdlib -msimd128 -mbulk-memory -msign-ext -mnontrapping-fptoint \
    -c -o "$tmp/large.o" "$tmp/large.c"
wasm-ld-14 --no-entry --export=run --strip-all -o large.wasm "$tmp/large.o"
if command -v wasm-validate >/dev/null; then wasm-validate large.wasm; fi
ls -l large.wasm
sha256sum large.wasm
