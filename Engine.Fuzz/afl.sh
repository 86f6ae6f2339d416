#!/bin/sh
# Coverage-guided fuzzing of the decoder/validator or the text parser with afl-fuzz (AFL++) and SharpFuzz.
#   usage: Engine.Fuzz/afl.sh decode|text [SECONDS] [WORK_DIR]
# Installs what is missing (apt: afl++; dotnet tool: SharpFuzz.CommandLine), publishes Engine.Fuzz into
# WORK_DIR/bin, instruments the engine's assemblies there, seeds afl-fuzz with small spec-suite modules (or the
# text forms of them) and runs it for SECONDS (default 600). Crashes land in WORK_DIR/out/default/crashes; replay
# one with: dotnet WORK_DIR/bin/wasm-fuzz.dll replay decode|text FILE
set -eu
target=${1:?decode or text}
seconds=${2:-600}
work=${3:-/tmp/wasm-afl-$target}
root=$(cd "$(dirname "$0")/.." && pwd)
suite=${WASM_TESTSUITE:-$root/../shared/wasm-testsuite}
command -v afl-fuzz >/dev/null || apt-get install -y afl++
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
rm -rf "$work/bin" && mkdir -p "$work/in"
dotnet publish "$root/Engine.Fuzz" -c Release -o "$work/bin" >/dev/null
for dll in Engine.Core.dll Engine.Text.dll; do sharpfuzz "$work/bin/$dll"; done
if [ -z "$(ls -A "$work/in")" ]; then
  # Small seeds keep afl-fuzz fast: the spec modules under 2 KB (binary, or printed as text).
  find "$suite/json" -name '*.wasm' -size -2k | sort | head -300 | while read -r f; do
    if [ "$target" = decode ]; then cp "$f" "$work/in/$(basename "$(dirname "$f")")-$(basename "$f")";
    else wasm2wat "$f" -o "$work/in/$(basename "$(dirname "$f")")-$(basename "$f" .wasm).wat" 2>/dev/null || true; fi
  done
fi
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
timeout "$seconds" afl-fuzz -i "$work/in" -o "$work/out" -t 5000 -m none -- dotnet "$work/bin/wasm-fuzz.dll" afl "$target" || true
echo "crashes: $(ls "$work/out/default/crashes" 2>/dev/null | grep -c id || true), hangs: $(ls "$work/out/default/hangs" 2>/dev/null | grep -c id || true)"
