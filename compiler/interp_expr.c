/* interp_expr.c — expressions and built-in methods (spec §3.2, §3.3, §7).
 *
 * eval() returns the value of an expression. Operands are evaluated left to
 * right, a method's receiver before its arguments, as compiler/lower_expr.c
 * does. Integer arithmetic is checked here (spec §3.2); everything stdlib-min
 * implements — string and array operations, maps, formatting, conversions
 * that can fail — is called there, through libffi (interp_value.c), so the
 * interpreter and the images share one implementation of the library.
 */
#include "interp_internal.h"

#include <stdio.h>
#include <string.h>

static Value std1(StdId id, Value a) { return std_call(id, 1, &a); }
static Value std2(StdId id, Value a, Value b) { return std_call(id, 2, (Value[]){a, b}); }
static Value std3(StdId id, Value a, Value b, Value c) { return std_call(id, 3, (Value[]){a, b, c}); }
static Value std4(StdId id, Value a, Value b, Value c, Value d) { return std_call(id, 4, (Value[]){a, b, c, d}); }
static Value ptr_value(const void *p) { return (Value){.p = (void *)p}; }
static Value int_value(int64_t i) { return (Value){.i = i}; }

/* A value in memory form in fresh arena memory, to pass by address. */
static void *spill(Interp *I, Type *t, Value v) {
    void *p = __loam_alloc(size_of_type(I, t));
    store_value(I, t, p, v);
    return p;
}

static Expr *arg_value(Expr *call, uint32_t i) { return ((Arg *)call->as.call.args.items[i])->value; }

/* ---------------------------------------------------------------------------
 * Operators (spec §3.2)
 */

static Value int_binary(Interp *I, BinaryOp op, int64_t a, int64_t b, Span at) {
    int64_t r = 0;
    switch (op) {
    case BIN_ADD: if (__builtin_add_overflow(a, b, &r)) __loam_panic_overflow(where_of(I, at)); break;
    case BIN_SUB: if (__builtin_sub_overflow(a, b, &r)) __loam_panic_overflow(where_of(I, at)); break;
    case BIN_MUL: if (__builtin_mul_overflow(a, b, &r)) __loam_panic_overflow(where_of(I, at)); break;
    case BIN_DIV:
    case BIN_REM:
        if (b == 0) __loam_panic_divide(where_of(I, at));
        if (a == INT64_MIN && b == -1) __loam_panic_overflow(where_of(I, at));
        r = op == BIN_DIV ? a / b : a % b;
        break;
    case BIN_AND: r = a & b; break;
    case BIN_OR: r = a | b; break;
    case BIN_XOR: r = a ^ b; break;
    case BIN_SHL:
    case BIN_SHR:
        if (b < 0 || b > 63) __loam_panic(where_of(I, at), "shift amount out of range (0 to 63)");
        r = op == BIN_SHL ? (int64_t)((uint64_t)a << b) : a >> b;   /* >> keeps the sign (clang: arithmetic) */
        break;
    default: die("int_binary: operator %d", op);
    }
    return int_value(r);
}

static Value float_binary(BinaryOp op, double a, double b) {
    switch (op) {
    case BIN_ADD: return (Value){.f = a + b};
    case BIN_SUB: return (Value){.f = a - b};
    case BIN_MUL: return (Value){.f = a * b};
    case BIN_DIV: return (Value){.f = a / b};
    case BIN_REM: return std2(STD_float_rem, (Value){.f = a}, (Value){.f = b});
    default: die("float_binary: operator %d", op);
    }
}

/* <0, 0, >0 as C compares two scalars of the same kind. */
static int order(Type *t, Value a, Value b) {
    switch (t->kind) {
    case TY_INT: return (a.i > b.i) - (a.i < b.i);
    case TY_BYTE: return (a.byte > b.byte) - (a.byte < b.byte);
    case TY_BOOL: return (a.b > b.b) - (a.b < b.b);
    case TY_STR: return (int)std2(STD_str_cmp, a, b).i;
    default: die("ordering a type the checker rejects");
    }
}

