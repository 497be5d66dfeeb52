/* lower_expr.c — values and expressions to LLVM IR (design §3, abi.md §1).
 *
 * Strings, arrays, maps, arithmetic with its traps, comparisons, calls and
 * built-in methods. Each function returns the value of its expression in
 * the current block; checks that can fail branch to cold panic blocks
 * (lower.c: panic_if). The other half of the lowering is lower.c.
 */
#include "lower_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Str values
 */

LLVMValueRef str_ptr(Lowerer *L, LLVMValueRef s) { return LLVMBuildExtractValue(L->b, s, 0, "str.ptr"); }
LLVMValueRef str_len(Lowerer *L, LLVMValueRef s) { return LLVMBuildExtractValue(L->b, s, 1, "str.len"); }

LLVMValueRef make_str(Lowerer *L, LLVMValueRef p, LLVMValueRef len) {
    LLVMValueRef s = LLVMBuildInsertValue(L->b, LLVMGetUndef(L->str), p, 0, "");
    return LLVMBuildInsertValue(L->b, s, len, 1, "");
}

/* __loam_concat of n parts, through an array in the entry block. */
static LLVMValueRef concat(Lowerer *L, int n, LLVMValueRef *parts) {
    if (n == 1) return parts[0];
    LLVMTypeRef type = LLVMArrayType(L->str, (unsigned)n);
    LLVMValueRef buf = entry_alloca(L, type, "parts");
    for (int i = 0; i < n; i++) {
        LLVMValueRef at = LLVMBuildStructGEP2(L->b, type, buf, (unsigned)i, "");
        LLVMBuildStore(L->b, parts[i], at);
    }
    return call2(L, "__loam_concat", C_STR, C_PTR, buf, C_I64, const_int(L, n));
}

/* __loam_str_cmp: <0, 0, >0 (an i32). */
static LLVMValueRef str_compare(Lowerer *L, LLVMValueRef a, LLVMValueRef b) {
    return call2(L, "__loam_str_cmp", C_I32, C_STR, a, C_STR, b);
}

static LLVMValueRef str_index(Lowerer *L, LLVMValueRef s, LLVMValueRef i, Span at) {
    check_bounds(L, i, str_len(L, s), at);
    LLVMValueRef p = LLVMBuildGEP2(L->b, L->i8, str_ptr(L, s), &i, 1, "");
    return LLVMBuildLoad2(L->b, L->i8, p, "byte");
}

/* s[lo..hi] shares the bytes of s: 0 <= lo <= hi <= len, else a panic. */
/* 0 <= lo <= hi <= len, checked inline (two unsigned compares); when it
 * fails, the stdlib's own slice function (`fn`) runs and panics with the
 * message stdlib.md gives for each case, so compiled and library slices
 * report the same thing. */
static void check_slice(Lowerer *L, const char *fn, CType object_type, LLVMValueRef object, LLVMValueRef lo,
                        LLVMValueRef hi, LLVMValueRef len, Span at) {
    LLVMValueRef bad = LLVMBuildOr(L->b, LLVMBuildICmp(L->b, LLVMIntUGT, hi, len, ""),
                                   LLVMBuildICmp(L->b, LLVMIntUGT, lo, hi, ""), "");
    LLVMBasicBlockRef fail = new_block(L, "slice.bad"), ok = new_block(L, "slice.ok");
    LLVMBuildCondBr(L->b, unlikely(L, bad), fail, ok);
    LLVMPositionBuilderAtEnd(L->b, fail);
    call_c(L, fn, object_type, 4, (CType[]){C_PTR, object_type, C_I64, C_I64},
           (LLVMValueRef[]){where(L, at), object, lo, hi}, 0);
    LLVMBuildUnreachable(L->b);
    LLVMPositionBuilderAtEnd(L->b, ok);
}

static LLVMValueRef str_slice(Lowerer *L, LLVMValueRef s, LLVMValueRef lo, LLVMValueRef hi, Span at) {
    LLVMValueRef len = str_len(L, s);
    if (!lo) lo = const_int(L, 0);
    if (!hi) hi = len;
    check_slice(L, "__loam_str_slice", C_STR, s, lo, hi, len, at);
    LLVMValueRef p = LLVMBuildGEP2(L->b, L->i8, str_ptr(L, s), &lo, 1, "");
    return make_str(L, p, LLVMBuildSub(L->b, hi, lo, ""));
}

/* ---------------------------------------------------------------------------
 * Arrays: reference semantics, elements inline (abi.md §1)
 */

LLVMValueRef array_len(Lowerer *L, LLVMValueRef a) {
    return load_field(L, L->b, L->array, a, ARRAY_LEN, L->i64, "len");
}

/* A new array of `count` elements of type elem, with room for cap. */
static LLVMValueRef new_array(Lowerer *L, Type *elem, LLVMValueRef count, LLVMValueRef cap) {
    uint64_t size = size_of(L, mem_type(L, elem));
    LLVMValueRef a = call1(L, "__loam_alloc", C_PTR, C_I64, const_int(L, (int64_t)size_of(L, L->array)));
    LLVMValueRef data = LLVMConstNull(L->ptr);
    if (!LLVMIsConstant(cap) || LLVMConstIntGetSExtValue(cap) != 0)
        data = call1(L, "__loam_alloc", C_PTR, C_I64, LLVMBuildMul(L->b, cap, const_int(L, (int64_t)size), ""));
    store_field(L, L->b, L->array, a, ARRAY_DATA, data);
    store_field(L, L->b, L->array, a, ARRAY_LEN, count);
    store_field(L, L->b, L->array, a, ARRAY_CAP, cap);
    store_field(L, L->b, L->array, a, ARRAY_ELEM_SIZE, const_int(L, (int64_t)size));
    return a;
}

/* The address of element i, without a check. */
LLVMValueRef element_at(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i) {
    LLVMValueRef data = load_field(L, L->b, L->array, a, ARRAY_DATA, L->ptr, "data");
    return LLVMBuildGEP2(L->b, mem_type(L, elem), data, &i, 1, "elem");
}

LLVMValueRef checked_element(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i, Span at) {
    check_bounds(L, i, array_len(L, a), at);
    return element_at(L, elem, a, i);
}

LLVMValueRef load_element(Lowerer *L, Type *elem, LLVMValueRef p) {
    return from_mem(L, elem, LLVMBuildLoad2(L->b, mem_type(L, elem), p, ""));
}

static void store_element(Lowerer *L, Type *elem, LLVMValueRef p, LLVMValueRef v) {
    LLVMBuildStore(L->b, to_mem(L, elem, v), p);
}

static void array_reserve(Lowerer *L, LLVMValueRef a, LLVMValueRef need) {
    LLVMValueRef fn = array_reserve_helper(L);
    LLVMValueRef args[2] = {a, need};
    LLVMBuildCall2(L->b, LLVMGlobalGetValueType(fn), fn, args, 2, "");
}

