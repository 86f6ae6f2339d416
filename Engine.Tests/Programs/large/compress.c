// compress: a small LZ77 + canonical-Huffman compressor and decompressor.
// Generates a deterministic pseudo-text input, compresses it in 64 KiB blocks,
// decompresses it again, verifies the round trip and prints sizes and checksums.
// Usage: compress [size_bytes [seed]]   (defaults: 1000000 12345)
// The output must be identical natively and under any conforming wasm engine.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 32768
#define MIN_MATCH 3
#define MAX_MATCH 258
#define HASH_BITS 15
#define HASH_SIZE (1 << HASH_BITS)
#define MAX_CHAIN 64
#define BLOCK 65536
#define NLIT 513 /* 0..255 literals, 256 end of block, 257..512 match length 3..258 */
#define NDIST 16 /* distance code = bit length of (dist-1) 0..15, then that many extra bits */
#define MAXBITS 15

static uint32_t crc_table[256];
static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}
static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) { a = (a + p[i]) % 65521u; b = (b + a) % 65521u; }
    return (b << 16) | a;
}

/* ---------- deterministic input generator ---------- */
static uint32_t rng_state;
static uint32_t rnd(void) { rng_state = rng_state * 1664525u + 1013904223u; return rng_state >> 8; }

static const char *words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "WebAssembly", "module",
    "function", "memory", "table", "global", "export", "import", "stack", "value", "i32", "i64",
    "f32", "f64", "block", "loop", "branch", "call", "return", "local", "get", "set",
    "compression", "entropy", "huffman", "window", "match", "literal", "distance", "length"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static void generate(uint8_t *out, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t r = rnd() % 100;
        const char *s;
        char tmp[16];
        if (r < 80) s = words[(rnd() % NWORDS + rnd() % NWORDS) / 2];
        else if (r < 90) { snprintf(tmp, sizeof tmp, "%u", rnd() % 100000); s = tmp; }
        else { int k = 0; int len = 1 + rnd() % 8; while (k < len) tmp[k++] = (char)(33 + rnd() % 94); tmp[k] = 0; s = tmp; }
        for (size_t k = 0; s[k] && i < n; k++) out[i++] = (uint8_t)s[k];
        if (i < n) out[i++] = (rnd() % 13 == 0) ? '\n' : ' ';
    }
}

/* ---------- bit I/O (LSB first) ---------- */
typedef struct { uint8_t *buf; size_t pos; uint32_t acc; int nacc; } bitw;
static void putbits(bitw *w, uint32_t v, int n) {
    w->acc |= v << w->nacc; w->nacc += n;
    while (w->nacc >= 8) { w->buf[w->pos++] = (uint8_t)w->acc; w->acc >>= 8; w->nacc -= 8; }
}
static void flushbits(bitw *w) { if (w->nacc > 0) { w->buf[w->pos++] = (uint8_t)w->acc; w->acc = 0; w->nacc = 0; } }

typedef struct { const uint8_t *buf; size_t pos, len; uint32_t acc; int nacc; } bitr;
static int getbit(bitr *r) {
    if (r->nacc == 0) { r->acc = r->pos < r->len ? r->buf[r->pos] : 0; r->pos++; r->nacc = 8; }
    int b = r->acc & 1; r->acc >>= 1; r->nacc--; return b;
}
static uint32_t getbits(bitr *r, int n) { uint32_t v = 0; for (int i = 0; i < n; i++) v |= (uint32_t)getbit(r) << i; return v; }

/* ---------- Huffman code construction ---------- */
// Computes code lengths (<= MAXBITS) for n symbols from frequencies.
static void build_lengths(const uint32_t *freq_in, int n, uint8_t *len) {
    uint32_t freq[NLIT];
    for (int i = 0; i < n; i++) freq[i] = freq_in[i];
    for (;;) {
        // simple O(n^2) Huffman with parent pointers
        static uint32_t w[2 * NLIT]; static int parent[2 * NLIT]; static int alive[2 * NLIT];
        int m = 0, used = 0;
        for (int i = 0; i < n; i++) { w[i] = freq[i]; parent[i] = -1; alive[i] = freq[i] > 0; used += alive[i]; }
        m = n;
        memset(len, 0, (size_t)n);
        if (used == 0) return;
        if (used == 1) { for (int i = 0; i < n; i++) if (freq[i]) len[i] = 1; return; }
        for (int k = 0; k < used - 1; k++) {
            int a = -1, b = -1;
            for (int i = 0; i < m; i++) {
                if (!alive[i]) continue;
                if (a < 0 || w[i] < w[a]) { b = a; a = i; }
                else if (b < 0 || w[i] < w[b]) b = i;
            }
            w[m] = w[a] + w[b]; parent[m] = -1; alive[m] = 1;
            parent[a] = parent[b] = m; alive[a] = alive[b] = 0;
            m++;
        }
        int maxl = 0;
        for (int i = 0; i < n; i++) {
            if (!freq[i]) continue;
            int d = 0; for (int p = i; parent[p] >= 0; p = parent[p]) d++;
            len[i] = (uint8_t)d; if (d > maxl) maxl = d;
        }
        if (maxl <= MAXBITS) return;
        for (int i = 0; i < n; i++) if (freq[i]) freq[i] = (freq[i] + 1) / 2; // flatten and retry
    }
}

