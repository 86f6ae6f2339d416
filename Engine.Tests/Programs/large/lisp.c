// lisp: a small Scheme-like interpreter. Reads a program from stdin (or from the
// file named by argv[1]), evaluates every top-level form and prints what the
// program prints. Integers are 64-bit with wrap-around arithmetic.
// Special forms: quote ' if define set! lambda let let* begin cond and or
// Builtins: + - * quotient remainder < > = <= >= cons car cdr list null? pair?
//           number? symbol? procedure? eq? equal? not display write newline print
// Errors print "error: ..." to stdout and exit with status 2.
// No garbage collector: objects are bump-allocated from large chunks.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_NIL, T_TRUE, T_INT, T_SYM, T_STR, T_CONS, T_PRIM, T_LAMBDA } Type;
typedef struct Obj Obj;
typedef Obj *(*PrimFn)(Obj *args);
struct Obj {
    Type type;
    union {
        long long i;
        const char *s;
        struct { Obj *car, *cdr; } c;
        struct { PrimFn fn; const char *name; } p;
        struct { Obj *params, *body, *env; } l;
    };
};

static unsigned long long n_alloc = 0;
static char *chunk = 0;
static size_t chunk_left = 0;
static Obj *alloc(Type t) {
    if (chunk_left < sizeof(Obj)) {
        size_t sz = 1 << 20;
        chunk = malloc(sz);
        if (!chunk) { printf("error: out of memory\n"); exit(2); }
        chunk_left = sz;
    }
    Obj *o = (Obj *)chunk;
    chunk += sizeof(Obj); chunk_left -= sizeof(Obj);
    n_alloc++;
    o->type = t;
    return o;
}

static Obj nil_obj = {T_NIL}, true_obj = {T_TRUE};
#define NIL (&nil_obj)
#define TRUE (&true_obj)

static void fail(const char *msg, const char *detail) {
    printf("error: %s%s%s\n", msg, detail ? " " : "", detail ? detail : "");
    fflush(stdout);
    exit(2);
}

static Obj *mk_int(long long v) { Obj *o = alloc(T_INT); o->i = v; return o; }
static Obj *cons(Obj *a, Obj *b) { Obj *o = alloc(T_CONS); o->c.car = a; o->c.cdr = b; return o; }
static Obj *car(Obj *o) { if (o->type != T_CONS) fail("car of non-pair", 0); return o->c.car; }
static Obj *cdr(Obj *o) { if (o->type != T_CONS) fail("cdr of non-pair", 0); return o->c.cdr; }

/* interned symbols (linear table; fine for small programs) */
static Obj *symtab[4096];
static int nsyms = 0;
static Obj *intern(const char *name, size_t len) {
    for (int i = 0; i < nsyms; i++)
        if (strlen(symtab[i]->s) == len && !memcmp(symtab[i]->s, name, len)) return symtab[i];
    if (nsyms == 4096) fail("too many symbols", 0);
    char *s = malloc(len + 1); memcpy(s, name, len); s[len] = 0;
    Obj *o = alloc(T_SYM); o->s = s;
    return symtab[nsyms++] = o;
}
static Obj *S_quote, *S_if, *S_define, *S_set, *S_lambda, *S_let, *S_letstar, *S_begin, *S_cond, *S_else, *S_and, *S_or;

/* ---------- reader ---------- */
static const char *src;
static void skip_ws(void) {
    for (;;) {
        while (*src == ' ' || *src == '\t' || *src == '\n' || *src == '\r') src++;
        if (*src == ';') { while (*src && *src != '\n') src++; continue; }
        break;
    }
}
static Obj *read_expr(void);
static Obj *read_list(void) {
    skip_ws();
    if (*src == ')') { src++; return NIL; }
    if (!*src) fail("unexpected end of input", 0);
    if (*src == '.' && (src[1] == ' ' || src[1] == '\n')) {
        src++; Obj *tail = read_expr(); skip_ws();
        if (*src != ')') fail("expected )", 0);
        src++; return tail;
    }
    Obj *head = read_expr();
    return cons(head, read_list());
}
static Obj *read_expr(void) {
    skip_ws();
    char c = *src;
    if (!c) return 0;
    if (c == '(') { src++; return read_list(); }
    if (c == ')') fail("unexpected )", 0);
    if (c == '\'') { src++; return cons(S_quote, cons(read_expr(), NIL)); }
    if (c == '"') {
        src++;
        const char *start = src;
        size_t n = 0;
        char *buf = malloc(strlen(src) + 1);
        while (*src && *src != '"') {
            if (*src == '\\' && src[1]) { src++; buf[n++] = *src == 'n' ? '\n' : *src == 't' ? '\t' : *src; src++; }
            else buf[n++] = *src++;
        }
        (void)start;
        if (*src != '"') fail("unterminated string", 0);
        src++; buf[n] = 0;
        Obj *o = alloc(T_STR); o->s = buf; return o;
    }
    const char *start = src;
    while (*src && !strchr(" \t\r\n()'\";", *src)) src++;
    size_t len = (size_t)(src - start);
    int is_num = len > 0;
    size_t k = (start[0] == '-' || start[0] == '+') && len > 1 ? 1 : 0;
    for (size_t i = k; i < len; i++) if (start[i] < '0' || start[i] > '9') is_num = 0;
    if (is_num) {
        unsigned long long v = 0;
        for (size_t i = k; i < len; i++) v = v * 10 + (unsigned)(start[i] - '0');
        return mk_int(start[0] == '-' ? (long long)(0 - v) : (long long)v);
    }
    if (len == 2 && start[0] == '#' && start[1] == 't') return TRUE;
    if (len == 2 && start[0] == '#' && start[1] == 'f') return NIL;
    return intern(start, len);
}

