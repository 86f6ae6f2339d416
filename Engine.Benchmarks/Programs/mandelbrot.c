// Mandelbrot set: f64 arithmetic in a tight loop.
// export: run(n) -> i32 ; renders an n x n grid over [-2,1]x[-1.5,1.5] with at most
// 255 iterations per pixel; result = sum over pixels of (iterations * (pixel index | 1)) mod 2^32.
__attribute__((export_name("run"))) unsigned run(int n) {
    unsigned sum = 0;
    for (int py = 0; py < n; py++) {
        double ci = -1.5 + 3.0 * py / n;
        for (int px = 0; px < n; px++) {
            double cr = -2.0 + 3.0 * px / n;
            double zr = 0, zi = 0;
            int it = 0;
            while (it < 255 && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                it++;
            }
            sum += (unsigned)it * (unsigned)((py * n + px) | 1);
        }
    }
    return sum;
}
