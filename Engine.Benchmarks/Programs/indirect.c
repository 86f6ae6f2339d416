// call_indirect heavy: a loop calling through a mutable function-pointer table.
// export: run(n) -> i32 ; n = number of indirect calls.
typedef unsigned (*op_fn)(unsigned acc, unsigned x);

__attribute__((noinline)) static unsigned op_add(unsigned a, unsigned x) { return a + x; }
__attribute__((noinline)) static unsigned op_xor(unsigned a, unsigned x) { return a ^ (x * 2654435761u); }
__attribute__((noinline)) static unsigned op_mul(unsigned a, unsigned x) { return a * 31u + x; }
__attribute__((noinline)) static unsigned op_rot(unsigned a, unsigned x) { return (a << 5) | (a >> 27); }
__attribute__((noinline)) static unsigned op_sub(unsigned a, unsigned x) { return a - (x >> 3); }
__attribute__((noinline)) static unsigned op_mix(unsigned a, unsigned x) { return (a ^ (a >> 13)) + x; }
__attribute__((noinline)) static unsigned op_neg(unsigned a, unsigned x) { return ~a + (x & 255); }
__attribute__((noinline)) static unsigned op_shl(unsigned a, unsigned x) { return a + (x << 7); }

// Not const: the compiler must load the pointer and use call_indirect.
op_fn table[8] = {op_add, op_xor, op_mul, op_rot, op_sub, op_mix, op_neg, op_shl};

__attribute__((export_name("run"))) unsigned run(int n) {
    unsigned acc = 1, sel = 12345;
    for (int i = 0; i < n; i++) {
        sel = sel * 1103515245u + 12345u;
        acc = table[(sel >> 16) & 7](acc, (unsigned)i);
    }
    return acc;
}