static bool compare(Interp *I, BinaryOp op, Type *t, Value a, Value b) {
    if (t->kind == TY_FLOAT) {   /* IEEE: every comparison with NaN is false, except != */
        switch (op) {
        case BIN_EQ: return a.f == b.f;
        case BIN_NE: return a.f != b.f;
        case BIN_LT: return a.f < b.f;
        case BIN_LE: return a.f <= b.f;
        case BIN_GT: return a.f > b.f;
        default: return a.f >= b.f;
        }
    }
    if (op == BIN_EQ) return interp_equal(I, t, a, b);
    if (op == BIN_NE) return !interp_equal(I, t, a, b);
    int c = order(t, a, b);
    switch (op) {
    case BIN_LT: return c < 0;
    case BIN_LE: return c <= 0;
    case BIN_GT: return c > 0;
    default: return c >= 0;
    }
}

Value interp_binary(Interp *I, BinaryOp op, Type *t, Value a, Value b, Span at) {
    switch (op) {
    case BIN_EQ: case BIN_NE: case BIN_LT: case BIN_LE: case BIN_GT: case BIN_GE:
        return (Value){.b = compare(I, op, t, a, b)};
    default: break;
    }
    if (t->kind == TY_STR) return std2(STD_str_add, a, b);
    if (t->kind == TY_FLOAT) return float_binary(op, a.f, b.f);
    return int_binary(I, op, a.i, b.i, at);
}

static Value eval_binary(Interp *I, Expr *e) {
    BinaryOp op = e->as.binary.op;
    if (op == BIN_LOGIC_AND || op == BIN_LOGIC_OR) {
        bool lhs = eval(I, e->as.binary.lhs).b;
        if (lhs == (op == BIN_LOGIC_OR)) return (Value){.b = lhs};
        return (Value){.b = eval(I, e->as.binary.rhs).b};
    }
    Value a = eval(I, e->as.binary.lhs);
    Value b = eval(I, e->as.binary.rhs);
    return interp_binary(I, op, e->as.binary.lhs->type, a, b, e->span);
}

static Value eval_unary(Interp *I, Expr *e) {
    Value v = eval(I, e->as.unary.operand);
    Type *t = e->as.unary.operand->type;
    if (e->as.unary.op == UN_NEG) {
        if (t->kind == TY_FLOAT) return (Value){.f = -v.f};
        if (v.i == INT64_MIN) __loam_panic_overflow(where_of(I, e->span));
        return int_value(-v.i);
    }
    if (t->kind == TY_BOOL) return (Value){.b = !v.b};
    return int_value(~v.i);
}

/* ---------------------------------------------------------------------------
 * Strings, arrays, maps
 */

/* "a{x}b": the pieces formatted and joined; empty literal pieces skipped. */
static Value eval_interp(Interp *I, Expr *e) {
    List *parts = &e->as.parts;
    loam_str *pieces = __loam_alloc((int64_t)(parts->len + 1) * (int64_t)sizeof *pieces);
    int64_t n = 0;
    for (uint32_t i = 0; i < parts->len; i++) {
        Expr *part = parts->items[i];
        if (i % 2 == 0 && part->kind == E_STR && part->as.str.len == 0) continue;
        pieces[n++] = format_value(part->type, eval(I, part));
    }
    if (n == 0) return (Value){.s = {NULL, 0}};
    if (n == 1) return (Value){.s = pieces[0]};
    return std2(STD_concat, ptr_value(pieces), int_value(n));
}

static Value eval_array_literal(Interp *I, Expr *e) {
    Type *elem = e->type->elem;
    int64_t size = size_of_type(I, elem), n = e->as.elems.len;
    uint8_t *data = __loam_alloc(size * (n + 1));
    for (int64_t i = 0; i < n; i++) store_value(I, elem, data + i * size, eval(I, e->as.elems.items[i]));
    return std3(STD_array_from, int_value(size), ptr_value(data), int_value(n));
}

/* The whole content of an `in Blob` or a Ref. */
static Value blob_text(Interp *I, Value handle) { return (Value){.s = do_text(I, handle.p)}; }

