// Prints a line, flushes, and exits with status 3 via exit() (proc_exit).
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    printf("about to exit with 3\n");
    exit(3);
    printf("not reached\n");
    return 0;
}