static void array_push(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef v) {
    LLVMValueRef len = array_len(L, a);
    LLVMValueRef need = LLVMBuildAdd(L->b, len, const_int(L, 1), "");
    LLVMValueRef cap = load_field(L, L->b, L->array, a, ARRAY_CAP, L->i64, "cap");
    LLVMBasicBlockRef grow = new_block(L, "grow"), store = new_block(L, "push");
    LLVMBuildCondBr(L->b, unlikely(L, LLVMBuildICmp(L->b, LLVMIntSGT, need, cap, "")), grow, store);
    LLVMPositionBuilderAtEnd(L->b, grow);
    array_reserve(L, a, need);
    LLVMBuildBr(L->b, store);
    LLVMPositionBuilderAtEnd(L->b, store);
    store_element(L, elem, element_at(L, elem, a, len), v);
    store_field(L, L->b, L->array, a, ARRAY_LEN, need);
}

/* xs[lo..hi]: a new array holding a copy of the elements. */
static LLVMValueRef array_slice(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef lo, LLVMValueRef hi, Span at) {
    LLVMValueRef len = array_len(L, a);
    if (!lo) lo = const_int(L, 0);
    if (!hi) hi = len;
    check_slice(L, "__loam_array_slice", C_PTR, a, lo, hi, len, at);
    LLVMValueRef n = LLVMBuildSub(L->b, hi, lo, "");
    LLVMValueRef copy = new_array(L, elem, n, n);
    uint64_t size = size_of(L, mem_type(L, elem));
    LLVMValueRef dst = load_field(L, L->b, L->array, copy, ARRAY_DATA, L->ptr, "");
    LLVMBuildMemCpy(L->b, dst, 1, element_at(L, elem, a, lo), 1, LLVMBuildMul(L->b, n, const_int(L, (int64_t)size), ""));
    return copy;
}

/* ---------------------------------------------------------------------------
 * Maps, through the standard library (stdlib-min/loam_std.h)
 */

/* loam_kind of a scalar key or element (LOAM_K_INT … LOAM_K_STR), or -1. */
static int kind_of(Type *t) {
    switch (t->kind) {
    case TY_INT: return 0;
    case TY_FLOAT: return 1;
    case TY_BYTE: return 2;
    case TY_BOOL: return 3;
    case TY_STR: return 4;
    default: return -1;
    }
}

static LLVMValueRef kind_const(Lowerer *L, Type *t) { return LLVMConstInt(L->i32, (unsigned)kind_of(t), 0); }

/* A value spilled to an entry-block slot, in its C (memory) form, so that
 * it can be passed by address. */
LLVMValueRef spill(Lowerer *L, Type *t, LLVMValueRef v, const char *name) {
    LLVMValueRef slot = entry_alloca(L, mem_type(L, t), name);
    LLVMBuildStore(L->b, to_mem(L, t, v), slot);
    return slot;
}

LLVMValueRef load_mem(Lowerer *L, Type *t, LLVMValueRef p) {
    return from_mem(L, t, LLVMBuildLoad2(L->b, mem_type(L, t), p, ""));
}

static LLVMValueRef map_new(Lowerer *L, Type *map) {
    LLVMValueRef size = const_int(L, (int64_t)size_of(L, mem_type(L, map->value)));
    return call2(L, "__loam_map_new", C_PTR, C_I32, kind_const(L, map->key), C_I64, size);
}

/* ---------------------------------------------------------------------------
 * Operators (spec §3.2)
 */

/* Int +, -, * through llvm.s*.with.overflow: overflow panics. */
static LLVMValueRef checked_arith(Lowerer *L, const char *intrinsic, LLVMValueRef a, LLVMValueRef b, Span at) {
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef pair = call_intrinsic(L, intrinsic, L->i64, 2, args);
    LLVMValueRef overflow = LLVMBuildExtractValue(L->b, pair, 1, "overflow");
    panic_if(L, overflow, PANIC_OVERFLOW, at, NULL, NULL, NULL);
    return LLVMBuildExtractValue(L->b, pair, 0, "");
}

static LLVMValueRef int_binary(Lowerer *L, BinaryOp op, LLVMValueRef a, LLVMValueRef b, Span at) {
    switch (op) {
    case BIN_ADD: return checked_arith(L, "llvm.sadd.with.overflow", a, b, at);
    case BIN_SUB: return checked_arith(L, "llvm.ssub.with.overflow", a, b, at);
    case BIN_MUL: return checked_arith(L, "llvm.smul.with.overflow", a, b, at);
    case BIN_DIV:
    case BIN_REM: {
        panic_if(L, LLVMBuildICmp(L->b, LLVMIntEQ, b, const_int(L, 0), ""), PANIC_DIVIDE, at, NULL, NULL, NULL);
        LLVMValueRef min = LLVMBuildICmp(L->b, LLVMIntEQ, a, const_int(L, INT64_MIN), "");
        LLVMValueRef minus_one = LLVMBuildICmp(L->b, LLVMIntEQ, b, const_int(L, -1), "");
        panic_if(L, LLVMBuildAnd(L->b, min, minus_one, ""), PANIC_OVERFLOW, at, NULL, NULL, NULL);
        return op == BIN_DIV ? LLVMBuildSDiv(L->b, a, b, "") : LLVMBuildSRem(L->b, a, b, "");
    }
    case BIN_AND: return LLVMBuildAnd(L->b, a, b, "");
    case BIN_OR: return LLVMBuildOr(L->b, a, b, "");
    case BIN_XOR: return LLVMBuildXor(L->b, a, b, "");
    case BIN_SHL:
    case BIN_SHR:
        /* A shift by a negative amount or by 64 or more has no value. */
        panic_if(L, LLVMBuildICmp(L->b, LLVMIntUGT, b, const_int(L, 63), ""), PANIC_MESSAGE, at, NULL, NULL,
                 "shift amount out of range (0 to 63)");
        return op == BIN_SHL ? LLVMBuildShl(L->b, a, b, "") : LLVMBuildAShr(L->b, a, b, "");
    default: break;
    }
    die("int_binary: operator %d", op);
}

static LLVMValueRef float_binary(Lowerer *L, BinaryOp op, LLVMValueRef a, LLVMValueRef b) {
    switch (op) {
    case BIN_ADD: return LLVMBuildFAdd(L->b, a, b, "");
    case BIN_SUB: return LLVMBuildFSub(L->b, a, b, "");
    case BIN_MUL: return LLVMBuildFMul(L->b, a, b, "");
    case BIN_DIV: return LLVMBuildFDiv(L->b, a, b, "");
    /* fmod, from the standard library: LLVM's frem would call libc's. */
    case BIN_REM: return call2(L, "__loam_float_rem", C_F64, C_F64, a, C_F64, b);
    default: break;
    }
    die("float_binary: operator %d", op);
}

