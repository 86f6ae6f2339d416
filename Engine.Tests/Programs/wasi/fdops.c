// Raw WASI preview1 calls (no libc wrappers) on the preopened /sandbox (empty, writable).
// WASI errno numbers are printed as numbers (they are fixed by the spec: 8 = badf,
// 28 = inval, 54 = notdir, 44 = noent, 20 = exist ...).
// Note: wasmtime traps (rather than returning EINVAL) on an invalid enum value such as
// clock id 99, so that case is deliberately not tested here.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define ALL_RIGHTS ((__wasi_rights_t)0x1FFFFFFF)

static int find_preopen(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        char buf[256];
        size_t len = ps.u.dir.pr_name_len;
        if (len >= sizeof buf || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
        buf[len] = 0;
        if (!strcmp(buf, name)) return fd;
    }
    return -1;
}

static __wasi_fd_t open_file(int dir, const char *path, __wasi_oflags_t of, __wasi_errno_t *err) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    *err = __wasi_path_open(dir, 0, path, of, ALL_RIGHTS, ALL_RIGHTS, 0, &fd);
    return fd;
}

// Writes/reads a whole iovec array, continuing after short transfers (an engine may
// transfer fewer bytes than requested, e.g. only the first non-empty buffer).
static __wasi_errno_t write_all(__wasi_fd_t fd, __wasi_ciovec_t *iov, int n, size_t *total, int *calls) {
    *total = 0; *calls = 0;
    while (n > 0) {
        __wasi_size_t done = 0;
        __wasi_errno_t e = __wasi_fd_write(fd, iov, (size_t)n, &done);
        (*calls)++;
        if (e) return e;
        *total += done;
        while (n > 0 && done >= iov->buf_len) { done -= iov->buf_len; iov++; n--; }
        if (n > 0) { iov->buf += done; iov->buf_len -= done; }
        if (*calls > 100) return 255;
    }
    return 0;
}
static __wasi_errno_t read_all(__wasi_fd_t fd, __wasi_iovec_t *iov, int n, size_t *total) {
    *total = 0;
    for (int calls = 0; n > 0 && calls < 100; calls++) {
        __wasi_size_t done = 0;
        __wasi_errno_t e = __wasi_fd_read(fd, iov, (size_t)n, &done);
        if (e) return e;
        if (done == 0) break; // EOF
        *total += done;
        while (n > 0 && done >= iov->buf_len) { done -= iov->buf_len; iov++; n--; }
        if (n > 0) { iov->buf += done; iov->buf_len -= done; }
    }
    return 0;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    __wasi_errno_t e;
    __wasi_size_t argc = 0, argbuf = 0, envc = 0, envbuf = 0;
    e = __wasi_args_sizes_get(&argc, &argbuf);
    printf("args_sizes_get: errno=%d argc=%lu bufsize=%lu\n", e, (unsigned long)argc, (unsigned long)argbuf);
    e = __wasi_environ_sizes_get(&envc, &envbuf);
    printf("environ_sizes_get: errno=%d count=%lu bufsize=%lu\n", e, (unsigned long)envc, (unsigned long)envbuf);

    int pre = find_preopen("/sandbox");
    printf("preopen found: %s\n", pre >= 0 ? "yes" : "no");
    if (pre < 0) return 1;
    __wasi_fdstat_t fs;
    e = __wasi_fd_fdstat_get(pre, &fs);
    printf("fdstat(preopen): errno=%d filetype=%d (3=directory)\n", e, fs.fs_filetype);

    e = __wasi_path_create_directory(pre, "dir1");
    printf("path_create_directory dir1: errno=%d\n", e);
    e = __wasi_path_create_directory(pre, "dir1");
    printf("path_create_directory dir1 again: errno=%d\n", e);

    __wasi_fd_t f = open_file(pre, "dir1/f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, &e);
    printf("path_open create dir1/f: errno=%d\n", e);
    e = __wasi_fd_fdstat_get(f, &fs);
    printf("fdstat(file): errno=%d filetype=%d (4=regular)\n", e, fs.fs_filetype);

    // gathered write with an empty iovec in the middle
    __wasi_ciovec_t wv[3] = {{(const uint8_t *)"abc", 3}, {(const uint8_t *)"", 0}, {(const uint8_t *)"defg", 4}};
    size_t total = 0;
    int wcalls = 0;
    e = write_all(f, wv, 3, &total, &wcalls);
    printf("fd_write 3 iovecs (looping on short writes): errno=%d total=%lu\n", e, (unsigned long)total);
    __wasi_size_t nw = 0;
    __wasi_filesize_t pos = 99;
    e = __wasi_fd_tell(f, &pos);
    printf("fd_tell: errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos);
    printf("fd_seek SET 0: errno=%d pos=%llu\n", e, (unsigned long long)pos);

    // scattered read
    uint8_t b1[3], b2[10];
    memset(b2, '.', sizeof b2);
    __wasi_iovec_t rv[2] = {{b1, 3}, {b2, 10}};
    __wasi_size_t nr = 0;
    e = read_all(f, rv, 2, &total);
    printf("fd_read 2 iovecs (looping on short reads): errno=%d total=%lu first=%.3s second=%.5s\n", e, (unsigned long)total, b1, b2);
    __wasi_iovec_t rv2 = {b2, sizeof b2};
    e = __wasi_fd_read(f, &rv2, 1, &nr);
    printf("fd_read at EOF: errno=%d nread=%lu\n", e, (unsigned long)nr);

    __wasi_filestat_t st;
    e = __wasi_fd_filestat_get(f, &st);
    printf("fd_filestat_get: errno=%d filetype=%d size=%llu nlink=%llu\n", e, st.filetype, (unsigned long long)st.size, (unsigned long long)st.nlink);
    e = __wasi_fd_filestat_set_size(f, 3);
    __wasi_fd_filestat_get(f, &st);
    printf("fd_filestat_set_size 3: errno=%d size=%llu\n", e, (unsigned long long)st.size);
    __wasi_ciovec_t pw = {(const uint8_t *)"XYZ", 3};
    e = __wasi_fd_pwrite(f, &pw, 1, 10, &nw);
    __wasi_fd_filestat_get(f, &st);
    printf("fd_pwrite at 10: errno=%d nwritten=%lu size=%llu\n", e, (unsigned long)nw, (unsigned long long)st.size);
    uint8_t pb[16];
    memset(pb, '#', sizeof pb);
    __wasi_iovec_t pv = {pb, sizeof pb};
    e = __wasi_fd_pread(f, &pv, 1, 0, &nr);
    printf("fd_pread at 0: errno=%d nread=%lu bytes=", e, (unsigned long)nr);
    for (unsigned i = 0; i < nr; i++) printf(pb[i] ? "%c" : "\\0", pb[i]);
    printf("\n");
    e = __wasi_fd_sync(f);
    printf("fd_sync: errno=%d\n", e);
    e = __wasi_fd_datasync(f);
    printf("fd_datasync: errno=%d\n", e);
    e = __wasi_fd_filestat_set_times(f, 1111111111000000000ull, 1222222222000000000ull,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
    __wasi_fd_filestat_get(f, &st);
    printf("fd_filestat_set_times: errno=%d atim=%llu mtim=%llu\n", e, (unsigned long long)st.atim, (unsigned long long)st.mtim);

    // path_filestat_get
    e = __wasi_path_filestat_get(pre, 0, "dir1", &st);
    printf("path_filestat_get dir1: errno=%d filetype=%d\n", e, st.filetype);
    e = __wasi_path_filestat_get(pre, 0, "dir1/f", &st);
    printf("path_filestat_get dir1/f: errno=%d filetype=%d size=%llu\n", e, st.filetype, (unsigned long long)st.size);
    e = __wasi_path_filestat_get(pre, 0, "dir1/missing", &st);
    printf("path_filestat_get missing: errno=%d\n", e);

    // path_open with oflags DIRECTORY on a regular file, and EXCL on an existing one
    __wasi_fd_t g = open_file(pre, "dir1/f", __WASI_OFLAGS_DIRECTORY, &e);
    printf("path_open DIRECTORY on file: errno=%d\n", e);
    g = open_file(pre, "dir1/f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &e);
    printf("path_open CREAT|EXCL existing: errno=%d\n", e);

    // fd_renumber: g (another file) replaced by f
    g = open_file(pre, "dir1/g", __WASI_OFLAGS_CREAT, &e);
    printf("path_open create dir1/g: errno=%d\n", e);
    e = __wasi_fd_renumber(f, g);
    printf("fd_renumber f -> g: errno=%d\n", e);
    e = __wasi_fd_filestat_get(g, &st);
    printf("fstat(g) after renumber: errno=%d size=%llu\n", e, (unsigned long long)st.size);
    e = __wasi_fd_filestat_get(f, &st);
    printf("fstat(old f) after renumber: errno=%d\n", e);
    e = __wasi_fd_close(g);
    printf("fd_close g: errno=%d\n", e);
    e = __wasi_fd_close(g);
    printf("fd_close g again: errno=%d\n", e);

    // fd_readdir paging with a small buffer and cookies
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "dir1/entry_%02d_%s", (i * 7) % 12, i % 2 ? "odd" : "even");
        __wasi_fd_t t = open_file(pre, name, __WASI_OFLAGS_CREAT, &e);
        if (e == 0) __wasi_fd_close(t);
    }
    // (requesting FD_WRITE on a directory fails with EISDIR in wasmtime, so ask for read rights only)
    __wasi_fd_t d = (__wasi_fd_t)-1;
    e = __wasi_path_open(pre, 0, "dir1", __WASI_OFLAGS_DIRECTORY,
                         __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &d);
    printf("path_open dir1 DIRECTORY: errno=%d\n", e);
    char *names[64];
    int count = 0, calls = 0;
    __wasi_dircookie_t cookie = 0;
    uint8_t buf[96];
    for (;;) {
        __wasi_size_t used = 0;
        e = __wasi_fd_readdir(d, buf, sizeof buf, cookie, &used);
        calls++;
        if (e != 0 || calls > 200) { printf("fd_readdir: errno=%d\n", e); break; }
        size_t off = 0;
        int progressed = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t ent;
            memcpy(&ent, buf + off, sizeof ent);
            if (off + sizeof ent + ent.d_namlen > used) break; // truncated name: re-read from this cookie
            char *nm = malloc(ent.d_namlen + 1);
            memcpy(nm, buf + off + sizeof ent, ent.d_namlen);
            nm[ent.d_namlen] = 0;
            if (strcmp(nm, ".") && strcmp(nm, "..") && count < 64) names[count++] = nm; else free(nm);
            cookie = ent.d_next;
            off += sizeof ent + ent.d_namlen;
            progressed = 1;
        }
        if (used < sizeof buf) break; // end of directory
        if (!progressed) { printf("fd_readdir: buffer too small\n"); break; }
    }
    qsort(names, count, sizeof(char *), cmpstr);
    printf("fd_readdir: %d entries (excluding . and ..), multiple calls: %s\n", count, calls > 1 ? "yes" : "no");
    for (int i = 0; i < count; i++) printf("  %s\n", names[i]);
    __wasi_fd_close(d);

    // bad descriptors and clocks
    e = __wasi_fd_close(1000);
    printf("fd_close(1000): errno=%d\n", e);
    uint8_t rb[1];
    e = __wasi_random_get(rb, 0);
    printf("random_get 0 bytes: errno=%d\n", e);

    // cleanup
    for (int i = 0; i < count; i++) {
        char p[80];
        snprintf(p, sizeof p, "dir1/%s", names[i]);
        if (__wasi_path_unlink_file(pre, p) != 0) printf("unlink %s failed\n", p);
    }
    e = __wasi_path_remove_directory(pre, "dir1");
    printf("path_remove_directory dir1: errno=%d\n", e);
    printf("done\n");
    return 0;
}
