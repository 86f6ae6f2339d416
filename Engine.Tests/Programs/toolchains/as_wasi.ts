// AssemblyScript 0.28 with @assemblyscript/wasi-shim: console, process.argv/env/stdin/exit,
// Date, performance, Math.random and crypto (random_get), and raw WASI file calls through the
// shim's bindings in the preopen /sandbox. Exits with process.exit(argv.length + 20).
import {
  fd_prestat_get, fd_prestat_dir_name, path_open, fd_write, fd_read, fd_close, fd_seek,
  fd_readdir, fd_filestat_get, path_filestat_get, path_unlink_file, path_create_directory,
  path_remove_directory, path_rename, errno, errnoToString, fd, lookupflags, oflags, rights,
  whence, iovec, filestat, dirent, prestat,
} from "bindings/wasi_snapshot_preview1";

function findPreopen(name: string): i32 {
  const buf = memory.data(8);
  for (let f = 3; f < 64; f++) {
    if (fd_prestat_get(<fd>f, changetype<prestat>(buf)) != errno.SUCCESS) break;
    const len = load<u32>(buf, 4);
    const nameBuf = new ArrayBuffer(<i32>len);
    fd_prestat_dir_name(<fd>f, changetype<usize>(nameBuf), len);
    if (String.UTF8.decode(nameBuf) == name) return f;
  }
  return -1;
}

function openAt(dir: i32, path: string, flags: oflags, rightsBase: rights): i32 {
  const p = String.UTF8.encode(path);
  const out = memory.data(4);
  const err = path_open(<fd>dir, lookupflags.SYMLINK_FOLLOW, changetype<usize>(p), p.byteLength, flags,
    rightsBase, rightsBase, 0, out);
  if (err != errno.SUCCESS) {
    console.log("  path_open(" + path + "): " + errnoToString(err));
    return -1;
  }
  return <i32>load<u32>(out);
}

function writeAll(f: i32, text: string): usize {
  const data = String.UTF8.encode(text);
  const iov = memory.data(offsetof<iovec>());
  store<usize>(iov, changetype<usize>(data), offsetof<iovec>("buf"));
  store<usize>(iov, data.byteLength, offsetof<iovec>("buf_len"));
  const n = memory.data(4);
  const err = fd_write(<fd>f, iov, 1, n);
  if (err != errno.SUCCESS) console.log("  fd_write: " + errnoToString(err));
  return load<u32>(n);
}

function readAll(f: i32): string {
  let result = "";
  const chunk = new ArrayBuffer(7); // small on purpose: many reads
  const iov = memory.data(offsetof<iovec>());
  const n = memory.data(4);
  while (true) {
    store<usize>(iov, changetype<usize>(chunk), offsetof<iovec>("buf"));
    store<usize>(iov, chunk.byteLength, offsetof<iovec>("buf_len"));
    if (fd_read(<fd>f, iov, 1, n) != errno.SUCCESS) return "<read error>";
    const got = load<u32>(n);
    if (got == 0) break;
    result += String.UTF8.decode(chunk.slice(0, got));
  }
  return result;
}

function pathStr(dir: i32, path: string, f: (dir: fd, p: usize, len: usize) => errno): string {
  const p = String.UTF8.encode(path);
  return errnoToString(f(<fd>dir, changetype<usize>(p), p.byteLength));
}

// arguments and environment
console.log("argc=" + process.argv.length.toString());
for (let i = 0; i < process.argv.length; i++) {
  console.log("argv[" + i.toString() + "]=" + process.argv[i] + " (" + String.UTF8.byteLength(process.argv[i]).toString() + " bytes)");
}
const keys = process.env.keys();
keys.sort();
console.log(keys.length.toString() + " environment variables");
for (let i = 0; i < keys.length; i++) console.log("env " + keys[i] + "=\"" + process.env.get(keys[i]) + "\"");

// time and randomness
const now = Date.now();
console.log("Date.now after 2020: " + (now > 1577836800000).toString());
const d = new Date(1700000000123);
console.log("Date: " + d.toISOString() + " year " + d.getUTCFullYear().toString());
const t0 = performance.now();
let spin = 0.0;
for (let i = 0; i < 100000; i++) spin += Math.sqrt(<f64>i);
const t1 = performance.now();
console.log("performance.now non-decreasing: " + (t1 >= t0).toString() + ", spin " + spin.toString());
console.log("process.hrtime > 0: " + (process.hrtime() > 0).toString());
let inRange = true;
for (let i = 0; i < 1000; i++) { const r = Math.random(); if (r < 0 || r >= 1) inRange = false; }
console.log("Math.random in [0,1): " + inRange.toString());
const bytes = new Uint8Array(256);
crypto.getRandomValues(bytes);
let nonZero = 0;
for (let i = 0; i < bytes.length; i++) if (bytes[i] != 0) nonZero++;
console.log("getRandomValues mostly non-zero: " + (nonZero > 200).toString());