static LLVMIntPredicate int_predicate(BinaryOp op, bool is_signed) {
    switch (op) {
    case BIN_EQ: return LLVMIntEQ;
    case BIN_NE: return LLVMIntNE;
    case BIN_LT: return is_signed ? LLVMIntSLT : LLVMIntULT;
    case BIN_LE: return is_signed ? LLVMIntSLE : LLVMIntULE;
    case BIN_GT: return is_signed ? LLVMIntSGT : LLVMIntUGT;
    case BIN_GE: return is_signed ? LLVMIntSGE : LLVMIntUGE;
    default: die("int_predicate: operator %d", op);
    }
}

static LLVMRealPredicate real_predicate(BinaryOp op) {
    switch (op) {
    case BIN_EQ: return LLVMRealOEQ;
    case BIN_NE: return LLVMRealUNE;
    case BIN_LT: return LLVMRealOLT;
    case BIN_LE: return LLVMRealOLE;
    case BIN_GT: return LLVMRealOGT;
    case BIN_GE: return LLVMRealOGE;
    default: die("real_predicate: operator %d", op);
    }
}

static bool enum_has_payload(Item *decl) {
    for (uint32_t i = 0; i < decl->fields.len; i++)
        if (((Field *)decl->fields.items[i])->payload.len) return true;
    return false;
}


/* Two enum values are equal when their tags are, and then the payloads of
 * that variant, field by field (only that variant's words are meaningful). */
static LLVMValueRef enum_equal(Lowerer *L, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
    Item *decl = t->decl;
    LLVMValueRef tag = LLVMBuildExtractValue(L->b, a, 0, "tag");
    LLVMValueRef same_tag = LLVMBuildICmp(L->b, LLVMIntEQ, tag, LLVMBuildExtractValue(L->b, b, 0, ""), "");
    if (!enum_has_payload(decl)) return same_tag;
    LLVMTypeRef type = named_type(L, decl);
    LLVMValueRef pa = entry_alloca(L, type, "lhs"), pb = entry_alloca(L, type, "rhs");
    LLVMBuildStore(L->b, a, pa);
    LLVMBuildStore(L->b, b, pb);
    LLVMBasicBlockRef from = LLVMGetInsertBlock(L->b);
    LLVMBasicBlockRef check = new_block(L, "enum.eq"), no_payload = new_block(L, "enum.eq.tag");
    LLVMBasicBlockRef done = new_block(L, "enum.eq.end");
    LLVMBuildCondBr(L->b, same_tag, check, done);
    uint32_t n = decl->fields.len;
    LLVMValueRef *values = arena_alloc(&L->arena, (n + 2) * sizeof *values);
    LLVMBasicBlockRef *blocks = arena_alloc(&L->arena, (n + 2) * sizeof *blocks);
    uint32_t incoming = 0;
    values[incoming] = LLVMConstInt(L->i1, 0, 0), blocks[incoming++] = from;
    LLVMPositionBuilderAtEnd(L->b, no_payload);
    LLVMBuildBr(L->b, done);
    values[incoming] = LLVMConstInt(L->i1, 1, 0), blocks[incoming++] = no_payload;
    LLVMPositionBuilderAtEnd(L->b, check);
    LLVMValueRef sw = LLVMBuildSwitch(L->b, tag, no_payload, n);
    for (uint32_t i = 0; i < n; i++) {
        Field *v = decl->fields.items[i];
        if (!v->payload.len) continue;
        LLVMBasicBlockRef block = new_block(L, "enum.eq.variant");
        LLVMAddCase(sw, const_int(L, i), block);
        LLVMPositionBuilderAtEnd(L->b, block);
        LLVMTypeRef payload = payload_type(L, v);
        LLVMValueRef wa = LLVMBuildStructGEP2(L->b, type, pa, 1, ""), wb = LLVMBuildStructGEP2(L->b, type, pb, 1, "");
        LLVMValueRef all = LLVMConstInt(L->i1, 1, 0);
        for (uint32_t k = 0; k < v->payload.len; k++) {
            Type *ft = v->payload_types[k];
            LLVMValueRef x = load_mem(L, ft, LLVMBuildStructGEP2(L->b, payload, wa, k, ""));
            LLVMValueRef y = load_mem(L, ft, LLVMBuildStructGEP2(L->b, payload, wb, k, ""));
            all = LLVMBuildAnd(L->b, all, values_equal(L, ft, x, y, at), "");
        }
        values[incoming] = all, blocks[incoming++] = LLVMGetInsertBlock(L->b);
        LLVMBuildBr(L->b, done);
    }
    LLVMPositionBuilderAtEnd(L->b, done);
    LLVMValueRef phi = LLVMBuildPhi(L->b, L->i1, "enum.equal");
    LLVMAddIncoming(phi, values, blocks, incoming);
    return phi;
}

/* a == b for any equatable type (spec §3.2). */
static LLVMValueRef equality_function(Lowerer *L, Type *t, Span at);

LLVMValueRef values_equal(Lowerer *L, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
    switch (t->kind) {
    case TY_INT: case TY_BYTE: case TY_BOOL: return LLVMBuildICmp(L->b, LLVMIntEQ, a, b, "");
    case TY_FLOAT: return LLVMBuildFCmp(L->b, LLVMRealOEQ, a, b, "");
    case TY_STR: return call2(L, "__loam_str_eq", C_BOOL, C_STR, a, C_STR, b);
    case TY_STRUCT: {
        LLVMValueRef all = LLVMConstInt(L->i1, 1, 0);
        for (uint32_t i = 0; i < t->decl->fields.len; i++) {
            Type *ft = ((Field *)t->decl->fields.items[i])->field_type;
            LLVMValueRef x = from_mem(L, ft, LLVMBuildExtractValue(L->b, a, i, ""));
            LLVMValueRef y = from_mem(L, ft, LLVMBuildExtractValue(L->b, b, i, ""));
            all = LLVMBuildAnd(L->b, all, values_equal(L, ft, x, y, at), "");
        }
        return all;
    }
    case TY_ENUM: return enum_equal(L, t, a, b, at);
    case TY_ARRAY:
        if (kind_of(t->elem) >= 0)
            return call3(L, "__loam_array_eq", C_BOOL, C_PTR, a, C_PTR, b, C_I32, kind_const(L, t->elem));
        return call_c(L, "__loam_array_eq_by", C_BOOL, 3, (CType[]){C_PTR, C_PTR, C_PTR},
                      (LLVMValueRef[]){a, b, equality_function(L, t->elem, at)}, 0);
    default: break;
    }
    die("values_equal on a type that the checker rejects");
}

/* i1 loam.eq(ptr x, ptr y): `==` on two values of type t in memory, for
 * __loam_array_contains_by. Built once per type, in its own function. */
