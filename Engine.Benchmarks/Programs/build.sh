#!/usr/bin/env bash
# Rebuilds every benchmark .wasm in this folder from its C source.
# Requires Debian packages clang-14 and lld-14 (wasm-ld-14); wabt's wasm-validate
# (default features) is used to check the output when present.
# Compile and link are separate steps on purpose: the clang driver would otherwise
# run binaryen's wasm-opt on the output whenever it is on PATH.
# Output modules are freestanding (no imports) and export `run` and `memory`.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang-14}
LD=${LD:-wasm-ld-14}
CFLAGS=(--target=wasm32 -O2 -nostdlib -fno-builtin)
LDFLAGS=(--no-entry --export=run --strip-all)

build() { # name extra-cflags...
    local name=$1; shift
    "$CC" "${CFLAGS[@]}" "$@" -c -o "$name.o" "$name.c"
    "$LD" "${LDFLAGS[@]}" -o "$name.wasm" "$name.o"
    rm -f "$name.o"
    if command -v wasm-validate >/dev/null; then wasm-validate "$name.wasm"; fi
    echo "built $name.wasm"
}

build fib
build sieve
build nbody
build mandelbrot
build memcpy -mbulk-memory
build indirect
build switch
build simd -msimd128
build matmul
build bintrees
