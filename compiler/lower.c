/* lower.c — the checked tree to LLVM IR (design §3, spec/abi.md).
 *
 * Consumes: a Program that check_program() accepted (every Expr typed, every
 * call resolved, every local and parameter a Symbol with a type).
 * Produces: one LLVM module, verified. Values follow abi.md §1: Int i64,
 * Float double, Bool i1 in registers and i8 in memory, Byte i8, Str
 * {ptr, i64} by value, arrays/maps/DO handles ptr, structs LLVM structs by
 * value, enums { i64 tag, [N x i64] payload }. Locals live in allocas of the
 * entry block (mem2reg cleans up). Every check that can fail at run time
 * (overflow, division, bounds) branches to a cold block that calls a
 * noreturn __loam_panic_* entry point with a private "file:line:col".
 *
 * Invariant while lowering a body: the builder's current block has no
 * terminator. A statement that ends a block (return, break, continue) opens
 * a fresh, unreachable block after itself.
 *
 * Calls into C (runtime, stdlib, extern fns) follow the SysV C ABI: a Str
 * argument is passed as two scalars (ptr, i64), a Str result is returned as
 * { ptr, i64 }, Bool and Byte are zero-extended. Loam functions among
 * themselves pass values as LLVM first-class values (internal linkage).
 */
#include "lower.h"

#include "check.h"
#include "emit.h"
#include "types.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* diag.def has no code for "not supported yet"; until it does, every such
 * report uses this one (the message says what is missing). */
#define NOT_SUPPORTED E0400

/* ---------------------------------------------------------------------------
 * A small pointer-keyed hash map (locals, where-strings, named types,
 * equality functions)
 */

typedef struct PtrMap {
    uintptr_t *keys;
    void **values;
    uint32_t cap, len;
} PtrMap;

static uint32_t ptr_hash(uintptr_t k) { return (uint32_t)((k * 0x9E3779B97F4A7C15u) >> 32); }

static void **map_slot(Arena *a, PtrMap *m, uintptr_t key) {
    if (m->len * 2 >= m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        uintptr_t *keys = arena_alloc(a, cap * sizeof *keys);
        void **values = arena_alloc(a, cap * sizeof *values);
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            uint32_t j = ptr_hash(m->keys[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            values[j] = m->values[i];
        }
        m->keys = keys, m->values = values, m->cap = cap;
    }
    uint32_t j = ptr_hash(key) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->len++;
    }
    return &m->values[j];
}

/* ---------------------------------------------------------------------------
 * State
 */

typedef struct Loop {
    LLVMBasicBlockRef break_to, continue_to;
    struct Loop *outer;
} Loop;

typedef struct Lowerer {
    Arena arena;
    LLVMContextRef ctx;
    LLVMModuleRef m;
    LLVMBuilderRef b;
    LLVMTargetDataRef td;
    const Program *program;
    const LowerOptions *opts;
    LLVMTypeRef i1, i8, i32, i64, f64, ptr, void_, str, array, dolist;
    PtrMap locals;        /* Symbol* -> alloca */
    PtrMap wheres;        /* (line << 32 | col) -> "file:line:col" global */
    PtrMap named;         /* Item* -> LLVM struct type (struct or enum) */
    PtrMap equalities;    /* Type* -> loam.eq function */
    LLVMValueRef budget;  /* __loam_budget, or NULL */
    /* DWARF line tables, when opts->debug_info. */
    LLVMDIBuilderRef dib;
    LLVMMetadataRef di_file, di_scope;
    /* The function being lowered. */
    LLVMValueRef fn;
    LLVMValueRef alloca_point;   /* the entry block's branch: allocas go before it */
    Item *item;
    Loop *loop;
} Lowerer;

static LLVMValueRef lower_expr(Lowerer *L, Expr *e);
static void lower_stmt(Lowerer *L, Stmt *s);
static void debug_at(Lowerer *L, Span at);

/* Reports a construct the lowering does not handle yet. The caller goes on
 * with a placeholder value, so that one run lists every such construct. */
static void unsupported(Span at, const char *what) {
    diag_error(NOT_SUPPORTED, at, "not yet supported: %s", what);
    diag_help("the compiler cannot build this yet; 'loam check' accepts it, and a later version will compile it");
}

/* ---------------------------------------------------------------------------
 * Types (abi.md §1)
 */

static LLVMTypeRef value_type(Lowerer *L, Type *t);

/* The in-memory type: as value_type, but a Bool is a byte. */
static LLVMTypeRef mem_type(Lowerer *L, Type *t) {
    return t->kind == TY_BOOL ? L->i8 : value_type(L, t);
}

static LLVMValueRef to_mem(Lowerer *L, Type *t, LLVMValueRef v) {
    return t->kind == TY_BOOL ? LLVMBuildZExt(L->b, v, L->i8, "") : v;
}

static LLVMValueRef from_mem(Lowerer *L, Type *t, LLVMValueRef v) {
    return t->kind == TY_BOOL ? LLVMBuildICmp(L->b, LLVMIntNE, v, LLVMConstInt(L->i8, 0, 0), "") : v;
}

static uint64_t size_of(Lowerer *L, LLVMTypeRef t) { return LLVMABISizeOfType(L->td, t); }

/* The payload of one enum variant, laid out as a struct in the words. */
static LLVMTypeRef payload_type(Lowerer *L, Field *variant) {
    uint32_t n = variant->payload.len;
    LLVMTypeRef *fields = arena_alloc(&L->arena, (n + 1) * sizeof *fields);
    for (uint32_t i = 0; i < n; i++) fields[i] = mem_type(L, variant->payload_types[i]);
    return LLVMStructTypeInContext(L->ctx, fields, n, 0);
}

static LLVMTypeRef named_type(Lowerer *L, Item *decl) {
    void **slot = map_slot(&L->arena, &L->named, (uintptr_t)decl);
    if (*slot) return *slot;
    LLVMTypeRef t = LLVMStructCreateNamed(L->ctx, decl->name);
    *slot = t;
    uint32_t n = decl->fields.len;
    if (decl->kind == I_STRUCT) {
        LLVMTypeRef *fields = arena_alloc(&L->arena, (n + 1) * sizeof *fields);
        for (uint32_t i = 0; i < n; i++) fields[i] = mem_type(L, ((Field *)decl->fields.items[i])->field_type);
        LLVMStructSetBody(t, fields, n, 0);
    } else {
        uint64_t words = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t size = size_of(L, payload_type(L, decl->fields.items[i]));
            if ((size + 7) / 8 > words) words = (size + 7) / 8;
        }
        LLVMTypeRef body[2] = {L->i64, LLVMArrayType(L->i64, (unsigned)words)};
        LLVMStructSetBody(t, body, 2, 0);
    }
    return t;
}

static LLVMTypeRef value_type(Lowerer *L, Type *t) {
    switch (t->kind) {
    case TY_VOID: return L->void_;
    case TY_INT: return L->i64;
    case TY_FLOAT: return L->f64;
    case TY_BOOL: return L->i1;
    case TY_BYTE: return L->i8;
    case TY_STR: return L->str;
    case TY_REF: case TY_ARRAY: case TY_MAP: case TY_DO: return L->ptr;
    case TY_STRUCT: case TY_ENUM: return named_type(L, t->decl);
    case TY_POISON: break;
    }
    die("lowering a poison type: the checker should have stopped");
}

/* ---------------------------------------------------------------------------
 * Constants: strings, where-strings
 */

static LLVMValueRef private_bytes(Lowerer *L, const char *bytes, size_t len, const char *name) {
    LLVMValueRef init = LLVMConstStringInContext(L->ctx, bytes, (unsigned)len, 0);
    LLVMValueRef g = LLVMAddGlobal(L->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 1);
    return g;
}