static LLVMValueRef equality_function(Lowerer *L, Type *t, Span at) {
    void **slot = ptrmap_slot(&L->arena, &L->equalities, (uintptr_t)t);
    if (*slot) return *slot;
    LLVMBuilderRef saved_b = L->b;
    LLVMValueRef saved_fn = L->fn, saved_point = L->alloca_point;
    LLVMMetadataRef saved_scope = L->di_scope;
    LLVMTypeRef params[2] = {L->ptr, L->ptr};
    LLVMValueRef fn;
    L->b = begin_helper(L, "loam.eq", LLVMFunctionType(L->i1, params, 2, 0), &fn);
    L->fn = fn;
    L->di_scope = NULL;
    LLVMBasicBlockRef start = new_block(L, "start");
    L->alloca_point = LLVMBuildBr(L->b, start);
    LLVMPositionBuilderAtEnd(L->b, start);
    LLVMValueRef x = load_mem(L, t, LLVMGetParam(fn, 0)), y = load_mem(L, t, LLVMGetParam(fn, 1));
    LLVMBuildRet(L->b, values_equal(L, t, x, y, at));
    LLVMDisposeBuilder(L->b);
    L->b = saved_b, L->fn = saved_fn, L->alloca_point = saved_point, L->di_scope = saved_scope;
    *slot = fn;
    return fn;
}

LLVMValueRef compare(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
    switch (t->kind) {
    case TY_INT: return LLVMBuildICmp(L->b, int_predicate(op, true), a, b, "");
    case TY_BYTE: case TY_BOOL: return LLVMBuildICmp(L->b, int_predicate(op, false), a, b, "");
    case TY_FLOAT: return LLVMBuildFCmp(L->b, real_predicate(op), a, b, "");
    case TY_STR:
        if (op == BIN_EQ || op == BIN_NE) break;
        return LLVMBuildICmp(L->b, int_predicate(op, true), str_compare(L, a, b), LLVMConstInt(L->i32, 0, 0), "");
    default: break;
    }
    LLVMValueRef eq = values_equal(L, t, a, b, at);
    return op == BIN_EQ ? eq : LLVMBuildNot(L->b, eq, "");
}

/* && and ||, short-circuit. */
static LLVMValueRef logic(Lowerer *L, Expr *e) {
    bool is_and = e->as.binary.op == BIN_LOGIC_AND;
    LLVMValueRef lhs = lower_expr(L, e->as.binary.lhs);
    LLVMBasicBlockRef from_lhs = LLVMGetInsertBlock(L->b);
    LLVMBasicBlockRef rhs_block = new_block(L, is_and ? "and.rhs" : "or.rhs"), done = new_block(L, "logic.end");
    if (is_and) LLVMBuildCondBr(L->b, lhs, rhs_block, done);
    else LLVMBuildCondBr(L->b, lhs, done, rhs_block);
    LLVMPositionBuilderAtEnd(L->b, rhs_block);
    LLVMValueRef rhs = lower_expr(L, e->as.binary.rhs);
    LLVMBasicBlockRef from_rhs = LLVMGetInsertBlock(L->b);
    LLVMBuildBr(L->b, done);
    LLVMPositionBuilderAtEnd(L->b, done);
    return phi2(L, L->i1, LLVMConstInt(L->i1, is_and ? 0 : 1, 0), from_lhs, rhs, from_rhs, "");
}

/* The value of `a op b` once both are lowered (also for compound
 * assignment). t is the operand type. */
LLVMValueRef apply_binary(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
    switch (op) {
    case BIN_EQ: case BIN_NE: case BIN_LT: case BIN_LE: case BIN_GT: case BIN_GE:
        return compare(L, op, t, a, b, at);
    default: break;
    }
    if (t->kind == TY_STR) {
        LLVMValueRef parts[2] = {a, b};
        return concat(L, 2, parts);
    }
    if (t->kind == TY_FLOAT) return float_binary(L, op, a, b);
    return int_binary(L, op, a, b, at);
}

static LLVMValueRef lower_binary(Lowerer *L, Expr *e) {
    BinaryOp op = e->as.binary.op;
    if (op == BIN_LOGIC_AND || op == BIN_LOGIC_OR) return logic(L, e);
    LLVMValueRef a = lower_expr(L, e->as.binary.lhs);
    LLVMValueRef b = lower_expr(L, e->as.binary.rhs);
    return apply_binary(L, op, e->as.binary.lhs->type, a, b, e->span);
}

static LLVMValueRef lower_unary(Lowerer *L, Expr *e) {
    LLVMValueRef v = lower_expr(L, e->as.unary.operand);
    Type *t = e->as.unary.operand->type;
    if (e->as.unary.op == UN_NEG) {
        if (t->kind == TY_FLOAT) return LLVMBuildFNeg(L->b, v, "");
        return checked_arith(L, "llvm.ssub.with.overflow", const_int(L, 0), v, e->span);
    }
    return LLVMBuildNot(L->b, v, "");   /* logical on i1, bitwise on i64 */
}

/* "a{x}b": the pieces and the formatted values, joined by __loam_concat. */
/* The pieces of an interpolated string as Str values, empty literal pieces
 * left out; returns how many. values has room for parts.len. */
static int interp_pieces(Lowerer *L, Expr *e, LLVMValueRef *values) {
    List *parts = &e->as.parts;
    int n = 0;
    for (uint32_t i = 0; i < parts->len; i++) {
        Expr *part = parts->items[i];
        if (i % 2 == 0 && part->kind == E_STR && part->as.str.len == 0) continue;
        LLVMValueRef v = lower_expr(L, part);
        switch (part->type->kind) {
        case TY_INT: v = call1(L, "__loam_fmt_int", C_STR, C_I64, v); break;
        case TY_FLOAT: v = call1(L, "__loam_fmt_float", C_STR, C_F64, v); break;
        case TY_BOOL: v = call1(L, "__loam_fmt_bool", C_STR, C_BOOL, v); break;
        case TY_BYTE: v = call1(L, "__loam_fmt_byte", C_STR, C_BYTE, v); break;
        case TY_STR: break;
        default: die("interpolation of a type the checker rejects");
        }
        values[n++] = v;
    }
    return n;
}

static LLVMValueRef lower_interp(Lowerer *L, Expr *e) {
    LLVMValueRef *values = arena_alloc(&L->arena, (e->as.parts.len + 1) * sizeof *values);
    int n = interp_pieces(L, e, values);
    if (n == 0) return str_const(L, "", 0);
    return concat(L, n, values);
}

static LLVMValueRef lower_array_literal(Lowerer *L, Expr *e) {
    Type *elem = e->type->elem;
    uint32_t n = e->as.elems.len;
    LLVMValueRef a = new_array(L, elem, const_int(L, n), const_int(L, n));
    for (uint32_t i = 0; i < n; i++) {
        LLVMValueRef v = lower_expr(L, e->as.elems.items[i]);
        store_element(L, elem, element_at(L, elem, a, const_int(L, i)), v);
    }
    return a;
}