/* ---------- printer ---------- */
static void print_obj(Obj *o, int write) {
    switch (o->type) {
    case T_NIL: printf("()"); break;
    case T_TRUE: printf("#t"); break;
    case T_INT: printf("%lld", o->i); break;
    case T_SYM: printf("%s", o->s); break;
    case T_STR: if (write) printf("\"%s\"", o->s); else printf("%s", o->s); break;
    case T_PRIM: printf("#<primitive %s>", o->p.name); break;
    case T_LAMBDA: printf("#<lambda>"); break;
    case T_CONS:
        putchar('(');
        for (;;) {
            print_obj(o->c.car, write);
            o = o->c.cdr;
            if (o->type == T_NIL) break;
            if (o->type != T_CONS) { printf(" . "); print_obj(o, write); break; }
            putchar(' ');
        }
        putchar(')');
        break;
    }
}

/* ---------- environments: (frame . parent), frame = list of (sym . value) ---------- */
static Obj *global_env;
static Obj *lookup_cell(Obj *env, Obj *sym) {
    for (Obj *e = env; e->type == T_CONS; e = e->c.cdr)
        for (Obj *f = e->c.car; f->type == T_CONS; f = f->c.cdr)
            if (f->c.car->c.car == sym) return f->c.car;
    return 0;
}
static void define(Obj *env, Obj *sym, Obj *val) {
    for (Obj *f = env->c.car; f->type == T_CONS; f = f->c.cdr)
        if (f->c.car->c.car == sym) { f->c.car->c.cdr = val; return; }
    env->c.car = cons(cons(sym, val), env->c.car);
}

static Obj *eval(Obj *x, Obj *env);
static Obj *eval_list(Obj *l, Obj *env) {
    if (l->type == T_NIL) return NIL;
    Obj *head = cons(eval(car(l), env), NIL), *tail = head;
    for (l = l->c.cdr; l->type == T_CONS; l = l->c.cdr) { tail->c.cdr = cons(eval(l->c.car, env), NIL); tail = tail->c.cdr; }
    return head;
}
static Obj *bind(Obj *params, Obj *args, Obj *parent) {
    Obj *frame = NIL;
    while (params->type == T_CONS) {
        if (args->type != T_CONS) fail("too few arguments", 0);
        frame = cons(cons(params->c.car, args->c.car), frame);
        params = params->c.cdr; args = args->c.cdr;
    }
    if (params->type == T_SYM) frame = cons(cons(params, args), frame); // rest parameter
    else if (args->type != T_NIL) fail("too many arguments", 0);
    return cons(frame, parent);
}