static Value eval_index(Interp *I, Expr *e) {
    Expr *object = e->as.index.object;
    Type *t = object->type;
    Value o = eval(I, object);
    Value w = ptr_value(where_of(I, e->span));
    if (t->kind == TY_MAP) {
        void *key = spill(I, t->key, eval(I, e->as.index.index));
        return load_value(I, t->value, std3(STD_map_at, w, o, ptr_value(key)).p);
    }
    Value i = eval(I, e->as.index.index);
    switch (t->kind) {
    case TY_ARRAY: return load_value(I, t->elem, std3(STD_array_at, w, o, i).p);
    case TY_STR: return std3(STD_str_at, w, o, i);
    case TY_REF: return std3(STD_str_at, w, blob_text(I, o), i);
    case TY_DO:
        if (t->is_list) {
            IDoList *list = o.p;
            if (i.i < 0 || i.i >= list->len) __loam_panic_bounds(w.p, i.i, list->len);
            return ptr_value(list->items[i.i]);
        }
        return std3(STD_str_at, w, blob_text(I, o), i);
    default: break;
    }
    die("index of a type the checker rejects");
}

/* s[lo..hi], xs[lo..hi]: an omitted bound is 0 or the length. */
static Value eval_slice(Interp *I, Expr *e) {
    Type *t = e->as.slice.object->type;
    Value o = eval(I, e->as.slice.object);
    Value lo = e->as.slice.lo ? eval(I, e->as.slice.lo) : int_value(0);
    Value hi = {0};
    if (e->as.slice.hi) hi = eval(I, e->as.slice.hi);
    Value w = ptr_value(where_of(I, e->span));
    if (t->kind == TY_ARRAY) {
        if (!e->as.slice.hi) hi = std1(STD_array_len, o);
        return std4(STD_array_slice, w, o, lo, hi);
    }
    if (t->kind == TY_REF || t->kind == TY_DO) o = blob_text(I, o);
    if (!e->as.slice.hi) hi = int_value(o.s.len);
    return std4(STD_str_slice, w, o, lo, hi);
}

static Value eval_field(Interp *I, Expr *e) {
    if (e->as.field.enum_item) {   /* Shape.Empty: a variant without payload */
        Value v = {.agg = __loam_alloc(size_of_type(I, e->type))};
        int64_t tag = e->as.field.field;
        memcpy(v.agg, &tag, 8);
        return v;
    }
    Expr *object = e->as.field.object;
    Value o = eval(I, object);
    const Layout *l = layout_of(I, object->type);
    return load_value(I, e->type, o.agg + l->offsets[e->as.field.field]);
}

/* ---------------------------------------------------------------------------
 * Calls
 */

static Value eval_struct(Interp *I, Expr *e) {
    Item *decl = e->as.call.item;
    const Layout *l = layout_of(I, e->type);
    Value v = {.agg = __loam_alloc(l->size)};
    for (uint32_t i = 0; i < e->as.call.args.len; i++) {
        Arg *a = e->as.call.args.items[i];
        uint32_t k = i;
        if (a->name)
            for (k = 0; k < decl->fields.len && ((Field *)decl->fields.items[k])->name != a->name; k++) {}
        if (k >= decl->fields.len) die("no field '%s' in '%s' after checking", a->name, decl->name);
        Type *ft = ((Field *)decl->fields.items[k])->field_type;
        store_value(I, ft, v.agg + l->offsets[k], eval(I, a->value));
    }
    return v;
}

static Value eval_variant(Interp *I, Expr *e) {
    Item *decl = e->as.call.item;
    int64_t tag = e->as.call.variant;
    Field *variant = decl->fields.items[tag];
    const Layout *l = layout_of(I, e->type);
    Value v = {.agg = __loam_alloc(l->size)};
    memcpy(v.agg, &tag, 8);
    for (uint32_t i = 0; i < e->as.call.args.len; i++)
        store_value(I, variant->payload_types[i], v.agg + l->payload_offsets[tag][i], eval(I, arg_value(e, i)));
    return v;
}

static Value eval_fn_call(Interp *I, Expr *e) {
    Item *fn = e->as.call.item;
    uint32_t n = e->as.call.args.len;
    Value args[n + 1];
    for (uint32_t i = 0; i < n; i++) args[i] = eval(I, arg_value(e, i));
    if (fn->kind == I_EXTERN_FN) return std_call((StdId)std_lookup(fn->name), (int)n, args);   /* checked by interp.c */
    return call_function(I, fn, args);
}

static void print_line(loam_str s) {
    if (s.len) fwrite(s.ptr, 1, (size_t)s.len, stdout);
    putchar('\n');
}

/* A built-in method: its stdlib-min function (stdlib.md §2), also for the
 * methods the compiler inlines (len, min, max, abs, is_digit…), so that a
 * difference between the inlined code and the library shows up. */