/* The whole content of an `in Blob` or a Ref, as a Str. */
static LLVMValueRef blob_text(Lowerer *L, LLVMValueRef handle) {
    return call1(L, "__loam_blob_text", C_STR, C_PTR, handle);
}

/* dolist fields: { i64 len, ptr items } */
LLVMValueRef dolist_len(Lowerer *L, LLVMValueRef list) {
    return load_field(L, L->b, L->dolist, list, 0, L->i64, "count");
}

LLVMValueRef dolist_item(Lowerer *L, LLVMValueRef list, LLVMValueRef i) {
    LLVMValueRef items = load_field(L, L->b, L->dolist, list, 1, L->ptr, "items");
    return LLVMBuildLoad2(L->b, L->ptr, LLVMBuildGEP2(L->b, L->ptr, items, &i, 1, ""), "blob");
}

static LLVMValueRef lower_index(Lowerer *L, Expr *e) {
    Expr *object = e->as.index.object;
    Type *t = object->type;
    LLVMValueRef o = lower_expr(L, object);
    if (t->kind == TY_MAP) {
        LLVMValueRef key = spill(L, t->key, lower_expr(L, e->as.index.index), "key");
        LLVMValueRef p = call3(L, "__loam_map_at", C_PTR, C_PTR, where(L, e->span), C_PTR, o, C_PTR, key);
        return load_mem(L, t->value, p);
    }
    LLVMValueRef i = lower_expr(L, e->as.index.index);
    switch (t->kind) {
    case TY_ARRAY: return load_element(L, t->elem, checked_element(L, t->elem, o, i, e->span));
    case TY_STR: return str_index(L, o, i, e->span);
    case TY_REF: return str_index(L, blob_text(L, o), i, e->span);
    case TY_DO:
        if (t->is_list) {
            check_bounds(L, i, dolist_len(L, o), e->span);
            return dolist_item(L, o, i);
        }
        return str_index(L, blob_text(L, o), i, e->span);
    default: break;
    }
    die("index of a type the checker rejects");
}

static LLVMValueRef lower_slice(Lowerer *L, Expr *e) {
    Type *t = e->as.slice.object->type;
    LLVMValueRef o = lower_expr(L, e->as.slice.object);
    LLVMValueRef lo = e->as.slice.lo ? lower_expr(L, e->as.slice.lo) : NULL;
    LLVMValueRef hi = e->as.slice.hi ? lower_expr(L, e->as.slice.hi) : NULL;
    if (t->kind == TY_ARRAY) return array_slice(L, t->elem, o, lo, hi, e->span);
    if (t->kind == TY_REF || t->kind == TY_DO) o = blob_text(L, o);
    return str_slice(L, o, lo, hi, e->span);
}

/* ---------------------------------------------------------------------------
 * Calls (spec §3.3, §7)
 */

static LLVMTypeRef fn_type(Lowerer *L, Item *fn) {
    uint32_t n = fn->params.len;
    LLVMTypeRef *params = arena_alloc(&L->arena, (n + 1) * sizeof *params);
    for (uint32_t i = 0; i < n; i++) params[i] = value_type(L, ((Param *)fn->params.items[i])->sym->type);
    return LLVMFunctionType(value_type(L, fn->result_type), params, n, 0);
}

/* A Loam fn: internal, named after the source so that the IR reads well
 * and stays the same from one build to the next. */
LLVMValueRef fn_value(Lowerer *L, Item *fn) {
    char name[512];
    snprintf(name, sizeof name, "%s%s", is_prelude(fn) ? "__loam_prelude_" : "__loam_fn_", fn->name);
    LLVMValueRef f = LLVMGetNamedFunction(L->m, name);
    if (f) return f;
    f = LLVMAddFunction(L->m, name, fn_type(L, fn));
    LLVMSetLinkage(f, LLVMInternalLinkage);
    defined_function(L, f);
    for (uint32_t i = 0; i < fn->params.len; i++) {
        const char *param = ((Param *)fn->params.items[i])->name;
        LLVMSetValueName2(LLVMGetParam(f, i), param, strlen(param));
    }
    return f;
}

static Expr *arg_value(Expr *call, uint32_t i) { return ((Arg *)call->as.call.args.items[i])->value; }

/* A [Ref] passed where an `in [Blob]` is wanted becomes a loam_dolist
 * over the array's elements (both hold loam_do pointers): a snapshot, which
 * the callee reads before the caller can change the array, and which the
 * kernel copies for a spawned child. Everything else passes as it is. */
static LLVMValueRef coerce_handle(Lowerer *L, Type *want, Type *have, LLVMValueRef v) {
    if (want->kind != TY_DO || !want->is_list || have->kind != TY_ARRAY) return v;
    LLVMValueRef list = call1(L, "__loam_alloc", C_PTR, C_I64, const_int(L, (int64_t)size_of(L, L->dolist)));
    store_field(L, L->b, L->dolist, list, 0, array_len(L, v));
    LLVMValueRef data = load_field(L, L->b, L->array, v, ARRAY_DATA, L->ptr, "refs");
    store_field(L, L->b, L->dolist, list, 1, data);
    return list;
}

static LLVMValueRef lower_fn_call(Lowerer *L, Expr *e) {
    Item *fn = e->as.call.item;
    uint32_t n = e->as.call.args.len;
    LLVMValueRef *args = arena_alloc(&L->arena, (n + 1) * sizeof *args);
    for (uint32_t i = 0; i < n; i++) args[i] = lower_expr(L, arg_value(e, i));
    if (fn->kind == I_EXTERN_FN) {
        CType *types = arena_alloc(&L->arena, (n + 1) * sizeof *types);
        bool ok = c_passable(fn->result_type) && n <= 8;
        for (uint32_t i = 0; i < n; i++) {
            Type *t = ((Param *)fn->params.items[i])->sym->type;
            ok &= c_passable(t);
            types[i] = ctype_of(t);
        }
        if (!ok) {
            unsupported(e->span, "extern fn with struct or enum parameters or result");
            return fn->result_type->kind == TY_VOID ? NULL : LLVMGetUndef(value_type(L, fn->result_type));
        }
        out_flush_args(L, e);
        return call_c(L, fn->name, ctype_of(fn->result_type), (int)n, types, args, 0);
    }
    for (uint32_t i = 0; i < n; i++)
        args[i] = coerce_handle(L, ((Param *)fn->params.items[i])->sym->type, arg_value(e, i)->type, args[i]);
    out_flush_args(L, e);   /* the callee may write through a handle we pass */
    LLVMValueRef f = fn_value(L, fn);
    budget_spill(L);        /* the callee spends the same budget */
    LLVMValueRef call = LLVMBuildCall2(L->b, LLVMGlobalGetValueType(f), f, args, n, "");
    budget_reload(L);
    return fn->result_type->kind == TY_VOID ? NULL : call;
}

