// Static escape probes: every path-taking preview1 call, each given every kind of path that
// tries to leave the preopen, plus controls that stay inside. Raw WASI calls on the preopen
// descriptor (no wasi-libc path translation), each printing its errno name, so the engine's
// answers must match wasmtime's one for one.
//
// Preopens: /sandbox and /outside (fresh, empty; on the host they are siblings, so "../outside"
// from the sandbox names the other one). Host links: see escapes.symlinks. The program fills
// /outside through its own preopen, probes through /sandbox only, and finally checks through
// /outside that nothing there was read, created, changed or removed.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include "errname.h"

static int sandbox, outside;

static int find_preopen(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        char buf[256];
        size_t len = ps.u.dir.pr_name_len;
        if (len >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
        buf[len] = 0;
        if (!strcmp(buf, name)) return fd;
    }
    return -1;
}

static const __wasi_rights_t all_rights = (__wasi_rights_t)-1 >> 34; // every preview1 right

static int make_file(int dir, const char *path, const char *content) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                             __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    if (e) return e;
    __wasi_ciovec_t iov = {(const uint8_t *)content, strlen(content)};
    size_t n;
    __wasi_fd_write(fd, &iov, 1, &n);
    __wasi_fd_close(fd);
    return 0;
}

// The host's links (escapes.symlinks). The guest cannot make them (absolute targets are refused),
// so it keeps a second hard link to each ("keep_" + name; linking without following links the
// link itself) to put them back after a probe removed or replaced one.
static const char *host_links[] = {"host_abs", "host_abs_dir", "host_rel", "host_rel_dir", 0};

static void keep_host_links(void) {
    char keep[64];
    for (int i = 0; host_links[i]; i++) {
        snprintf(keep, sizeof keep, "keep_%s", host_links[i]);
        int e = __wasi_path_link(sandbox, 0, host_links[i], sandbox, keep);
        if (e) printf("keep %s: %s\n", host_links[i], errname(e));
    }
}

// The sandbox's fixed contents, made again before every probe (a probe may legitimately change
// what it names, e.g. unlink a link of the guest's own).
static void reset(void) {
    char keep[64];
    for (int i = 0; host_links[i]; i++) {
        snprintf(keep, sizeof keep, "keep_%s", host_links[i]);
        __wasi_path_unlink_file(sandbox, host_links[i]);
        __wasi_path_link(sandbox, 0, keep, sandbox, host_links[i]);
    }
    static const char *scratch[] = {"moved_in/empty", "moved_in", "linked_in", "newname", "victim", 0};
    for (int i = 0; scratch[i]; i++) {
        __wasi_path_unlink_file(sandbox, scratch[i]);
        __wasi_path_remove_directory(sandbox, scratch[i]);
    }
    __wasi_path_create_directory(sandbox, "sub");
    __wasi_path_create_directory(sandbox, "sub/empty");
    make_file(sandbox, "inside.txt", "inside\n");
    make_file(sandbox, "victim", "victim\n");
    static const char *links[][2] = {
        {"..", "up"},
        {"../outside", "out"},
        {"../outside/secret", "out_secret"},
        {"../../outside", "sub/deep"},
        {"chain2", "chain1"},
        {"out", "chain2"},
        {"loop2", "loop1"},
        {"loop1", "loop2"},
        {"self", "self"},
        {"../outside/newfile", "dangling_out"},
        {".", "dot"},
        {"sub/..", "subup"},
        {"../outside/", "trailing"},
        {"../sandbox/inside.txt", "round_trip"},
        {"sub/../../outside/secret", "sub_climb"},
        {"inside.txt", "good_link"},
        {"sub", "good_dir_link"},
        {0, 0},
    };
    for (int i = 0; links[i][0]; i++) {
        __wasi_path_unlink_file(sandbox, links[i][1]);
        __wasi_path_symlink(links[i][0], sandbox, links[i][1]);
    }
}

