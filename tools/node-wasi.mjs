// node --no-warnings node-wasi.mjs [--invoke NAME] [--dir HOST::GUEST]... FILE.wasm ARGS...: runs a WASI command in
// node (V8), stdio inherited, or with --invoke calls NAME with the first ARG and prints the result. A measuring tool.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { basename } from 'node:path';
const argv = process.argv.slice(2);
const preopens = {};
let invoke = null;
if (argv[0] === '--invoke') { argv.shift(); invoke = argv.shift(); }
while (argv[0] === '--dir') { argv.shift(); const [host, guest] = argv.shift().split('::'); preopens[guest ?? host] = host; }
const file = argv.shift();
const wasi = new WASI({ version: 'preview1', args: [basename(file), ...argv], env: {}, preopens, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
if (invoke) console.log(instance.exports[invoke](Number(argv[0]))); else process.exitCode = wasi.start(instance);
