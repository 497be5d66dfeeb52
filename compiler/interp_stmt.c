/* interp_stmt.c — statements, places and calls (spec §3.2, §3.4, §3.5).
 *
 * exec() runs a statement and says how it ended (next, break, continue,
 * return). Locals live in frames on one stack of Values: each function's
 * parameters and bindings are numbered once (params first), and a call
 * pushes a frame of that many slots. A struct or enum slot owns its bytes
 * (Value.agg), so a place inside it is an address into them.
 *
 * Assignment computes the value first, then the place, as the compiler
 * does (a value may grow the array or map holding the place). For loops
 * count with a hidden counter; an array loop re-reads the length at each
 * step, a map loop walks entry indices with __loam_map_next.
 */
#include "interp_internal.h"

#include <string.h>

/* Deepest Loam call chain: beyond it a panic 'stack overflow', as an image
 * panics when its 8 MiB stack runs out (at a depth that depends on frame
 * sizes; no generated program comes near either). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOAM_INTERP_ASAN 1
#endif
#endif
#ifdef LOAM_INTERP_ASAN
/* Under ASan a call level takes ~4.4 KiB of C stack, and a panic (noreturn)
 * from more than 64 MiB deep makes ASan print a warning: stay below, while
 * allowing tests/run/recursion.loam's 10,001 levels. */
enum { MAX_DEPTH = 12000 };
#else
enum { MAX_DEPTH = 100000 };
#endif

/* ---------------------------------------------------------------------------
 * Slots
 */

static void number(Interp *I, Symbol *sym, int64_t *count) {
    if (sym) *ptrmap_slot(&I->arena, &I->slots, (uintptr_t)sym) = (void *)(uintptr_t)(++*count);
}

static void number_stmt(Interp *I, Stmt *s, int64_t *count) {
    if (!s) return;
    switch (s->kind) {
    case S_LET: number(I, s->as.let.var.sym, count); break;
    case S_IF: number_stmt(I, s->as.if_.then_block, count); number_stmt(I, s->as.if_.else_stmt, count); break;
    case S_WHILE: number_stmt(I, s->as.while_.body, count); break;
    case S_FOR:
        number(I, s->as.for_.first.sym, count);
        if (s->as.for_.has_second) number(I, s->as.for_.second.sym, count);
        number_stmt(I, s->as.for_.body, count);
        break;
    case S_MATCH:
        for (uint32_t i = 0; i < s->as.match.arms.len; i++) {
            MatchArm *arm = s->as.match.arms.items[i];
            for (uint32_t k = 0; k < arm->pattern->bindings.len; k++)
                number(I, ((Binding *)arm->pattern->bindings.items[k])->sym, count);
            number_stmt(I, arm->body, count);
        }
        break;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) number_stmt(I, s->as.block.stmts.items[i], count);
        break;
    default: break;
    }
}

/* How many slots fn's frame has; numbers them the first time. */
static int64_t frame_size(Interp *I, Item *fn) {
    void **slot = ptrmap_slot(&I->arena, &I->slot_counts, (uintptr_t)fn);
    if (!*slot) {
        int64_t count = 0;
        for (uint32_t i = 0; i < fn->params.len; i++) number(I, ((Param *)fn->params.items[i])->sym, &count);
        number_stmt(I, fn->body, &count);
        *slot = (void *)(uintptr_t)(count + 1);
    }
    return (int64_t)(uintptr_t)*slot - 1;
}

Value *local(Interp *I, Symbol *sym) {
    void **slot = ptrmap_slot(&I->arena, &I->slots, (uintptr_t)sym);
    if (!*slot) die("local '%s' has no slot", sym->name);
    return &I->stack[I->frame_base + (int64_t)(uintptr_t)*slot - 1];
}

static void set_local(Interp *I, Binding *b, Value v) {
    if (b->sym) *local(I, b->sym) = v;
}

/* ---------------------------------------------------------------------------
 * Calls
 */