// Canonical codes from lengths; codes are stored bit-reversed for LSB-first output.
static void build_codes(const uint8_t *len, int n, uint32_t *code) {
    int count[MAXBITS + 1] = {0}; uint32_t next[MAXBITS + 2];
    for (int i = 0; i < n; i++) count[len[i]]++;
    count[0] = 0;
    uint32_t c = 0;
    for (int b = 1; b <= MAXBITS; b++) { c = (c + count[b - 1]) << 1; next[b] = c; }
    for (int i = 0; i < n; i++) {
        if (!len[i]) continue;
        uint32_t v = next[len[i]]++, r = 0;
        for (int k = 0; k < len[i]; k++) r |= ((v >> k) & 1) << (len[i] - 1 - k);
        code[i] = r;
    }
}

typedef struct { int count[MAXBITS + 1]; int symbol[NLIT]; } huff_dec;
static void build_decoder(huff_dec *h, const uint8_t *len, int n) {
    int offs[MAXBITS + 1];
    memset(h->count, 0, sizeof h->count);
    for (int i = 0; i < n; i++) h->count[len[i]]++;
    offs[1] = 0;
    for (int b = 1; b < MAXBITS; b++) offs[b + 1] = offs[b] + h->count[b];
    for (int i = 0; i < n; i++) if (len[i]) h->symbol[offs[len[i]]++] = i;
}
static int decode_sym(bitr *r, const huff_dec *h) { // as in zlib's puff.c
    int code = 0, first = 0, index = 0;
    for (int b = 1; b <= MAXBITS; b++) {
        code |= getbit(r);
        int count = h->count[b];
        if (code - count < first) return h->symbol[index + (code - first)];
        index += count; first += count; first <<= 1; code <<= 1;
    }
    return -1;
}

/* ---------- compressor ---------- */
typedef struct { uint16_t litlen; uint16_t dist; } token; // dist 0 = literal
static int head[HASH_SIZE], prevpos[WINDOW];

static uint32_t hash3(const uint8_t *p) { return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & (HASH_SIZE - 1); }
static int dist_code(int d) { int c = 0; d -= 1; while (d) { c++; d >>= 1; } return c; }

static size_t compress(const uint8_t *in, size_t n, uint8_t *out) {
    bitw w = {out, 0, 0, 0};
    token *toks = malloc(sizeof(token) * (BLOCK + 1));
    for (int i = 0; i < HASH_SIZE; i++) head[i] = -1;
    for (size_t start = 0; start < n; start += BLOCK) {
        size_t end = start + BLOCK < n ? start + BLOCK : n;
        int nt = 0;
        uint32_t lf[NLIT] = {0}, df[NDIST] = {0};
        size_t i = start;
        while (i < end) {
            int best = 0, bestd = 0;
            if (i + MIN_MATCH <= end) {
                uint32_t h = hash3(in + i);
                int cand = head[h], chain = 0;
                while (cand >= 0 && (long)i - cand <= WINDOW - 1 && chain++ < MAX_CHAIN) {
                    int l = 0, maxl = (int)(end - i) < MAX_MATCH ? (int)(end - i) : MAX_MATCH;
                    while (l < maxl && in[cand + l] == in[i + l]) l++;
                    if (l > best) { best = l; bestd = (int)(i - cand); if (l == maxl) break; }
                    int nx = prevpos[cand % WINDOW];
                    if (nx >= cand) break;
                    cand = nx;
                }
            }
            int adv = best >= MIN_MATCH ? best : 1;
            if (best >= MIN_MATCH) {
                toks[nt].litlen = (uint16_t)(257 + best - MIN_MATCH); toks[nt].dist = (uint16_t)bestd;
                lf[257 + best - MIN_MATCH]++; df[dist_code(bestd)]++;
            } else {
                toks[nt].litlen = in[i]; toks[nt].dist = 0; lf[in[i]]++;
            }
            nt++;
            for (int k = 0; k < adv; k++, i++) {
                if (i + MIN_MATCH <= n) {
                    uint32_t h = hash3(in + i);
                    prevpos[i % WINDOW] = head[h];
                    head[h] = (int)i;
                }
            }
        }
        lf[256]++;
        uint8_t ll[NLIT], dl[NDIST]; uint32_t lc[NLIT], dc[NDIST];
        build_lengths(lf, NLIT, ll); build_lengths(df, NDIST, dl);
        build_codes(ll, NLIT, lc); build_codes(dl, NDIST, dc);
        putbits(&w, end == n ? 1 : 0, 1); // last-block flag
        for (int s = 0; s < NLIT; s++) putbits(&w, ll[s], 4);
        for (int s = 0; s < NDIST; s++) putbits(&w, dl[s], 4);
        for (int t = 0; t < nt; t++) {
            int s = toks[t].litlen;
            putbits(&w, lc[s], ll[s]);
            if (s > 256) {
                int d = toks[t].dist, c = dist_code(d);
                putbits(&w, dc[c], dl[c]);
                if (c > 0) putbits(&w, (uint32_t)(d - 1) & ((1u << c) - 1) & ~(1u << (c - 1)), c - 1);
            }
        }
        putbits(&w, lc[256], ll[256]);
    }
    flushbits(&w);
    free(toks);
    return w.pos;
}