static int64_t task_index(Lowerer *L, Item *task) {
    int64_t index = 0;
    for (uint32_t i = 0; i < L->program->items.len; i++) {
        Item *item = L->program->items.items[i];
        if (item == task) return index;
        index += item->kind == I_TASK;
    }
    die("spawned task '%s' is not in the program", task->name);
}

/* spawn t(args) and spawn t(args) -> out (spec §6, abi.md §7): the
 * arguments go into a loam_value array in t's parameter order, with a null
 * slot for t's output, which the kernel fills; __loam_spawn copies what it
 * keeps, so the array can live in this frame. Returns the Ref, or null
 * for a delegation. */
LLVMValueRef lower_spawn(Lowerer *L, Expr *call, LLVMValueRef delegated) {
    Item *task = call->as.call.item;
    uint32_t n = task->params.len;
    LLVMTypeRef slots_type = LLVMArrayType(L->i64, 2 * (n ? n : 1));   /* loam_value: 16 bytes */
    LLVMValueRef slots = entry_alloca(L, slots_type, "spawn.args");
    LLVMSetAlignment(slots, 16);
    uint32_t next_arg = 0;
    for (uint32_t i = 0; i < n; i++) {
        Param *p = task->params.items[i];
        Type *t = p->sym->type;
        LLVMValueRef offset = const_int(L, (int64_t)i * 16);
        LLVMValueRef at = LLVMBuildGEP2(L->b, L->i8, slots, &offset, 1, p->name);
        if (p->mode == MODE_OUT) {
            LLVMBuildStore(L->b, LLVMConstNull(L->ptr), at);
            continue;
        }
        Expr *value = arg_value(call, next_arg++);
        LLVMValueRef v = coerce_handle(L, t, value->type, lower_expr(L, value));
        LLVMBuildStore(L->b, to_mem(L, t, v), at);
    }
    out_flush_args(L, call);
    LLVMValueRef args[3] = {const_int(L, task_index(L, task)), slots,
                            delegated ? delegated : LLVMConstNull(L->ptr)};
    return call_c(L, "__loam_spawn", C_PTR, 3, (CType[]){C_I64, C_PTR, C_PTR}, args, 0);
}

static int field_index(Item *decl, const char *name) {
    for (uint32_t i = 0; i < decl->fields.len; i++)
        if (((Field *)decl->fields.items[i])->name == name) return (int)i;
    die("no field '%s' in '%s' after checking", name, decl->name);
}

/* Point(1, 2) or Point(x: 1, y: 2): arguments are evaluated as written. */
static LLVMValueRef lower_struct_construction(Lowerer *L, Expr *e) {
    Item *decl = e->as.call.item;
    LLVMValueRef v = LLVMGetUndef(named_type(L, decl));
    for (uint32_t i = 0; i < e->as.call.args.len; i++) {
        Arg *a = e->as.call.args.items[i];
        int k = a->name ? field_index(decl, a->name) : (int)i;
        Type *ft = ((Field *)decl->fields.items[k])->field_type;
        v = LLVMBuildInsertValue(L->b, v, to_mem(L, ft, lower_expr(L, a->value)), (unsigned)k, "");
    }
    return v;
}

static LLVMValueRef enum_constant(Lowerer *L, Item *decl, int variant) {
    LLVMTypeRef type = named_type(L, decl);
    LLVMTypeRef words = LLVMStructGetTypeAtIndex(type, 1);
    LLVMValueRef fields[2] = {const_int(L, variant), LLVMConstNull(words)};
    return LLVMConstNamedStruct(type, fields, 2);
}

/* Shape.Rect(w, h): tag, then the payload stored as a struct in the words. */
static LLVMValueRef lower_variant_construction(Lowerer *L, Expr *e) {
    Item *decl = e->as.call.item;
    int variant = e->as.call.variant;
    Field *v = decl->fields.items[variant];
    LLVMTypeRef type = named_type(L, decl), payload = payload_type(L, v);
    LLVMValueRef slot = entry_alloca(L, type, "variant");
    LLVMBuildStore(L->b, enum_constant(L, decl, variant), slot);
    LLVMValueRef words = LLVMBuildStructGEP2(L->b, type, slot, 1, "payload");
    for (uint32_t i = 0; i < e->as.call.args.len; i++) {
        LLVMValueRef x = lower_expr(L, arg_value(e, i));
        LLVMBuildStore(L->b, to_mem(L, v->payload_types[i], x), LLVMBuildStructGEP2(L->b, payload, words, i, ""));
    }
    return LLVMBuildLoad2(L->b, type, slot, "");
}

/* The out handle a write goes through: always a parameter (rule 3). */
static Symbol *out_symbol(Expr *receiver) {
    if (receiver->kind != E_NAME || !receiver->as.name.sym) die("a write whose receiver is not a parameter");
    return receiver->as.name.sym;
}

/* o.write(s): reserve len bytes in o's buffer and copy (lower_out.c). */
static void write_str(Lowerer *L, Symbol *out, LLVMValueRef s) {
    LLVMValueRef n = str_len(L, s);
    LLVMValueRef p = out_reserve(L, out, n);
    LLVMBuildMemCpy(L->b, p, 1, str_ptr(L, s), 1, n);
    out_wrote(L, out, p, n);
}

/* o.write("…{x}…"): the pieces are formatted one by one and copied into a
 * single reservation, so a line of output costs no intermediate string. */
static void write_interp(Lowerer *L, Symbol *out, Expr *interp) {
    LLVMValueRef *pieces = arena_alloc(&L->arena, (interp->as.parts.len + 1) * sizeof *pieces);
    int n = interp_pieces(L, interp, pieces);
    if (n == 0) return;
    LLVMValueRef total = const_int(L, 0);
    for (int i = 0; i < n; i++) total = LLVMBuildAdd(L->b, total, str_len(L, pieces[i]), "");
    LLVMValueRef p = out_reserve(L, out, total);
    LLVMValueRef at = const_int(L, 0);
    for (int i = 0; i < n; i++) {
        LLVMValueRef len = str_len(L, pieces[i]);
        LLVMValueRef dst = LLVMBuildGEP2(L->b, L->i8, p, &at, 1, "");
        LLVMBuildMemCpy(L->b, dst, 1, str_ptr(L, pieces[i]), 1, len);
        at = LLVMBuildAdd(L->b, at, len, "");
    }
    out_wrote(L, out, p, total);
}

static void write_byte(Lowerer *L, Symbol *out, LLVMValueRef byte) {
    LLVMValueRef one = const_int(L, 1);
    LLVMValueRef p = out_reserve(L, out, one);
    LLVMBuildStore(L->b, byte, p);
    out_wrote(L, out, p, one);
}

