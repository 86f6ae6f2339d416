// Dense f64 matrix multiply C = A * B, n x n (n <= 640), naive i-k-j order.
// export: run(n) -> i64 ; result = sum of all C entries (exact: entries are small integers).
#define MAXN 640
static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

__attribute__((export_name("run"))) long long run(int n) {
    if (n > MAXN) n = MAXN;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            A[i * n + j] = (double)((i * 7 + j * 3) % 17) - 8.0;
            B[i * n + j] = (double)((i * 5 + j * 11) % 13) - 6.0;
            C[i * n + j] = 0.0;
        }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double a = A[i * n + k];
            for (int j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
        }
    long long sum = 0;
    for (int i = 0; i < n * n; i++) sum += (long long)C[i] * ((i % 7) + 1);
    return sum;
}
