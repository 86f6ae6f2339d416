// Prints a line, flushes it, then executes `unreachable`. The run must end in a trap
// (not a normal exit): stdout holds only the first line. wasmtime reports a wasm trap.
#include <stdio.h>
int main(void) {
    printf("before trap\n");
    fflush(stdout);
    __builtin_trap();
    printf("after trap\n");
    return 0;
}
