#!/usr/bin/env bash
# Rebuilds every WASI test program in this folder (wasm32-wasi, wasi-libc).
# Requires Debian packages clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32;
# wabt's wasm-validate checks the output when present.
# Compile (-O2) and link are separate steps: when the link step sees -O, the clang driver
# runs binaryen's wasm-opt if it is on PATH, which would make output machine-dependent.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang-14}
CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wno-unused-result)
LDFLAGS=(--target=wasm32-wasi --sysroot=/usr -Wl,--strip-all)
for name in hello args_env exit_code main_return trap clocks random stdin sleep fileio sandbox fdops escapes; do
    "$CC" "${CFLAGS[@]}" -c -o "$name.o" "$name.c"
    "$CC" "${LDFLAGS[@]}" -o "$name.wasm" "$name.o"
    rm -f "$name.o"
    if command -v wasm-validate >/dev/null; then wasm-validate "$name.wasm"; fi
    echo "built $name.wasm"
done
