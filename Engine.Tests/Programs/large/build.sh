#!/usr/bin/env bash
# Builds the large test programs for wasm32-wasi and natively (gcc), and regenerates
# NAME.expected / NAME.exitcode from the NATIVE build (the wasm output must be identical).
# Requires: clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32, gcc; wasm-validate optional.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang-14}
CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall)
# 8 MiB C stack (wasm-ld's default is 64 KiB, and overflowing it corrupts memory silently).
LDFLAGS=(--target=wasm32-wasi --sysroot=/usr -Wl,--strip-all -Wl,-z,stack-size=8388608)
NATIVE_DIR=${NATIVE_DIR:-$(mktemp -d)}
for name in compress lisp; do
    "$CC" "${CFLAGS[@]}" -c -o "$name.o" "$name.c"
    "$CC" "${LDFLAGS[@]}" -o "$name.wasm" "$name.o"   # no -O at link: no implicit wasm-opt run
    rm -f "$name.o"
    if command -v wasm-validate >/dev/null; then wasm-validate "$name.wasm"; fi
    gcc -O2 -Wall -o "$NATIVE_DIR/$name" "$name.c"
    args=(); while IFS= read -r l; do args+=("$l"); done < "$name.args"
    stdin=/dev/null; [ -f "$name.stdin" ] && stdin="$name.stdin"
    set +e
    "$NATIVE_DIR/$name" "${args[@]:1}" < "$stdin" > "$name.expected"
    echo $? > "$name.exitcode"
    set -e
    echo "built $name.wasm; native exit $(cat "$name.exitcode")"
done
