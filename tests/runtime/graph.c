/* graph(mode: Str, n: Int, result: out Blob) — task graphs that unfold at
 * run time, built with __loam_spawn exactly as the compiler emits it:
 *   sum      a binary tree: sum(lo, hi) spawns sum(lo, mid) and sum(mid, hi)
 *            and adds what they wrote; result = n(n-1)/2
 *   chain    chain(k) waits for chain(k-1) and adds one; result = n
 *   tail     tail(k) delegates its output to tail(k-1) (tail spawn);
 *            result = "bottom"
 *   diamond  a = seven(); b = inc(a); c = twice(a); d = add(b, c); result 22
 *   fail     main waits for mid, which waits for bad, which panics
 *   tree     n tasks without outputs spawned as a tree; the root polls a
 *            counter (yielding) until every one has run; result = n
 *   same     n identical spawns of slow() (no arguments): one runs, the
 *            others wait for it and share its output (--force: all run);
 *            result = "runs R, all 42"
 *   fanout   n tasks blob(k) each write 300,000 bytes (a pattern of k) in
 *            requests of varied sizes, yielding as they go (so they move
 *            between cores and their buffers reach the I/O thread through
 *            different rings, under backpressure with a small pool); main
 *            checks every byte of every Ref; result = "ok n"
 */
#include "task.h"

enum { T_MAIN, T_SUM, T_CHAIN, T_TAIL, T_SEVEN, T_INC, T_TWICE, T_ADD, T_MID, T_BAD, T_NODE, T_BLOB, T_SLOW };

enum { BLOB_SIZE = 300000 };

static uint8_t blob_byte(int64_t k, int64_t i) { return (uint8_t)((i * 131 + k * 7 + (i >> 12)) & 0xff); }

/* blob(k: Int, out: out Blob) */
static void task_blob(loam_value *args)
{
    int64_t k = args[0].i, done = 0;
    static const int64_t sizes[] = {1, 5000, 70000, 333, 65536, 12, 9000};
    for (int s = (int)(k % 7); done < BLOB_SIZE; s = (s + 1) % 7) {
        int64_t n = sizes[s] < BLOB_SIZE - done ? sizes[s] : BLOB_SIZE - done;
        uint8_t *p = __loam_request(args[1].blob, n);
        for (int64_t i = 0; i < n; i++)
            p[i] = blob_byte(k, done + i);
        __loam_commit(args[1].blob, p, n);
        done += n;
        __loam_yield();
    }
}

static int64_t parse(loam_do *d)
{
    loam_str s = __loam_blob_text(d);
    int64_t v = 0;
    for (int64_t i = 0; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++)
        v = v * 10 + (s.ptr[i] - '0');
    return v;
}

static loam_do *spawn2(int64_t task, int64_t a, int64_t b)
{
    loam_value args[3] = {{.i = a}, {.i = b}, {.blob = NULL}};
    return __loam_spawn(task, args, NULL);
}

/* sum(lo: Int, hi: Int, out: out Blob) */
static void task_sum(loam_value *args)
{
    int64_t lo = args[0].i, hi = args[1].i;
    if (hi - lo <= 1) {
        out_int(args[2].blob, hi > lo ? lo : 0);
        return;
    }
    int64_t mid = lo + (hi - lo) / 2;
    loam_do *left = spawn2(T_SUM, lo, mid);
    loam_do *right = spawn2(T_SUM, mid, hi);
    out_int(args[2].blob, parse(left) + parse(right));
}

/* chain(k: Int, out: out Blob) */
static void task_chain(loam_value *args)
{
    if (args[0].i == 0) {
        out_str(args[1].blob, "0");
        return;
    }
    loam_value a[2] = {{.i = args[0].i - 1}, {.blob = NULL}};
    loam_do *prev = __loam_spawn(T_CHAIN, a, NULL);
    out_int(args[1].blob, parse(prev) + 1);
}

