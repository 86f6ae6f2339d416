#!/usr/bin/env bash
# Rebuilds fuzz.wasm with binaryen's translate-to-fuzz from 10,000,000 deterministic
# pseudo-random bytes, restricted to WebAssembly 2.0 features minus reference types
# (binaryen 108's reference-types mode emits `anyref`, which is not part of 2.0).
# NOTE: the output depends on the binaryen version; fuzz.wasm was made with wasm-opt version 108
# (Debian bookworm `binaryen`). With another version you get a different (but still valid) module.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "
import random; r = random.Random(2026)
open('$tmp/fuzz.dat', 'wb').write(r.randbytes(10000000))"
wasm-opt --translate-to-fuzz "$tmp/fuzz.dat" --mvp-features --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue --enable-simd -o fuzz.wasm
wasm-validate fuzz.wasm
ls -l fuzz.wasm
sha256sum fuzz.wasm
