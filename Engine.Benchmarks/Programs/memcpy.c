// Memory copying: explicit byte loops and bulk copies (__builtin_memcpy and
// __builtin_memmove lower to memory.copy with -mbulk-memory, __builtin_memset
// to memory.fill).
// export: run(n) -> i32 ; n = number of rounds over a 1 MiB buffer.
#define SIZE (1 << 20)
static unsigned char src[SIZE];
static unsigned char dst[SIZE];

// Byte-at-a-time copy with a tweak so clang cannot turn it into memory.copy.
__attribute__((noinline)) static void byte_copy(unsigned char *d, const unsigned char *s, int len, unsigned char k) {
    for (int i = 0; i < len; i++) d[i] = (unsigned char)(s[i] + k);
}

__attribute__((export_name("run"))) unsigned run(int n) {
    for (int i = 0; i < SIZE; i++) src[i] = (unsigned char)(i * 131u + (i >> 8));
    __builtin_memset(dst, 0, SIZE);
    unsigned h = 2166136261u;
    for (int r = 0; r < n; r++) {
        // 1) byte loop over the whole buffer
        byte_copy(dst, src, SIZE, (unsigned char)r);
        // 2) bulk copies of varying sizes and (mis)alignments
        for (int off = 0; off + 4096 + 8 <= SIZE / 2; off += 4093) {
            int len = 1 + ((off * 7 + r) & 4095);
            __builtin_memcpy(dst + off + (r & 7), src + SIZE / 2 + off, (unsigned)len);
        }
        // 3) overlapping move
        __builtin_memmove(dst + 1 + (r & 15), dst, SIZE / 2);
        // 4) fold a few bytes into the hash
        for (int i = r & 63; i < SIZE; i += 4099) h = (h ^ dst[i]) * 16777619u;
        // 5) copy back so the next round sees changed data
        __builtin_memcpy(src, dst, SIZE / 4);
    }
    for (int i = 0; i < SIZE; i += 64) h = (h ^ dst[i] ^ src[i + 1]) * 16777619u;
    return h;
}
