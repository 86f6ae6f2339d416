// Opens /d/f again and again until it fails, then reports how many opened and why it stopped,
// and goes on writing to stdout; with the argument "trap", it traps instead of writing on.
// Used by Engine.Tests/Wasi/DescriptorLimitTests.cs. Preopen: /d (holding a file f).
//
// Build (clang-14, wasi-libc; see Engine.Tests/Programs/wasi/README.md):
//   clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -c -o openmany.o openmany.c
//   clang-14 --target=wasm32-wasi --sysroot=/usr -Wl,--strip-all -o openmany.wasm openmany.o
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int opened = 0;
    while (open("/d/f", O_RDONLY) >= 0) opened++;
    int error = errno;
    printf("opened %d, then %s\n", opened, error == EMFILE ? "EMFILE" : error == ENFILE ? "ENFILE" : strerror(error));
    fflush(stdout);
    if (argc > 1 && !strcmp(argv[1], "trap")) __builtin_trap();
    printf("still writing\n");
    return 0;
}
