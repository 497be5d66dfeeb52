/* gen.c — a random Loam program generator for differential testing
 * (tests/diff/difftest.sh, spec/interp.md §3).
 *
 *   gen SEED [--coverage]
 *   gen --batch FIRST COUNT [--coverage]
 *
 * Writes to stdout one well-typed, terminating program, the same for the
 * same seed: a struct, an enum, a few functions (bounded recursion, early
 * returns), and a `task main(result: out Blob)` that mixes Int and Float
 * arithmetic (overflow, division by zero and bad shifts happen now and
 * then, and must panic identically everywhere), strings and slicing,
 * arrays, maps (printed in their insertion order), struct copies and
 * places, nested bounded loops, and writes to its output. It ends by
 * printing and writing a checksum line for each of its variables.
 *
 * Termination: every loop has a constant bound or a counter nothing else
 * assigns, no array is pushed to while a loop walks it, functions only call
 * functions declared before them, and a function's recursion is linear and
 * counts down its first parameter `d`, which callers give as 0..3.
 * Bounded work: a string (or a struct's string) is assigned only while it
 * is shorter than STR_GROWTH_LIMIT, since what it is assigned may be made
 * of itself several times over (seed 23838, before this rule, grew one to
 * gigabytes in 15 rounds of `s += s.lower().repeat(3)`).
 *
 * With --coverage, writes to stderr one line per construct: `name count`.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Randomness (splitmix64: same sequence everywhere) and text
 */

enum { STR_GROWTH_LIMIT = 4096 };

static uint64_t rng_state;

static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int pick(int n) { return (int)(next_random() % (uint64_t)n); }
static int chance(int percent) { return pick(100) < percent; }

/* Every string lives in one pool, freed at exit. */
static char *pool, *pool_next, *pool_end;

static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(pool_next, (size_t)(pool_end - pool_next), f, ap);
    va_end(ap);
    if (n < 0 || pool_next + n + 1 > pool_end) {
        fprintf(stderr, "gen: out of pool memory\n");
        exit(2);
    }
    char *s = pool_next;
    pool_next += n + 1;
    return s;
}

/* ---------------------------------------------------------------------------
 * Coverage: how often each construct was generated
 */

#define CONSTRUCTS(X)                                                                                          \
    X(int_arith) X(int_div) X(int_div_unsafe) X(int_shift) X(int_shift_unsafe) X(int_overflow_const)          \
    X(int_bitwise) X(int_neg) X(float_arith) X(float_method) X(float_to_int) X(int_to_float) X(byte_ops)      \
    X(str_concat) X(str_interp) X(str_slice) X(str_slice_unsafe) X(str_index) X(str_method) X(str_split_join) \
    X(str_compare) X(parse_int) X(array_literal) X(array_push) X(array_pop) X(array_index)                   \
    X(array_index_unsafe) X(array_assign) X(array_slice) X(array_sort) X(array_insert_remove)                \
    X(array_contains) X(map_set) X(map_compound) X(map_get) X(map_read) X(map_remove) X(map_iterate)         \
    X(map_keys_values) X(struct_new) X(struct_field_assign) X(struct_copy) X(struct_eq) X(struct_in_array)   \
    X(enum_new) X(enum_match) X(int_match) X(str_match) X(if_else) X(while_loop) X(for_range) X(for_array)    \
    X(nested_loop) X(break_continue) X(fn_call) X(recursion) X(early_return) X(do_write) X(print)            \
    X(compound_assign) X(bool_logic) X(float_sort) X(byte_bool_map) X(str_bytes_loop) X(str_lines_loop)  \
    X(enum_eq) X(nested_array) X(bool_array)

enum {
#define X(name) COV_##name,
    CONSTRUCTS(X)
#undef X
        COV_COUNT
};
static const char *const cov_names[] = {
#define X(name) #name,
    CONSTRUCTS(X)
#undef X
};
static long coverage[COV_COUNT];
#define COVER(name) (coverage[COV_##name]++)

/* ---------------------------------------------------------------------------
 * Types and variables in scope
 */

typedef enum Ty {
    T_INT, T_FLOAT, T_BOOL, T_BYTE, T_STR,
    T_AINT,   /* [Int] */
    T_ASTR,   /* [Str] */
    T_MSI,    /* Map<Str, Int> */
    T_MII,    /* Map<Int, Int> */
    T_P,      /* struct P { a: Int, s: Str, xs: [Int] } */
    T_AP,     /* [P] */
    T_E,      /* enum E { A(Int), B(Str, Int), C } */
    T_COUNT
} Ty;

static const char *const ty_names[] = {"Int", "Float", "Bool", "Byte", "Str", "[Int]", "[Str]",
                                       "Map<Str, Int>", "Map<Int, Int>", "P", "[P]", "E"};

typedef struct Var {
    const char *name;
    Ty ty;
    int depth;        /* block depth where declared */
    int frozen;       /* loop counters and arrays being walked: not assigned */
} Var;