/* The stdlib function of a builtin: __loam_ + its id in lowercase
 * (BUILTIN_STR_SPLIT -> __loam_str_split), loam_std.h. */
static const char *const builtin_ids[] = {
#define METHOD(id, recv, name, sig, access) #id,
#include "builtins.def"
#undef METHOD
};

static const char *std_name(int builtin, char *buf, size_t size) {
    int n = snprintf(buf, size, "__loam_%s", builtin_ids[builtin]);
    for (int i = 7; i < n && (size_t)i < size; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z') buf[i] = (char)(buf[i] - 'A' + 'a');
    return buf;
}

/* Builtins implemented by a stdlib function of Loam-typed scalars whose
 * first parameter, when `with_where`, is the "file:line:col". */
static LLVMValueRef std_call(Lowerer *L, Expr *e, LLVMValueRef receiver, Type *receiver_type, LLVMValueRef *args,
                             bool with_where) {
    char name[64];
    std_name(e->as.call.builtin, name, sizeof name);
    CType types[8];
    LLVMValueRef values[8];
    int n = 0;
    if (with_where) types[n] = C_PTR, values[n++] = where(L, e->span);
    types[n] = ctype_of(receiver_type), values[n++] = receiver;
    for (uint32_t i = 0; i < e->as.call.args.len && n < 8; i++) {
        types[n] = ctype_of(arg_value(e, i)->type);
        values[n++] = args[i];
    }
    return call_c(L, name, ctype_of(e->type), n, types, values, 0);
}

static LLVMValueRef float_const(Lowerer *L, double v) { return LLVMConstReal(L->f64, v); }

static LLVMValueRef byte_in(Lowerer *L, LLVMValueRef b, unsigned lo, unsigned count) {
    LLVMValueRef d = LLVMBuildSub(L->b, b, LLVMConstInt(L->i8, lo, 0), "");
    return LLVMBuildICmp(L->b, LLVMIntULT, d, LLVMConstInt(L->i8, count, 0), "");
}

static LLVMValueRef lower_method(Lowerer *L, Expr *e) {
    int id = e->as.call.builtin;
    Expr *recv_expr = e->as.call.receiver;
    Type *rt = recv_expr->type;
    LLVMValueRef r = lower_expr(L, recv_expr);
    uint32_t n = e->as.call.args.len;
    if ((id == BUILTIN_BLOB_WRITE || id == BUILTIN_BLOB_PRINT) && arg_value(e, 0)->kind == E_INTERP) {
        write_interp(L, out_symbol(recv_expr), arg_value(e, 0));
        return NULL;
    }
    LLVMValueRef args[4] = {0};
    for (uint32_t i = 0; i < n && i < 4; i++) args[i] = lower_expr(L, arg_value(e, i));
    Span at = e->span;
    switch (id) {
    /* Int */
    case BUILTIN_INT_FLOAT: return LLVMBuildSIToFP(L->b, r, L->f64, "");
    case BUILTIN_INT_BYTE: return std_call(L, e, r, rt, args, true);
    case BUILTIN_INT_STR: return call1(L, "__loam_fmt_int", C_STR, C_I64, r);
    case BUILTIN_INT_ABS: {
        panic_if(L, LLVMBuildICmp(L->b, LLVMIntEQ, r, const_int(L, INT64_MIN), ""), PANIC_OVERFLOW, at, NULL, NULL,
                 NULL);
        LLVMValueRef negative = LLVMBuildICmp(L->b, LLVMIntSLT, r, const_int(L, 0), "");
        return LLVMBuildSelect(L->b, negative, LLVMBuildNeg(L->b, r, ""), r, "");
    }
    case BUILTIN_INT_MIN: return LLVMBuildSelect(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, r, args[0], ""), r, args[0], "");
    case BUILTIN_INT_MAX: return LLVMBuildSelect(L->b, LLVMBuildICmp(L->b, LLVMIntSGT, r, args[0], ""), r, args[0], "");
    /* Float */
    case BUILTIN_FLOAT_INT: return std_call(L, e, r, rt, args, true);
    case BUILTIN_FLOAT_STR: return call1(L, "__loam_fmt_float", C_STR, C_F64, r);
    case BUILTIN_FLOAT_SQRT: return call_intrinsic(L, "llvm.sqrt", L->f64, 1, &r);
    case BUILTIN_FLOAT_ABS: return call_intrinsic(L, "llvm.fabs", L->f64, 1, &r);
    case BUILTIN_FLOAT_FLOOR: case BUILTIN_FLOAT_CEIL: case BUILTIN_FLOAT_MIN: case BUILTIN_FLOAT_MAX:
        return std_call(L, e, r, rt, args, false);
    /* Byte and Bool */
    case BUILTIN_BYTE_INT: return LLVMBuildZExt(L->b, r, L->i64, "");
    case BUILTIN_BYTE_STR: return std_call(L, e, r, rt, args, false);
    case BUILTIN_BYTE_IS_SPACE:
        return LLVMBuildOr(L->b, LLVMBuildICmp(L->b, LLVMIntEQ, r, LLVMConstInt(L->i8, ' ', 0), ""),
                           byte_in(L, r, '\t', 5), "");   /* \t \n \v \f \r */
    case BUILTIN_BYTE_IS_DIGIT: return byte_in(L, r, '0', 10);
    case BUILTIN_BYTE_IS_ALPHA: return byte_in(L, LLVMBuildOr(L->b, r, LLVMConstInt(L->i8, 0x20, 0), ""), 'a', 26);
    case BUILTIN_BOOL_STR: return call1(L, "__loam_fmt_bool", C_STR, C_BOOL, r);
    /* Str */
    case BUILTIN_STR_LEN: return str_len(L, r);
    case BUILTIN_STR_SPLIT: case BUILTIN_STR_PARSE_INT: case BUILTIN_STR_PARSE_FLOAT: case BUILTIN_STR_REPEAT:
        return std_call(L, e, r, rt, args, true);
    case BUILTIN_STR_BYTES: case BUILTIN_STR_LINES: case BUILTIN_STR_WORDS: case BUILTIN_STR_TRIM:
    case BUILTIN_STR_FIND: case BUILTIN_STR_CONTAINS: case BUILTIN_STR_STARTS_WITH: case BUILTIN_STR_ENDS_WITH:
    case BUILTIN_STR_LOWER: case BUILTIN_STR_UPPER:
        return std_call(L, e, r, rt, args, false);
    /* [T] */
    case BUILTIN_ARRAY_LEN: return array_len(L, r);
    case BUILTIN_ARRAY_PUSH: array_push(L, rt->elem, r, args[0]); return NULL;
    case BUILTIN_ARRAY_POP: case BUILTIN_ARRAY_REMOVE: {
        LLVMValueRef out = entry_alloca(L, mem_type(L, rt->elem), "removed");
        if (id == BUILTIN_ARRAY_POP) call3(L, "__loam_array_pop", C_VOID, C_PTR, where(L, at), C_PTR, r, C_PTR, out);
        else
            call_c(L, "__loam_array_remove", C_VOID, 4, (CType[]){C_PTR, C_PTR, C_I64, C_PTR},
                   (LLVMValueRef[]){where(L, at), r, args[0], out}, 0);
        return load_mem(L, rt->elem, out);
    }
    case BUILTIN_ARRAY_INSERT:
        call_c(L, "__loam_array_insert", C_VOID, 4, (CType[]){C_PTR, C_PTR, C_I64, C_PTR},
               (LLVMValueRef[]){where(L, at), r, args[0], spill(L, rt->elem, args[1], "elem")}, 0);
        return NULL;
    case BUILTIN_ARRAY_SORT: call2(L, "__loam_array_sort", C_VOID, C_PTR, r, C_I32, kind_const(L, rt->elem)); return NULL;
    case BUILTIN_ARRAY_SORTED: return call2(L, "__loam_array_sorted", C_PTR, C_PTR, r, C_I32, kind_const(L, rt->elem));
    case BUILTIN_ARRAY_REVERSE: call1(L, "__loam_array_reverse", C_VOID, C_PTR, r); return NULL;
    case BUILTIN_ARRAY_CONTAINS:
        if (kind_of(rt->elem) < 0)
            return call3(L, "__loam_array_contains_by", C_BOOL, C_PTR, r, C_PTR, spill(L, rt->elem, args[0], "elem"),
                         C_PTR, equality_function(L, rt->elem, at));
        return call3(L, "__loam_array_contains", C_BOOL, C_PTR, r, C_PTR, spill(L, rt->elem, args[0], "elem"), C_I32,
                     kind_const(L, rt->elem));
    case BUILTIN_ARRAY_JOIN: return call2(L, "__loam_array_join", C_STR, C_PTR, r, C_STR, args[0]);
    /* Map<K, V> */
    case BUILTIN_MAP_LEN: return call1(L, "__loam_map_len", C_I64, C_PTR, r);
    case BUILTIN_MAP_HAS: return call2(L, "__loam_map_has", C_BOOL, C_PTR, r, C_PTR, spill(L, rt->key, args[0], "key"));
    case BUILTIN_MAP_GET: {
        LLVMValueRef out = entry_alloca(L, mem_type(L, rt->value), "got");
        call_c(L, "__loam_map_get", C_VOID, 4, (CType[]){C_PTR, C_PTR, C_PTR, C_PTR},
               (LLVMValueRef[]){r, spill(L, rt->key, args[0], "key"), spill(L, rt->value, args[1], "default"), out}, 0);
        return load_mem(L, rt->value, out);
    }
    case BUILTIN_MAP_REMOVE: call2(L, "__loam_map_remove", C_VOID, C_PTR, r, C_PTR, spill(L, rt->key, args[0], "key")); return NULL;
    case BUILTIN_MAP_KEYS: return call1(L, "__loam_map_keys", C_PTR, C_PTR, r);
    case BUILTIN_MAP_VALUES: return call1(L, "__loam_map_values", C_PTR, C_PTR, r);
    case BUILTIN_MAP_SORTED: return call1(L, "__loam_map_sorted", C_PTR, C_PTR, r);
    /* Blobs */
    case BUILTIN_BLOB_LEN: return call1(L, "__loam_blob_len", C_I64, C_PTR, r);
    case BUILTIN_BLOB_TEXT: return blob_text(L, r);
    case BUILTIN_BLOB_BYTES: return call1(L, "__loam_str_bytes", C_PTR, C_STR, blob_text(L, r));
    case BUILTIN_BLOB_LINES: return call1(L, "__loam_str_lines", C_PTR, C_STR, blob_text(L, r));
    case BUILTIN_BLOB_WORDS: return call1(L, "__loam_str_words", C_PTR, C_STR, blob_text(L, r));
    case BUILTIN_BLOB_WRITE: case BUILTIN_BLOB_PRINT:
        /* print is write: the text carries its own "\n" (examples/). */
        write_str(L, out_symbol(recv_expr), args[0]);
        return NULL;
    case BUILTIN_BLOB_WRITE_BYTE: write_byte(L, out_symbol(recv_expr), args[0]); return NULL;
    case BUILTIN_BLOBS_LEN: return dolist_len(L, r);
    }
    die("unknown builtin %d", id);
}