// stdin
const inBuf = new ArrayBuffer(4096);
let input = "";
while (true) {
  const n = process.stdin.read(inBuf);
  if (n == 0) break;
  input += String.UTF8.decode(inBuf.slice(0, n));
}
const lines = input.split("\n");
console.log("stdin: " + input.length.toString() + " chars, " + lines.length.toString() + " pieces, first \"" + lines[0] + "\"");

// files in /sandbox through raw WASI calls
const root = findPreopen("/sandbox");
console.log("preopen /sandbox found: " + (root >= 3).toString());
console.log("mkdir as: " + pathStr(root, "as", path_create_directory));
console.log("mkdir as again: " + pathStr(root, "as", path_create_directory));
const ALL: rights = rights.FD_READ | rights.FD_WRITE | rights.FD_SEEK | rights.FD_TELL | rights.FD_FILESTAT_GET;
let f = openAt(root, "as/notes.txt", oflags.CREAT | oflags.TRUNC, ALL);
let written: usize = 0;
for (let i = 0; i < 20; i++) written += writeAll(f, "note " + i.toString() + ": " + "*".repeat(i) + "\n");
console.log("wrote " + written.toString() + " bytes");
const pos = memory.data(8);
fd_seek(<fd>f, 0, whence.SET, pos);
const text = readAll(f);
console.log("read back " + text.length.toString() + " chars, line 7: " + text.split("\n")[7]);
const st = memory.data(offsetof<filestat>());
fd_filestat_get(<fd>f, changetype<filestat>(st));
console.log("fd_filestat_get size " + load<u64>(st, offsetof<filestat>("size")).toString() + " type " + load<u8>(st, offsetof<filestat>("filetype")).toString());
fd_seek(<fd>f, -5, whence.END, pos);
console.log("seek END-5 -> " + load<u64>(pos).toString());
fd_close(<fd>f);
console.log("close again: " + errnoToString(fd_close(<fd>f)));

openAt(root, "as/missing.txt", 0, ALL);
openAt(root, "../escape.txt", oflags.CREAT, ALL);
openAt(root, "as", oflags.DIRECTORY | oflags.CREAT, ALL);
const p = String.UTF8.encode("as/notes.txt");
console.log("path_filestat_get: " + errnoToString(path_filestat_get(<fd>root, lookupflags.SYMLINK_FOLLOW, changetype<usize>(p), p.byteLength, changetype<filestat>(st)))
  + " size " + load<u64>(st, offsetof<filestat>("size")).toString());

// rename and list the directory with fd_readdir
const from = String.UTF8.encode("as/notes.txt");
const to = String.UTF8.encode("as/renamed.txt");
console.log("rename: " + errnoToString(path_rename(<fd>root, changetype<usize>(from), from.byteLength, <fd>root, changetype<usize>(to), to.byteLength)));
for (let i = 0; i < 5; i++) { const g = openAt(root, "as/file" + i.toString(), oflags.CREAT, ALL); fd_close(<fd>g); }
const dir = openAt(root, "as", oflags.DIRECTORY, rights.FD_READDIR);
const dbuf = new ArrayBuffer(1024);
const used = memory.data(4);
fd_readdir(<fd>dir, changetype<usize>(dbuf), dbuf.byteLength, 0, used);
const names = new Array<string>();
let off: usize = 0;
const total = <usize>load<u32>(used);
while (off + offsetof<dirent>() <= total) {
  const nameLen = load<u32>(changetype<usize>(dbuf) + off, offsetof<dirent>("namlen"));
  const type = load<u8>(changetype<usize>(dbuf) + off, offsetof<dirent>("type"));
  names.push(String.UTF8.decodeUnsafe(changetype<usize>(dbuf) + off + offsetof<dirent>(), nameLen) + ":" + type.toString());
  off += offsetof<dirent>() + nameLen;
}
names.sort();
console.log("readdir: " + names.join(" "));
fd_close(<fd>dir);
for (let i = 0; i < 5; i++) console.log("unlink file" + i.toString() + ": " + pathStr(root, "as/file" + i.toString(), path_unlink_file));
console.log("rmdir non-empty: " + pathStr(root, "as", path_remove_directory));
console.log("unlink renamed: " + pathStr(root, "as/renamed.txt", path_unlink_file));
console.log("rmdir: " + pathStr(root, "as", path_remove_directory));

// numbers as AssemblyScript formats them
console.log((0.1 + 0.2).toString() + " " + (1.0 / 3.0).toString() + " " + (1e21).toString() + " " + (-0.0).toString() + " " + (5e-324).toString());
console.log(i64.MIN_VALUE.toString() + " " + u64.MAX_VALUE.toString() + " " + (<f32>0.1).toString() + " " + NaN.toString() + " " + (-Infinity).toString());
console.log(parseFloat("3.25e2").toString() + " " + parseInt("ff", 16).toString() + " " + I32.parseInt("-123").toString());

process.stderr.write("to stderr\n");
process.exit(process.argv.length + 20);