static Value run_frame(Interp *I, Item *fn, const Value *args) {
    int64_t size = frame_size(I, fn);
    if (I->depth >= MAX_DEPTH || I->stack_top + size > I->stack_cap) __loam_panic(I->task_name, "stack overflow");
    I->depth++;
    int64_t saved_base = I->frame_base;
    I->frame_base = I->stack_top;
    I->stack_top += size;
    memset(&I->stack[I->frame_base], 0, (size_t)size * sizeof *I->stack);
    for (uint32_t i = 0; i < fn->params.len; i++) I->stack[I->frame_base + i] = args[i];
    Flow flow = exec(I, fn->body);
    Value result = flow == FLOW_RETURN ? I->result : (Value){0};
    I->stack_top = I->frame_base;
    I->frame_base = saved_base;
    I->depth--;
    return result;
}

Value call_function(Interp *I, Item *fn, const Value *args) { return run_frame(I, fn, args); }

void run_task_body(Interp *I, Item *task, const Value *args) { run_frame(I, task, args); }

/* ---------------------------------------------------------------------------
 * Places and assignment (spec §3.2)
 */

/* The address of a place. `direct` is true for the place assigned itself:
 * a map element then gets a zero-filled slot when its key is missing
 * (`m[k] += v`); deeper in a place, a missing key panics. */
static void *place_address(Interp *I, Expr *place, bool direct) {
    switch (place->kind) {
    case E_NAME: {
        Value *slot = local(I, place->as.name.sym);
        return is_aggregate(place->type) ? (void *)slot->agg : (void *)slot;
    }
    case E_FIELD: {
        Expr *object = place->as.field.object;
        uint8_t *p = place_address(I, object, false);
        return p + layout_of(I, object->type)->offsets[place->as.field.field];
    }
    case E_INDEX: {
        Type *t = place->as.index.object->type;
        Value o = eval(I, place->as.index.object);
        Value w = {.p = (void *)where_of(I, place->span)};
        if (t->kind == TY_MAP) {
            void *key = __loam_alloc(size_of_type(I, t->key));
            store_value(I, t->key, key, eval(I, place->as.index.index));
            if (direct) return std_call(STD_map_slot, 2, (Value[]){o, {.p = key}}).p;
            return std_call(STD_map_at, 3, (Value[]){w, o, {.p = key}}).p;
        }
        Value i = eval(I, place->as.index.index);
        return std_call(STD_array_at, 3, (Value[]){w, o, i}).p;
    }
    default: break;
    }
    die("assignment to something that is not a place");
}

static void exec_assign(Interp *I, Stmt *s) {
    static const BinaryOp ops[] = {[AS_ADD] = BIN_ADD, [AS_SUB] = BIN_SUB, [AS_MUL] = BIN_MUL,
                                   [AS_DIV] = BIN_DIV, [AS_REM] = BIN_REM};
    Expr *place = s->as.assign.place;
    Type *t = place->type;
    Value v = eval(I, s->as.assign.value);
    void *p = place_address(I, place, true);
    if (s->as.assign.op != AS_SET) v = interp_binary(I, ops[s->as.assign.op], t, load_value(I, t, p), v, s->span);
    store_value(I, t, p, v);
}

/* ---------------------------------------------------------------------------
 * Control flow
 */

/* Runs a loop body; returns true when the loop must stop (*flow says why:
 * FLOW_NEXT after a break, FLOW_RETURN for a return). */
static bool loop_body(Interp *I, Stmt *body, Flow *flow) {
    Flow f = exec(I, body);
    if (f == FLOW_BREAK) {
        *flow = FLOW_NEXT;
        return true;
    }
    if (f == FLOW_RETURN) {
        *flow = FLOW_RETURN;
        return true;
    }
    return false;
}

