#!/usr/bin/env bash
# Rebuilds hello.wasm. Requires clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32.
set -euo pipefail
cd "$(dirname "$0")"
clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -c -o hello.o hello.c
clang-14 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all -o hello.wasm hello.o
rm -f hello.o
