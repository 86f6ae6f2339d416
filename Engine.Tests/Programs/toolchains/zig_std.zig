// Zig 0.11 std on wasm32-wasi (no libc: the standard library calls WASI directly): arguments,
// environment, preopens, files and directories below the preopen /sandbox (create, write, read,
// seek, stat, iterate, rename, delete), clocks, sleep, randomness, stdin, and the exit code.
const std = @import("std");

fn errName(e: anyerror) []const u8 {
    return @errorName(e);
}

pub fn main() !u8 {
    var gpa_state = std.heap.GeneralPurposeAllocator(.{}){};
    defer _ = gpa_state.deinit();
    const gpa = gpa_state.allocator();
    const out = std.io.getStdOut().writer();

    // arguments and environment
    const args = try std.process.argsAlloc(gpa);
    defer std.process.argsFree(gpa, args);
    try out.print("argc={d}\n", .{args.len});
    for (args, 0..) |a, i| try out.print("argv[{d}]=\"{s}\" ({d} bytes)\n", .{ i, a, a.len });

    var env = try std.process.getEnvMap(gpa);
    defer env.deinit();
    var keys = std.ArrayList([]const u8).init(gpa);
    defer keys.deinit();
    var it = env.iterator();
    while (it.next()) |e| try keys.append(e.key_ptr.*);
    std.mem.sort([]const u8, keys.items, {}, struct {
        fn lt(_: void, a: []const u8, b: []const u8) bool {
            return std.mem.lessThan(u8, a, b);
        }
    }.lt);
    try out.print("{d} environment variables\n", .{keys.items.len});
    for (keys.items) |k| try out.print("env {s}=\"{s}\"\n", .{ k, env.get(k).? });

    // preopens
    // the names of stdio entries are literals, so the list is freed as a whole with its arena
    var arena_state = std.heap.ArenaAllocator.init(gpa);
    var preopens = try std.fs.wasi.preopensAlloc(arena_state.allocator());
    defer arena_state.deinit();
    for (preopens.names, 0..) |n, fd| try out.print("preopen fd {d}: {s}\n", .{ fd, n });
    const sandbox_fd = preopens.find("/sandbox") orelse return error.NoSandbox;
    var root = std.fs.Dir{ .fd = sandbox_fd };

    // files
    try root.makePath("zig/deep/er");
    if (root.makeDir("zig")) |_| {
        try out.print("makeDir existing: ok?\n", .{});
    } else |e| try out.print("makeDir existing: {s}\n", .{errName(e)});

    {
        var f = try root.createFile("zig/data.txt", .{ .read = true });
        defer f.close();
        var i: usize = 0;
        while (i < 1000) : (i += 1) try f.writer().print("{d:0>4} {s}\n", .{ i, "zig was here" });
        const end = try f.getEndPos();
        try out.print("wrote {d} bytes\n", .{end});
        try f.seekTo(18 * 10);
        var buf: [18]u8 = undefined;
        _ = try f.readAll(&buf);
        try out.print("record 10: {s}", .{buf});
        try f.seekFromEnd(-18);
        _ = try f.readAll(&buf);
        try out.print("last record: {s}", .{buf});
        try out.print("pos after read: {d}\n", .{try f.getPos()});
        try f.seekBy(-36);
        try f.writeAll("PATCHED!");
        try f.setEndPos(18 * 500);
        const st = try f.stat();
        try out.print("stat: size={d} kind={s}\n", .{ st.size, @tagName(st.kind) });
        const n = try f.pread(&buf, 18 * 499);
        try out.print("pread {d}: {s}", .{ n, buf[0..n] });
        _ = try f.pwrite("ZIG", 0);
    }
    const contents = try root.readFileAlloc(gpa, "zig/data.txt", 1 << 20);
    defer gpa.free(contents);
    var sum: u32 = 0;
    for (contents) |c| sum = sum *% 31 +% c;
    try out.print("file: {d} bytes, hash {x}, starts \"{s}\"\n", .{ contents.len, sum, contents[0..8] });

    if (root.openFile("zig/missing.txt", .{})) |f| {
        f.close();
    } else |e| try out.print("open missing: {s}\n", .{errName(e)});
    if (root.openFile("../outside.txt", .{})) |f| {
        f.close();
        try out.print("escape: opened!\n", .{});
    } else |e| try out.print("escape: {s}\n", .{errName(e)});
    if (root.deleteDir("zig")) |_| {} else |e| try out.print("deleteDir non-empty: {s}\n", .{errName(e)});

    try root.writeFile("zig/deep/er/a.txt", "alpha\n");
    try root.writeFile("zig/deep/b.txt", "beta\n");
    try root.rename("zig/deep/b.txt", "zig/deep/er/b.txt");
    try root.symLink("a.txt", "zig/deep/er/link", .{});
    var linkbuf: [64]u8 = undefined;
    try out.print("readlink: {s}\n", .{try root.readLink("zig/deep/er/link", &linkbuf)});
    // std's openFile does not follow a final symbolic link on WASI (no symlink_follow flag)
    if (root.readFileAlloc(gpa, "zig/deep/er/link", 100)) |via_link| {
        defer gpa.free(via_link);
        try out.print("through link: {s}", .{via_link});
    } else |e| try out.print("open link: {s}\n", .{errName(e)});

    // iterate a directory (sorted)
    {
        var dir = try root.openIterableDir("zig/deep/er", .{});
        defer dir.close();
        var names = std.ArrayList([]u8).init(gpa);
        defer {
            for (names.items) |n| gpa.free(n);
            names.deinit();
        }
        var iter = dir.iterate();
        while (try iter.next()) |entry| {
            try names.append(try std.fmt.allocPrint(gpa, "{s}:{s}", .{ entry.name, @tagName(entry.kind) }));
        }
        std.mem.sort([]u8, names.items, {}, struct {
            fn lt(_: void, a: []u8, b: []u8) bool {
                return std.mem.lessThan(u8, a, b);
            }
        }.lt);
        for (names.items) |n| try out.print("entry {s}\n", .{n});
    }
    {
        // many entries, paged through fd_readdir
        try root.makeDir("zig/many");
        var i: usize = 0;
        var name_buf: [64]u8 = undefined;
        while (i < 200) : (i += 1) {
            const name = try std.fmt.bufPrint(&name_buf, "zig/many/file-number-{d:0>3}.bin", .{i});
            var f = try root.createFile(name, .{});
            f.close();
        }
        var dir = try root.openIterableDir("zig/many", .{});
        defer dir.close();
        var iter = dir.iterate();
        var count: usize = 0;
        var total: usize = 0;
        while (try iter.next()) |entry| {
            count += 1;
            total += entry.name.len;
        }
        try out.print("many: {d} entries, {d} name bytes\n", .{ count, total });
    }
    try root.deleteTree("zig");
    if (root.access("zig", .{})) |_| {
        try out.print("deleteTree left zig behind\n", .{});
    } else |e| try out.print("after deleteTree: {s}\n", .{errName(e)});
    try root.writeFile("keep.txt", "kept\n");

    // clocks, sleep, randomness
    const t0 = std.time.nanoTimestamp();
    const m0 = try std.time.Instant.now();
    std.time.sleep(15 * std.time.ns_per_ms);
    const m1 = try std.time.Instant.now();
    try out.print("realtime after 2020: {}\n", .{t0 > 1_577_836_800 * std.time.ns_per_s});
    try out.print("slept >= 15ms: {}\n", .{m1.since(m0) >= 15 * std.time.ns_per_ms});
    var rnd: [64]u8 = undefined;
    std.crypto.random.bytes(&rnd);
    var zeros: usize = 0;
    for (rnd) |b| {
        if (b == 0) zeros += 1;
    }
    try out.print("random bytes mostly non-zero: {}\n", .{zeros < 16});

    // stdin
    const input = try std.io.getStdIn().readToEndAlloc(gpa, 1 << 20);
    defer gpa.free(input);
    var lines: usize = 0;
    var words: usize = 0;
    var line_it = std.mem.splitScalar(u8, input, '\n');
    while (line_it.next()) |l| {
        if (l.len == 0) continue;
        lines += 1;
        var w = std.mem.tokenizeAny(u8, l, " \t");
        while (w.next()) |_| words += 1;
    }
    try out.print("stdin: {d} bytes, {d} lines, {d} words\n", .{ input.len, lines, words });

    // formatting of floats and wide integers
    const x: f64 = 1.0 / 3.0;
    try out.print("{d:.6} {e} {d}\n", .{ x, x * 1e100, @as(f32, 0.1) });
    const big: u128 = std.math.maxInt(u64);
    try out.print("{d} {d}\n", .{ big * big, @as(i64, std.math.minInt(i64)) });

    std.io.getStdErr().writer().print("stderr works\n", .{}) catch {};
    return @intCast(args.len + 40);
}