enum { MAX_VARS = 256 };
static Var vars[MAX_VARS];
static int nvars, depth, loop_depth, var_counter;
static int in_fn;          /* generating a function body: -1 in main, else its index */
static int fn_count;
static Ty fn_result[4];
static FILE *out;
static const char *pfx = "";   /* suffix of item names: "" alone, "_SEED" in a batch */

static void line(const char *f, ...) {
    for (int i = 0; i < depth + 1; i++) fputs("    ", out);
    va_list ap;
    va_start(ap, f);
    vfprintf(out, f, ap);
    va_end(ap);
    fputc('\n', out);
}

static Var *find_var(Ty ty, int assignable) {
    int candidates[MAX_VARS], n = 0;
    for (int i = 0; i < nvars; i++)
        if (vars[i].ty == ty && (!assignable || !vars[i].frozen)) candidates[n++] = i;
    return n ? &vars[candidates[pick(n)]] : NULL;
}

static const char *new_var(Ty ty) {
    const char *name = fmt("v%d", var_counter++);
    if (nvars < MAX_VARS) vars[nvars++] = (Var){name, ty, depth, 0};
    return name;
}

static void open_block(void) { depth++; }

static void close_block(void) {
    while (nvars > 0 && vars[nvars - 1].depth >= depth) nvars--;
    depth--;
}

/* ---------------------------------------------------------------------------
 * Expressions
 */

static const char *expr(Ty ty, int d);

/* Negative literals and unary expressions are parenthesized, so that a
 * method call can follow them: (-5).abs(), (!b).str(). */
static const char *small_int(void) {
    int v = pick(21) - 5;
    return v < 0 ? fmt("(%d)", v) : fmt("%d", v);
}

static const char *int_literal(void) {
    if (chance(4)) {
        COVER(int_overflow_const);
        static const char *const big[] = {"9223372036854775807", "4611686018427387904", "3037000500",
                                          "(-9223372036854775807 - 1)"};
        return big[pick(4)];
    }
    if (chance(20)) return fmt("%d", pick(100000));
    return small_int();
}

/* A divisor that is never zero: (e % 7 + 8) is in 2..14. */
static const char *safe_divisor(int d) { return fmt("(%s %% 7 + 8)", expr(T_INT, d)); }

static const char *str_literal(void) {
    static const char *const strs[] = {"\"\"", "\"a\"", "\"ab\"", "\"hello\"", "\"x,y,z\"", "\"  pad  \"",
                                       "\"Loam\"", "\"é😀\"", "\"tab\\tnl\\n\"", "\"1,2,,3\"", "\"42\"", "\"-7\"",
                                       "\"AbC\"", "\"q\\\"uote\"", "\"\\{x\\}\""};
    return strs[pick((int)(sizeof strs / sizeof *strs))];
}

static const char *float_literal(void) {
    static const char *const fs[] = {"0.0", "1.5", "(-2.25)", "0.1", "3.0e10", "1e-5", "100.0", "2.5", "(-0.0)",
                                     "1e300", "7.0"};
    return fs[pick((int)(sizeof fs / sizeof *fs))];
}

/* A call to a function declared before the current one, or NULL. */
static const char *fn_call(Ty ty, int d) {
    int limit = in_fn < 0 ? fn_count : in_fn;
    int candidates[4], n = 0;
    for (int i = 0; i < limit; i++)
        if (fn_result[i] == ty) candidates[n++] = i;
    if (!n || d <= 0) return NULL;
    COVER(fn_call);
    int f = candidates[pick(n)];
    return fmt("f%d%s(%d, %s, %s, %s)", f, pfx, pick(4), expr(T_INT, d - 1), expr(T_STR, d - 1), expr(T_AINT, 0));
}

