// SIMD kernels with wasm_simd128.h intrinsics: i32x4 multiply-accumulate,
// f32x4 saxpy, and i8x16 / i16x8 lane operations over arrays in linear memory.
// export: run(n) -> i64 ; n = number of passes over 16384-element arrays.
#include <wasm_simd128.h>

#define LEN 16384
static int ia[LEN], ib[LEN];
static float fx[LEN], fy[LEN];
static unsigned char bytes[LEN];

__attribute__((export_name("run"))) long long run(int n) {
    for (int i = 0; i < LEN; i++) {
        ia[i] = (i * 37) % 1001 - 500;
        ib[i] = (i * 91) % 777 - 388;
        fx[i] = (float)((i % 100) - 50) * 0.25f;
        fy[i] = (float)((i % 33) - 16) * 0.5f;
        bytes[i] = (unsigned char)(i * 13);
    }
    long long total = 0;
    for (int r = 0; r < n; r++) {
        // i32x4 dot product
        v128_t acc = wasm_i32x4_splat(0);
        for (int i = 0; i < LEN; i += 4) {
            v128_t a = wasm_v128_load(&ia[i]);
            v128_t b = wasm_v128_load(&ib[i]);
            acc = wasm_i32x4_add(acc, wasm_i32x4_mul(a, b));
        }
        int dot = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
                  wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
        // f32x4 saxpy: y = a*x + y, then clamp to keep values bounded (all values exact in f32)
        v128_t alpha = wasm_f32x4_splat((float)((r & 3) - 1));
        v128_t lo = wasm_f32x4_splat(-1000.0f), hi = wasm_f32x4_splat(1000.0f);
        for (int i = 0; i < LEN; i += 4) {
            v128_t x = wasm_v128_load(&fx[i]);
            v128_t y = wasm_v128_load(&fy[i]);
            y = wasm_f32x4_add(wasm_f32x4_mul(alpha, x), y);
            y = wasm_f32x4_pmin(wasm_f32x4_pmax(y, lo), hi);
            wasm_v128_store(&fy[i], y);
        }
        // i8x16 saturating add + shuffle, i16x8 widening sum
        v128_t bsum = wasm_i16x8_splat(0);
        v128_t inc = wasm_i8x16_splat((signed char)(r & 7));
        for (int i = 0; i < LEN; i += 16) {
            v128_t v = wasm_v128_load(&bytes[i]);
            v = wasm_u8x16_add_sat(v, inc);
            v = wasm_i8x16_shuffle(v, v, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
            v = wasm_v128_xor(v, wasm_i8x16_splat(0x5a));
            wasm_v128_store(&bytes[i], v);
            bsum = wasm_i16x8_add(bsum, wasm_u16x8_extend_low_u8x16(v));
            bsum = wasm_i16x8_add(bsum, wasm_u16x8_extend_high_u8x16(v));
        }
        int bs = 0;
        bs += wasm_u16x8_extract_lane(bsum, 0) + wasm_u16x8_extract_lane(bsum, 1);
        bs += wasm_u16x8_extract_lane(bsum, 2) + wasm_u16x8_extract_lane(bsum, 3);
        bs += wasm_u16x8_extract_lane(bsum, 4) + wasm_u16x8_extract_lane(bsum, 5);
        bs += wasm_u16x8_extract_lane(bsum, 6) + wasm_u16x8_extract_lane(bsum, 7);
        total = total * 31 + dot + bs;
        // rotate ia to change the next pass
        int t0 = ia[0];
        for (int i = 0; i < LEN - 1; i++) ia[i] = ia[i + 1];
        ia[LEN - 1] = t0;
    }
    v128_t fs = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < LEN; i += 4) fs = wasm_f32x4_add(fs, wasm_v128_load(&fy[i]));
    float f = wasm_f32x4_extract_lane(fs, 0) + wasm_f32x4_extract_lane(fs, 1) +
              wasm_f32x4_extract_lane(fs, 2) + wasm_f32x4_extract_lane(fs, 3);
    return total ^ (long long)f;
}