static Value eval_method(Interp *I, Expr *e) {
    int id = e->as.call.builtin;
    Type *rt = e->as.call.receiver->type;
    Value r = eval(I, e->as.call.receiver);
    Value a[4] = {{0}};
    for (uint32_t i = 0; i < e->as.call.args.len && i < 4; i++) a[i] = eval(I, arg_value(e, i));
    Value w = ptr_value(where_of(I, e->span));
    switch (id) {
    case BUILTIN_INT_FLOAT: return std1(STD_int_float, r);
    case BUILTIN_INT_BYTE: return std2(STD_int_byte, w, r);
    case BUILTIN_INT_STR: return std1(STD_int_str, r);
    case BUILTIN_INT_ABS: return std2(STD_int_abs, w, r);
    case BUILTIN_INT_MIN: return std2(STD_int_min, r, a[0]);
    case BUILTIN_INT_MAX: return std2(STD_int_max, r, a[0]);
    case BUILTIN_FLOAT_INT: return std2(STD_float_int, w, r);
    case BUILTIN_FLOAT_STR: return std1(STD_float_str, r);
    case BUILTIN_FLOAT_SQRT: return std1(STD_float_sqrt, r);
    case BUILTIN_FLOAT_ABS: return std1(STD_float_abs, r);
    case BUILTIN_FLOAT_FLOOR: return std1(STD_float_floor, r);
    case BUILTIN_FLOAT_CEIL: return std1(STD_float_ceil, r);
    case BUILTIN_FLOAT_MIN: return std2(STD_float_min, r, a[0]);
    case BUILTIN_FLOAT_MAX: return std2(STD_float_max, r, a[0]);
    case BUILTIN_BYTE_INT: return std1(STD_byte_int, r);
    case BUILTIN_BYTE_STR: return std1(STD_byte_str, r);
    case BUILTIN_BYTE_IS_SPACE: return std1(STD_byte_is_space, r);
    case BUILTIN_BYTE_IS_DIGIT: return std1(STD_byte_is_digit, r);
    case BUILTIN_BYTE_IS_ALPHA: return std1(STD_byte_is_alpha, r);
    case BUILTIN_BOOL_STR: return std1(STD_bool_str, r);
    case BUILTIN_STR_LEN: return std1(STD_str_len, r);
    case BUILTIN_STR_BYTES: return std1(STD_str_bytes, r);
    case BUILTIN_STR_LINES: return std1(STD_str_lines, r);
    case BUILTIN_STR_WORDS: return std1(STD_str_words, r);
    case BUILTIN_STR_SPLIT: return std3(STD_str_split, w, r, a[0]);
    case BUILTIN_STR_FIND: return std2(STD_str_find, r, a[0]);
    case BUILTIN_STR_PARSE_INT: return std2(STD_str_parse_int, w, r);
    case BUILTIN_STR_PARSE_FLOAT: return std2(STD_str_parse_float, w, r);
    case BUILTIN_STR_LOWER: return std1(STD_str_lower, r);
    case BUILTIN_STR_UPPER: return std1(STD_str_upper, r);
    case BUILTIN_STR_REPEAT: return std3(STD_str_repeat, w, r, a[0]);
    case BUILTIN_ARRAY_LEN: return std1(STD_array_len, r);
    case BUILTIN_ARRAY_PUSH: std2(STD_array_push, r, ptr_value(spill(I, rt->elem, a[0]))); return (Value){0};
    case BUILTIN_ARRAY_POP: {
        void *out = __loam_alloc(size_of_type(I, rt->elem));
        std3(STD_array_pop, w, r, ptr_value(out));
        return load_value(I, rt->elem, out);
    }
    case BUILTIN_ARRAY_INSERT: std4(STD_array_insert, w, r, a[0], ptr_value(spill(I, rt->elem, a[1]))); return (Value){0};
    case BUILTIN_ARRAY_REMOVE: {
        void *out = __loam_alloc(size_of_type(I, rt->elem));
        std4(STD_array_remove, w, r, a[0], ptr_value(out));
        return load_value(I, rt->elem, out);
    }
    case BUILTIN_ARRAY_SORT: std2(STD_array_sort, r, int_value(kind_of(rt->elem))); return (Value){0};
    case BUILTIN_ARRAY_SORTED: return std2(STD_array_sorted, r, int_value(kind_of(rt->elem)));
    case BUILTIN_ARRAY_REVERSE: std1(STD_array_reverse, r); return (Value){0};
    case BUILTIN_ARRAY_CONTAINS: return (Value){.b = array_contains(I, rt->elem, r, a[0])};
    case BUILTIN_ARRAY_JOIN: return std2(STD_array_join, r, a[0]);
    case BUILTIN_MAP_LEN: return std1(STD_map_len, r);
    case BUILTIN_MAP_HAS: return std2(STD_map_has, r, ptr_value(spill(I, rt->key, a[0])));
    case BUILTIN_MAP_GET: {
        void *out = __loam_alloc(size_of_type(I, rt->value));
        std4(STD_map_get, r, ptr_value(spill(I, rt->key, a[0])), ptr_value(spill(I, rt->value, a[1])), ptr_value(out));
        return load_value(I, rt->value, out);
    }
    case BUILTIN_MAP_REMOVE: std2(STD_map_remove, r, ptr_value(spill(I, rt->key, a[0]))); return (Value){0};
    case BUILTIN_MAP_KEYS: return std1(STD_map_keys, r);
    case BUILTIN_MAP_VALUES: return std1(STD_map_values, r);
    case BUILTIN_MAP_SORTED: return std1(STD_map_sorted, r);
    case BUILTIN_BLOB_LEN: return int_value(blob_text(I, r).s.len);
    case BUILTIN_BLOB_TEXT: return blob_text(I, r);
    case BUILTIN_BLOB_BYTES: return std1(STD_str_bytes, blob_text(I, r));
    case BUILTIN_BLOB_LINES: return std1(STD_str_lines, blob_text(I, r));
    case BUILTIN_BLOB_WORDS: return std1(STD_str_words, blob_text(I, r));
    case BUILTIN_BLOB_WRITE:
    case BUILTIN_BLOB_PRINT: do_write(r.p, a[0].s.ptr, a[0].s.len); return (Value){0};   /* print is write */
    case BUILTIN_BLOB_WRITE_BYTE: do_write(r.p, &a[0].byte, 1); return (Value){0};
    case BUILTIN_BLOBS_LEN: return int_value(((IDoList *)r.p)->len);
    }
    /* trim, contains, starts_with, ends_with: the checker made them calls of
     * their fns in stdlib-min/prelude.loam, so they never get here. */
    die("unknown builtin %d", id);
}

