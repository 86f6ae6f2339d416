#!/usr/bin/env python3
"""Writes FOLDER/tests.json (a manifest of the test cases in FOLDER) from its NAME.* files.
   usage: ./gen_manifest.py FOLDER   (wasi, toolchains or large)"""
import json, os, sys
if len(sys.argv) != 2:
    sys.exit(__doc__)
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), sys.argv[1]))
tests = []
for f in sorted(os.listdir(".")):
    if not f.endswith(".args"):
        continue
    n = f[:-5]
    read = lambda ext: open(n + ext, encoding="utf-8").read() if os.path.exists(n + ext) else None
    lines = lambda ext: read(ext).split("\n")[:-1] if read(ext) is not None else []
    t = {"name": n, "wasm": n + ".wasm", "args": lines(".args"),
         "env": dict(l.split("=", 1) for l in lines(".env")),
         "stdin": n + ".stdin" if os.path.exists(n + ".stdin") else None,
         "preopens": lines(".preopen"),
         "symlinks": [dict(zip(("link", "target"), l.split(" -> ", 1))) for l in lines(".symlinks")],
         "expectedStdout": n + ".expected"}
    if os.path.exists(n + ".trap"):
        t["expectTrap"] = read(".trap").strip()
    else:
        t["exitCode"] = int(read(".exitcode").strip())
    tests.append(t)
json.dump({"tests": tests}, open("tests.json", "w", encoding="utf-8"), indent=2, ensure_ascii=False)
open("tests.json", "a").write("\n")
print("wrote %d tests" % len(tests))
