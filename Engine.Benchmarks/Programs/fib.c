// Naive recursive Fibonacci: call-heavy benchmark.
// export: run(n) -> i32 = fib(n)
__attribute__((noinline)) static int fib(int n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

__attribute__((export_name("run"))) int run(int n) { return fib(n); }