static const char *int_expr(int d) {
    Var *v = find_var(T_INT, 0);
    if (d <= 0 || chance(25)) return v && chance(70) ? v->name : int_literal();
    switch (pick(20)) {
    case 0: case 1: case 2: COVER(int_arith); return fmt("(%s + %s)", expr(T_INT, d - 1), expr(T_INT, d - 1));
    case 3: case 4: COVER(int_arith); return fmt("(%s - %s)", expr(T_INT, d - 1), expr(T_INT, d - 1));
    case 5: COVER(int_arith); return fmt("(%s * %s)", expr(T_INT, d - 1), small_int());
    case 6:
        COVER(int_div);
        return fmt("(%s %s %s)", expr(T_INT, d - 1), chance(50) ? "/" : "%", safe_divisor(d - 1));
    case 7:
        if (chance(30)) {
            COVER(int_div_unsafe);
            return fmt("(%s / %s)", expr(T_INT, d - 1), expr(T_INT, d - 1));
        }
        COVER(int_bitwise);
        return fmt("(%s %s %s)", expr(T_INT, d - 1), (const char *[]){"&", "|", "^"}[pick(3)], expr(T_INT, d - 1));
    case 8:
        if (chance(15)) {
            COVER(int_shift_unsafe);
            return fmt("(%s >> %s)", expr(T_INT, d - 1), expr(T_INT, d - 1));
        }
        COVER(int_shift);
        return fmt("(%s %s %d)", expr(T_INT, d - 1), chance(50) ? "<<" : ">>", pick(64));
    case 9: COVER(int_neg); return fmt("(-%s)", expr(T_INT, d - 1));
    case 10: COVER(str_method); return fmt("%s.len()", expr(T_STR, d - 1));
    case 11: return fmt("%s.len()", expr(chance(50) ? T_AINT : T_ASTR, d - 1));
    case 12: COVER(float_to_int); return fmt("%s.int()", expr(T_FLOAT, d - 1));
    case 13: COVER(byte_ops); return fmt("%s.int()", expr(T_BYTE, d - 1));
    case 14: {
        COVER(array_index);
        Var *a = find_var(T_AINT, 0);
        if (!a) return int_literal();
        if (chance(20)) {
            COVER(array_index_unsafe);
            return fmt("%s[%s]", a->name, expr(T_INT, d - 1));
        }
        return fmt("%s[%s %% (%s.len() + 1) %% %s.len().max(1)]", a->name, expr(T_INT, 0), a->name, a->name);
    }
    case 15: {
        COVER(map_get);
        Var *m = find_var(T_MSI, 0);
        if (!m) return int_literal();
        if (chance(15)) {
            COVER(map_read);
            return fmt("%s[%s]", m->name, expr(T_STR, 0));
        }
        return fmt("%s.get(%s, %s)", m->name, expr(T_STR, d - 1), small_int());
    }
    case 16: {
        Var *p = find_var(T_P, 0);
        if (!p) return int_literal();
        return fmt("%s.a", p->name);
    }
    case 17: {
        const char *c = fn_call(T_INT, d);
        if (c) return c;
        return fmt("%s.abs()", expr(T_INT, d - 1));
    }
    case 18: COVER(str_method); return fmt("%s.find(%s)", expr(T_STR, d - 1), str_literal());
    default:
        if (chance(30)) {
            COVER(parse_int);
            return fmt("%s.parse_int()", chance(70) ? fmt("%s.str()", expr(T_INT, d - 1)) : str_literal());
        }
        return fmt("%s.min(%s)", expr(T_INT, d - 1), expr(T_INT, d - 1));
    }
}

static const char *float_expr(int d) {
    Var *v = find_var(T_FLOAT, 0);
    if (d <= 0 || chance(25)) return v && chance(60) ? v->name : float_literal();
    switch (pick(8)) {
    case 0: case 1:
        COVER(float_arith);
        return fmt("(%s %s %s)", expr(T_FLOAT, d - 1), (const char *[]){"+", "-", "*", "/", "%"}[pick(5)],
                   expr(T_FLOAT, d - 1));
    case 2: COVER(int_to_float); return fmt("%s.float()", expr(T_INT, d - 1));
    case 3:
        COVER(float_method);
        return fmt("%s.%s()", expr(T_FLOAT, d - 1), (const char *[]){"sqrt", "abs", "floor", "ceil"}[pick(4)]);
    case 4: COVER(float_method); return fmt("%s.%s(%s)", expr(T_FLOAT, d - 1), chance(50) ? "min" : "max", expr(T_FLOAT, d - 1));
    case 5: return fmt("(-%s)", expr(T_FLOAT, d - 1));
    case 6: return fmt("%s.parse_float()", chance(80) ? fmt("%s.str()", expr(T_FLOAT, d - 1)) : str_literal());
    default: return float_literal();
    }
}

static const char *bool_expr(int d) {
    if (d <= 0 || chance(20)) {
        Var *v = find_var(T_BOOL, 0);
        return v && chance(50) ? v->name : chance(50) ? "true" : "false";
    }
    static const char *const cmp[] = {"==", "!=", "<", "<=", ">", ">="};
    switch (pick(10)) {
    case 0: case 1: return fmt("(%s %s %s)", expr(T_INT, d - 1), cmp[pick(6)], expr(T_INT, d - 1));
    case 2: return fmt("(%s %s %s)", expr(T_FLOAT, d - 1), cmp[pick(6)], expr(T_FLOAT, d - 1));
    case 3: COVER(str_compare); return fmt("(%s %s %s)", expr(T_STR, d - 1), cmp[pick(6)], expr(T_STR, d - 1));
    case 4: COVER(bool_logic); return fmt("(%s %s %s)", expr(T_BOOL, d - 1), chance(50) ? "&&" : "||", expr(T_BOOL, d - 1));
    case 5: COVER(bool_logic); return fmt("(!%s)", expr(T_BOOL, d - 1));
    case 6: COVER(array_contains); return fmt("%s.contains(%s)", expr(T_AINT, d - 1), expr(T_INT, d - 1));
    case 7: {
        Var *m = find_var(T_MSI, 0);
        if (m) return fmt("%s.has(%s)", m->name, expr(T_STR, d - 1));
        return fmt("%s.starts_with(%s)", expr(T_STR, d - 1), str_literal());
    }
    case 8: {
        COVER(struct_eq);
        Var *p = find_var(T_P, 0), *q = find_var(T_P, 0);
        if (p && q) return fmt("(%s %s %s)", p->name, chance(50) ? "==" : "!=", q->name);
        return fmt("%s.contains(%s)", expr(T_STR, d - 1), str_literal());
    }
    default: return fmt("(%s == %s)", expr(T_AINT, d - 1), expr(T_AINT, d - 1));
    }
}