static int depth = 0;
static Obj *eval(Obj *x, Obj *env) {
    if (++depth > 100000) fail("recursion too deep", 0);
    Obj *result;
    for (;;) {
        switch (x->type) {
        case T_SYM: {
            Obj *cell = lookup_cell(env, x);
            if (!cell) fail("unbound variable", x->s);
            result = cell->c.cdr; goto done;
        }
        case T_CONS: break;
        default: result = x; goto done;
        }
        Obj *op = x->c.car, *rest = x->c.cdr;
        if (op == S_quote) { result = car(rest); goto done; }
        if (op == S_if) {
            Obj *c = eval(car(rest), env);
            if (c != NIL) x = car(cdr(rest));
            else { Obj *e = cdr(cdr(rest)); if (e == NIL) { result = NIL; goto done; } x = car(e); }
            continue;
        }
        if (op == S_define) {
            Obj *target = car(rest);
            if (target->type == T_CONS) { // (define (f . params) body...)
                Obj *l = alloc(T_LAMBDA); l->l.params = target->c.cdr; l->l.body = cdr(rest); l->l.env = env;
                define(env, target->c.car, l);
                result = target->c.car;
            } else {
                define(env, target, eval(car(cdr(rest)), env));
                result = target;
            }
            goto done;
        }
        if (op == S_set) {
            Obj *cell = lookup_cell(env, car(rest));
            if (!cell) fail("set! of unbound variable", car(rest)->s);
            cell->c.cdr = eval(car(cdr(rest)), env);
            result = NIL; goto done;
        }
        if (op == S_lambda) {
            Obj *l = alloc(T_LAMBDA); l->l.params = car(rest); l->l.body = cdr(rest); l->l.env = env;
            result = l; goto done;
        }
        if (op == S_let || op == S_letstar) {
            Obj *frame_env = cons(NIL, env);
            for (Obj *b = car(rest); b->type == T_CONS; b = b->c.cdr) {
                Obj *v = eval(car(cdr(car(b))), op == S_letstar ? frame_env : env);
                frame_env->c.car = cons(cons(car(car(b)), v), frame_env->c.car);
            }
            env = frame_env;
            x = cons(S_begin, cdr(rest));
            continue;
        }
        if (op == S_begin) {
            if (rest == NIL) { result = NIL; goto done; }
            while (cdr(rest) != NIL) { eval(car(rest), env); rest = cdr(rest); }
            x = car(rest);
            continue;
        }
        if (op == S_cond) {
            Obj *chosen = 0;
            for (; rest->type == T_CONS; rest = rest->c.cdr) {
                Obj *clause = car(rest);
                if (car(clause) == S_else || eval(car(clause), env) != NIL) { chosen = cdr(clause); break; }
            }
            if (!chosen || chosen == NIL) { result = NIL; goto done; }
            x = cons(S_begin, chosen);
            continue;
        }
        if (op == S_and || op == S_or) {
            if (rest == NIL) { result = op == S_and ? TRUE : NIL; goto done; }
            while (cdr(rest) != NIL) {
                Obj *v = eval(car(rest), env);
                if (op == S_and ? v == NIL : v != NIL) { result = v; goto done; }
                rest = cdr(rest);
            }
            x = car(rest);
            continue;
        }
        // application
        Obj *f = eval(op, env);
        Obj *args = eval_list(rest, env);
        if (f->type == T_PRIM) { result = f->p.fn(args); goto done; }
        if (f->type != T_LAMBDA) fail("not a procedure", 0);
        env = bind(f->l.params, args, f->l.env);
        x = cons(S_begin, f->l.body);
    }
done:
    depth--;
    return result;
}

/* ---------- builtins ---------- */
static long long num(Obj *o) { if (o->type != T_INT) fail("not a number", 0); return o->i; }
static Obj *bool_obj(int b) { return b ? TRUE : NIL; }
static Obj *p_add(Obj *a) { unsigned long long s = 0; for (; a != NIL; a = a->c.cdr) s += (unsigned long long)num(a->c.car); return mk_int((long long)s); }
static Obj *p_mul(Obj *a) { unsigned long long s = 1; for (; a != NIL; a = a->c.cdr) s *= (unsigned long long)num(a->c.car); return mk_int((long long)s); }
static Obj *p_sub(Obj *a) {
    unsigned long long s = (unsigned long long)num(car(a));
    if (a->c.cdr == NIL) return mk_int((long long)(0 - s));
    for (a = a->c.cdr; a != NIL; a = a->c.cdr) s -= (unsigned long long)num(a->c.car);
    return mk_int((long long)s);
}
static Obj *p_quot(Obj *a) {
    long long x = num(car(a)), y = num(car(cdr(a)));
    if (y == 0) fail("division by zero", 0);
    if (y == -1) return mk_int((long long)(0 - (unsigned long long)x));
    return mk_int(x / y);
}
static Obj *p_rem(Obj *a) {
    long long x = num(car(a)), y = num(car(cdr(a)));
    if (y == 0) fail("division by zero", 0);
    if (y == -1) return mk_int(0);
    return mk_int(x % y);
}
#define CMP(name, op) static Obj *name(Obj *a) { \
    for (; a->c.cdr != NIL; a = a->c.cdr) { if (!(num(a->c.car) op num(a->c.cdr->c.car))) return NIL; } \
    return TRUE; }
