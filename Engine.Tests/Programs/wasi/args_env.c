// Prints argv, selected environment variables, and the full environment sorted.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern char **environ;
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    const char *names[] = {"GREETING", "EMPTY", "WITH_EQUALS", "UNICODE", "MISSING"};
    for (int i = 0; i < 5; i++) {
        const char *v = getenv(names[i]);
        if (v) printf("getenv(%s)=[%s]\n", names[i], v);
        else printf("getenv(%s)=(null)\n", names[i]);
    }
    int n = 0;
    while (environ[n]) n++;
    char **copy = malloc(sizeof(char *) * (n + 1));
    for (int i = 0; i < n; i++) copy[i] = environ[i];
    qsort(copy, n, sizeof(char *), cmp);
    printf("environ count=%d\n", n);
    for (int i = 0; i < n; i++) printf("env: %s\n", copy[i]);
    return 0;
}