/* tail(k: Int, out: out Blob) */
static void task_tail(loam_value *args)
{
    if (args[0].i == 0) {
        out_str(args[1].blob, "bottom");
        return;
    }
    loam_value a[2] = {{.i = args[0].i - 1}, {.blob = NULL}};
    if (__loam_spawn(T_TAIL, a, args[1].blob) != NULL)
        __loam_panic("graph.c:tail", "a tail spawn returned a Ref");
}

static void task_seven(loam_value *args) { out_str(args[0].blob, "7"); }
static void task_inc(loam_value *args) { out_int(args[1].blob, parse(args[0].blob) + 1); }
static void task_twice(loam_value *args) { out_int(args[1].blob, parse(args[0].blob) * 2); }

/* add(parts: in [Blob], out: out Blob) */
static void task_add(loam_value *args)
{
    int64_t total = 0;
    for (int64_t i = 0; i < args[0].blobs->len; i++)
        total += parse(args[0].blobs->items[i]);
    out_int(args[1].blob, total);
}

static void task_bad(loam_value *args)
{
    out_str(args[0].blob, "never committed");
    __loam_panic("graph.c:99:5", "index 3 out of range for length 2");
}

static void task_mid(loam_value *args)
{
    loam_value a[1] = {{.blob = NULL}};
    out_int(args[0].blob, parse(__loam_spawn(T_BAD, a, NULL)));
}

static volatile int64_t slow_runs;

/* slow(out: out Blob): counts its runs, and yields a while before it
 * writes, so that identical spawns are looked up while it runs. */
static void task_slow(loam_value *args)
{
    __atomic_add_fetch(&slow_runs, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2000; i++)
        __loam_yield();
    out_str(args[0].blob, "42");
}

static volatile int64_t nodes_run;

/* node(lo: Int, hi: Int): no output; a tree over [lo, hi) */
static void task_node(loam_value *args)
{
    __atomic_add_fetch(&nodes_run, 1, __ATOMIC_SEQ_CST);
    int64_t lo = args[0].i + 1, hi = args[1].i;     /* this node is lo - 1 */
    int64_t mid = lo + (hi - lo) / 2;
    loam_value a[2] = {{.i = lo}, {.i = mid}}, b[2] = {{.i = mid}, {.i = hi}};
    if (mid > lo)
        __loam_spawn(T_NODE, a, NULL);
    if (hi > mid)
        __loam_spawn(T_NODE, b, NULL);
}

static bool mode_is(loam_str s, const char *m)
{
    int64_t n = cstr_len(m);
    if (s.len != n)
        return false;
    for (int64_t i = 0; i < n; i++)
        if (s.ptr[i] != m[i])
            return false;
    return true;
}