static const char *byte_expr(int d) {
    COVER(byte_ops);
    switch (d <= 0 ? 0 : pick(4)) {
    case 0: return (const char *[]){"b'a'", "b'0'", "b' '", "b'\\n'", "b'\\xff'"}[pick(5)];
    case 1: COVER(str_index); return fmt("%s[0]", chance(80) ? "\"xyz\"" : expr(T_STR, d - 1));
    case 2: return fmt("(%s %% 256).abs().byte()", expr(T_INT, d - 1));
    default: return fmt("%s.byte()", expr(T_INT, d - 1));
    }
}

static const char *str_expr(int d) {
    Var *v = find_var(T_STR, 0);
    if (d <= 0 || chance(20)) return v && chance(60) ? v->name : str_literal();
    switch (pick(12)) {
    case 0: case 1: COVER(str_concat); return fmt("(%s + %s)", expr(T_STR, d - 1), expr(T_STR, d - 1));
    case 2: case 3: {
        COVER(str_interp);
        static const Ty shown[] = {T_INT, T_FLOAT, T_BOOL, T_BYTE, T_STR};
        return fmt("\"<{%s}|{%s}>\"", expr(shown[pick(5)], d - 1), expr(shown[pick(5)], d - 1));
    }
    case 4: {
        const char *s = expr(T_STR, d - 1);
        if (chance(20)) {
            COVER(str_slice_unsafe);
            return fmt("%s[%s..%s]", s, expr(T_INT, 0), expr(T_INT, 0));
        }
        COVER(str_slice);
        Var *w = find_var(T_STR, 0);
        if (!w) return fmt("%s[..]", s);
        return fmt("%s[%s.len() / 3..%s.len() / 2]", w->name, w->name, w->name);
    }
    case 5:
        COVER(str_method);
        return fmt("%s.%s()", expr(T_STR, d - 1), (const char *[]){"upper", "lower", "trim"}[pick(3)]);
    case 6: COVER(str_method); return fmt("%s.repeat(%d)", expr(T_STR, d - 1), pick(4));
    case 7: return fmt("%s.str()", expr(chance(50) ? T_INT : T_FLOAT, d - 1));
    case 8: COVER(str_split_join); return fmt("%s.join(%s)", expr(T_ASTR, d - 1), str_literal());
    case 9: {
        const char *c = fn_call(T_STR, d);
        if (c) return c;
        return fmt("%s.s", expr(T_P, d - 1));
    }
    case 10: {
        Var *a = find_var(T_ASTR, 0);
        if (!a) return str_literal();
        return fmt("%s[%s %% %s.len().max(1)]", a->name, fmt("%s.abs()", expr(T_INT, 0)), a->name);
    }
    default: return fmt("%s.str()", expr(T_BOOL, d - 1));
    }
}

static const char *aint_expr(int d) {
    Var *v = find_var(T_AINT, 0);
    if (v && (d <= 0 || chance(50))) return v->name;
    COVER(array_literal);
    switch (d <= 0 ? 0 : pick(5)) {
    case 0: return fmt("[%s, %s, %s]", int_literal(), int_literal(), int_literal());
    case 1: return fmt("[%s]", expr(T_INT, d - 1));
    case 2: COVER(array_slice); return v ? fmt("%s[%s.len() / 2..]", v->name, v->name) : "[1, 2]";
    case 3: COVER(array_sort); return fmt("%s.sorted()", expr(T_AINT, d - 1));
    default: COVER(map_keys_values); return find_var(T_MSI, 0) ? fmt("%s.values()", find_var(T_MSI, 0)->name) : "[7]";
    }
}

static const char *astr_expr(int d) {
    Var *v = find_var(T_ASTR, 0);
    if (v && (d <= 0 || chance(40))) return v->name;
    switch (d <= 0 ? 0 : pick(4)) {
    case 0: return fmt("[%s, %s]", str_literal(), str_literal());
    case 1: COVER(str_split_join); return fmt("%s.split(\",\")", expr(T_STR, d - 1));
    case 2: COVER(map_keys_values); return find_var(T_MSI, 0) ? fmt("%s.keys()", find_var(T_MSI, 0)->name) : "[\"k\"]";
    default: return fmt("%s.words()", expr(T_STR, d - 1));
    }
}

