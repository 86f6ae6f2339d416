// main returns 7: wasi-libc's _start passes it to proc_exit(7).
#include <stdio.h>
int main(void) {
    printf("returning 7 from main\n");
    return 7;
}
