// Zig 0.11 compute kernels on wasm32-wasi built with +simd128: @Vector arithmetic (lowered to
// wasm SIMD), std.crypto hashes and ciphers, std.hash checksums, std.sort, std.json, big
// integers, float formatting and a deterministic PRNG. Prints results only.
const std = @import("std");

fn matmul(comptime n: usize, a: *const [n][n]f32, b: *const [n][n]f32, c: *[n][n]f32) void {
    const V = @Vector(4, f32);
    for (0..n) |i| {
        var j: usize = 0;
        while (j < n) : (j += 4) {
            var acc: V = @splat(0);
            for (0..n) |k| {
                const bv: V = b[k][j..][0..4].*;
                acc += @as(V, @splat(a[i][k])) * bv;
            }
            c[i][j..][0..4].* = acc;
        }
    }
}

fn dot_i16(a: []const i16, b: []const i16) i64 {
    const V = @Vector(8, i32);
    var acc: V = @splat(0);
    var i: usize = 0;
    while (i + 8 <= a.len) : (i += 8) {
        const va: @Vector(8, i16) = a[i..][0..8].*;
        const vb: @Vector(8, i16) = b[i..][0..8].*;
        acc += @as(V, va) * @as(V, vb);
    }
    var s: i64 = @reduce(.Add, @as(@Vector(8, i64), acc));
    while (i < a.len) : (i += 1) s += @as(i64, a[i]) * b[i];
    return s;
}

const Point = struct { name: []const u8, x: f64, y: f64, tags: []const []const u8 };

pub fn main() !void {
    var arena = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const out = std.io.getStdOut().writer();
    var prng = std.rand.DefaultPrng.init(0x5eed);
    const rand = prng.random();

    // SIMD matrix multiply
    const n = 32;
    var a: [n][n]f32 = undefined;
    var b: [n][n]f32 = undefined;
    var c: [n][n]f32 = undefined;
    for (0..n) |i| for (0..n) |j| {
        a[i][j] = @as(f32, @floatFromInt((i * 7 + j * 3) % 11)) - 5.0;
        b[i][j] = @as(f32, @floatFromInt((i + 2 * j) % 13)) * 0.25;
    };
    matmul(n, &a, &b, &c);
    var trace: f32 = 0;
    for (0..n) |i| trace += c[i][i];
    try out.print("matmul trace {d} c[3][5]={d} c[31][0]={d}\n", .{ trace, c[3][5], c[31][0] });

    // integer SIMD
    const xs = try alloc.alloc(i16, 1003);
    const ys = try alloc.alloc(i16, 1003);
    for (xs, ys) |*x, *y| {
        x.* = rand.int(i16);
        y.* = rand.int(i16);
    }
    try out.print("dot {d}\n", .{dot_i16(xs, ys)});
    const u: @Vector(16, u8) = .{ 250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const w: @Vector(16, u8) = @splat(10);
    try out.print("wrapping {any}\nsaturating {any}\nmin {any}\n", .{ u +% w, u +| w, @min(u, w) });
    const fv: @Vector(4, f64) = .{ 1.5, -2.25, 3.0e10, -0.0 };
    try out.print("sqrt/abs/floor {any} {any}\n", .{ @sqrt(@fabs(fv)), @floor(fv / @as(@Vector(4, f64), @splat(7))) });

    // hashes and ciphers
    var data: [10000]u8 = undefined;
    for (&data, 0..) |*d, i| d.* = @truncate(i *% 2654435761 >> 7);
    var sha: [32]u8 = undefined;
    std.crypto.hash.sha2.Sha256.hash(&data, &sha, .{});
    try out.print("sha256 {s}\n", .{std.fmt.fmtSliceHexLower(&sha)});
    var b3: [32]u8 = undefined;
    std.crypto.hash.Blake3.hash(&data, &b3, .{});
    try out.print("blake3 {s}\n", .{std.fmt.fmtSliceHexLower(&b3)});
    var sha512: [64]u8 = undefined;
    std.crypto.hash.sha2.Sha512.hash(&data, &sha512, .{});
    try out.print("sha512 {s}\n", .{std.fmt.fmtSliceHexLower(sha512[0..16])});
    try out.print("crc32 {x} adler32 {x} wyhash {x} xxh64 {x}\n", .{
        std.hash.Crc32.hash(&data),
        std.hash.Adler32.hash(&data),
        std.hash.Wyhash.hash(7, &data),
        std.hash.XxHash64.hash(0, &data),
    });
    const key = [_]u8{0x42} ** 32;
    const nonce = [_]u8{0x24} ** 12;
    var ct: [64]u8 = undefined;
    var tag: [16]u8 = undefined;
    std.crypto.aead.chacha_poly.ChaCha20Poly1305.encrypt(&ct, &tag, data[0..64], "ad", nonce, key);
    try out.print("chacha20poly1305 tag {s}\n", .{std.fmt.fmtSliceHexLower(&tag)});
    var aes_out: [16]u8 = undefined;
    const aes = std.crypto.core.aes.Aes256.initEnc(key);
    aes.encrypt(&aes_out, data[0..16]);
    try out.print("aes256 block {s}\n", .{std.fmt.fmtSliceHexLower(&aes_out)});

    // sorting
    const nums = try alloc.alloc(u32, 5000);
    for (nums) |*x| x.* = rand.intRangeAtMost(u32, 0, 99999);
    std.mem.sort(u32, nums, {}, std.sort.asc(u32));
    var ok = true;
    for (nums[1..], 0..) |x, i| ok = ok and nums[i] <= x;
    try out.print("sorted {} min {d} median {d} max {d}\n", .{ ok, nums[0], nums[2500], nums[4999] });

    // json
    const text =
        \\[{"name":"origin","x":0,"y":0,"tags":[]},
        \\ {"name":"p\u00e9","x":1.5e3,"y":-2.25,"tags":["a","b c"]}]
    ;
    const parsed = try std.json.parseFromSlice([]Point, alloc, text, .{});
    for (parsed.value) |p| try out.print("point {s} ({d}, {d}) {d} tags\n", .{ p.name, p.x, p.y, p.tags.len });
    var json_out = std.ArrayList(u8).init(alloc);
    try std.json.stringify(parsed.value, .{}, json_out.writer());
    try out.print("{s}\n", .{json_out.items});

    // big integers: 100!
    var f = try std.math.big.int.Managed.initSet(alloc, 1);
    for (2..101) |i| {
        var m = try std.math.big.int.Managed.initSet(alloc, i);
        try f.mul(&f, &m);
    }
    const s = try f.toString(alloc, 10, .lower);
    try out.print("100! = {s}\n", .{s});

    // floats
    const vals = [_]f64{ 0.1 + 0.2, 1e-310, 123456.789e3, std.math.pi, -std.math.inf(f64), std.math.nan(f64) };
    for (vals) |v| try out.print("{d} {e:.5} {x}\n", .{ v, v, @as(u64, @bitCast(v)) });
    try out.print("{d:.4} {d:.4} {d:.4} {d:.4}\n", .{ @exp(1.0), @log(10.0), std.math.atan2(f64, 1, -1), std.math.pow(f64, 2, 0.5) });
}