static const char *p_expr(int d) {
    Var *v = find_var(T_P, 0);
    if (v && (d <= 0 || chance(50))) {
        COVER(struct_copy);
        return v->name;
    }
    COVER(struct_new);
    if (chance(50)) return fmt("P%s(%s, %s, %s)", pfx, expr(T_INT, d - 1), expr(T_STR, d - 1), expr(T_AINT, d - 1));
    return fmt("P%s(s: %s, xs: %s, a: %s)", pfx, expr(T_STR, d - 1), expr(T_AINT, d - 1), expr(T_INT, d - 1));
}

static const char *e_expr(int d) {
    Var *v = find_var(T_E, 0);
    if (v && chance(40)) return v->name;
    COVER(enum_new);
    switch (pick(3)) {
    case 0: return fmt("E%s.A(%s)", pfx, expr(T_INT, d - 1));
    case 1: return fmt("E%s.B(%s, %s)", pfx, expr(T_STR, d - 1), expr(T_INT, d - 1));
    default: return fmt("E%s.C", pfx);
    }
}

static const char *expr(Ty ty, int d) {
    if (d > 3) d = 3;
    switch (ty) {
    case T_INT: return int_expr(d);
    case T_FLOAT: return float_expr(d);
    case T_BOOL: return bool_expr(d);
    case T_BYTE: return byte_expr(d);
    case T_STR: return str_expr(d);
    case T_AINT: return aint_expr(d);
    case T_ASTR: return astr_expr(d);
    case T_MSI: { Var *v = find_var(T_MSI, 0); return v ? v->name : "Map<Str, Int>()"; }
    case T_MII: { Var *v = find_var(T_MII, 0); return v ? v->name : "Map<Int, Int>()"; }
    case T_P: return p_expr(d);
    case T_AP: { Var *v = find_var(T_AP, 0); return v && chance(70) ? v->name : fmt("[%s]", p_expr(d)); }
    case T_E: return e_expr(d);
    default: return "0";
    }
}

/* ---------------------------------------------------------------------------
 * Statements
 */

static void stmt(int budget);

static void block(int n) {
    open_block();
    for (int i = 0; i < n; i++) stmt(n);
    close_block();
}

/* Writes the current value of v (a checksum of it) to stdout or to out. */
static void show(Var *v) {
    const char *sink = in_fn < 0 && chance(30) ? "result.write" : "print";
    const char *nl = sink[0] == 'r' ? "\\n" : "";
    switch (v->ty) {
    case T_INT: case T_FLOAT: case T_BOOL: case T_BYTE: case T_STR:
        line("%s(\"%s={%s}%s\");", sink, v->name, v->name, nl);
        break;
    case T_AINT: line("%s(\"%s=\" + %s.len().str() + \":{%s.sorted()[..].len()}\"%s);", sink, v->name, v->name, v->name, nl[0] ? " + \"\\n\"" : "");
        {
            const char *x = fmt("x%d", var_counter++);
            line("for %s in %s { %s(\"  {%s}%s\"); }", x, v->name, sink, x, nl);
        }
        break;
    case T_ASTR: line("%s(\"%s=[\" + %s.join(\"|\") + \"]\"%s);", sink, v->name, v->name, nl[0] ? " + \"\\n\"" : ""); break;
    case T_MSI: case T_MII: {
        COVER(map_iterate);
        const char *k = fmt("k%d", var_counter++), *val = fmt("w%d", var_counter++);
        line("for %s, %s in %s { %s(\"%s[{%s}]={%s}%s\"); }", k, val, v->name, sink, v->name, k, val, nl);
        break;
    }
    case T_P: line("%s(\"%s=P({%s.a},{%s.s},{%s.xs.len()})%s\");", sink, v->name, v->name, v->name, v->name, nl); break;
    case T_AP: {
        const char *i = fmt("i%d", var_counter++), *p = fmt("p%d", var_counter++);
        line("for %s, %s in %s { %s(\"%s[{%s}]=({%s.a},{%s.s})%s\"); }", i, p, v->name, sink, v->name, i, p, p, nl);
        break;
    }
    case T_E: {
        COVER(enum_match);
        line("match %s {", v->name);
        line("    A(n) => { %s(\"%s=A({n})%s\"); }", sink, v->name, nl);
        line("    B(s, n) => { %s(\"%s=B({s},{n})%s\"); }", sink, v->name, nl);
        line("    C => { %s(\"%s=C%s\"); }", sink, v->name, nl);
        line("}");
        break;
    }
    default: break;
    }
    if (sink[0] == 'r') COVER(do_write);
    else COVER(print);
}

static void declare(void) {
    static const Ty common[] = {T_INT, T_INT, T_INT, T_FLOAT, T_BOOL, T_BYTE, T_STR, T_STR, T_AINT, T_AINT,
                                T_ASTR, T_MSI, T_MII, T_P, T_AP, T_E};
    Ty ty = common[pick((int)(sizeof common / sizeof *common))];
    const char *init = expr(ty, 3);
    const char *name = new_var(ty);
    if (ty == T_AINT && chance(30)) line("let %s: [Int] = [];", name);
    else line("let %s = %s;", name, init);
}

