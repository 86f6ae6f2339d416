// AssemblyScript 0.28 (wasi-shim, incremental GC runtime): allocation-heavy work that makes the
// collector run many times and memory grow (binary trees, maps of strings, arrays, closures over
// typed arrays), then an uncaught `throw`, which the shim turns into a message on stderr and
// proc_exit(255).
class Node {
  constructor(public left: Node | null, public right: Node | null, public value: i32) {}
}

function make(depth: i32, value: i32): Node {
  if (depth == 0) return new Node(null, null, value);
  return new Node(make(depth - 1, 2 * value), make(depth - 1, 2 * value + 1), value);
}

function check(n: Node): i64 {
  let s: i64 = n.value;
  const l = n.left, r = n.right;
  if (l) s += check(l);
  if (r) s -= check(r);
  return s;
}

const maxDepth = 14;
let longLived = make(maxDepth, 1);
for (let depth = 4; depth <= maxDepth; depth += 2) {
  const iterations = 1 << (maxDepth - depth + 4);
  let sum: i64 = 0;
  for (let i = 0; i < iterations; i++) sum += check(make(depth, i));
  console.log(iterations.toString() + " trees of depth " + depth.toString() + " check " + sum.toString());
}
console.log("long lived check " + check(longLived).toString());

// strings and maps
const words = new Map<string, i32>();
let text = "";
for (let i = 0; i < 20000; i++) {
  const w = "w" + ((i * 7919) % 1013).toString(36);
  words.set(w, words.has(w) ? words.get(w) + 1 : 1);
  if (i % 1000 == 0) text += w + ",";
}
const keys = words.keys();
keys.sort();
console.log(words.size.toString() + " distinct words; first " + keys[0] + "=" + words.get(keys[0]).toString() + ", last " + keys[keys.length - 1] + "=" + words.get(keys[keys.length - 1]).toString());
console.log("text " + text + " upper " + text.toUpperCase().slice(0, 12) + " replaced " + text.replaceAll(",", ";").slice(0, 12));

// arrays, sorting with a comparator, closures
const values = new Array<f64>();
let x: u32 = 12345;
for (let i = 0; i < 50000; i++) {
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  values.push(<f64>(x % 100000) / 7.0);
}
values.sort((a: f64, b: f64): i32 => <i32>(a > b) - <i32>(a < b));
let sorted = true;
for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) sorted = false;
console.log("sorted " + sorted.toString() + " min " + values[0].toString() + " median " + values[25000].toString() + " max " + values[49999].toString());
const squares = values.slice(0, 10).map<f64>((v: f64): f64 => v * v);
console.log("squares " + squares.join(" "));
const buf = new Float64Array(1000);
for (let i = 0; i < buf.length; i++) buf[i] = Math.sin(<f64>i) * 1000;
console.log("reduce " + buf.reduce<f64>((a: f64, b: f64): f64 => a + b, 0).toString());
console.log("memory pages > 1: " + (memory.size() > 1).toString());

longLived = make(1, 0);
throw new Error("deliberate failure after " + words.size.toString() + " words");