/* A Str constant { ptr, len }; the bytes are NUL-terminated for debuggers. */
static LLVMValueRef str_const(Lowerer *L, const char *bytes, size_t len) {
    LLVMValueRef g = private_bytes(L, bytes, len, "str");
    LLVMValueRef fields[2] = {g, LLVMConstInt(L->i64, len, 0)};
    return LLVMConstStructInContext(L->ctx, fields, 2, 0);
}

/* "file:line:col" of a span, one private constant per position. */
static LLVMValueRef where(Lowerer *L, Span at) {
    void **slot = map_slot(&L->arena, &L->wheres, ((uintptr_t)at.line << 32 | at.col) + 1);
    if (*slot) return *slot;
    char buf[1024];
    const char *path = at.file && at.file->path ? at.file->path : "?";
    int n = snprintf(buf, sizeof buf, "%s:%u:%u", path, at.line, at.col);
    if (n < 0 || (size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    *slot = private_bytes(L, buf, (size_t)n, "where");
    return *slot;
}

static LLVMValueRef const_int(Lowerer *L, int64_t v) { return LLVMConstInt(L->i64, (unsigned long long)v, 1); }

/* ---------------------------------------------------------------------------
 * Calls into C: runtime, standard library, extern fns
 */

typedef enum CType { C_VOID, C_I64, C_I32, C_F64, C_BOOL, C_BYTE, C_STR, C_PTR } CType;

static CType ctype_of(Type *t) {
    switch (t->kind) {
    case TY_VOID: return C_VOID;
    case TY_INT: return C_I64;
    case TY_FLOAT: return C_F64;
    case TY_BOOL: return C_BOOL;
    case TY_BYTE: return C_BYTE;
    case TY_STR: return C_STR;
    case TY_REF: case TY_ARRAY: case TY_MAP: case TY_DO: return C_PTR;
    default: return C_VOID;
    }
}

static bool c_passable(Type *t) { return t->kind != TY_STRUCT && t->kind != TY_ENUM && t->kind != TY_POISON; }

static LLVMTypeRef c_scalar(Lowerer *L, CType c) {
    switch (c) {
    case C_VOID: return L->void_;
    case C_I64: return L->i64;
    case C_I32: return L->i32;
    case C_F64: return L->f64;
    case C_BOOL: return L->i1;
    case C_BYTE: return L->i8;
    case C_STR: return L->str;
    case C_PTR: return L->ptr;
    }
    return L->void_;
}

static LLVMAttributeRef attribute(Lowerer *L, const char *name) {
    unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
    if (!kind) die("unknown LLVM attribute '%s'", name);
    return LLVMCreateEnumAttribute(L->ctx, kind, 0);
}

enum { FN_NORETURN = 1, FN_COLD = 2 };

/* Attributes of every function defined here: no unwinding (Loam has no
 * exceptions, so no unwind tables), and on a bare-metal triple (μVM, "-none")
 * no red zone, since interrupts run on the same stack. */
static void defined_function(Lowerer *L, LLVMValueRef fn) {
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, attribute(L, "nounwind"));
    const char *triple = L->opts->target_triple;
    if (triple && strstr(triple, "-none")) LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, attribute(L, "noredzone"));
}

/* Declares (once) the C function `name`. */
static LLVMValueRef c_function(Lowerer *L, const char *name, CType ret, int n, const CType *params, int flags) {
    LLVMValueRef fn = LLVMGetNamedFunction(L->m, name);
    if (fn) return fn;
    LLVMTypeRef types[16];
    unsigned count = 0;
    for (int i = 0; i < n; i++) {
        if (count + 2 > 16) die("C function '%s' has too many parameters", name);
        if (params[i] == C_STR) {
            types[count++] = L->ptr;
            types[count++] = L->i64;
        } else {
            types[count++] = c_scalar(L, params[i]);
        }
    }
    LLVMTypeRef type = LLVMFunctionType(c_scalar(L, ret), types, count, 0);
    fn = LLVMAddFunction(L->m, name, type);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, attribute(L, "nounwind"));
    if (flags & FN_NORETURN) LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, attribute(L, "noreturn"));
    if (flags & FN_COLD) LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, attribute(L, "cold"));
    if (ret == C_BOOL || ret == C_BYTE) LLVMAddAttributeAtIndex(fn, LLVMAttributeReturnIndex, attribute(L, "zeroext"));
    for (unsigned i = 0, k = 0; i < (unsigned)n; i++) {
        if (params[i] == C_BOOL || params[i] == C_BYTE) LLVMAddAttributeAtIndex(fn, k + 1, attribute(L, "zeroext"));
        k += params[i] == C_STR ? 2 : 1;
    }
    return fn;
}

/* Calls a C function, splitting Str arguments; returns NULL for void. */
static LLVMValueRef call_c(Lowerer *L, const char *name, CType ret, int n, const CType *params,
                           const LLVMValueRef *args, int flags) {
    LLVMValueRef fn = c_function(L, name, ret, n, params, flags);
    LLVMValueRef flat[16];
    unsigned count = 0;
    for (int i = 0; i < n; i++) {
        if (params[i] == C_STR) {
            flat[count++] = LLVMBuildExtractValue(L->b, args[i], 0, "");
            flat[count++] = LLVMBuildExtractValue(L->b, args[i], 1, "");
        } else {
            flat[count++] = args[i];
        }
    }
    LLVMValueRef call = LLVMBuildCall2(L->b, LLVMGlobalGetValueType(fn), fn, flat, count, "");
    if (ret == C_BOOL || ret == C_BYTE) LLVMAddCallSiteAttribute(call, LLVMAttributeReturnIndex, attribute(L, "zeroext"));
    for (unsigned i = 0, k = 0; i < (unsigned)n; i++) {
        if (params[i] == C_BOOL || params[i] == C_BYTE) LLVMAddCallSiteAttribute(call, k + 1, attribute(L, "zeroext"));
        k += params[i] == C_STR ? 2 : 1;
    }
    return ret == C_VOID ? NULL : call;
}

static LLVMValueRef call0(Lowerer *L, const char *name, CType ret) { return call_c(L, name, ret, 0, NULL, NULL, 0); }
static LLVMValueRef call1(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0) {
    return call_c(L, name, ret, 1, (CType[]){p0}, (LLVMValueRef[]){a0}, 0);
}
static LLVMValueRef call2(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1,
                          LLVMValueRef a1) {
    return call_c(L, name, ret, 2, (CType[]){p0, p1}, (LLVMValueRef[]){a0, a1}, 0);
}
static LLVMValueRef call3(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1,
                          LLVMValueRef a1, CType p2, LLVMValueRef a2) {
    return call_c(L, name, ret, 3, (CType[]){p0, p1, p2}, (LLVMValueRef[]){a0, a1, a2}, 0);
}

/* An LLVM intrinsic overloaded on one type. */
static LLVMValueRef call_intrinsic(Lowerer *L, const char *name, LLVMTypeRef overload, int n, LLVMValueRef *args) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (!id) die("unknown intrinsic '%s'", name);
    LLVMTypeRef types[1] = {overload};
    unsigned count = overload ? 1 : 0;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(L->m, id, types, count);
    LLVMTypeRef type = LLVMIntrinsicGetType(L->ctx, id, types, count);
    return LLVMBuildCall2(L->b, type, fn, args, (unsigned)n, "");
}