static void assign(void) {
    Ty ty = (Ty)pick(T_COUNT);
    Var *v = find_var(ty, 1);
    if (!v) {
        declare();
        return;
    }
    /* A string that is assigned something made of itself (s += s.repeat(3),
     * s = s + s) grows geometrically in a loop: only a short one may grow. */
    const char *guard = ty == T_STR ? fmt("if %s.len() < %d ", v->name, STR_GROWTH_LIMIT)
                        : ty == T_P ? fmt("if %s.s.len() < %d ", v->name, STR_GROWTH_LIMIT)
                                    : NULL;
    if ((ty == T_INT || ty == T_FLOAT || ty == T_STR) && chance(50)) {
        COVER(compound_assign);
        const char *op = ty == T_STR ? "+=" : (const char *[]){"+=", "-=", "*=", "/=", "%="}[pick(5)];
        const char *rhs = ty == T_INT && (op[0] == '/' || op[0] == '%') && chance(80) ? safe_divisor(2) : expr(ty, 2);
        if (guard)
            line("%s{ %s %s %s; }", guard, v->name, op, rhs);
        else
            line("%s %s %s;", v->name, op, rhs);
        return;
    }
    if (guard)
        line("%s{ %s = %s; }", guard, v->name, expr(ty, 3));
    else
        line("%s = %s;", v->name, expr(ty, 3));
}

static void container_stmt(void) {
    Var *a = find_var(T_AINT, 1), *m = find_var(T_MSI, 1), *mi = find_var(T_MII, 1), *p = find_var(T_P, 1);
    Var *ap = find_var(T_AP, 1);
    switch (pick(12)) {
    case 0: case 1:
        if (a) { COVER(array_push); line("%s.push(%s);", a->name, expr(T_INT, 2)); }
        break;
    case 2:
        if (a) {
            COVER(array_pop);
            if (chance(70)) line("if %s.len() > 0 { let %s = %s.pop(); print(\"pop {%s}\"); }", a->name, fmt("t%d", var_counter), a->name, fmt("t%d", var_counter)), var_counter++;
            else line("%s.pop();", a->name);
        }
        break;
    case 3:
        if (a) {
            COVER(array_assign);
            line("if %s.len() > 0 { %s[%s.len() - 1] %s %s; }", a->name, a->name, a->name, chance(50) ? "=" : "+=", expr(T_INT, 1));
        }
        break;
    case 4:
        if (a) {
            COVER(array_insert_remove);
            if (chance(50)) line("%s.insert(%s.len() / 2, %s);", a->name, a->name, expr(T_INT, 1));
            else line("if %s.len() > 1 { print(\"removed {%s.remove(1)}\"); }", a->name, a->name);
        }
        break;
    case 5:
        if (a) { COVER(array_sort); line("%s.%s();", a->name, chance(50) ? "sort" : "reverse"); }
        break;
    case 6:
        if (m) { COVER(map_set); line("%s[%s] = %s;", m->name, expr(T_STR, 1), expr(T_INT, 2)); }
        break;
    case 7:
        if (m) { COVER(map_compound); line("%s[%s] += %s;", m->name, expr(T_STR, 1), expr(T_INT, 1)); }
        else if (mi) { COVER(map_compound); line("%s[%s %% 5] += 1;", mi->name, expr(T_INT, 1)); }
        break;
    case 8:
        if (m) { COVER(map_remove); line("%s.remove(%s);", m->name, expr(T_STR, 1)); }
        break;
    case 9:
        if (p) {
            COVER(struct_field_assign);
            switch (pick(3)) {
            case 0: line("%s.a %s %s;", p->name, chance(50) ? "=" : "+=", expr(T_INT, 2)); break;
            case 1: line("%s.s = %s;", p->name, expr(T_STR, 2)); break;
            default: line("%s.xs.push(%s);", p->name, expr(T_INT, 1)); break;
            }
        }
        break;
    case 10:
        if (ap) {
            COVER(struct_in_array);
            if (chance(50)) line("%s.push(%s);", ap->name, expr(T_P, 2));
            else line("if %s.len() > 0 { %s[0].a += %s; }", ap->name, ap->name, expr(T_INT, 1));
        }
        break;
    default:
        if (mi) { COVER(map_set); line("%s[%s] = %s;", mi->name, expr(T_INT, 1), expr(T_INT, 1)); }
        break;
    }
}

/* One-liners over types that have no variables of their own: Float
 * sorting, Byte and Bool keys and elements, bytes and lines of a Str, enum
 * equality, arrays of arrays. */