static Value eval_call(Interp *I, Expr *e) {
    switch (e->as.call.kind) {
    case CALL_FN: return eval_fn_call(I, e);
    case CALL_METHOD: return eval_method(I, e);
    case CALL_STRUCT: return eval_struct(I, e);
    case CALL_VARIANT: return eval_variant(I, e);
    case CALL_PRINT: print_line(eval(I, arg_value(e, 0)).s); return (Value){0};
    case CALL_TASK: case CALL_UNRESOLVED: break;
    }
    die("evaluating an unresolved call");
}

Value eval(Interp *I, Expr *e) {
    switch (e->kind) {
    case E_INT: return int_value(e->as.int_value);
    case E_FLOAT: return (Value){.f = e->as.float_value};
    case E_BOOL: return (Value){.b = e->as.bool_value};
    case E_BYTE: return (Value){.byte = e->as.byte_value};
    case E_STR: return (Value){.s = {(const uint8_t *)e->as.str.bytes, e->as.str.len}};
    case E_INTERP: return eval_interp(I, e);
    case E_NAME: return copy_value(I, e->type, *local(I, e->as.name.sym));
    case E_ARRAY: return eval_array_literal(I, e);
    case E_CALL: return eval_call(I, e);
    case E_FIELD: return eval_field(I, e);
    case E_INDEX: return eval_index(I, e);
    case E_SLICE: return eval_slice(I, e);
    case E_MAP_NEW:
        return std2(STD_map_new, int_value(kind_of(e->type->key)), int_value(size_of_type(I, e->type->value)));
    case E_SPAWN: return spawn_task(I, e->as.spawn.call, NULL);
    case E_UNARY: return eval_unary(I, e);
    case E_BINARY: return eval_binary(I, e);
    case E_POISON: break;
    }
    die("evaluating a poison expression");
}
