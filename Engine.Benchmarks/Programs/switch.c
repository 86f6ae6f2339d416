// A tiny stack-based bytecode VM: the dispatch `switch` compiles to br_table.
// export: run(n) -> i32 ; runs a bytecode program whose main loop iterates n times
// and returns the accumulator it computes.
enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_AND,
    OP_SHL, OP_SHR, OP_DUP, OP_DROP, OP_SWAP, OP_LT, OP_JMP, OP_JZ, OP_INC, OP_OR, OP_NOT
};

static int code[256];
static int pc_emit;

static void emit(int op) { code[pc_emit++] = op; }
static void emit1(int op, int arg) { code[pc_emit++] = op; code[pc_emit++] = arg; }

static void assemble(void) {
    pc_emit = 0;
    // locals: 0 = i, 1 = acc, 2 = n
    emit1(OP_PUSH, 0); emit1(OP_STORE, 0);
    emit1(OP_PUSH, 1); emit1(OP_STORE, 1);
    int loop = pc_emit;
    emit1(OP_LOAD, 0); emit1(OP_LOAD, 2); emit(OP_LT);
    emit(OP_JZ); int fix_end = pc_emit; emit(0);
    // acc = (acc * 31) ^ i
    emit1(OP_LOAD, 1); emit1(OP_PUSH, 31); emit(OP_MUL); emit1(OP_LOAD, 0); emit(OP_XOR); emit1(OP_STORE, 1);
    // acc = acc + (acc >> 7)
    emit1(OP_LOAD, 1); emit(OP_DUP); emit1(OP_PUSH, 7); emit(OP_SHR); emit(OP_ADD); emit1(OP_STORE, 1);
    // if (i & 3) acc = ~(acc - 0x61c88647) | (i << 3)  else  acc = acc ^ (acc << 2)
    emit1(OP_LOAD, 0); emit1(OP_PUSH, 3); emit(OP_AND);
    emit(OP_JZ); int fix_else = pc_emit; emit(0);
    emit1(OP_LOAD, 1); emit1(OP_PUSH, 0x61c88647); emit(OP_SUB); emit(OP_NOT);
    emit1(OP_LOAD, 0); emit1(OP_PUSH, 3); emit(OP_SHL); emit(OP_XOR); emit1(OP_STORE, 1);
    emit(OP_JMP); int fix_join = pc_emit; emit(0);
    code[fix_else] = pc_emit;
    emit1(OP_LOAD, 1); emit1(OP_PUSH, 2); emit(OP_SHL); emit1(OP_LOAD, 1); emit(OP_SWAP); emit(OP_DROP);
    emit1(OP_LOAD, 1); emit(OP_XOR); emit1(OP_STORE, 1);
    code[fix_join] = pc_emit;
    emit1(OP_INC, 0);
    emit1(OP_JMP, loop);
    code[fix_end] = pc_emit;
    emit1(OP_LOAD, 1);
    emit(OP_HALT);
}

__attribute__((noinline)) static unsigned interpret(const int *prog, unsigned *locals) {
    unsigned stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        int op = prog[pc++];
        switch (op) {
        case OP_HALT: return stack[sp - 1];
        case OP_PUSH: stack[sp++] = (unsigned)prog[pc++]; break;
        case OP_LOAD: stack[sp++] = locals[prog[pc++]]; break;
        case OP_STORE: locals[prog[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_OR: sp--; stack[sp - 1] |= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] <<= (stack[sp] & 31); break;
        case OP_SHR: sp--; stack[sp - 1] >>= (stack[sp] & 31); break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_SWAP: { unsigned t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_JMP: pc = prog[pc]; break;
        case OP_JZ: { int t = prog[pc++]; if (stack[--sp] == 0) pc = t; break; }
        case OP_INC: locals[prog[pc++]]++; break;
        case OP_NOT: stack[sp - 1] = ~stack[sp - 1]; break;
        default: return 0xdeadbeef;
        }
    }
}

__attribute__((export_name("run"))) unsigned run(int n) {
    unsigned locals[4] = {0, 0, (unsigned)n, 0};
    assemble();
    return interpret(code, locals);
}
