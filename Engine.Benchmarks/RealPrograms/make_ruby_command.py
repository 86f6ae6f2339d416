#!/usr/bin/env python3
"""Turns npm @ruby/3.3-wasm-wasi's ruby+stdlib.wasm (a reactor for its JS glue) into a plain WASI command, so that
wasm-engine, wasmtime and node run the same binary with no glue of their own (Engine.Benchmarks 'real', README.md).

usage: make_ruby_command.py ruby+stdlib.wasm OUT.wasm   (needs binaryen's wasm-dis and wasm-as on PATH; a few minutes)

The module is disassembled with binaryen, and in its text:
- the JS-interop imports (rb-js-abi-host.*, canonical_abi.*) become functions of the module: the canonical-ABI
  resource functions are identities (new/get) and a no-op (drop), as the glue has them for Ruby values; every other
  one is `unreachable` (a script that never touches JS never calls them);
- the export `_initialize` goes (a command has none), and a new export `_start` does what the glue does: `_initialize`, `ruby-init(["ruby", "-EUTF-8", "-e_=0"])` and
  `rb-eval-string-protect` of a fixed line that loads /script/main.rb (the runner preopens the script's folder as
  /script), flushes $stdout and $stderr, and exits with status 1 when the script raised (after printing the error); otherwise it
  returns (node 20 crashed now and then in proc_exit(0) after a run that allocates much).
Everything else, every function body and data segment, is what binaryen reads and writes back unchanged in meaning.
"""
import re, subprocess, sys, tempfile, os

EVAL = ("begin; load '/script/main.rb'; rescue Exception => e; $stderr.puts(e.full_message(highlight: false)); "
        "raise; ensure; $stdout.flush; $stderr.flush; end")
ARGS = ["ruby", "-EUTF-8", "-e_=0"]


def main(source, target):
    with tempfile.TemporaryDirectory() as temp:
        wat = os.path.join(temp, "ruby.wat")
        subprocess.run(["wasm-dis", source, "-o", wat], check=True)
        with open(wat, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().split("\n")
        exports = {}
        for line in lines:
            if not line.startswith(" (export "):
                continue
            m = re.match(r' \(export "([^"]+)" \(func \$([^)]+)\)\)$', line)
            if m:
                exports[m.group(1)] = "$" + m.group(2)
        imports, stubs, kept = {}, [], []
        for line in lines:
            if not line.startswith(" (import "):
                kept.append(line)
                continue
            m = re.match(r' \(import "(rb-js-abi-host|canonical_abi)" "([^"]*)" \(func (\$\S+)(.*)\)\)$', line)
            if not m:
                if re.match(r' \(import "(rb-js-abi-host|canonical_abi)"', line):
                    sys.exit("unexpected import line: " + line[:200])
                m2 = re.match(r' \(import "wasi_snapshot_preview1" "([^"]+)" \(func (\$\S+)', line)
                if m2:
                    imports[m2.group(1)] = m2.group(2)
                kept.append(line)
                continue
            module, name, func, signature = m.groups()
            if module == "canonical_abi" and name.startswith(("resource_new_", "resource_get_")):
                body = "(local.get 0)"
            elif module == "canonical_abi" and name.startswith("resource_drop_"):
                body = "(nop)"
            else:
                body = "(unreachable)"
            stubs.append(f" (func {func}{signature} {body})")
        if len(stubs) != 24:
            sys.exit(f"expected 24 JS-interop imports, found {len(stubs)}")

        # The constant bytes: the list<string> of ruby-init (pairs of offset, length, made absolute at run time),
        # the arguments and the line to evaluate, each NUL-terminated and counted with its NUL (as the glue does).
        blob = bytearray(8 * len(ARGS))
        entries = []
        for text in ARGS + [EVAL]:
            data = text.encode() + b"\0"
            entries.append((len(blob), len(data)))
            blob += data
        for i, (offset, length) in enumerate(entries[:len(ARGS)]):
            blob[8 * i:8 * i + 4] = offset.to_bytes(4, "little")
            blob[8 * i + 4:8 * i + 8] = length.to_bytes(4, "little")
        while len(blob) % 4:
            blob += b"\0"
        stores = "\n".join(
            f"  (i32.store offset={i} (local.get $buf) (i32.const {int.from_bytes(blob[i:i + 4], 'little', signed=True)}))"
            for i in range(0, len(blob), 4))
        fixups = "\n".join(
            f"  (i32.store offset={8 * i} (local.get $buf) (i32.add (local.get $buf) (i32.load offset={8 * i} (local.get $buf))))"
            for i in range(len(ARGS)))
        eval_offset, eval_length = entries[-1]
        start = f""" (func $ruby_command_start
  (local $buf i32) (local $ret i32)
  (call {exports["_initialize"]})
  (local.set $buf (call {exports["cabi_realloc"]} (i32.const 0) (i32.const 0) (i32.const 8) (i32.const {len(blob)})))
{stores}
{fixups}
  (call {exports["ruby-init: func(args: list<string>) -> ()"]} (local.get $buf) (i32.const {len(ARGS)}))
  (local.set $ret (call {exports["rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>"]}
    (i32.add (local.get $buf) (i32.const {eval_offset})) (i32.const {eval_length})))
  (if (i32.load offset=4 (local.get $ret)) (then (call {imports["proc_exit"]} (i32.const 1))))
 )
 (export "_start" (func $ruby_command_start))"""
        # _start calls _initialize itself; a command must not export it too (node's WASI refuses the module, and
        # runners that call a reactor's _initialize first would run it twice). __wasi_vfs_rt_init is the same function.
        kept = [line for line in kept if not line.startswith(' (export "_initialize" ')]
        end = max(i for i, line in enumerate(kept) if line == ")")
        kept[end:end] = stubs + [start]
        with open(wat, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(kept))
        subprocess.run(["wasm-as", "-all", wat, "-o", target], check=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
