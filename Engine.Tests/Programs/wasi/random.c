// getentropy: fills buffers, not all zero, two draws differ, byte values spread out.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    unsigned char a[256], b[256];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) { printf("getentropy: error\n"); return 1; }
    int nz = 0, distinct = 0;
    int seen[256] = {0};
    for (int i = 0; i < 256; i++) { nz += a[i] != 0; if (!seen[a[i]]++) distinct++; }
    printf("getentropy: ok\n");
    printf("not all zero: %s\n", nz > 0 ? "ok" : "bad");
    printf("draws differ: %s\n", memcmp(a, b, sizeof a) != 0 ? "ok" : "bad");
    printf("spread: %s\n", distinct > 64 ? "ok" : "bad");
    // getentropy rejects requests over 256 bytes (POSIX/wasi-libc behaviour)
    unsigned char big[300];
    printf("oversize rejected: %s\n", getentropy(big, sizeof big) != 0 ? "ok" : "bad");
    return 0;
}
