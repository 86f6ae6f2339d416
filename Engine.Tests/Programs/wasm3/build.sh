#!/usr/bin/env bash
# Rebuilds the 3.0 programs of this folder and their expected output. Tests need none of these tools.
#   tailcall.wasm     clang-14 -mtail-call (Debian clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32);
#                     compile and link are separate steps (see ../wasi/build.sh: no wasm-opt at link time)
#   tailcall.expected the same C built natively (clang -O2), run
#   exceptions.wasm   exceptions.wat through the engine's own text parser (tools/wat2wasm; wabt 1.0.32 cannot
#                     parse try_table)
#   exceptions.expected  exceptions.cpp built natively (clang++ -O2), run
set -euo pipefail
cd "$(dirname "$0")"
root=../../..
clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -mtail-call -Wall -c -o tailcall.o tailcall.c
clang-14 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all -o tailcall.wasm tailcall.o
rm -f tailcall.o
if command -v wasm2wat >/dev/null; then
    echo "tailcall.wasm: $(wasm2wat --enable-tail-call tailcall.wasm | grep -c 'return_call') return_call/return_call_indirect"
fi
native=$(mktemp -d)
trap 'rm -rf "$native"' EXIT
clang-14 -O2 -Wall -o "$native/tailcall" tailcall.c
"$native/tailcall" > tailcall.expected
dotnet run --project "$root/tools/wat2wasm" -c Release -- exceptions.wat exceptions.wasm
clang++-14 -O2 -Wall -o "$native/exceptions" exceptions.cpp
"$native/exceptions" > exceptions.expected
echo "built tailcall.wasm, exceptions.wasm and their expected output"
