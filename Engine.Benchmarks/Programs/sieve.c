// Sieve of Eratosthenes + prefix-sum pass over a large array in linear memory.
// export: run(n) -> i64 ; n = upper bound (<= 16,000,000).
// Result = (number of primes <= n) * 2^32 + (low 32 bits of the sum of the
// prefix-count array), i.e. an integer-loop heavy checksum.
#define MAXN 16000001
static unsigned char composite[MAXN];
static unsigned int prefix[MAXN];

__attribute__((export_name("run"))) long long run(int n) {
    if (n < 2) return 0;
    if (n >= MAXN) n = MAXN - 1;
    for (int i = 0; i <= n; i++) composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (int i = 2; (long long)i * i <= n; i++)
        if (!composite[i])
            for (int j = i * i; j <= n; j += i) composite[j] = 1;
    unsigned int count = 0, sum = 0;
    for (int i = 0; i <= n; i++) {
        count += !composite[i];
        prefix[i] = count;
    }
    for (int i = 0; i <= n; i++) sum += prefix[i] * (unsigned)(i | 1);
    return ((long long)count << 32) | sum;
}