static void misc_stmt(void) {
    const char *t = fmt("t%d", var_counter++);
    switch (pick(7)) {
    case 0:
        COVER(float_sort);
        line("let %s = [%s, %s, %s, 0.0 / 0.0, -0.0];", t, expr(T_FLOAT, 1), expr(T_FLOAT, 1), expr(T_FLOAT, 1));
        line("%s.sort();", t);
        line("print(\"{%s[0]} {%s[1]} {%s[4]} {%s.contains(%s)}\");", t, t, t, t, expr(T_FLOAT, 0));
        break;
    case 1:
        COVER(byte_bool_map);
        line("let %s = Map<Byte, Bool>();", t);
        line("%s[%s] = %s;", t, expr(T_BYTE, 1), expr(T_BOOL, 1));
        line("%s[b'q'] = %s;", t, expr(T_BOOL, 1));
        line("for k, v in %s.sorted() { print(\"{k}:{v}\"); }", t);
        line("print(\"{%s.len()} {%s.get(b'z', true)} {%s.has(b'q')}\");", t, t, t);
        break;
    case 2:
        COVER(str_bytes_loop);
        line("for i, c in %s.bytes() {", expr(T_STR, 2));
        line("    if i > 4 { break; }");
        line("    print(\"{i}:{c}:{c.is_alpha()}:{c.is_digit()}:{c.is_space()}\");");
        line("}");
        break;
    case 3:
        COVER(str_lines_loop);
        line("for ln in (%s + \"\\nz\\r\\n\").lines() { print(\"[{ln}] {ln.words().len()}\"); }", expr(T_STR, 2));
        break;
    case 4:
        COVER(enum_eq);
        line("print(\"{%s == %s} {%s != E%s.C}\");", expr(T_E, 1), expr(T_E, 1), expr(T_E, 1), pfx);
        break;
    case 5:
        COVER(nested_array);
        line("let %s = [[%s], [%s, %s]];", t, expr(T_INT, 1), expr(T_INT, 1), expr(T_INT, 1));
        line("%s[0].push(%s);", t, expr(T_INT, 1));
        line("let %s_copy = %s[..];", t, t);
        line("%s_copy[1].push(7);", t);
        line("print(\"{%s[0].len()} {%s[1].len()} {%s == %s_copy} {%s[1][2]}\");", t, t, t, t, t);
        break;
    default:
        COVER(bool_array);
        line("let %s = [%s, %s, true];", t, expr(T_BOOL, 1), expr(T_BOOL, 1));
        line("%s[0] = !%s[2];", t, t);
        line("print(\"{%s.sorted()[0]} {%s.contains(false)} {%s == [false, false, true]}\");", t, t, t);
        break;
    }
}

static void loop_stmt(int budget) {
    if (loop_depth >= 3) return;
    if (loop_depth > 0) COVER(nested_loop);
    loop_depth++;
    switch (pick(3)) {
    case 0: {
        COVER(for_range);
        const char *i = fmt("i%d", var_counter++);
        line("for %s in %s..%d {", i, small_int(), pick(6) + 1);
        open_block();
        if (nvars < MAX_VARS) vars[nvars++] = (Var){i, T_INT, depth, 1};
        break;
    }
    case 1: {
        COVER(while_loop);
        const char *c = fmt("c%d", var_counter++);
        line("let %s = 0;", c);
        line("while %s < %d {", c, pick(5) + 1);
        open_block();
        line("%s += 1;", c);
        break;
    }
    default: {
        COVER(for_array);
        Var *a = find_var(T_AINT, 0);
        const char *x = fmt("x%d", var_counter++);
        /* Walk a copy: the body may push to the array itself. */
        line("for %s in %s[..] {", x, a ? a->name : "[3, 1, 2]");
        open_block();
        if (nvars < MAX_VARS) vars[nvars++] = (Var){x, T_INT, depth, 1};
        break;
    }
    }
    int n = pick(3) + 1;
    for (int k = 0; k < n; k++) stmt(budget / 2);
    if (chance(30)) {
        COVER(break_continue);
        line("if %s { %s; }", expr(T_BOOL, 1), chance(50) ? "break" : "continue");
    }
    close_block();
    line("}");
    loop_depth--;
}

static void match_stmt(void) {
    if (chance(50)) {
        COVER(int_match);
        line("match %s %% 4 {", expr(T_INT, 2));
        line("    0 => { print(\"zero\"); }");
        line("    -1 => { print(\"minus one\"); }");
        line("    2 => { print(\"two\"); }");
        line("    _ => { print(\"other\"); }");
        line("}");
    } else {
        COVER(str_match);
        line("match %s {", expr(T_STR, 2));
        line("    \"a\" => { print(\"is a\"); }");
        line("    \"hello\" => { print(\"is hello\"); }");
        line("    _ => { print(\"other str\"); }");
        line("}");
    }
}

static void stmt(int budget) {
    int r = pick(100);
    if (r < 25) declare();
    else if (r < 45) assign();
    else if (r < 65) container_stmt();
    else if (r < 75 && budget > 1) loop_stmt(budget);
    else if (r < 83 && budget > 1) {
        COVER(if_else);
        line("if %s {", expr(T_BOOL, 2));
        block(pick(2) + 1);
        if (chance(50)) {
            line("} else {");
            block(pick(2) + 1);
        }
        line("}");
    } else if (r < 86) match_stmt();
    else if (r < 89) misc_stmt();
    else if (r < 92 && in_fn >= 0) {
        COVER(early_return);
        line("if %s { return %s; }", expr(T_BOOL, 1), expr(fn_result[in_fn], 1));
    } else {
        Var *v = nvars ? &vars[pick(nvars)] : NULL;
        if (v) show(v);
    }
}