/* `cond` is expected to be false (a panic or the yield slow path). */
static LLVMValueRef unlikely(Lowerer *L, LLVMValueRef cond) {
    LLVMValueRef args[2] = {cond, LLVMConstInt(L->i1, 0, 0)};
    return call_intrinsic(L, "llvm.expect", L->i1, 2, args);
}

static LLVMBasicBlockRef new_block(Lowerer *L, const char *name) {
    return LLVMAppendBasicBlockInContext(L->ctx, L->fn, name);
}

/* ---------------------------------------------------------------------------
 * Panics (abi.md §5) and yield points (§3)
 */

typedef enum PanicKind { PANIC_OVERFLOW, PANIC_DIVIDE, PANIC_BOUNDS, PANIC_MESSAGE } PanicKind;

static void call_panic(Lowerer *L, PanicKind kind, Span at, LLVMValueRef index, LLVMValueRef len, const char *what) {
    LLVMValueRef w = where(L, at);
    int flags = FN_NORETURN | FN_COLD;
    switch (kind) {
    case PANIC_OVERFLOW:
        call_c(L, "__loam_panic_overflow", C_VOID, 1, (CType[]){C_PTR}, (LLVMValueRef[]){w}, flags);
        break;
    case PANIC_DIVIDE:
        call_c(L, "__loam_panic_divide", C_VOID, 1, (CType[]){C_PTR}, (LLVMValueRef[]){w}, flags);
        break;
    case PANIC_BOUNDS:
        call_c(L, "__loam_panic_bounds", C_VOID, 3, (CType[]){C_PTR, C_I64, C_I64}, (LLVMValueRef[]){w, index, len},
               flags);
        break;
    case PANIC_MESSAGE: {
        LLVMValueRef message = private_bytes(L, what, strlen(what), "panic");
        call_c(L, "__loam_panic", C_VOID, 2, (CType[]){C_PTR, C_PTR}, (LLVMValueRef[]){w, message}, flags);
        break;
    }
    }
    LLVMBuildUnreachable(L->b);
}

/* if (bad) panic; execution continues where bad is false. */
static void panic_if(Lowerer *L, LLVMValueRef bad, PanicKind kind, Span at, LLVMValueRef index, LLVMValueRef len,
                     const char *what) {
    LLVMBasicBlockRef fail = new_block(L, "panic"), ok = new_block(L, "ok");
    LLVMBuildCondBr(L->b, unlikely(L, bad), fail, ok);
    LLVMPositionBuilderAtEnd(L->b, fail);
    call_panic(L, kind, at, index, len, what);
    LLVMPositionBuilderAtEnd(L->b, ok);
}

/* 0 <= index < len, else __loam_panic_bounds. One unsigned compare. */
static void check_bounds(Lowerer *L, LLVMValueRef index, LLVMValueRef len, Span at) {
    LLVMValueRef bad = LLVMBuildICmp(L->b, LLVMIntUGE, index, len, "");
    panic_if(L, bad, PANIC_BOUNDS, at, index, len, NULL);
}

/* if (--__loam_budget < 0) __loam_yield(); */
static void yield_point(Lowerer *L) {
    if (!L->opts->yields) return;
    if (!L->budget) {
        L->budget = LLVMAddGlobal(L->m, L->i64, "__loam_budget");
        LLVMSetThreadLocalMode(L->budget, LLVMInitialExecTLSModel);
        LLVMSetLinkage(L->budget, LLVMExternalLinkage);
    }
    LLVMValueRef v = LLVMBuildLoad2(L->b, L->i64, L->budget, "budget");
    LLVMValueRef left = LLVMBuildSub(L->b, v, LLVMConstInt(L->i64, 1, 0), "");
    LLVMBuildStore(L->b, left, L->budget);
    LLVMValueRef out = LLVMBuildICmp(L->b, LLVMIntSLT, left, LLVMConstInt(L->i64, 0, 0), "");
    LLVMBasicBlockRef slow = new_block(L, "yield"), go_on = new_block(L, "resume");
    LLVMBuildCondBr(L->b, unlikely(L, out), slow, go_on);
    LLVMPositionBuilderAtEnd(L->b, slow);
    call0(L, "__loam_yield", C_VOID);
    LLVMBuildBr(L->b, go_on);
    LLVMPositionBuilderAtEnd(L->b, go_on);
}

/* ---------------------------------------------------------------------------
 * Locals
 */

static LLVMValueRef entry_alloca(Lowerer *L, LLVMTypeRef type, const char *name) {
    LLVMBuilderRef b = LLVMCreateBuilderInContext(L->ctx);
    LLVMPositionBuilderBefore(b, L->alloca_point);
    LLVMValueRef slot = LLVMBuildAlloca(b, type, name ? name : "");
    LLVMDisposeBuilder(b);
    return slot;
}

static LLVMValueRef local_slot(Lowerer *L, Symbol *sym) {
    void **slot = map_slot(&L->arena, &L->locals, (uintptr_t)sym);
    if (!*slot) *slot = entry_alloca(L, value_type(L, sym->type), sym->name);
    return *slot;
}

/* After a terminator: keep building in a block nothing reaches. */
static void start_dead_block(Lowerer *L) { LLVMPositionBuilderAtEnd(L->b, new_block(L, "dead")); }

static bool block_is_open(Lowerer *L) { return LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(L->b)) == NULL; }

/* ---------------------------------------------------------------------------
 * Private helper functions emitted into the module (loam.*)
 */

/* Starts a private helper; returns its builder (the caller disposes it). */
static LLVMBuilderRef begin_helper(Lowerer *L, const char *name, LLVMTypeRef type, LLVMValueRef *fn) {
    *fn = LLVMAddFunction(L->m, name, type);
    LLVMSetLinkage(*fn, LLVMPrivateLinkage);
    defined_function(L, *fn);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(L->ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(L->ctx, *fn, "entry"));
    return b;
}

/* Array fields: { ptr data, i64 len, i64 cap, i64 elem_size } (abi.md §1). */
enum { ARRAY_DATA, ARRAY_LEN, ARRAY_CAP, ARRAY_ELEM_SIZE };

static LLVMValueRef field_ptr(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k) {
    return LLVMBuildStructGEP2(b, type, p, k, "");
}

static LLVMValueRef load_field(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k,
                               LLVMTypeRef field_type, const char *name) {
    return LLVMBuildLoad2(b, field_type, field_ptr(L, b, type, p, k), name);
}

/* void loam.array.reserve(ptr a, i64 need): makes cap >= need, doubling,
 * at least 4; the old storage stays in the arena (freed with the task). */
static LLVMValueRef array_reserve_helper(Lowerer *L) {
    LLVMValueRef fn = LLVMGetNamedFunction(L->m, "loam.array.reserve");
    if (fn) return fn;
    LLVMTypeRef params[2] = {L->ptr, L->i64};
    LLVMBuilderRef b = begin_helper(L, "loam.array.reserve", LLVMFunctionType(L->void_, params, 2, 0), &fn);
    LLVMValueRef a = LLVMGetParam(fn, 0), need = LLVMGetParam(fn, 1);
    LLVMBasicBlockRef grow = LLVMAppendBasicBlockInContext(L->ctx, fn, "grow");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(L->ctx, fn, "done");
    LLVMValueRef cap = load_field(L, b, L->array, a, ARRAY_CAP, L->i64, "cap");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLE, need, cap, ""), done, grow);
    LLVMPositionBuilderAtEnd(b, grow);
    LLVMValueRef twice = LLVMBuildShl(b, cap, LLVMConstInt(L->i64, 1, 0), "");
    LLVMValueRef four = LLVMConstInt(L->i64, 4, 0);
    LLVMValueRef c = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, twice, four, ""), four, twice, "");
    c = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, c, need, ""), need, c, "newcap");
    LLVMValueRef size = load_field(L, b, L->array, a, ARRAY_ELEM_SIZE, L->i64, "elem_size");
    LLVMValueRef len = load_field(L, b, L->array, a, ARRAY_LEN, L->i64, "len");
    LLVMValueRef old = load_field(L, b, L->array, a, ARRAY_DATA, L->ptr, "data");
    LLVMBuilderRef saved = L->b;
    L->b = b;
    LLVMValueRef data = call1(L, "__loam_alloc", C_PTR, C_I64, LLVMBuildMul(b, c, size, ""));
    L->b = saved;
    LLVMBuildMemCpy(b, data, 1, old, 1, LLVMBuildMul(b, len, size, ""));
    LLVMBuildStore(b, data, field_ptr(L, b, L->array, a, ARRAY_DATA));
    LLVMBuildStore(b, c, field_ptr(L, b, L->array, a, ARRAY_CAP));
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRetVoid(b);
    LLVMDisposeBuilder(b);
    return fn;
}