static Flow exec_for(Interp *I, Stmt *s) {
    Binding *first = &s->as.for_.first, *second = &s->as.for_.second;
    Type *t = s->as.for_.iter->type;
    Value iter = eval(I, s->as.for_.iter);
    Flow flow = FLOW_NEXT;
    if (s->as.for_.range_hi) {
        int64_t hi = eval(I, s->as.for_.range_hi).i;
        for (int64_t i = iter.i; i < hi; i++) {
            set_local(I, first, (Value){.i = i});
            if (loop_body(I, s->as.for_.body, &flow)) break;
        }
    } else if (t->kind == TY_MAP) {
        Value m = iter;
        for (int64_t i = std_call(STD_map_next, 2, (Value[]){m, {.i = 0}}).i; i >= 0;
             i = std_call(STD_map_next, 2, (Value[]){m, {.i = i + 1}}).i) {
            set_local(I, first, load_value(I, t->key, std_call(STD_map_key_at, 2, (Value[]){m, {.i = i}}).p));
            set_local(I, second, load_value(I, t->value, std_call(STD_map_value_at, 2, (Value[]){m, {.i = i}}).p));
            if (loop_body(I, s->as.for_.body, &flow)) break;
        }
    } else if (t->kind == TY_ARRAY) {
        loam_array *a = iter.p;
        int64_t size = size_of_type(I, t->elem);
        for (int64_t i = 0; i < a->len; i++) {   /* the length is read again at each step */
            Value x = load_value(I, t->elem, a->data + i * size);
            if (s->as.for_.has_second) {
                set_local(I, first, (Value){.i = i});
                set_local(I, second, x);
            } else set_local(I, first, x);
            if (loop_body(I, s->as.for_.body, &flow)) break;
        }
    } else if (t->kind == TY_DO && t->is_list) {
        IDoList *list = iter.p;
        for (int64_t i = 0; i < list->len; i++) {
            Value x = {.p = list->items[i]};
            if (s->as.for_.has_second) {
                set_local(I, first, (Value){.i = i});
                set_local(I, second, x);
            } else set_local(I, first, x);
            if (loop_body(I, s->as.for_.body, &flow)) break;
        }
    } else die("for over a type the checker rejects");
    return flow;
}

static bool pattern_matches(Interp *I, Pattern *p, Type *t, Value v) {
    switch (p->kind) {
    case P_WILDCARD: return true;
    case P_VARIANT: {
        int64_t tag;
        memcpy(&tag, v.agg, 8);
        return tag == p->variant;
    }
    case P_INT: return v.i == p->as.int_value;
    case P_BYTE: return v.byte == p->as.byte_value;
    case P_BOOL: return v.b == p->as.bool_value;
    case P_STR: return interp_equal(I, t, v, (Value){.s = {(const uint8_t *)p->as.str.bytes, p->as.str.len}});
    }
    return false;
}

static Flow exec_match(Interp *I, Stmt *s) {
    Type *t = s->as.match.scrutinee->type;
    Value v = eval(I, s->as.match.scrutinee);
    for (uint32_t i = 0; i < s->as.match.arms.len; i++) {
        MatchArm *arm = s->as.match.arms.items[i];
        Pattern *p = arm->pattern;
        if (!pattern_matches(I, p, t, v)) continue;
        if (p->kind == P_VARIANT) {
            Field *variant = t->decl->fields.items[p->variant];
            const int64_t *offsets = layout_of(I, t)->payload_offsets[p->variant];
            for (uint32_t k = 0; k < p->bindings.len; k++)
                set_local(I, p->bindings.items[k], load_value(I, variant->payload_types[k], v.agg + offsets[k]));
        }
        return exec(I, arm->body);
    }
    return FLOW_NEXT;   /* the checker proved the arms exhaustive */
}

Flow exec(Interp *I, Stmt *s) {
    switch (s->kind) {
    case S_LET: set_local(I, &s->as.let.var, eval(I, s->as.let.init)); return FLOW_NEXT;
    case S_ASSIGN: exec_assign(I, s); return FLOW_NEXT;
    case S_EXPR: eval(I, s->as.expr); return FLOW_NEXT;
    case S_DELEGATE: spawn_task(I, s->as.delegate.call, local(I, s->as.delegate.out.sym)->p); return FLOW_NEXT;
    case S_IF:
        if (eval(I, s->as.if_.cond).b) return exec(I, s->as.if_.then_block);
        return s->as.if_.else_stmt ? exec(I, s->as.if_.else_stmt) : FLOW_NEXT;
    case S_WHILE: {
        Flow flow = FLOW_NEXT;
        while (eval(I, s->as.while_.cond).b)
            if (loop_body(I, s->as.while_.body, &flow)) break;
        return flow;
    }
    case S_FOR: return exec_for(I, s);
    case S_MATCH: return exec_match(I, s);
    case S_BREAK: return FLOW_BREAK;
    case S_CONTINUE: return FLOW_CONTINUE;
    case S_RETURN:
        I->result = s->as.ret ? eval(I, s->as.ret) : (Value){0};
        return FLOW_RETURN;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) {
            Flow f = exec(I, s->as.block.stmts.items[i]);
            if (f != FLOW_NEXT) return f;
        }
        return FLOW_NEXT;
    }
    die("unknown statement kind %d", s->kind);
}
