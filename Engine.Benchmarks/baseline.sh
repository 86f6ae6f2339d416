#!/bin/sh
# Measures a baseline on this machine for 'compare': 'regress' of the merge base of HEAD with main (or of REV),
# built in a temporary worktree, written to perf-out/baseline-MODE.json, where 'compare NEW.json' looks first.
#   Engine.Benchmarks/baseline.sh [--quick|--full] [REV]
set -eu
mode=--quick
case "${1:-}" in --quick|--full) mode=$1; shift ;; esac
root=$(git rev-parse --show-toplevel)
rev=${1:-$(git -C "$root" merge-base HEAD main)}
tree=$(mktemp -d /tmp/wasm-engine-baseline-XXXXXX)
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true; rm -rf "$tree"' EXIT
git -C "$root" worktree add --detach "$tree" "$rev" >/dev/null
mkdir -p "$root/perf-out"
echo "baseline: regress $mode of $(git -C "$tree" log -1 --format='%h %s' | cut -c1-70)"
dotnet run -c Release --project "$tree/Engine.Benchmarks" -- regress "$mode" \
    --out "$root/perf-out/baseline-${mode#--}.json" --artifacts "$tree/perf-out/BenchmarkDotNet.Artifacts"
