// The C++ program that exceptions.wat is a hand translation of, function by function, into WebAssembly 3.0
// exception handling (try_table, throw, throw_ref, exnref). clang 14's -fwasm-exceptions emits the legacy
// instructions (try/catch/delegate/rethrow) and needs a C++ ABI library for wasm that Debian does not ship, so the
// .wat is written by hand; this file is the reference for what it must do and print. Built natively
// (clang++ -O2 exceptions.cpp), its output is exceptions.expected.
//
// Mapping used throughout exceptions.wat:
//   - each exception class is a tag whose parameters are its fields (ParseError: i32 i32, ...);
//   - try { B } catch (const T& e) { H } is  block $done (block $h_T (result fields) (try_table (catch $T $h_T) B)
//     br $done) H  end;  several catch clauses are several nested blocks, tried in order;
//   - `throw;` inside a handler uses catch_ref and throw_ref of the caught exnref;
//   - a destructor that must run while unwinding is a try_table (catch_all_ref $cleanup): the cleanup runs the
//     destructor and throw_refs the exnref, so the exception goes on unchanged;
//   - std::exception_ptr is an exnref kept in a global; std::rethrow_exception is throw_ref;
//   - host_call is an import: the host calls the exported run_job, so exceptions cross the host's frames.
#include <cstdint>
#include <cstdio>
#include <exception>

static void say(const char *s) { fputs(s, stdout); }
static void say_i64(int64_t v) { printf("%lld", (long long)v); }
static void nl() { putchar('\n'); }

struct ParseError { int32_t pos; int32_t code; };  // tag $parse_error (param i32 i32)
struct DivByZero { int64_t numerator; };            // tag $div_by_zero (param i64)
struct JobFailed { int32_t job; };                  // tag $job_failed (param i32)

static int32_t live_guards = 0;
struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n) { ++live_guards; }
    ~Guard() { --live_guards; say("  ~Guard "); say(name); nl(); }
};

// A recursive-descent evaluator: expr = term (('+'|'-') term)*, term = primary (('*'|'/') primary)*,
// primary = number | '-' primary | '(' expr ')'. Errors throw from any depth.
static const char *src;
static int32_t pos;
static int64_t expr();

__attribute__((noinline)) static int64_t primary() {
    char c = src[pos];
    if (c == '(') {
        Guard g("paren");
        ++pos;
        int64_t v = expr();
        if (src[pos] != ')') throw ParseError{pos, 2};
        ++pos;
        return v;
    }
    if (c == '-') { ++pos; return -primary(); }
    if (c < '0' || c > '9') throw ParseError{pos, 1};
    int64_t v = 0;
    while (src[pos] >= '0' && src[pos] <= '9') { v = v * 10 + (src[pos] - '0'); ++pos; }
    return v;
}

__attribute__((noinline)) static int64_t term() {
    int64_t v = primary();
    for (;;) {
        char c = src[pos];
        if (c == '*') { ++pos; v *= primary(); }
        else if (c == '/') {
            ++pos;
            int64_t d = primary();
            if (d == 0) throw DivByZero{v};
            v /= d;
        } else return v;
    }
}

__attribute__((noinline)) static int64_t expr() {
    int64_t v = term();
    for (;;) {
        char c = src[pos];
        if (c == '+') { ++pos; v += term(); }
        else if (c == '-') { ++pos; v -= term(); }
        else return v;
    }
}

__attribute__((noinline)) static int64_t parse(const char *s) {
    src = s;
    pos = 0;
    int64_t v = expr();
    if (src[pos] != 0) throw ParseError{pos, 3};
    return v;
}

// Catches parse errors; a division by zero goes on to the caller.
__attribute__((noinline)) static int64_t evaluate(const char *s) {
    say("eval "); say(s); nl();
    try {
        int64_t v = parse(s);
        say("  = "); say_i64(v); nl();
        return v;
    } catch (const ParseError &e) {
        say("  parse error "); say_i64(e.code); say(" at "); say_i64(e.pos); nl();
        return -1;
    }
}

// Catches divisions by zero thrown three frames down; rethrows the second one.
__attribute__((noinline)) static int64_t run_batch(const char *const *exprs, int32_t n) {
    Guard g("batch");
    int64_t total = 0;
    int32_t failures = 0;
    for (int32_t i = 0; i < n; ++i) {
        try {
            total += evaluate(exprs[i]);
        } catch (const DivByZero &e) {
            say("  division by zero of "); say_i64(e.numerator); nl();
            if (++failures == 2) { say("  second failure, rethrowing"); nl(); throw; }
        }
    }
    return total;
}

// Turns a parse error into another exception, thrown from inside the handler.
__attribute__((noinline)) static int64_t strict_evaluate(const char *s) {
    try {
        return parse(s);
    } catch (const ParseError &e) {
        throw JobFailed{1000 + e.code};
    }
}

// The host calls run_job(job, arg) back (the reference calls it directly).
extern "C" int32_t run_job(int32_t job, int32_t arg);
extern "C" __attribute__((noinline)) int32_t host_call(int32_t job, int32_t arg) { return run_job(job, arg); }

extern "C" __attribute__((noinline)) int32_t run_job(int32_t job, int32_t arg) {
    Guard g("job");
    switch (job) {
    case 0: return arg * 2;
    case 1: throw JobFailed{arg};
    case 2: return host_call(1, arg + 1) + 1;  // wasm -> host -> wasm -> host -> wasm, which throws
    default: return (int32_t)strict_evaluate("(1+2");
    }
}

__attribute__((noinline)) static int64_t checked_div(int64_t a, int64_t b) {
    if (b == 0) throw DivByZero{a};
    return a / b;
}

static const char *const batch1[] = { "1+2*3", "(4+5)*(6-1)", "2*(3+(4-", "7/(2-2)", "--8+10", "12)", "100/7/2" };
static const char *const batch2[] = { "((1+1)*(2+2))/(3-3)", "5/0", "1+1" };

int main() {
    int64_t total = run_batch(batch1, 7);
    say("batch 1 total "); say_i64(total); nl();
    try {
        total = run_batch(batch2, 3);
        say("batch 2 total "); say_i64(total); nl();
    } catch (const DivByZero &e) {
        say("main caught the rethrown division by zero of "); say_i64(e.numerator); nl();
    }

    for (int32_t job = 0; job < 4; ++job) {
        try {
            int32_t r = host_call(job, 7);
            say("job "); say_i64(job); say(" returned "); say_i64(r); nl();
        } catch (const JobFailed &f) {
            say("job "); say_i64(job); say(" failed with "); say_i64(f.job); nl();
        }
    }

    std::exception_ptr kept;
    try {
        strict_evaluate("1+");
    } catch (...) {
        kept = std::current_exception();
        say("kept an exception"); nl();
    }
    try {
        try {
            std::rethrow_exception(kept);
        } catch (const ParseError &) {
            say("wrong handler"); nl();
        }
    } catch (const JobFailed &f) {
        say("the kept exception, thrown again: job failed with "); say_i64(f.job); nl();
    }

    int64_t sum = 0;
    for (int32_t i = 0; i < 100000; ++i) {
        try {
            sum += checked_div(i, i % 7);
        } catch (const DivByZero &e) {
            sum += e.numerator * 3;
        }
    }
    say("loop sum "); say_i64(sum); nl();
    say("live guards "); say_i64(live_guards); nl();
    return 0;
}
