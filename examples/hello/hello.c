// A friendly WASI program for trying out the runtime:
//   prints a greeting, its arguments, a few environment facts, and computes something small.
#include <stdio.h>
#include <stdlib.h>

static unsigned long long fib(int n) {
    unsigned long long a = 0, b = 1;
    for (int i = 0; i < n; i++) { unsigned long long t = a + b; a = b; b = t; }
    return a;
}

int main(int argc, char **argv) {
    const char *who = argc > 1 ? argv[1] : "world";
    printf("Hello, %s! This is WebAssembly running on .NET.\n", who);
    printf("I was started with %d argument%s:\n", argc, argc == 1 ? "" : "s");
    for (int i = 0; i < argc; i++) printf("  argv[%d] = \"%s\"\n", i, argv[i]);
    const char *user = getenv("USER");
    if (user) printf("USER is set to \"%s\".\n", user);
    printf("The first 10 Fibonacci numbers:");
    for (int i = 1; i <= 10; i++) printf(" %llu", fib(i));
    printf("\nfib(90) = %llu\n", fib(90));
    int primes = 0;
    for (int n = 2; n < 10000; n++) {
        int p = 1;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { p = 0; break; }
        primes += p;
    }
    printf("There are %d primes below 10000.\n", primes);
    printf("Goodbye!\n");
    return 0;
}