static void task_main(loam_value *args)
{
    loam_str mode = args[0].s;
    int64_t n = args[1].i;
    loam_do *result = args[2].blob;
    if (mode_is(mode, "sum")) {
        out_int(result, parse(spawn2(T_SUM, 0, n)));
    } else if (mode_is(mode, "chain")) {
        loam_value a[2] = {{.i = n}, {.blob = NULL}};
        out_int(result, parse(__loam_spawn(T_CHAIN, a, NULL)));
    } else if (mode_is(mode, "tail")) {
        loam_value a[2] = {{.i = n}, {.blob = NULL}};
        __loam_spawn(T_TAIL, a, result);
    } else if (mode_is(mode, "diamond")) {
        loam_value none[1] = {{.blob = NULL}};
        loam_do *a = __loam_spawn(T_SEVEN, none, NULL);
        loam_value ab[2] = {{.blob = a}, {.blob = NULL}};
        loam_do *b = __loam_spawn(T_INC, ab, NULL);
        loam_do *c = __loam_spawn(T_TWICE, ab, NULL);
        loam_do *items[2] = {b, c};
        loam_dolist list = {2, items};
        loam_value d[2] = {{.blobs = &list}, {.blob = NULL}};
        out_int(result, parse(__loam_spawn(T_ADD, d, NULL)));
    } else if (mode_is(mode, "fail")) {
        loam_value a[1] = {{.blob = NULL}};
        out_int(result, parse(__loam_spawn(T_MID, a, NULL)));
    } else if (mode_is(mode, "fanout")) {
        loam_do **refs = __loam_alloc(n * (int64_t)sizeof *refs);
        for (int64_t k = 0; k < n; k++) {
            loam_value a[2] = {{.i = k}, {.blob = NULL}};
            refs[k] = __loam_spawn(T_BLOB, a, NULL);
        }
        for (int64_t k = 0; k < n; k++) {
            loam_str s = __loam_blob_text(refs[k]);
            if (s.len != BLOB_SIZE)
                __loam_panic("graph.c:fanout", "a blob has the wrong length");
            for (int64_t i = 0; i < s.len; i++)
                if (s.ptr[i] != blob_byte(k, i))
                    __loam_panic("graph.c:fanout", "a blob has a wrong byte");
        }
        out_str(result, "ok ");
        out_int(result, n);
    } else if (mode_is(mode, "same")) {
        loam_do **refs = __loam_alloc(n * (int64_t)sizeof *refs);
        loam_value none[1] = {{.blob = NULL}};
        for (int64_t k = 0; k < n; k++)
            refs[k] = __loam_spawn(T_SLOW, none, NULL);
        bool all = true;
        for (int64_t k = 0; k < n; k++)
            all = all && parse(refs[k]) == 42;
        out_str(result, "runs ");
        out_int(result, slow_runs);
        out_str(result, all ? ", all 42" : ", not all 42");
    } else if (mode_is(mode, "tree")) {
        loam_value a[2] = {{.i = 0}, {.i = n}};
        __loam_spawn(T_NODE, a, NULL);
        while (__atomic_load_n(&nodes_run, __ATOMIC_SEQ_CST) < n)
            __loam_yield();
        out_int(result, nodes_run);
    } else {
        __loam_panic("graph.c:main", "unknown mode");
    }
}

static const loam_param main_params[] = {{"mode", LOAM_P_STR}, {"n", LOAM_P_INT}, {"result", LOAM_P_OUT}};
static const loam_param range_params[] = {{"lo", LOAM_P_INT}, {"hi", LOAM_P_INT}, {"out", LOAM_P_OUT}};
static const loam_param k_params[] = {{"k", LOAM_P_INT}, {"out", LOAM_P_OUT}};
static const loam_param out_param[] = {{"out", LOAM_P_OUT}};
static const loam_param unary_params[] = {{"x", LOAM_P_IN}, {"out", LOAM_P_OUT}};
static const loam_param add_params[] = {{"parts", LOAM_P_IN_LIST}, {"out", LOAM_P_OUT}};
static const loam_param node_params[] = {{"lo", LOAM_P_INT}, {"hi", LOAM_P_INT}};

const loam_task __loam_tasks[] = {
    [T_MAIN] = {"main", task_main, 3, main_params},
    [T_SUM] = {"sum", task_sum, 3, range_params},
    [T_CHAIN] = {"chain", task_chain, 2, k_params},
    [T_TAIL] = {"tail", task_tail, 2, k_params},
    [T_SEVEN] = {"seven", task_seven, 1, out_param},
    [T_INC] = {"inc", task_inc, 2, unary_params},
    [T_TWICE] = {"twice", task_twice, 2, unary_params},
    [T_ADD] = {"add", task_add, 2, add_params},
    [T_MID] = {"mid", task_mid, 1, out_param},
    [T_BAD] = {"bad", task_bad, 1, out_param},
    [T_NODE] = {"node", task_node, 2, node_params},
    [T_BLOB] = {"blob", task_blob, 2, k_params},
    [T_SLOW] = {"slow", task_slow, 1, out_param},
    {0},
};
const int64_t __loam_root_task = T_MAIN;
