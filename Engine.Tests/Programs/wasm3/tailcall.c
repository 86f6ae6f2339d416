// Tail-recursive programs that need constant stack: built with clang's -mtail-call, every call marked
// __attribute__((musttail)) becomes return_call (direct) or return_call_indirect (through a function pointer).
// Parts 1-3 make about 25 million tail calls between them (9.0 million return_call in part 1, 6.9 million in part 2,
// 9.3 million return_call_indirect in part 3), so the program overflows any stack unless tail calls replace their frame.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TAIL __attribute__((musttail))

// 1. Mutual recursion (return_call): is_even/is_odd on n, one call per step.
static int is_odd(uint32_t n);
__attribute__((noinline)) static int is_even(uint32_t n) {
    if (n == 0) return 1;
    TAIL return is_odd(n - 1);
}
__attribute__((noinline)) static int is_odd(uint32_t n) {
    if (n == 0) return 0;
    TAIL return is_even(n - 1);
}

// 2. A loop written as two functions tail-calling each other (return_call with several parameters): next_number
//    moves to the next i, add_digits peels the digits of k off one call at a time (musttail needs both signatures
//    to match, so next_number takes a k it does not use).
static uint64_t next_number(uint32_t i, uint32_t n, uint64_t acc, uint32_t mix, uint32_t k);
__attribute__((noinline)) static uint64_t add_digits(uint32_t i, uint32_t n, uint64_t acc, uint32_t mix, uint32_t k) {
    if (k == 0) TAIL return next_number(i + 1, n, acc, mix, 0);
    TAIL return add_digits(i, n, acc + k % 10, mix * 31u + k % 10, k / 10);
}
__attribute__((noinline)) static uint64_t next_number(uint32_t i, uint32_t n, uint64_t acc, uint32_t mix, uint32_t k) {
    (void)k;
    if (i > n) return acc ^ ((uint64_t)mix << 32);
    TAIL return add_digits(i, n, acc, mix, i);
}

// 3. A threaded bytecode interpreter (return_call_indirect): every instruction's handler ends by tail-calling the
//    next instruction's handler through a table of function pointers, as fast interpreters written in C do.
typedef struct Vm Vm;
typedef struct Insn Insn;
typedef int64_t (*Handler)(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs);
struct Insn { Handler op; int32_t a, b; int64_t imm; };
struct Vm { const Insn *code; uint64_t executed; };

#define NEXT(pc) do { vm->executed++; TAIL return (pc)->op(vm, (pc), acc, regs); } while (0)

static int64_t op_halt(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { (void)vm; (void)pc; (void)regs; return acc; }
static int64_t op_loadi(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] = pc->imm; pc++; NEXT(pc); }
static int64_t op_mov(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] = regs[pc->b]; pc++; NEXT(pc); }
static int64_t op_add(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] += regs[pc->b]; pc++; NEXT(pc); }
static int64_t op_addi(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] += pc->imm; pc++; NEXT(pc); }
static int64_t op_mul3p1(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] = regs[pc->a] * 3 + 1; pc++; NEXT(pc); }
static int64_t op_half(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { regs[pc->a] >>= 1; pc++; NEXT(pc); }
static int64_t op_acc(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { acc = acc * 1000003 + regs[pc->a]; pc++; NEXT(pc); }
// Jumps: to pc->imm (an instruction index) when the condition holds.
static int64_t op_jodd(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) {
    pc = (regs[pc->a] & 1) ? vm->code + pc->imm : pc + 1; NEXT(pc);
}
static int64_t op_jne1(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) {
    pc = regs[pc->a] != 1 ? vm->code + pc->imm : pc + 1; NEXT(pc);
}
static int64_t op_jle(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) {
    pc = regs[pc->a] <= regs[pc->b] ? vm->code + pc->imm : pc + 1; NEXT(pc);
}
static int64_t op_jmp(Vm *vm, const Insn *pc, int64_t acc, int64_t *regs) { pc = vm->code + pc->imm; NEXT(pc); }

// Total Collatz steps of 1..N (r0 = i, r1 = N, r2 = x, r3 = steps, r4 = longest, r5 = argmax), folded into acc.
static int64_t run_collatz(int64_t n, uint64_t *executed) {
    Insn code[] = {
        /* 0 */ { op_loadi, 0, 0, 1 },       // i = 1
        /* 1 */ { op_loadi, 1, 0, 0 },       // N (patched)
        /* 2 */ { op_loadi, 3, 0, 0 },       // steps = 0
        /* 3 */ { op_loadi, 6, 0, 1 },       // one = 1
        /* 4 */ { op_mov, 2, 0, 0 },         // loop: x = i
        /* 5 */ { op_jne1, 2, 0, 7 },        // while x != 1 goto body
        /* 6 */ { op_jmp, 0, 0, 13 },
        /* 7 */ { op_add, 3, 6, 0 },         // body: steps += one
        /* 8 */ { op_jodd, 2, 0, 11 },
        /* 9 */ { op_half, 2, 0, 0 },
        /*10 */ { op_jmp, 0, 0, 5 },
        /*11 */ { op_mul3p1, 2, 0, 0 },
        /*12 */ { op_jmp, 0, 0, 5 },
        /*13 */ { op_acc, 3, 0, 0 },         // fold steps so far
        /*14 */ { op_addi, 0, 0, 1 },        // i++
        /*15 */ { op_jle, 0, 1, 4 },         // while i <= N
        /*16 */ { op_halt, 0, 0, 0 },
    };
    code[1].imm = n;
    int64_t regs[8] = { 0 };
    Vm vm = { code, 0 };
    int64_t acc = code[0].op(&vm, code, 0, regs);
    *executed = vm.executed + 1;
    return regs[3] ^ acc;
}

// 4. Continuation-passing style: a countdown that ends by calling its continuation indirectly (musttail needs the
//    caller's and callee's signatures to match, so the continuation has the countdown's own). At -O2 clang turns the
//    countdown's self tail call into a loop; the call of the continuation stays a return_call_indirect.
typedef uint32_t (*Cont)(uint32_t n, uint32_t value, const void *k, uint32_t depth);
static uint32_t done(uint32_t n, uint32_t value, const void *k, uint32_t depth) {
    (void)n; (void)k;
    return value + depth * 3u;
}
__attribute__((noinline)) static uint32_t count_down(uint32_t n, uint32_t value, const void *k, uint32_t depth) {
    if (n == 0) TAIL return ((Cont)k)(n, value, k, depth);
    TAIL return count_down(n - 1, value + (n & 7), k, depth + 1);
}

int main(int argc, char **argv) {
    uint32_t scale = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
    uint32_t n = 3000000u * scale;
    printf("is_even(%u) = %d, is_odd(%u) = %d\n", n, is_even(n), n + 1, is_odd(n + 1));
    printf("is_even(%u) = %d\n", n + 7, is_even(n + 7));
    printf("digits of 1..%u: %llu\n", 1000000u * scale, (unsigned long long)next_number(1, 1000000u * scale, 0, 7, 0));
    uint64_t executed = 0;
    int64_t r = run_collatz(20000 * (int64_t)scale, &executed);
    printf("collatz(1..%d): %lld, %llu instructions dispatched by tail calls\n", 20000 * (int)scale, (long long)r,
           (unsigned long long)executed);
    Cont volatile k = done;
    printf("count_down: %u\n", count_down(4000000u * scale, 0, (const void *)k, 0));
    return 0;
}
