// Binary trees (after the Benchmarks Game): allocation- and call-heavy recursion over small functions.
// Nodes come from a static pool with a free list (freestanding: no libc).
// export: run(n) -> i32, n = the maximum depth (at least 6, at most 18)
typedef struct Node { struct Node *left, *right; } Node;

static Node pool[1 << 20];
static Node *free_list;
static int next_free;

__attribute__((noinline)) static Node *alloc_node(void) {
    Node *n = free_list;
    if (n) {
        free_list = n->left;
    } else {
        n = &pool[next_free++];
    }
    return n;
}

__attribute__((noinline)) static void free_node(Node *n) {
    n->left = free_list;
    free_list = n;
}

__attribute__((noinline)) static Node *make(int depth) {
    Node *n = alloc_node();
    if (depth > 0) {
        n->left = make(depth - 1);
        n->right = make(depth - 1);
    } else {
        n->left = n->right = 0;
    }
    return n;
}

__attribute__((noinline)) static int check(const Node *n) {
    return n->left ? 1 + check(n->left) + check(n->right) : 1;
}

__attribute__((noinline)) static void destroy(Node *n) {
    if (n->left) {
        destroy(n->left);
        destroy(n->right);
    }
    free_node(n);
}

__attribute__((export_name("run"))) int run(int n) {
    const int min_depth = 4;
    int max_depth = n < min_depth + 2 ? min_depth + 2 : n > 18 ? 18 : n;
    free_list = 0;
    next_free = 0;
    unsigned hash = 2166136261u;
    Node *stretch = make(max_depth + 1);
    hash = (hash ^ (unsigned)check(stretch)) * 16777619u;
    destroy(stretch);
    Node *long_lived = make(max_depth);
    for (int depth = min_depth; depth <= max_depth; depth += 2) {
        int iterations = 1 << (max_depth - depth + min_depth);
        int sum = 0;
        for (int i = 0; i < iterations; i++) {
            Node *t = make(depth);
            sum += check(t);
            destroy(t);
        }
        hash = (hash ^ (unsigned)sum) * 16777619u;
    }
    hash = (hash ^ (unsigned)check(long_lived)) * 16777619u;
    destroy(long_lived);
    return (int)hash;
}