static long decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
    bitr r = {in, 0, n, 0, 0};
    size_t o = 0;
    static huff_dec hl, hd;
    for (;;) {
        int last = getbit(&r);
        uint8_t ll[NLIT], dl[NDIST];
        for (int s = 0; s < NLIT; s++) ll[s] = (uint8_t)getbits(&r, 4);
        for (int s = 0; s < NDIST; s++) dl[s] = (uint8_t)getbits(&r, 4);
        build_decoder(&hl, ll, NLIT); build_decoder(&hd, dl, NDIST);
        for (;;) {
            int s = decode_sym(&r, &hl);
            if (s < 0) return -1;
            if (s < 256) { if (o >= cap) return -2; out[o++] = (uint8_t)s; continue; }
            if (s == 256) break;
            int len = s - 257 + MIN_MATCH;
            int c = decode_sym(&r, &hd);
            if (c < 0) return -3;
            int d = c == 0 ? 1 : (int)((1u << (c - 1)) | getbits(&r, c - 1)) + 1;
            if ((size_t)d > o || o + len > cap) return -4;
            for (int k = 0; k < len; k++, o++) out[o] = out[o - d];
        }
        if (last) break;
    }
    return (long)o;
}

int main(int argc, char **argv) {
    long size = argc > 1 ? atol(argv[1]) : 1000000;
    uint32_t seed = argc > 2 ? (uint32_t)strtoul(argv[2], 0, 10) : 12345u;
    if (size < 1) size = 1;
    crc_init();
    rng_state = seed;
    uint8_t *input = malloc((size_t)size);
    generate(input, (size_t)size);
    printf("input: %ld bytes, crc32 %08x, adler32 %08x\n", size, crc32(input, (size_t)size), adler32(input, (size_t)size));
    size_t lines = 0; for (long i = 0; i < size; i++) lines += input[i] == '\n';
    printf("input lines: %lu, first bytes: %.40s\n", (unsigned long)lines, (const char *)input);
    uint8_t *comp = malloc((size_t)size * 2 + 1024);
    size_t clen = compress(input, (size_t)size, comp);
    printf("compressed: %lu bytes (%.2f%%), crc32 %08x\n", (unsigned long)clen, 100.0 * (double)clen / (double)size, crc32(comp, clen));
    uint8_t *back = malloc((size_t)size);
    long dlen = decompress(comp, clen, back, (size_t)size);
    printf("decompressed: %ld bytes, crc32 %08x\n", dlen, dlen > 0 ? crc32(back, (size_t)dlen) : 0u);
    int ok = dlen == size && memcmp(input, back, (size_t)size) == 0;
    printf("roundtrip: %s\n", ok ? "ok" : "MISMATCH");
    // corrupt one byte and make sure the decoder stays in bounds
    comp[clen / 2] ^= 0x5a;
    long bad = decompress(comp, clen, back, (size_t)size);
    printf("corrupted stream: %s\n", (bad == size && memcmp(input, back, (size_t)size) == 0) ? "unchanged?!" : "detected or differs");
    free(input); free(comp); free(back);
    return ok ? 0 : 1;
}
