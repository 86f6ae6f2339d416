// The guests of the sandbox race (Engine.Tests/Wasi/SandboxRaceTests.cs), in one program.
//
// Preopen: /sandbox, which holds a real directory d with d/a/b/secret.txt. Next to the sandbox on
// the host is ../outside, which the guests must never reach; it holds a/b/secret.txt and a/b/x.
//
//   race swap MS ID      for MS milliseconds: rename d away, put the symlink evil_d -> ../outside
//                        (made by this guest) in its place, sleep 1 ms, and back, sleep 1 ms.
//   race MODE MS ID      for MS milliseconds, over and over, through P = d/a/b:
//                          read      open P/secret.txt and read it
//                          create    create P/MODE-ID-N (N counting up), then unlink it
//                          truncate  open P/secret.txt with O_TRUNC
//                          unlink    create P/x, then unlink it (outside has an x too)
//                          rename    rename P/MODE-ID to MODE-ID, named through the chain of
//                                    links c0 -> c1 -> ... -> c7 -> ".", then back
//                          link      hard-link P/secret.txt as MODE-ID (through the chain), read
//                                    the link, unlink it
//
// The swapper prints "swap: cycles N, failed renames N"; a victim "MODE: attempts N, succeeded N,
// outside N", where outside counts reads that returned the outside secret. The host checks the
// outside directory itself.
//
// Why it is built so: a sandbox that checks a path and then hands the kernel the path string has
// a window between the check of d and the kernel's use of d. The swapper sleeps in each state, so
// victims (more of them than cores) preempted inside that window resume with d swapped. The chain
// of links lengthens the second path of rename and link, which is resolved between the check of
// the first path and its use.
//
// Build (clang-14, wasi-libc; see Engine.Tests/Programs/wasi/README.md):
//   clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -c -o race.o race.c
//   clang-14 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all -o race.wasm race.o
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHAIN 8

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int swap(long long end) {
    long long cycles = 0, failed = 0;
    if (symlink("../outside", "/sandbox/evil_d") != 0 && errno != EEXIST) {
        printf("swap: symlink failed: %s\n", strerror(errno));
        return 1;
    }
    while (now_us() < end) {
        failed += rename("/sandbox/d", "/sandbox/d_real") != 0;
        failed += rename("/sandbox/evil_d", "/sandbox/d") != 0;
        usleep(1000);
        failed += rename("/sandbox/d", "/sandbox/evil_d") != 0;
        failed += rename("/sandbox/d_real", "/sandbox/d") != 0;
        usleep(1000);
        cycles++;
    }
    printf("swap: cycles %lld, failed renames %lld\n", cycles, failed);
    return 0;
}

// Paths under d/a/b: secret.txt, x, and this victim's own name MODE-ID (several victims share the
// sandbox); mine is that name in the sandbox itself, chained the same name through the chain.
static char secret[64], x[64], inside[64], mine[64], chained[64];

static void make_chain(void) {
    char name[32], target[32];
    for (int i = 0; i < CHAIN; i++) {
        snprintf(name, sizeof name, "/sandbox/c%d", i);
        if (i == CHAIN - 1) snprintf(target, sizeof target, ".");
        else snprintf(target, sizeof target, "c%d", i + 1);
        symlink(target, name);
    }
}

// Opens and reads path: -1 if it cannot be opened, 1 if it holds the outside secret, else 0.
static int read_secret(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    char buffer[64] = {0};
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    return n > 0 && !strncmp(buffer, "OUTSIDE", 7);
}

static int attempt(const char *mode, long long end, long long *outside) {
    if (!strcmp(mode, "read")) {
        int result = read_secret(secret);
        if (result < 0) return 0;
        *outside += result;
        return 1;
    }
    if (!strcmp(mode, "create")) {
        // A new name each time, so that it is missing inside and outside alike.
        static long long serial;
        char name[96];
        snprintf(name, sizeof name, "%s-%lld", inside, serial++);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) return 0;
        close(fd);
        unlink(name);
        return 1;
    }
    if (!strcmp(mode, "truncate")) {
        int fd = open(secret, O_WRONLY | O_TRUNC);
        if (fd < 0) return 0;
        close(fd);
        return 1;
    }
    if (!strcmp(mode, "unlink")) {
        int fd = open(x, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) close(fd);
        return unlink(x) == 0;
    }
    if (!strcmp(mode, "rename")) {
        if (rename(inside, chained) != 0) return 0;
        // Back, once d is back (a sandbox that holds only ever moves the inside file).
        while (rename(mine, inside) != 0 && now_us() < end) {
        }
        return 1;
    }
    if (!strcmp(mode, "link")) {
        if (link(secret, chained) != 0) return 0;
        *outside += read_secret(mine) == 1;
        unlink(mine);
        return 1;
    }
    printf("unknown mode %s\n", mode);
    exit(2);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        printf("usage: race swap|read|create|truncate|unlink|rename|link MS ID\n");
        return 2;
    }
    const char *mode = argv[1], *id = argv[3];
    long long end = now_us() + atoll(argv[2]) * 1000;
    if (!strcmp(mode, "swap")) return swap(end);
    snprintf(secret, sizeof secret, "/sandbox/d/a/b/secret.txt");
    snprintf(x, sizeof x, "/sandbox/d/a/b/x");
    snprintf(inside, sizeof inside, "/sandbox/d/a/b/%s-%s", mode, id);
    snprintf(mine, sizeof mine, "/sandbox/%s-%s", mode, id);
    snprintf(chained, sizeof chained, "/sandbox/c0/%s-%s", mode, id);
    make_chain();
    long long attempts = 0, succeeded = 0, outside = 0;
    while (now_us() < end) {
        succeeded += attempt(mode, end, &outside);
        attempts++;
    }
    printf("%s: attempts %lld, succeeded %lld, outside %lld\n", mode, attempts, succeeded, outside);
    return 0;
}