static LLVMValueRef lower_call(Lowerer *L, Expr *e) {
    switch (e->as.call.kind) {
    case CALL_FN: return lower_fn_call(L, e);
    case CALL_METHOD: return lower_method(L, e);
    case CALL_STRUCT: return lower_struct_construction(L, e);
    case CALL_VARIANT: return lower_variant_construction(L, e);
    case CALL_PRINT:
        call1(L, "__loam_print", C_VOID, C_STR, lower_expr(L, arg_value(e, 0)));
        return NULL;
    case CALL_TASK:
    case CALL_UNRESOLVED: break;
    }
    die("lowering an unresolved call");
}

static LLVMValueRef lower_field(Lowerer *L, Expr *e) {
    if (e->as.field.enum_item) return enum_constant(L, e->as.field.enum_item, e->as.field.field);
    Expr *object = e->as.field.object;
    LLVMValueRef v = lower_expr(L, object);
    return from_mem(L, e->type, LLVMBuildExtractValue(L->b, v, (unsigned)e->as.field.field, ""));
}

LLVMValueRef lower_expr(Lowerer *L, Expr *e) {
    switch (e->kind) {
    case E_INT: return const_int(L, e->as.int_value);
    case E_FLOAT: return float_const(L, e->as.float_value);
    case E_BOOL: return LLVMConstInt(L->i1, e->as.bool_value, 0);
    case E_BYTE: return LLVMConstInt(L->i8, e->as.byte_value, 0);
    case E_STR: return str_const(L, e->as.str.bytes, e->as.str.len);
    case E_INTERP: return lower_interp(L, e);
    case E_NAME: {
        Symbol *sym = e->as.name.sym;
        return LLVMBuildLoad2(L->b, value_type(L, sym->type), local_slot(L, sym), sym->name);
    }
    case E_ARRAY: return lower_array_literal(L, e);
    case E_CALL: return lower_call(L, e);
    case E_FIELD: return lower_field(L, e);
    case E_INDEX: return lower_index(L, e);
    case E_SLICE: return lower_slice(L, e);
    case E_MAP_NEW: return map_new(L, e->type);
    case E_SPAWN: return lower_spawn(L, e->as.spawn.call, NULL);
    case E_UNARY: return lower_unary(L, e);
    case E_BINARY: return lower_binary(L, e);
    case E_POISON: break;
    }
    die("lowering a poison expression");
}