/* ---------------------------------------------------------------------------
 * Functions and the task
 */

/* fn fK(d: Int, x: Int, s: Str, xs: [Int]) -> Int|Str: linear recursion on d. */
static void function(int k) {
    in_fn = k;
    fn_result[k] = chance(60) ? T_INT : T_STR;
    fprintf(out, "fn f%d%s(d: Int, x: Int, s: Str, xs: [Int]) -> %s {\n", k, pfx, ty_names[fn_result[k]]);
    nvars = 0;
    vars[nvars++] = (Var){"d", T_INT, 0, 1};
    vars[nvars++] = (Var){"x", T_INT, 0, 0};
    vars[nvars++] = (Var){"s", T_STR, 0, 0};
    vars[nvars++] = (Var){"xs", T_AINT, 0, 0};
    COVER(early_return);
    line("if d <= 0 { return %s; }", expr(fn_result[k], 2));
    int n = pick(4) + 1;
    for (int i = 0; i < n; i++) stmt(2);
    if (chance(60)) {
        COVER(recursion);
        line("let r = f%d%s(d - 1, %s, %s, xs);", k, pfx, expr(T_INT, 1), expr(T_STR, 1));
        vars[nvars++] = (Var){"r", fn_result[k], 0, 0};
    }
    line("return %s;", expr(fn_result[k], 2));
    fprintf(out, "}\n\n");
    nvars = 0;
}

/* One program. Alone, its root is `task main(result: out Blob)`; in a batch
 * (pfx set) its body is `fn main_SEED(result: out Blob)`. */
static void program(uint64_t seed) {
    rng_state = seed * 0x2545F4914F6CDD1Du + 1;
    nvars = depth = loop_depth = var_counter = 0;
    fprintf(out, "// generated by tests/gen/gen %llu\n", (unsigned long long)seed);
    fprintf(out, "struct P%s { a: Int, s: Str, xs: [Int] }\n", pfx);
    fprintf(out, "enum E%s { A(Int), B(Str, Int), C }\n\n", pfx);
    fn_count = pick(4);
    for (int k = 0; k < fn_count; k++) function(k);
    in_fn = -1;
    if (*pfx) fprintf(out, "fn main%s(result: out Blob) {\n", pfx);
    else fprintf(out, "task main(result: out Blob) {\n");
    nvars = 0;
    int n = 8 + pick(18);
    for (int i = 0; i < n; i++) stmt(6);
    for (int i = 0; i < nvars; i++) show(&vars[i]);
    line("result.write(\"done\\n\");");
    fprintf(out, "}\n\n");
}

/* Seeds first..first+count-1 in one file, each program's names suffixed
 * with _SEED, and a root task that runs the one chosen by `which`: one
 * build per configuration for the whole batch. */
static void batch(uint64_t first, uint64_t count) {
    for (uint64_t s = first; s < first + count; s++) {
        pfx = fmt("_%llu", (unsigned long long)s);
        program(s);
        pool_next = pool;   /* nothing outlives a program */
    }
    fprintf(out, "task main(which: Int, result: out Blob) {\n    match which {\n");
    for (uint64_t s = first; s < first + count; s++)
        fprintf(out, "        %llu => { main_%llu(result); }\n", (unsigned long long)s, (unsigned long long)s);
    fprintf(out, "        _ => { print(\"no program {which}\"); }\n    }\n}\n");
}

static bool parse_seed(const char *s, uint64_t *v) {
    char *end;
    *v = strtoull(s, &end, 10);
    if (*s && !*end) return true;
    fprintf(stderr, "gen: '%s' is not a number\n", s);
    return false;
}

int main(int argc, char **argv) {
    bool cover = argc > 1 && strcmp(argv[argc - 1], "--coverage") == 0;
    if (cover) argc--;
    uint64_t first, count = 0;
    bool is_batch = argc == 4 && strcmp(argv[1], "--batch") == 0;
    if (!(argc == 2 || is_batch)) {
        fprintf(stderr, "usage: gen SEED [--coverage]\n       gen --batch FIRST COUNT [--coverage]\n");
        return 2;
    }
    if (!parse_seed(argv[is_batch ? 2 : 1], &first) || (is_batch && !parse_seed(argv[3], &count))) return 2;
    size_t size = 64u << 20;
    pool = pool_next = malloc(size);
    if (!pool) return 2;
    pool_end = pool + size;
    out = stdout;
    if (is_batch) batch(first, count);
    else program(first);
    if (cover)
        for (int i = 0; i < COV_COUNT; i++) fprintf(stderr, "%s %ld\n", cov_names[i], coverage[i]);
    free(pool);
    return 0;
}