/* ---------------------------------------------------------------------------
 * Str values
 */

static LLVMValueRef str_ptr(Lowerer *L, LLVMValueRef s) { return LLVMBuildExtractValue(L->b, s, 0, "str.ptr"); }
static LLVMValueRef str_len(Lowerer *L, LLVMValueRef s) { return LLVMBuildExtractValue(L->b, s, 1, "str.len"); }

static LLVMValueRef make_str(Lowerer *L, LLVMValueRef p, LLVMValueRef len) {
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
static LLVMValueRef str_slice(Lowerer *L, LLVMValueRef s, LLVMValueRef lo, LLVMValueRef hi, Span at) {
    LLVMValueRef len = str_len(L, s);
    if (!lo) lo = const_int(L, 0);
    if (!hi) hi = len;
    panic_if(L, LLVMBuildICmp(L->b, LLVMIntUGT, hi, len, ""), PANIC_BOUNDS, at, hi, len, NULL);
    panic_if(L, LLVMBuildICmp(L->b, LLVMIntUGT, lo, hi, ""), PANIC_BOUNDS, at, lo, hi, NULL);
    LLVMValueRef p = LLVMBuildGEP2(L->b, L->i8, str_ptr(L, s), &lo, 1, "");
    return make_str(L, p, LLVMBuildSub(L->b, hi, lo, ""));
}

/* ---------------------------------------------------------------------------
 * Arrays: reference semantics, elements inline (abi.md §1)
 */

static LLVMValueRef array_len(Lowerer *L, LLVMValueRef a) {
    return load_field(L, L->b, L->array, a, ARRAY_LEN, L->i64, "len");
}

/* A new array of `count` elements of type elem, with room for cap. */
static LLVMValueRef new_array(Lowerer *L, Type *elem, LLVMValueRef count, LLVMValueRef cap) {
    uint64_t size = size_of(L, mem_type(L, elem));
    LLVMValueRef a = call1(L, "__loam_alloc", C_PTR, C_I64, const_int(L, (int64_t)size_of(L, L->array)));
    LLVMValueRef data = LLVMConstNull(L->ptr);
    if (!LLVMIsConstant(cap) || LLVMConstIntGetSExtValue(cap) != 0)
        data = call1(L, "__loam_alloc", C_PTR, C_I64, LLVMBuildMul(L->b, cap, const_int(L, (int64_t)size), ""));
    LLVMBuildStore(L->b, data, field_ptr(L, L->b, L->array, a, ARRAY_DATA));
    LLVMBuildStore(L->b, count, field_ptr(L, L->b, L->array, a, ARRAY_LEN));
    LLVMBuildStore(L->b, cap, field_ptr(L, L->b, L->array, a, ARRAY_CAP));
    LLVMBuildStore(L->b, const_int(L, (int64_t)size), field_ptr(L, L->b, L->array, a, ARRAY_ELEM_SIZE));
    return a;
}

/* The address of element i, without a check. */
static LLVMValueRef element_at(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i) {
    LLVMValueRef data = load_field(L, L->b, L->array, a, ARRAY_DATA, L->ptr, "data");
    return LLVMBuildGEP2(L->b, mem_type(L, elem), data, &i, 1, "elem");
}

static LLVMValueRef checked_element(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i, Span at) {
    check_bounds(L, i, array_len(L, a), at);
    return element_at(L, elem, a, i);
}

static LLVMValueRef load_element(Lowerer *L, Type *elem, LLVMValueRef p) {
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
    LLVMBuildStore(L->b, need, field_ptr(L, L->b, L->array, a, ARRAY_LEN));
}

/* xs[lo..hi]: a new array holding a copy of the elements. */
static LLVMValueRef array_slice(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef lo, LLVMValueRef hi, Span at) {
    LLVMValueRef len = array_len(L, a);
    if (!lo) lo = const_int(L, 0);
    if (!hi) hi = len;
    panic_if(L, LLVMBuildICmp(L->b, LLVMIntUGT, hi, len, ""), PANIC_BOUNDS, at, hi, len, NULL);
    panic_if(L, LLVMBuildICmp(L->b, LLVMIntUGT, lo, hi, ""), PANIC_BOUNDS, at, lo, hi, NULL);
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
static LLVMValueRef spill(Lowerer *L, Type *t, LLVMValueRef v, const char *name) {
    LLVMValueRef slot = entry_alloca(L, mem_type(L, t), name);
    LLVMBuildStore(L->b, to_mem(L, t, v), slot);
    return slot;
}

static LLVMValueRef load_mem(Lowerer *L, Type *t, LLVMValueRef p) {
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

static LLVMValueRef values_equal(Lowerer *L, Type *t, LLVMValueRef a, LLVMValueRef b, Span at);

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
static LLVMValueRef values_equal(Lowerer *L, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
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
        unsupported(at, "'==' on arrays of structs, enums or arrays");
        return LLVMGetUndef(L->i1);
    default: break;
    }
    die("values_equal on a type that the checker rejects");
}

/* i1 loam.eq(ptr x, ptr y): `==` on two values of type t in memory, for
 * __loam_array_contains_by. Built once per type, in its own function. */
static LLVMValueRef equality_function(Lowerer *L, Type *t, Span at) {
    void **slot = map_slot(&L->arena, &L->equalities, (uintptr_t)t);
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

static LLVMValueRef compare(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
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
    LLVMValueRef phi = LLVMBuildPhi(L->b, L->i1, "");
    LLVMValueRef values[2] = {LLVMConstInt(L->i1, is_and ? 0 : 1, 0), rhs};
    LLVMBasicBlockRef blocks[2] = {from_lhs, from_rhs};
    LLVMAddIncoming(phi, values, blocks, 2);
    return phi;
}

/* The value of `a op b` once both are lowered (also for compound
 * assignment). t is the operand type. */
static LLVMValueRef apply_binary(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at) {
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
static LLVMValueRef dolist_len(Lowerer *L, LLVMValueRef list) {
    return load_field(L, L->b, L->dolist, list, 0, L->i64, "count");
}

static LLVMValueRef dolist_item(Lowerer *L, LLVMValueRef list, LLVMValueRef i) {
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
static LLVMValueRef fn_value(Lowerer *L, Item *fn) {
    char name[512];
    snprintf(name, sizeof name, "__loam_fn_%s", fn->name);
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
        return call_c(L, fn->name, ctype_of(fn->result_type), (int)n, types, args, 0);
    }
    LLVMValueRef f = fn_value(L, fn);
    LLVMValueRef call = LLVMBuildCall2(L->b, LLVMGlobalGetValueType(f), f, args, n, "");
    return fn->result_type->kind == TY_VOID ? NULL : call;
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

/* o.write(s): request len bytes, copy, commit (abi.md §4). */
static void write_str(Lowerer *L, LLVMValueRef out, LLVMValueRef s) {
    LLVMValueRef n = str_len(L, s);
    LLVMValueRef p = call2(L, "__loam_request", C_PTR, C_PTR, out, C_I64, n);
    LLVMBuildMemCpy(L->b, p, 1, str_ptr(L, s), 1, n);
    call3(L, "__loam_commit", C_VOID, C_PTR, out, C_PTR, p, C_I64, n);
}

/* o.write("…{x}…"): the pieces are formatted one by one and copied into a
 * single request, so a line of output costs one request/commit pair and no
 * intermediate string (design §3: writes are coalesced). */
static void write_interp(Lowerer *L, LLVMValueRef out, Expr *interp) {
    LLVMValueRef *pieces = arena_alloc(&L->arena, (interp->as.parts.len + 1) * sizeof *pieces);
    int n = interp_pieces(L, interp, pieces);
    if (n == 0) return;
    LLVMValueRef total = const_int(L, 0);
    for (int i = 0; i < n; i++) total = LLVMBuildAdd(L->b, total, str_len(L, pieces[i]), "");
    LLVMValueRef p = call2(L, "__loam_request", C_PTR, C_PTR, out, C_I64, total);
    LLVMValueRef at = const_int(L, 0);
    for (int i = 0; i < n; i++) {
        LLVMValueRef len = str_len(L, pieces[i]);
        LLVMValueRef dst = LLVMBuildGEP2(L->b, LLVMInt8TypeInContext(L->ctx), p, &at, 1, "");
        LLVMBuildMemCpy(L->b, dst, 1, str_ptr(L, pieces[i]), 1, len);
        at = LLVMBuildAdd(L->b, at, len, "");
    }
    call3(L, "__loam_commit", C_VOID, C_PTR, out, C_PTR, p, C_I64, total);
}

static void write_byte(Lowerer *L, LLVMValueRef out, LLVMValueRef byte) {
    LLVMValueRef one = const_int(L, 1);
    LLVMValueRef p = call2(L, "__loam_request", C_PTR, C_PTR, out, C_I64, one);
    LLVMBuildStore(L->b, byte, p);
    call3(L, "__loam_commit", C_VOID, C_PTR, out, C_PTR, p, C_I64, one);
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
        write_interp(L, r, arg_value(e, 0));
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
        write_str(L, r, args[0]);
        return NULL;
    case BUILTIN_BLOB_WRITE_BYTE: write_byte(L, r, args[0]); return NULL;
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

static LLVMValueRef lower_expr(Lowerer *L, Expr *e) {
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
    case E_SPAWN:
        unsupported(e->span, "'spawn' (child tasks and Refs)");
        return LLVMGetUndef(L->ptr);
    case E_UNARY: return lower_unary(L, e);
    case E_BINARY: return lower_binary(L, e);
    case E_POISON: break;
    }
    die("lowering a poison expression");
}

/* ---------------------------------------------------------------------------
 * Statements (spec §3.4, §3.5)
 */

/* The address of a place (spec §3.2). `direct` is true for the place being
 * assigned itself: a map element then gets a zero-filled slot when its key
 * is missing (`m[k] += v`); deeper in a place, a missing key panics. */
static LLVMValueRef lower_place(Lowerer *L, Expr *place, bool direct) {
    switch (place->kind) {
    case E_NAME: return local_slot(L, place->as.name.sym);
    case E_FIELD: {
        Expr *object = place->as.field.object;
        LLVMValueRef p = lower_place(L, object, false);
        return LLVMBuildStructGEP2(L->b, named_type(L, object->type->decl), p, (unsigned)place->as.field.field, "");
    }
    case E_INDEX: {
        Type *t = place->as.index.object->type;
        LLVMValueRef o = lower_expr(L, place->as.index.object);
        if (t->kind == TY_MAP) {
            LLVMValueRef key = spill(L, t->key, lower_expr(L, place->as.index.index), "key");
            if (direct) return call2(L, "__loam_map_slot", C_PTR, C_PTR, o, C_PTR, key);
            return call3(L, "__loam_map_at", C_PTR, C_PTR, where(L, place->span), C_PTR, o, C_PTR, key);
        }
        LLVMValueRef i = lower_expr(L, place->as.index.index);
        return checked_element(L, t->elem, o, i, place->span);
    }
    default: break;
    }
    die("assignment to something that is not a place");
}

/* place op= value. The value is computed first: it may grow the array or
 * map that holds the place, which would move the place. */
static void lower_assign(Lowerer *L, Stmt *s) {
    static const BinaryOp ops[] = {[AS_ADD] = BIN_ADD, [AS_SUB] = BIN_SUB, [AS_MUL] = BIN_MUL,
                                   [AS_DIV] = BIN_DIV, [AS_REM] = BIN_REM};
    Expr *place = s->as.assign.place;
    Type *t = place->type;
    LLVMValueRef v = lower_expr(L, s->as.assign.value);
    LLVMValueRef p = lower_place(L, place, true);
    /* A local's slot holds the register form (a Bool is an i1); fields and
     * elements hold the memory form (a Bool is a byte). */
    bool in_memory = place->kind != E_NAME;
    if (s->as.assign.op != AS_SET) {
        LLVMValueRef old = in_memory ? load_mem(L, t, p) : LLVMBuildLoad2(L->b, value_type(L, t), p, "");
        v = apply_binary(L, ops[s->as.assign.op], t, old, v, s->span);
    }
    LLVMBuildStore(L->b, in_memory ? to_mem(L, t, v) : v, p);
}

static void set_local(Lowerer *L, Binding *b, LLVMValueRef v) {
    if (b->sym) LLVMBuildStore(L->b, v, local_slot(L, b->sym));
}

static void lower_if(Lowerer *L, Stmt *s) {
    LLVMValueRef cond = lower_expr(L, s->as.if_.cond);
    LLVMBasicBlockRef then = new_block(L, "then"), done = new_block(L, "endif");
    LLVMBasicBlockRef otherwise = s->as.if_.else_stmt ? new_block(L, "else") : done;
    LLVMBuildCondBr(L->b, cond, then, otherwise);
    LLVMPositionBuilderAtEnd(L->b, then);
    lower_stmt(L, s->as.if_.then_block);
    LLVMBuildBr(L->b, done);
    if (s->as.if_.else_stmt) {
        LLVMPositionBuilderAtEnd(L->b, otherwise);
        lower_stmt(L, s->as.if_.else_stmt);
        LLVMBuildBr(L->b, done);
    }
    LLVMPositionBuilderAtEnd(L->b, done);
}

/* The loop body, then the latch: continue lands there, it runs the step
 * (if any, through `step`), the yield point, and goes back to `head`. */
typedef void (*StepFn)(Lowerer *L, void *state);

static void loop_body(Lowerer *L, Stmt *body, LLVMBasicBlockRef head, LLVMBasicBlockRef exit, StepFn step,
                      void *state) {
    LLVMBasicBlockRef latch = new_block(L, "latch");
    Loop loop = {.break_to = exit, .continue_to = latch, .outer = L->loop};
    L->loop = &loop;
    lower_stmt(L, body);
    L->loop = loop.outer;
    LLVMBuildBr(L->b, latch);
    LLVMPositionBuilderAtEnd(L->b, latch);
    if (step) step(L, state);
    yield_point(L);   /* the back-edge (design §3) */
    LLVMBuildBr(L->b, head);
    LLVMPositionBuilderAtEnd(L->b, exit);
}

static void lower_while(Lowerer *L, Stmt *s) {
    LLVMBasicBlockRef head = new_block(L, "while"), body = new_block(L, "do"), exit = new_block(L, "endwhile");
    LLVMBuildBr(L->b, head);
    LLVMPositionBuilderAtEnd(L->b, head);
    LLVMBuildCondBr(L->b, lower_expr(L, s->as.while_.cond), body, exit);
    LLVMPositionBuilderAtEnd(L->b, body);
    loop_body(L, s->as.while_.body, head, exit, NULL, NULL);
}

/* For loops count with a hidden counter, so that assigning the loop
 * variable in the body does not change the iteration. */
typedef struct Counter {
    LLVMValueRef slot;       /* i64: index, or map entry index */
    LLVMValueRef map;        /* for maps: the map */
} Counter;

static void step_index(Lowerer *L, void *state) {
    Counter *c = state;
    LLVMValueRef i = LLVMBuildLoad2(L->b, L->i64, c->slot, "i");
    /* i < hi <= INT64_MAX held in the head, so this cannot overflow. */
    LLVMBuildStore(L->b, LLVMBuildNSWAdd(L->b, i, const_int(L, 1), ""), c->slot);
}

static void step_map(Lowerer *L, void *state) {
    Counter *c = state;
    LLVMValueRef i = LLVMBuildLoad2(L->b, L->i64, c->slot, "i");
    LLVMValueRef next = call2(L, "__loam_map_next", C_I64, C_PTR, c->map, C_I64, LLVMBuildNSWAdd(L->b, i, const_int(L, 1), ""));
    LLVMBuildStore(L->b, next, c->slot);
}

static void lower_for(Lowerer *L, Stmt *s) {
    Binding *first = &s->as.for_.first, *second = &s->as.for_.second;
    bool two = s->as.for_.has_second;
    Type *t = s->as.for_.iter->type;
    LLVMValueRef iter = lower_expr(L, s->as.for_.iter);
    LLVMValueRef hi = s->as.for_.range_hi ? lower_expr(L, s->as.for_.range_hi) : NULL;
    Counter c = {.slot = entry_alloca(L, L->i64, "counter")};
    bool is_map = !hi && t->kind == TY_MAP;
    if (is_map) {
        c.map = iter;
        LLVMBuildStore(L->b, call2(L, "__loam_map_next", C_I64, C_PTR, iter, C_I64, const_int(L, 0)), c.slot);
    } else {
        LLVMBuildStore(L->b, hi ? iter : const_int(L, 0), c.slot);
    }
    LLVMBasicBlockRef head = new_block(L, "for"), body = new_block(L, "for.body"), exit = new_block(L, "endfor");
    LLVMBuildBr(L->b, head);
    LLVMPositionBuilderAtEnd(L->b, head);
    LLVMValueRef i = LLVMBuildLoad2(L->b, L->i64, c.slot, "i");
    LLVMValueRef more;
    if (hi) more = LLVMBuildICmp(L->b, LLVMIntSLT, i, hi, "");
    else if (is_map) more = LLVMBuildICmp(L->b, LLVMIntSGE, i, const_int(L, 0), "");
    else if (t->kind == TY_ARRAY) more = LLVMBuildICmp(L->b, LLVMIntSLT, i, array_len(L, iter), "");
    else if (t->kind == TY_DO && t->is_list) more = LLVMBuildICmp(L->b, LLVMIntSLT, i, dolist_len(L, iter), "");
    else die("for over a type the checker rejects");
    LLVMBuildCondBr(L->b, more, body, exit);
    LLVMPositionBuilderAtEnd(L->b, body);
    if (hi) {
        set_local(L, first, i);
    } else if (is_map) {
        LLVMValueRef key = load_mem(L, t->key, call2(L, "__loam_map_key_at", C_PTR, C_PTR, iter, C_I64, i));
        LLVMValueRef value = load_mem(L, t->value, call2(L, "__loam_map_value_at", C_PTR, C_PTR, iter, C_I64, i));
        set_local(L, first, key);
        set_local(L, second, value);
    } else {
        LLVMValueRef x = t->kind == TY_ARRAY ? load_element(L, t->elem, element_at(L, t->elem, iter, i))
                                             : dolist_item(L, iter, i);
        if (two) {
            set_local(L, first, i);
            set_local(L, second, x);
        } else {
            set_local(L, first, x);
        }
    }
    loop_body(L, s->as.for_.body, head, exit, is_map ? step_map : step_index, &c);
}

static LLVMValueRef pattern_constant(Lowerer *L, Pattern *p) {
    switch (p->kind) {
    case P_INT: return const_int(L, p->as.int_value);
    case P_BYTE: return LLVMConstInt(L->i8, p->as.byte_value, 0);
    case P_BOOL: return LLVMConstInt(L->i1, p->as.bool_value, 0);
    default: die("pattern_constant: kind %d", p->kind);
    }
}

/* match on an enum (a switch on the tag, payloads read from a copy), on
 * Int/Byte/Bool (a switch), or on Str (a chain of comparisons). */
static void lower_match(Lowerer *L, Stmt *s) {
    Expr *scrutinee = s->as.match.scrutinee;
    Type *t = scrutinee->type;
    List *arms = &s->as.match.arms;
    LLVMValueRef v = lower_expr(L, scrutinee);
    LLVMBasicBlockRef done = new_block(L, "endmatch");
    LLVMBasicBlockRef *blocks = arena_alloc(&L->arena, (arms->len + 1) * sizeof *blocks);
    LLVMBasicBlockRef otherwise = NULL;
    for (uint32_t i = 0; i < arms->len; i++) {
        Pattern *p = ((MatchArm *)arms->items[i])->pattern;
        blocks[i] = new_block(L, "arm");
        if (p->kind == P_WILDCARD && !otherwise) otherwise = blocks[i];
    }
    if (!otherwise) {
        /* The checker proved the arms exhaustive. */
        otherwise = new_block(L, "nomatch");
        LLVMBasicBlockRef here = LLVMGetInsertBlock(L->b);
        LLVMPositionBuilderAtEnd(L->b, otherwise);
        LLVMBuildUnreachable(L->b);
        LLVMPositionBuilderAtEnd(L->b, here);
    }
    LLVMValueRef copy = NULL;
    if (t->kind == TY_STR) {
        for (uint32_t i = 0; i < arms->len; i++) {
            Pattern *p = ((MatchArm *)arms->items[i])->pattern;
            if (p->kind != P_STR) continue;
            LLVMValueRef eq = values_equal(L, t, v, str_const(L, p->as.str.bytes, p->as.str.len), p->span);
            LLVMBasicBlockRef next = new_block(L, "match.next");
            LLVMBuildCondBr(L->b, eq, blocks[i], next);
            LLVMPositionBuilderAtEnd(L->b, next);
        }
        LLVMBuildBr(L->b, otherwise);
    } else {
        LLVMValueRef tag = v;
        if (t->kind == TY_ENUM) {
            copy = entry_alloca(L, named_type(L, t->decl), "matched");
            LLVMBuildStore(L->b, v, copy);
            tag = LLVMBuildExtractValue(L->b, v, 0, "tag");
        }
        LLVMValueRef sw = LLVMBuildSwitch(L->b, tag, otherwise, arms->len);
        for (uint32_t i = 0; i < arms->len; i++) {
            Pattern *p = ((MatchArm *)arms->items[i])->pattern;
            if (p->kind == P_WILDCARD) continue;
            LLVMAddCase(sw, p->kind == P_VARIANT ? const_int(L, p->variant) : pattern_constant(L, p), blocks[i]);
        }
    }
    for (uint32_t i = 0; i < arms->len; i++) {
        MatchArm *arm = arms->items[i];
        Pattern *p = arm->pattern;
        LLVMPositionBuilderAtEnd(L->b, blocks[i]);
        if (p->kind == P_VARIANT && p->bindings.len) {
            Field *variant = t->decl->fields.items[p->variant];
            LLVMTypeRef payload = payload_type(L, variant);
            LLVMValueRef words = LLVMBuildStructGEP2(L->b, named_type(L, t->decl), copy, 1, "payload");
            for (uint32_t k = 0; k < p->bindings.len; k++) {
                Binding *b = p->bindings.items[k];
                if (!b->sym) continue;
                LLVMValueRef at = LLVMBuildStructGEP2(L->b, payload, words, k, "");
                set_local(L, b, load_mem(L, variant->payload_types[k], at));
            }
        }
        lower_stmt(L, arm->body);
        LLVMBuildBr(L->b, done);
    }
    LLVMPositionBuilderAtEnd(L->b, done);
}

static void lower_return(Lowerer *L, Stmt *s) {
    if (s->as.ret) {
        LLVMValueRef v = lower_expr(L, s->as.ret);
        LLVMBuildRet(L->b, v);
    } else {
        LLVMBuildRetVoid(L->b);
    }
    start_dead_block(L);
}

static void lower_stmt(Lowerer *L, Stmt *s) {
    if (s->kind != S_BLOCK) debug_at(L, s->span);
    switch (s->kind) {
    case S_LET: {
        LLVMValueRef v = lower_expr(L, s->as.let.init);
        set_local(L, &s->as.let.var, v);
        break;
    }
    case S_ASSIGN: lower_assign(L, s); break;
    case S_EXPR: lower_expr(L, s->as.expr); break;
    case S_DELEGATE: unsupported(s->span, "delegation 'spawn … -> out'"); break;
    case S_IF: lower_if(L, s); break;
    case S_WHILE: lower_while(L, s); break;
    case S_FOR: lower_for(L, s); break;
    case S_MATCH: lower_match(L, s); break;
    case S_BREAK:
    case S_CONTINUE:
        if (!L->loop) die("break outside a loop after checking");
        LLVMBuildBr(L->b, s->kind == S_BREAK ? L->loop->break_to : L->loop->continue_to);
        start_dead_block(L);
        break;
    case S_RETURN: lower_return(L, s); break;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) lower_stmt(L, s->as.block.stmts.items[i]);
        break;
    }
}

/* ---------------------------------------------------------------------------
 * Functions and tasks (abi.md §7)
 */

/* Opens fn for lowering: an entry block that holds only allocas and a
 * branch to the first real block, where the entry yield point goes. */
/* Line tables: the position of the statement being lowered. */
static void debug_at(Lowerer *L, Span at) {
    if (!L->dib || !L->di_scope) return;
    LLVMMetadataRef loc = LLVMDIBuilderCreateDebugLocation(L->ctx, at.line, at.col, L->di_scope, NULL);
    LLVMSetCurrentDebugLocation2(L->b, loc);
}

static void debug_function(Lowerer *L, Item *item, LLVMValueRef fn) {
    L->di_scope = NULL;
    LLVMSetCurrentDebugLocation2(L->b, NULL);
    if (!L->dib) return;
    size_t len = 0;
    const char *name = LLVMGetValueName2(fn, &len);
    LLVMMetadataRef type = LLVMDIBuilderCreateSubroutineType(L->dib, L->di_file, NULL, 0, LLVMDIFlagZero);
    L->di_scope = LLVMDIBuilderCreateFunction(L->dib, L->di_file, item->name, strlen(item->name), name, len,
                                              L->di_file, item->span.line, type, LLVMGetLinkage(fn) != LLVMExternalLinkage,
                                              1, item->span.line, LLVMDIFlagZero, L->opts->opt_level > 0);
    LLVMSetSubprogram(fn, L->di_scope);
    debug_at(L, item->span);
}

static void debug_begin(Lowerer *L) {
    if (!L->opts->debug_info) return;
    const char *path = L->program->file && L->program->file->path ? L->program->file->path : "loam";
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dir_len = slash ? (size_t)(slash - path) : 1;
    const char *dir = slash ? path : ".";
    L->dib = LLVMCreateDIBuilder(L->m);
    L->di_file = LLVMDIBuilderCreateFile(L->dib, base, strlen(base), dir, dir_len);
    const char *producer = "loam " LOAM_VERSION;
    LLVMDIBuilderCreateCompileUnit(L->dib, LLVMDWARFSourceLanguageC, L->di_file, producer, strlen(producer),
                                   L->opts->opt_level > 0, "", 0, 0, "", 0, LLVMDWARFEmissionLineTablesOnly, 0, 0, 0,
                                   "", 0, "", 0);
    LLVMValueRef version = LLVMConstInt(L->i32, LLVMDebugMetadataVersion(), 0);
    LLVMAddModuleFlag(L->m, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18, LLVMValueAsMetadata(version));
    LLVMAddModuleFlag(L->m, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
                      LLVMValueAsMetadata(LLVMConstInt(L->i32, 5, 0)));
}

static void debug_end(Lowerer *L) {
    if (!L->dib) return;
    LLVMSetCurrentDebugLocation2(L->b, NULL);
    LLVMDIBuilderFinalize(L->dib);
    LLVMDisposeDIBuilder(L->dib);
    L->dib = NULL;
}

static void begin_body(Lowerer *L, Item *item, LLVMValueRef fn) {
    L->fn = fn;
    L->item = item;
    L->loop = NULL;
    L->locals = (PtrMap){0};
    debug_function(L, item, fn);
    LLVMBasicBlockRef entry = new_block(L, "entry"), start = new_block(L, "start");
    LLVMPositionBuilderAtEnd(L->b, entry);
    L->alloca_point = LLVMBuildBr(L->b, start);
    LLVMPositionBuilderAtEnd(L->b, start);
    yield_point(L);
}

static void end_body(Lowerer *L, Item *item) {
    lower_stmt(L, item->body);
    if (!block_is_open(L)) return;
    /* Falling off the end: a void fn or task returns; a fn with a result
     * cannot get here (the checker proved every path returns). */
    if (item->kind == I_TASK || item->result_type->kind == TY_VOID) LLVMBuildRetVoid(L->b);
    else LLVMBuildUnreachable(L->b);
}

static void lower_fn(Lowerer *L, Item *item) {
    LLVMValueRef fn = fn_value(L, item);
    begin_body(L, item, fn);
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        LLVMBuildStore(L->b, LLVMGetParam(fn, i), local_slot(L, p->sym));
    }
    end_body(L, item);
}

enum { LOAM_VALUE_SIZE = 16 };   /* sizeof(loam_value): a loam_str */

/* void __loam_task_NAME(loam_value *args): parameters come from args[i]. */
static LLVMValueRef lower_task(Lowerer *L, Item *item) {
    char name[512];
    snprintf(name, sizeof name, "__loam_task_%s", item->name);
    LLVMTypeRef type = LLVMFunctionType(L->void_, &L->ptr, 1, 0);
    LLVMValueRef fn = LLVMAddFunction(L->m, name, type);
    defined_function(L, fn);
    LLVMValueRef args = LLVMGetParam(fn, 0);
    LLVMSetValueName2(args, "args", 4);
    begin_body(L, item, fn);
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        Type *t = p->sym->type;
        LLVMValueRef offset = const_int(L, (int64_t)i * LOAM_VALUE_SIZE);
        LLVMValueRef at = LLVMBuildGEP2(L->b, L->i8, args, &offset, 1, p->name);
        LLVMValueRef v = load_mem(L, t, at);   /* union member: i64, double, bool, loam_str or a pointer */
        LLVMBuildStore(L->b, v, local_slot(L, p->sym));
    }
    end_body(L, item);
    return fn;
}

static int param_kind(Type *t) {
    switch (t->kind) {
    case TY_INT: return 0;     /* LOAM_P_INT */
    case TY_FLOAT: return 1;   /* LOAM_P_FLOAT */
    case TY_BOOL: return 2;    /* LOAM_P_BOOL */
    case TY_STR: return 3;     /* LOAM_P_STR */
    case TY_DO: return t->is_list ? 6 : t->mode == MODE_OUT ? 5 : 4;
    default: return -1;
    }
}

int lower_root_task(const Program *program, const LowerOptions *opts) {
    const char *wanted = opts && opts->root_task ? opts->root_task : NULL;
    int index = 0, main_index = -1, count = 0;
    for (uint32_t i = 0; i < program->items.len; i++) {
        Item *item = program->items.items[i];
        if (item->kind != I_TASK) continue;
        if (wanted && strcmp(item->name, wanted) == 0) return index;
        if (strcmp(item->name, "main") == 0) main_index = index;
        index++, count++;
    }
    if (wanted) return -1;
    if (main_index >= 0) return main_index;
    return count == 1 ? 0 : -1;
}

/* __loam_tasks[] (ended by a zeroed entry) and __loam_root_task. */
static void lower_task_table(Lowerer *L, LLVMValueRef *entries, Item **tasks, uint32_t count) {
    LLVMTypeRef param_fields[2] = {L->ptr, L->i8};
    LLVMTypeRef param_type = LLVMStructTypeInContext(L->ctx, param_fields, 2, 0);
    LLVMTypeRef task_fields[4] = {L->ptr, L->ptr, L->i64, L->ptr};
    LLVMTypeRef task_type = LLVMStructTypeInContext(L->ctx, task_fields, 4, 0);
    LLVMValueRef *rows = arena_alloc(&L->arena, (count + 1) * sizeof *rows);
    for (uint32_t t = 0; t < count; t++) {
        Item *task = tasks[t];
        uint32_t n = task->params.len;
        LLVMValueRef *params = arena_alloc(&L->arena, (n + 1) * sizeof *params);
        for (uint32_t i = 0; i < n; i++) {
            Param *p = task->params.items[i];
            int kind = param_kind(p->sym->type);
            if (kind < 0) die("task parameter of a type the checker rejects");
            LLVMValueRef fields[2] = {private_bytes(L, p->name, strlen(p->name), "param.name"),
                                      LLVMConstInt(L->i8, (unsigned)kind, 0)};
            params[i] = LLVMConstStructInContext(L->ctx, fields, 2, 0);
        }
        LLVMValueRef list = LLVMConstArray(param_type, params, n);
        LLVMValueRef g = LLVMAddGlobal(L->m, LLVMTypeOf(list), "params");
        LLVMSetInitializer(g, list);
        LLVMSetGlobalConstant(g, 1);
        LLVMSetLinkage(g, LLVMPrivateLinkage);
        LLVMValueRef fields[4] = {private_bytes(L, task->name, strlen(task->name), "task.name"), entries[t],
                                  const_int(L, n), g};
        rows[t] = LLVMConstStructInContext(L->ctx, fields, 4, 0);
    }
    rows[count] = LLVMConstNull(task_type);
    LLVMValueRef table = LLVMConstArray(task_type, rows, count + 1);
    LLVMValueRef g = LLVMAddGlobal(L->m, LLVMTypeOf(table), "__loam_tasks");
    LLVMSetInitializer(g, table);
    LLVMSetGlobalConstant(g, 1);
    LLVMValueRef root = LLVMAddGlobal(L->m, L->i64, "__loam_root_task");
    LLVMSetInitializer(root, const_int(L, lower_root_task(L->program, L->opts)));
    LLVMSetGlobalConstant(root, 1);
}

/* Internal error: the module does not verify. Dumps the IR and exits 2. */
static void verify(LLVMModuleRef m) {
    char *message = NULL;
    if (!LLVMVerifyModule(m, LLVMReturnStatusAction, &message)) {
        LLVMDisposeMessage(message);
        return;
    }
    LLVMDumpModule(m);
    fprintf(stderr, "%s\n", message ? message : "");
    LLVMDisposeMessage(message);
    die("the LLVM module does not verify (IR dumped above)");
}

LLVMModuleRef lower_program(LLVMContextRef ctx, const Program *program, const LowerOptions *opts) {
    Lowerer L = {.ctx = ctx, .program = program, .opts = opts};
    arena_init(&L.arena);
    const char *path = program->file && program->file->path ? program->file->path : "loam";
    L.m = LLVMModuleCreateWithNameInContext(path, ctx);
    LLVMSetSourceFileName(L.m, path, strlen(path));
    const char *triple = opts->target_triple ? opts->target_triple : LOAM_HOSTED_TRIPLE;
    LLVMSetTarget(L.m, triple);
    char *error = NULL;
    LLVMTargetMachineRef tm = emit_target_machine(opts, &error);
    if (!tm) die("no LLVM target for '%s': %s", triple, error ? error : "?");
    L.td = LLVMCreateTargetDataLayout(tm);
    LLVMDisposeTargetMachine(tm);
    LLVMSetModuleDataLayout(L.m, L.td);
    L.b = LLVMCreateBuilderInContext(ctx);
    L.i1 = LLVMInt1TypeInContext(ctx);
    L.i8 = LLVMInt8TypeInContext(ctx);
    L.i32 = LLVMInt32TypeInContext(ctx);
    L.i64 = LLVMInt64TypeInContext(ctx);
    L.f64 = LLVMDoubleTypeInContext(ctx);
    L.ptr = LLVMPointerTypeInContext(ctx, 0);
    L.void_ = LLVMVoidTypeInContext(ctx);
    LLVMTypeRef str_fields[2] = {L.ptr, L.i64};
    L.str = LLVMStructTypeInContext(ctx, str_fields, 2, 0);
    LLVMTypeRef array_fields[4] = {L.ptr, L.i64, L.i64, L.i64};
    L.array = LLVMStructTypeInContext(ctx, array_fields, 4, 0);
    LLVMTypeRef dolist_fields[2] = {L.i64, L.ptr};
    L.dolist = LLVMStructTypeInContext(ctx, dolist_fields, 2, 0);

    debug_begin(&L);
    int errors_before = diag_error_count();
    uint32_t task_count = 0;
    for (uint32_t i = 0; i < program->items.len; i++) task_count += ((Item *)program->items.items[i])->kind == I_TASK;
    Item **tasks = arena_alloc(&L.arena, (task_count + 1) * sizeof *tasks);
    LLVMValueRef *entries = arena_alloc(&L.arena, (task_count + 1) * sizeof *entries);
    task_count = 0;
    for (uint32_t i = 0; i < program->items.len; i++) {
        Item *item = program->items.items[i];
        if (item->kind == I_FN) lower_fn(&L, item);
        else if (item->kind == I_TASK) {
            tasks[task_count] = item;
            entries[task_count++] = lower_task(&L, item);
        }
    }
    lower_task_table(&L, entries, tasks, task_count);
    debug_end(&L);

    LLVMDisposeBuilder(L.b);
    LLVMDisposeTargetData(L.td);
    arena_free(&L.arena);
    if (diag_error_count() > errors_before) {
        LLVMDisposeModule(L.m);
        return NULL;
    }
    verify(L.m);
    return L.m;
}
