#!/bin/sh
# Generates the random modules of the differential test (binaryen's fuzzer: wasm-opt --translate-to-fuzz
# turns arbitrary bytes into a valid module). Debian's binaryen (version 108): apt-get install binaryen.
# The tests only read the committed .wasm files; run this again to replace them.
#   usage: ./generate.sh [COUNT] [FIRST_SEED]
set -eu
count=${1:-40}
seed=${2:-1}
cd "$(dirname "$0")"
i=0
while [ "$i" -lt "$count" ]; do
  s=$((seed + i))
  # Deterministic input bytes per seed (sizes vary: larger input, larger module).
  python3 -c "import random,sys; r=random.Random($s); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(r.choice([800,2000,5000,12000]))))" > "seed-$s.dat"
  wasm-opt -ttf "seed-$s.dat" -o "fuzz-$s.wasm" --mvp-features \
    --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue 2>/dev/null
  rm "seed-$s.dat"
  i=$((i + 1))
done
# The same with SIMD (simd-N.wasm, seeds from 1001).
i=1
while [ "$i" -le 20 ]; do
  python3 -c "import random,sys; r=random.Random(1000+$i); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(r.choice([800,2000,5000,12000]))))" > "seed.dat"
  wasm-opt -ttf seed.dat -o "simd-$i.wasm" --mvp-features \
    --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-simd 2>/dev/null
  rm seed.dat
  i=$((i + 1))
done