CMP(p_lt, <) CMP(p_gt, >) CMP(p_eqn, ==) CMP(p_le, <=) CMP(p_ge, >=)
static Obj *p_cons(Obj *a) { return cons(car(a), car(cdr(a))); }
static Obj *p_car(Obj *a) { return car(car(a)); }
static Obj *p_cdr(Obj *a) { return cdr(car(a)); }
static Obj *p_list(Obj *a) { return a; }
static Obj *p_nullp(Obj *a) { return bool_obj(car(a) == NIL); }
static Obj *p_pairp(Obj *a) { return bool_obj(car(a)->type == T_CONS); }
static Obj *p_nump(Obj *a) { return bool_obj(car(a)->type == T_INT); }
static Obj *p_symp(Obj *a) { return bool_obj(car(a)->type == T_SYM); }
static Obj *p_procp(Obj *a) { return bool_obj(car(a)->type == T_PRIM || car(a)->type == T_LAMBDA); }
static int eqv(Obj *x, Obj *y) { return x == y || (x->type == T_INT && y->type == T_INT && x->i == y->i); }
static int equal(Obj *x, Obj *y) {
    if (eqv(x, y)) return 1;
    if (x->type == T_STR && y->type == T_STR) return !strcmp(x->s, y->s);
    if (x->type != T_CONS || y->type != T_CONS) return 0;
    return equal(x->c.car, y->c.car) && equal(x->c.cdr, y->c.cdr);
}
static Obj *p_eq(Obj *a) { return bool_obj(eqv(car(a), car(cdr(a)))); }
static Obj *p_equal(Obj *a) { return bool_obj(equal(car(a), car(cdr(a)))); }
static Obj *p_not(Obj *a) { return bool_obj(car(a) == NIL); }
static Obj *p_display(Obj *a) { print_obj(car(a), 0); return NIL; }
static Obj *p_write(Obj *a) { print_obj(car(a), 1); return NIL; }
static Obj *p_newline(Obj *a) { (void)a; putchar('\n'); return NIL; }
static Obj *p_print(Obj *a) {
    for (int first = 1; a != NIL; a = a->c.cdr, first = 0) { if (!first) putchar(' '); print_obj(a->c.car, 1); }
    putchar('\n');
    return NIL;
}

static void defprim(const char *name, PrimFn fn) {
    Obj *p = alloc(T_PRIM); p->p.fn = fn; p->p.name = name;
    define(global_env, intern(name, strlen(name)), p);
}

int main(int argc, char **argv) {
    FILE *in = stdin;
    if (argc > 1) { in = fopen(argv[1], "r"); if (!in) { printf("error: cannot open %s\n", argv[1]); return 2; } }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t r;
    while ((r = fread(text + len, 1, cap - len - 1, in)) > 0) { len += r; if (cap - len < 2) text = realloc(text, cap *= 2); }
    text[len] = 0;

    S_quote = intern("quote", 5); S_if = intern("if", 2); S_define = intern("define", 6);
    S_set = intern("set!", 4); S_lambda = intern("lambda", 6); S_let = intern("let", 3);
    S_letstar = intern("let*", 4); S_begin = intern("begin", 5); S_cond = intern("cond", 4);
    S_else = intern("else", 4); S_and = intern("and", 3); S_or = intern("or", 2);
    global_env = cons(NIL, NIL);
    defprim("+", p_add); defprim("-", p_sub); defprim("*", p_mul);
    defprim("quotient", p_quot); defprim("remainder", p_rem);
    defprim("<", p_lt); defprim(">", p_gt); defprim("=", p_eqn); defprim("<=", p_le); defprim(">=", p_ge);
    defprim("cons", p_cons); defprim("car", p_car); defprim("cdr", p_cdr); defprim("list", p_list);
    defprim("null?", p_nullp); defprim("pair?", p_pairp); defprim("number?", p_nump);
    defprim("symbol?", p_symp); defprim("procedure?", p_procp);
    defprim("eq?", p_eq); defprim("equal?", p_equal); defprim("not", p_not);
    defprim("display", p_display); defprim("write", p_write); defprim("newline", p_newline); defprim("print", p_print);

    src = text;
    int forms = 0;
    for (;;) {
        Obj *x = read_expr();
        if (!x) break;
        eval(x, global_env);
        forms++;
    }
    printf("; %d forms evaluated, %llu objects allocated\n", forms, n_alloc);
    return 0;
}
