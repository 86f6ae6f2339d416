// File I/O inside the preopened directory /sandbox (must start empty, writable).
// Prints deterministic results; leaves the sandbox containing exactly: keep.txt
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include "errname.h"

#define CHECK(label, expr) do { errno = 0; int _r = (expr); printf("%s: %s\n", label, _r < 0 ? errname(errno) : "OK"); } while (0)

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) { printf("opendir %s: %s\n", dir, errname(errno)); return; }
    char *names[64]; int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        const char *t = e->d_type == DT_DIR ? "dir" : e->d_type == DT_REG ? "file" : e->d_type == DT_LNK ? "symlink" : "other";
        char *s = malloc(strlen(e->d_name) + 16);
        sprintf(s, "%s (%s)", e->d_name, t);
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmpstr);
    printf("list %s: %d entries\n", dir, n);
    for (int i = 0; i < n; i++) { printf("  %s\n", names[i]); free(names[i]); }
}

int main(void) {
    char buf[256];
    struct stat st;

    list("/sandbox");
    CHECK("mkdir /sandbox/d", mkdir("/sandbox/d", 0755));
    CHECK("mkdir /sandbox/d again", mkdir("/sandbox/d", 0755));

    // create + write
    int fd = open("/sandbox/d/a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("open create: %s\n", fd >= 0 ? "OK" : errname(errno));
    ssize_t w = write(fd, "hello world\n", 12);
    printf("write: %zd\n", w);
    fstat(fd, &st);
    printf("fstat size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    // seek / tell / read back
    printf("lseek SET 0 -> %lld\n", (long long)lseek(fd, 0, SEEK_SET));
    ssize_t r = read(fd, buf, sizeof buf);
    buf[r > 0 ? r : 0] = 0;
    printf("read %zd: %s", r, buf);
    printf("read at EOF: %zd\n", read(fd, buf, sizeof buf));
    printf("lseek END -6 -> %lld\n", (long long)lseek(fd, -6, SEEK_END));
    printf("tell -> %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    r = read(fd, buf, 5); buf[r] = 0;
    printf("read 5: %s\n", buf);
    printf("lseek CUR -3 -> %lld\n", (long long)lseek(fd, -3, SEEK_CUR));
    errno = 0;
    printf("lseek SET -1 -> %lld %s\n", (long long)lseek(fd, -1, SEEK_SET), errname(errno));

    // pwrite / pread do not move the offset
    off_t before = lseek(fd, 0, SEEK_CUR);
    printf("pwrite: %zd\n", pwrite(fd, "WORLD", 5, 6));
    memset(buf, 0, sizeof buf);
    printf("pread: %zd\n", pread(fd, buf, 64, 0));
    printf("content: %s", buf);
    printf("offset unchanged: %s\n", lseek(fd, 0, SEEK_CUR) == before ? "yes" : "no");

    // write past EOF creates a hole of zeros
    printf("pwrite at 20: %zd\n", pwrite(fd, "Z", 1, 20));
    fstat(fd, &st);
    printf("size after hole: %lld\n", (long long)st.st_size);
    memset(buf, 'x', sizeof buf);
    r = pread(fd, buf, 32, 12);
    int zeros = 0; for (int i = 0; i < 8; i++) zeros += buf[i] == 0;
    printf("pread hole: %zd bytes, zeros=%d last=%c\n", r, zeros, buf[8]);

    // truncate
    CHECK("ftruncate 5", ftruncate(fd, 5));
    fstat(fd, &st);
    printf("size after ftruncate: %lld\n", (long long)st.st_size);
    close(fd);
    CHECK("truncate 3", truncate("/sandbox/d/a.txt", 3));
    stat("/sandbox/d/a.txt", &st);
    printf("size after truncate: %lld\n", (long long)st.st_size);

    // append
    fd = open("/sandbox/d/a.txt", O_WRONLY | O_APPEND);
    write(fd, "++", 2);
    lseek(fd, 0, SEEK_SET);
    write(fd, "--", 2);
    close(fd);
    fd = open("/sandbox/d/a.txt", O_RDONLY);
    r = read(fd, buf, sizeof buf); buf[r] = 0;
    printf("after append: %s\n", buf);
    errno = 0;
    printf("write to read-only fd: %zd %s\n", write(fd, "x", 1), errname(errno));
    close(fd);

    // O_EXCL, missing files, directories
    errno = 0; fd = open("/sandbox/d/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644);
    printf("open O_EXCL existing: %s\n", fd >= 0 ? "OK" : errname(errno));
    errno = 0; fd = open("/sandbox/d/missing.txt", O_RDONLY);
    printf("open missing: %s\n", fd >= 0 ? "OK" : errname(errno));
    errno = 0; fd = open("/sandbox/d/a.txt/x", O_RDONLY);
    printf("open through file: %s\n", fd >= 0 ? "OK" : errname(errno));
    errno = 0; fd = open("/sandbox/d", O_WRONLY);
    printf("open dir for write: %s\n", fd >= 0 ? "OK" : errname(errno));
    stat("/sandbox/d", &st);
    printf("stat dir: isdir=%d\n", S_ISDIR(st.st_mode));

    // rename
    CHECK("rename a.txt -> b.txt", rename("/sandbox/d/a.txt", "/sandbox/d/b.txt"));
    CHECK("stat a.txt", stat("/sandbox/d/a.txt", &st));
    CHECK("stat b.txt", stat("/sandbox/d/b.txt", &st));
    printf("b.txt size: %lld\n", (long long)st.st_size);

    // more files, sorted listing
    const char *files[] = {"/sandbox/d/zeta", "/sandbox/d/alpha", "/sandbox/d/Mid", "/sandbox/d/beta.bin"};
    for (int i = 0; i < 4; i++) { fd = open(files[i], O_CREAT | O_WRONLY, 0644); write(fd, files[i], strlen(files[i])); close(fd); }
    CHECK("mkdir d/sub", mkdir("/sandbox/d/sub", 0755));
    list("/sandbox/d");

    // a bigger file: 100000 bytes written in chunks, read back with checksum
    fd = open("/sandbox/d/big.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    unsigned char chunk[1000];
    for (int c = 0; c < 100; c++) {
        for (int i = 0; i < 1000; i++) chunk[i] = (unsigned char)((c * 1000 + i) * 7);
        write(fd, chunk, sizeof chunk);
    }
    lseek(fd, 0, SEEK_SET);
    unsigned sum = 0; long total = 0;
    while ((r = read(fd, chunk, 777)) > 0) { for (int i = 0; i < r; i++) sum = sum * 31 + chunk[i]; total += r; }
    printf("big.bin: read %ld bytes checksum %u\n", total, sum);
    close(fd);

    // symlinks
    CHECK("symlink b.txt <- d/link", symlink("b.txt", "/sandbox/d/link"));
    memset(buf, 0, sizeof buf);
    ssize_t rl = readlink("/sandbox/d/link", buf, sizeof buf);
    printf("readlink: %zd %s\n", rl, rl > 0 ? buf : errname(errno));
    lstat("/sandbox/d/link", &st);
    printf("lstat link: islnk=%d\n", S_ISLNK(st.st_mode));
    stat("/sandbox/d/link", &st);
    printf("stat via link: isreg=%d size=%lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
    fd = open("/sandbox/d/link", O_RDONLY);
    r = read(fd, buf, sizeof buf); buf[r > 0 ? r : 0] = 0;
    printf("read via link: %s\n", buf);
    close(fd);
    errno = 0;
    printf("readlink on regular file: %zd %s\n", readlink("/sandbox/d/b.txt", buf, sizeof buf), errname(errno));
    CHECK("symlink dangling", symlink("nowhere", "/sandbox/d/dangling"));
    errno = 0; fd = open("/sandbox/d/dangling", O_RDONLY);
    printf("open dangling: %s\n", fd >= 0 ? "OK" : errname(errno));
    errno = 0; fd = open("/sandbox/d/link", O_RDONLY | O_NOFOLLOW);
    printf("open link O_NOFOLLOW: %s\n", fd >= 0 ? "OK" : "error");

    // timestamps
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 0}};
    CHECK("utimensat", utimensat(AT_FDCWD, "/sandbox/d/b.txt", times, 0));
    stat("/sandbox/d/b.txt", &st);
    printf("atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);

    // rmdir / unlink
    CHECK("rmdir non-empty d", rmdir("/sandbox/d"));
    CHECK("unlink dir d/sub", unlink("/sandbox/d/sub"));
    CHECK("rmdir d/sub", rmdir("/sandbox/d/sub"));
    CHECK("rmdir file b.txt", rmdir("/sandbox/d/b.txt"));
    CHECK("unlink missing", unlink("/sandbox/d/nope"));
    CHECK("rename b.txt -> /sandbox/keep.txt", rename("/sandbox/d/b.txt", "/sandbox/keep.txt"));
    const char *rm[] = {"zeta", "alpha", "Mid", "beta.bin", "big.bin", "link", "dangling"};
    for (int i = 0; i < 7; i++) {
        char p[64]; sprintf(p, "/sandbox/d/%s", rm[i]);
        char label[80]; sprintf(label, "unlink d/%s", rm[i]);
        CHECK(label, unlink(p));
    }
    list("/sandbox/d");
    CHECK("rmdir d", rmdir("/sandbox/d"));
    list("/sandbox");
    printf("done\n");
    return 0;
}