static void report(const char *op, const char *path, int e) {
    printf("%-14s %-32s %s\n", op, path, errname(e));
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static int open_with(const char *path, __wasi_lookupflags_t lookup, __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    int e = __wasi_path_open(sandbox, lookup, path, oflags, rights, all_rights, 0, &fd);
    if (!e) __wasi_fd_close(fd);
    return e;
}

static void probe(const char *path) {
    __wasi_filestat_t st;
    char buf[256];
    size_t used;
    reset(); report("open", path, open_with(path, FOLLOW, 0, __WASI_RIGHTS_FD_READ));
    reset(); report("open_nofollow", path, open_with(path, 0, 0, __WASI_RIGHTS_FD_READ));
    reset(); report("open_dir", path, open_with(path, FOLLOW, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR));
    reset(); report("create", path, open_with(path, FOLLOW, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE));
    reset(); report("create_excl", path, open_with(path, FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, __WASI_RIGHTS_FD_WRITE));
    reset(); report("truncate", path, open_with(path, FOLLOW, __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE));
    reset(); report("stat", path, __wasi_path_filestat_get(sandbox, FOLLOW, path, &st));
    reset(); report("lstat", path, __wasi_path_filestat_get(sandbox, 0, path, &st));
    reset(); report("utimes", path, __wasi_path_filestat_set_times(sandbox, FOLLOW, path, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    reset(); report("lutimes", path, __wasi_path_filestat_set_times(sandbox, 0, path, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    reset(); report("mkdir", path, __wasi_path_create_directory(sandbox, path));
    reset(); report("rmdir", path, __wasi_path_remove_directory(sandbox, path));
    reset(); report("unlink", path, __wasi_path_unlink_file(sandbox, path));
    reset(); report("rename_from", path, __wasi_path_rename(sandbox, path, sandbox, "moved_in"));
    reset(); report("rename_to", path, __wasi_path_rename(sandbox, "victim", sandbox, path));
    reset(); report("link_from", path, __wasi_path_link(sandbox, 0, path, sandbox, "linked_in"));
    reset(); report("link_from_fol", path, __wasi_path_link(sandbox, FOLLOW, path, sandbox, "linked_in"));
    reset(); report("link_to", path, __wasi_path_link(sandbox, 0, "victim", sandbox, path));
    reset(); report("symlink_at", path, __wasi_path_symlink("inside.txt", sandbox, path));
    reset();
    int e = __wasi_path_readlink(sandbox, path, (uint8_t *)buf, sizeof buf - 1, &used);
    if (!e) {
        buf[used] = 0;
        printf("%-14s %-32s OK %s\n", "readlink", path, buf);
    } else {
        report("readlink", path, e);
    }
}

// Everything the sandbox could have touched outside: names, types and contents, via /outside.
static void show_outside(void) {
    char buf[4096];
    size_t used;
    int e = __wasi_fd_readdir(outside, (uint8_t *)buf, sizeof buf, 0, &used);
    printf("outside readdir: %s\n", errname(e));
    // Entries are listed in the host's order: print their names sorted.
    const char *names[64];
    int count = 0;
    for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= used && count < 64;) {
        __wasi_dirent_t *d = (__wasi_dirent_t *)(buf + at);
        char *name = buf + at + sizeof *d;
        at += sizeof *d + d->d_namlen;
        if (at > used) break;
        static char copies[64][64];
        snprintf(copies[count], sizeof copies[count], "%.*s/%d", (int)d->d_namlen, name, d->d_type);
        names[count] = copies[count];
        count++;
    }
    for (int i = 0; i < count; i++)
        for (int j = i + 1; j < count; j++)
            if (strcmp(names[j], names[i]) < 0) { const char *t = names[i]; names[i] = names[j]; names[j] = t; }
    for (int i = 0; i < count; i++) printf("outside entry %s\n", names[i]);
    static const char *files[] = {"secret", "victim", "dir/file", 0};
    for (int i = 0; files[i]; i++) {
        __wasi_fd_t fd;
        char content[64] = {0};
        size_t n = 0;
        e = __wasi_path_open(outside, 0, files[i], 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
        if (!e) {
            __wasi_iovec_t iov = {(uint8_t *)content, sizeof content - 1};
            __wasi_fd_read(fd, &iov, 1, &n);
            __wasi_fd_close(fd);
        }
        printf("outside %s: %s %zu %s", files[i], errname(e), n, n ? content : "\n");
    }
}

int main(void) {
    sandbox = find_preopen("/sandbox");
    outside = find_preopen("/outside");
    printf("preopens found: %s\n", sandbox >= 0 && outside >= 0 ? "yes" : "no");
    if (sandbox < 0 || outside < 0) return 1;
    make_file(outside, "secret", "OUTSIDE SECRET\n");
    make_file(outside, "victim", "outside victim\n");
    __wasi_path_create_directory(outside, "dir");
    make_file(outside, "dir/file", "outside file\n");
    keep_host_links();

    static const char *paths[] = {
        // controls: inside, through guest links that stay inside
        "inside.txt", "sub/../inside.txt", "dot/inside.txt", "subup/inside.txt", "good_link",
        "good_dir_link/empty", "sub/empty/../../inside.txt",
        // a trailing slash: on a file, a directory, a missing name, links to each
        "inside.txt/", "sub/", "sub/empty/", "newname/", "good_link/", "good_dir_link/",
        // ".." and absolute paths
        "..", "../", "../outside", "../outside/secret", "../outside/dir/", "sub/../..",
        "sub/../../outside/secret", "./../outside", "sub/./../../outside/victim", "/", "/etc/passwd",
        "//outside", "../sandbox/inside.txt",
        // guest links leading out, as the last component and as a directory on the way
        "up", "up/", "up/outside/secret", "out", "out/", "out/secret", "out/dir/file", "out_secret",
        "sub/deep", "sub/deep/victim", "chain1", "chain1/secret", "dangling_out", "trailing",
        "trailing/secret", "round_trip", "sub_climb", "dot/../outside/secret", "subup/../outside",
        // loops
        "loop1", "loop1/x", "self",
        // host links (escapes.symlinks): absolute and deep relative
        "host_abs", "host_abs/", "host_abs_dir/passwd", "host_abs_dir", "host_abs_dir/", "host_rel",
        "host_rel_dir/x",
        0,
    };
    for (int i = 0; paths[i]; i++) probe(paths[i]);
    reset();
    show_outside();
    return 0;
}
