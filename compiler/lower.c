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
#include "lower_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * A small pointer-keyed hash map (locals, where-strings, named types,
 * equality functions)
 */


static void lower_stmt(Lowerer *L, Stmt *s);
static void debug_at(Lowerer *L, Span at);

/* Reports a construct the lowering does not handle yet. The caller goes on
 * with a placeholder value, so that one run lists every such construct. */
void unsupported(Span at, const char *what) {
    diag_error(NOT_SUPPORTED, at, "not yet supported: %s", what);
    diag_help("the compiler cannot build this yet; 'loam check' accepts it, and a later version will compile it");
}

/* ---------------------------------------------------------------------------
 * Types (abi.md §1)
 */

/* The in-memory type: as value_type, but a Bool is a byte. */
LLVMTypeRef mem_type(Lowerer *L, Type *t) {
    return t->kind == TY_BOOL ? L->i8 : value_type(L, t);
}

LLVMValueRef to_mem(Lowerer *L, Type *t, LLVMValueRef v) {
    return t->kind == TY_BOOL ? LLVMBuildZExt(L->b, v, L->i8, "") : v;
}

LLVMValueRef from_mem(Lowerer *L, Type *t, LLVMValueRef v) {
    return t->kind == TY_BOOL ? LLVMBuildICmp(L->b, LLVMIntNE, v, LLVMConstInt(L->i8, 0, 0), "") : v;
}

uint64_t size_of(Lowerer *L, LLVMTypeRef t) { return LLVMABISizeOfType(L->td, t); }

/* The payload of one enum variant, laid out as a struct in the words. */
LLVMTypeRef payload_type(Lowerer *L, Field *variant) {
    uint32_t n = variant->payload.len;
    LLVMTypeRef *fields = arena_alloc(&L->arena, (n + 1) * sizeof *fields);
    for (uint32_t i = 0; i < n; i++) fields[i] = mem_type(L, variant->payload_types[i]);
    return LLVMStructTypeInContext(L->ctx, fields, n, 0);
}

LLVMTypeRef named_type(Lowerer *L, Item *decl) {
    void **slot = ptrmap_slot(&L->arena, &L->named, (uintptr_t)decl);
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

LLVMTypeRef value_type(Lowerer *L, Type *t) {
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
LLVMValueRef str_const(Lowerer *L, const char *bytes, size_t len) {
    LLVMValueRef g = private_bytes(L, bytes, len, "str");
    LLVMValueRef fields[2] = {g, LLVMConstInt(L->i64, len, 0)};
    return LLVMConstStructInContext(L->ctx, fields, 2, 0);
}

/* "file:line:col" of a span, one private constant per position. */
LLVMValueRef where(Lowerer *L, Span at) {
    void **slot = ptrmap_slot(&L->arena, &L->wheres, ((uintptr_t)at.line << 32 | at.col) + 1);
    if (*slot) return *slot;
    char buf[1024];
    const char *path = at.file && at.file->path ? at.file->path : "?";
    int n = snprintf(buf, sizeof buf, "%s:%u:%u", path, at.line, at.col);
    if (n < 0 || (size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    *slot = private_bytes(L, buf, (size_t)n, "where");
    return *slot;
}

LLVMValueRef const_int(Lowerer *L, int64_t v) { return LLVMConstInt(L->i64, (unsigned long long)v, 1); }

/* ---------------------------------------------------------------------------
 * Calls into C: runtime, standard library, extern fns
 */


CType ctype_of(Type *t) {
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

bool c_passable(Type *t) { return t->kind != TY_STRUCT && t->kind != TY_ENUM && t->kind != TY_POISON; }

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


/* Attributes of every function defined here: no unwinding (Loam has no
 * exceptions, so no unwind tables), and on a bare-metal triple (μVM, "-none")
 * no red zone, since interrupts run on the same stack. */
void defined_function(Lowerer *L, LLVMValueRef fn) {
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
LLVMValueRef call_c(Lowerer *L, const char *name, CType ret, int n, const CType *params,
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
LLVMValueRef call1(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0) {
    return call_c(L, name, ret, 1, (CType[]){p0}, (LLVMValueRef[]){a0}, 0);
}
LLVMValueRef call2(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1,
                          LLVMValueRef a1) {
    return call_c(L, name, ret, 2, (CType[]){p0, p1}, (LLVMValueRef[]){a0, a1}, 0);
}
LLVMValueRef call3(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1,
                          LLVMValueRef a1, CType p2, LLVMValueRef a2) {
    return call_c(L, name, ret, 3, (CType[]){p0, p1, p2}, (LLVMValueRef[]){a0, a1, a2}, 0);
}

/* An LLVM intrinsic overloaded on one type. */
LLVMValueRef call_intrinsic(Lowerer *L, const char *name, LLVMTypeRef overload, int n, LLVMValueRef *args) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    if (!id) die("unknown intrinsic '%s'", name);
    LLVMTypeRef types[1] = {overload};
    unsigned count = overload ? 1 : 0;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(L->m, id, types, count);
    LLVMTypeRef type = LLVMIntrinsicGetType(L->ctx, id, types, count);
    return LLVMBuildCall2(L->b, type, fn, args, (unsigned)n, "");
}

/* `cond` is expected to be false (a panic or the yield slow path). */
LLVMValueRef unlikely(Lowerer *L, LLVMValueRef cond) {
    LLVMValueRef args[2] = {cond, LLVMConstInt(L->i1, 0, 0)};
    return call_intrinsic(L, "llvm.expect", L->i1, 2, args);
}

/* The value that is a when control came from block from_a, b from from_b;
 * the builder is at the start of the block where the two paths meet. */
LLVMValueRef phi2(Lowerer *L, LLVMTypeRef type, LLVMValueRef a, LLVMBasicBlockRef from_a, LLVMValueRef b,
                  LLVMBasicBlockRef from_b, const char *name) {
    LLVMValueRef phi = LLVMBuildPhi(L->b, type, name);
    LLVMValueRef values[2] = {a, b};
    LLVMBasicBlockRef blocks[2] = {from_a, from_b};
    LLVMAddIncoming(phi, values, blocks, 2);
    return phi;
}

LLVMBasicBlockRef new_block(Lowerer *L, const char *name) {
    return LLVMAppendBasicBlockInContext(L->ctx, L->fn, name);
}

/* ---------------------------------------------------------------------------
 * Panics (abi.md §5) and yield points (§3)
 */

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
void panic_if(Lowerer *L, LLVMValueRef bad, PanicKind kind, Span at, LLVMValueRef index, LLVMValueRef len,
                     const char *what) {
    LLVMBasicBlockRef fail = new_block(L, "panic"), ok = new_block(L, "ok");
    LLVMBuildCondBr(L->b, unlikely(L, bad), fail, ok);
    LLVMPositionBuilderAtEnd(L->b, fail);
    call_panic(L, kind, at, index, len, what);
    LLVMPositionBuilderAtEnd(L->b, ok);
}

/* 0 <= index < len, else __loam_panic_bounds. One unsigned compare. */
void check_bounds(Lowerer *L, LLVMValueRef index, LLVMValueRef len, Span at) {
    LLVMValueRef bad = LLVMBuildICmp(L->b, LLVMIntUGE, index, len, "");
    panic_if(L, bad, PANIC_BOUNDS, at, index, len, NULL);
}

/* ---- type-based alias information ----
 *
 * Three kinds of memory that generated code touches never overlap: the
 * headers of arrays and DO lists (data, len, cap), the per-core yield
 * budget, and Loam values (elements, struct fields, locals). Telling LLVM
 * so (TBAA) lets it keep an array's length and data pointer in registers
 * across stores to its elements, which it must otherwise reload after
 * every `bodies[i].vx -= …`. Headers are reached only through load_field
 * and store_field; every other load or store the lowering builds is tagged
 * as a value at the end (tag_values). C code (stdlib, kernel) carries no
 * tags, so LLVM treats its accesses as aliasing everything. */

static LLVMValueRef tbaa_tag(Lowerer *L, LLVMMetadataRef root, const char *name) {
    LLVMMetadataRef zero = LLVMValueAsMetadata(const_int(L, 0));
    LLVMMetadataRef type_fields[3] = {LLVMMDStringInContext2(L->ctx, name, strlen(name)), root, zero};
    LLVMMetadataRef type = LLVMMDNodeInContext2(L->ctx, type_fields, 3);
    LLVMMetadataRef tag_fields[3] = {type, type, zero};
    return LLVMMetadataAsValue(L->ctx, LLVMMDNodeInContext2(L->ctx, tag_fields, 3));
}

static void tbaa_init(Lowerer *L) {
    L->tbaa_kind = LLVMGetMDKindIDInContext(L->ctx, "tbaa", 4);
    LLVMMetadataRef name = LLVMMDStringInContext2(L->ctx, "loam tbaa", 9);
    LLVMMetadataRef root = LLVMMDNodeInContext2(L->ctx, &name, 1);
    L->tbaa_header = tbaa_tag(L, root, "header");
    L->tbaa_budget = tbaa_tag(L, root, "budget");
    L->tbaa_value = tbaa_tag(L, root, "value");
}

static LLVMValueRef tagged(Lowerer *L, LLVMValueRef access, LLVMValueRef tag) {
    LLVMSetMetadata(access, L->tbaa_kind, tag);
    return access;
}

/* Every load and store of fn without a tag reads or writes a value. */
static void tag_values(Lowerer *L, LLVMValueRef fn) {
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            LLVMOpcode op = LLVMGetInstructionOpcode(i);
            if ((op == LLVMLoad || op == LLVMStore) && !LLVMGetMetadata(i, L->tbaa_kind))
                tagged(L, i, L->tbaa_value);
        }
}

/* if (--__loam_budget < 0) __loam_yield(); */
/* The budget lives in a local of the function (a register, after mem2reg)
 * rather than in the thread-local itself: decrementing __loam_budget in
 * memory at every back-edge makes each iteration wait for the previous
 * one's store, which cost tight loops up to a sixth of their time. The
 * local is loaded from __loam_budget at entry and after every call of a
 * Loam fn (whose own yield points spend the same budget), and stored back
 * before such a call, before __loam_yield and before returning, so the
 * budget is exact across calls. (A C call may block, and the kernel may
 * refill the budget meanwhile; the local then stays as it was, which moves
 * the next yield point by at most one budget.) */

static LLVMValueRef budget_global(Lowerer *L) {
    if (!L->budget) {
        L->budget = LLVMAddGlobal(L->m, L->i64, "__loam_budget");
        LLVMSetThreadLocalMode(L->budget, LLVMInitialExecTLSModel);
        LLVMSetLinkage(L->budget, LLVMExternalLinkage);
    }
    return L->budget;
}

/* local = __loam_budget */
void budget_reload(Lowerer *L) {
    if (!L->budget_slot) return;
    LLVMValueRef v = tagged(L, LLVMBuildLoad2(L->b, L->i64, budget_global(L), "budget"), L->tbaa_budget);
    LLVMBuildStore(L->b, v, L->budget_slot);
}

/* __loam_budget = local */
void budget_spill(Lowerer *L) {
    if (!L->budget_slot) return;
    LLVMValueRef v = LLVMBuildLoad2(L->b, L->i64, L->budget_slot, "budget");
    tagged(L, LLVMBuildStore(L->b, v, budget_global(L)), L->tbaa_budget);
}

/* if (--budget < 0) __loam_yield(); */
static void yield_point(Lowerer *L) {
    if (!L->budget_slot) return;
    LLVMValueRef v = LLVMBuildLoad2(L->b, L->i64, L->budget_slot, "budget");
    LLVMValueRef left = LLVMBuildSub(L->b, v, LLVMConstInt(L->i64, 1, 0), "");
    LLVMBuildStore(L->b, left, L->budget_slot);
    LLVMValueRef out = LLVMBuildICmp(L->b, LLVMIntSLT, left, LLVMConstInt(L->i64, 0, 0), "");
    LLVMBasicBlockRef slow = new_block(L, "yield"), go_on = new_block(L, "resume");
    LLVMBuildCondBr(L->b, unlikely(L, out), slow, go_on);
    LLVMPositionBuilderAtEnd(L->b, slow);
    budget_spill(L);
    call0(L, "__loam_yield", C_VOID);
    budget_reload(L);
    LLVMBuildBr(L->b, go_on);
    LLVMPositionBuilderAtEnd(L->b, go_on);
}

/* ---------------------------------------------------------------------------
 * Locals
 */

LLVMValueRef entry_alloca(Lowerer *L, LLVMTypeRef type, const char *name) {
    LLVMBuilderRef b = LLVMCreateBuilderInContext(L->ctx);
    LLVMPositionBuilderBefore(b, L->alloca_point);
    LLVMValueRef slot = LLVMBuildAlloca(b, type, name ? name : "");
    LLVMDisposeBuilder(b);
    return slot;
}

LLVMValueRef local_slot(Lowerer *L, Symbol *sym) {
    void **slot = ptrmap_slot(&L->arena, &L->locals, (uintptr_t)sym);
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
LLVMBuilderRef begin_helper(Lowerer *L, const char *name, LLVMTypeRef type, LLVMValueRef *fn) {
    *fn = LLVMAddFunction(L->m, name, type);
    LLVMSetLinkage(*fn, LLVMPrivateLinkage);
    defined_function(L, *fn);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(L->ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(L->ctx, *fn, "entry"));
    return b;
}

/* Array fields: { ptr data, i64 len, i64 cap, i64 elem_size } (abi.md §1). */

LLVMValueRef field_ptr(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k) {
    return LLVMBuildStructGEP2(b, type, p, k, "");
}

LLVMValueRef load_field(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k,
                               LLVMTypeRef field_type, const char *name) {
    return tagged(L, LLVMBuildLoad2(b, field_type, field_ptr(L, b, type, p, k), name), L->tbaa_header);
}

void store_field(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k, LLVMValueRef v) {
    tagged(L, LLVMBuildStore(b, v, field_ptr(L, b, type, p, k)), L->tbaa_header);
}

/* void loam.array.reserve(ptr a, i64 need): makes cap >= need, doubling,
 * at least 4; the old storage stays in the arena (freed with the task). */
LLVMValueRef array_reserve_helper(Lowerer *L) {
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
    store_field(L, b, L->array, a, ARRAY_DATA, data);
    store_field(L, b, L->array, a, ARRAY_CAP, c);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRetVoid(b);
    LLVMDisposeBuilder(b);
    return fn;
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

/* ---- for over lines() and words(), without the array ----
 *
 * `for [i,] x in R.lines()` and `.words()` (R a Str, an input or a Ref)
 * walk R with a hidden cursor instead of building the array of every line
 * or word first: the array is a temporary nobody else can see, so the loop
 * runs the same iterations with the same values, in constant memory. Words
 * are found by inline scanning (the per-word cost is what wordcount
 * measures); lines by __loam_str_line_end, a word-at-a-time search. */

static bool streamed(const Expr *iter, bool *words) {
    if (iter->kind != E_CALL || iter->as.call.kind != CALL_METHOD) return false;
    switch (iter->as.call.builtin) {
    case BUILTIN_STR_LINES: case BUILTIN_BLOB_LINES: *words = false; return true;
    case BUILTIN_STR_WORDS: case BUILTIN_BLOB_WORDS: *words = true; return true;
    default: return false;
    }
}

/* ASCII whitespace as words() and trim() see it: ' ' and '\t'..'\r'. */
static LLVMValueRef is_space(Lowerer *L, LLVMValueRef c) {
    LLVMValueRef blank = LLVMBuildICmp(L->b, LLVMIntEQ, c, LLVMConstInt(L->i8, ' ', 0), "");
    LLVMValueRef control = LLVMBuildICmp(L->b, LLVMIntULT, LLVMBuildSub(L->b, c, LLVMConstInt(L->i8, '\t', 0), ""),
                                         LLVMConstInt(L->i8, 5, 0), "");
    return LLVMBuildOr(L->b, blank, control, "space");
}

/* Advances *pos while it is below len and the byte there is (or is not)
 * whitespace; leaves the builder in the block after the scan. */
static void scan_bytes(Lowerer *L, LLVMValueRef text, LLVMValueRef len, LLVMValueRef pos, bool over_space,
                       LLVMBasicBlockRef at_end) {
    LLVMBasicBlockRef test = new_block(L, "scan"), look = new_block(L, "scan.byte"), next = new_block(L, "scan.next"),
                      done = new_block(L, "scan.done");
    LLVMBuildBr(L->b, test);
    LLVMPositionBuilderAtEnd(L->b, test);
    LLVMValueRef p = LLVMBuildLoad2(L->b, L->i64, pos, "p");
    LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, p, len, ""), look, at_end ? at_end : done);
    LLVMPositionBuilderAtEnd(L->b, look);
    LLVMValueRef c = LLVMBuildLoad2(L->b, L->i8, LLVMBuildGEP2(L->b, L->i8, text, &p, 1, ""), "c");
    LLVMValueRef space = is_space(L, c);
    LLVMBuildCondBr(L->b, space, over_space ? next : done, over_space ? done : next);
    LLVMPositionBuilderAtEnd(L->b, next);
    LLVMBuildStore(L->b, LLVMBuildNSWAdd(L->b, p, const_int(L, 1), ""), pos);
    LLVMBuildBr(L->b, test);
    LLVMPositionBuilderAtEnd(L->b, done);
}

static void lower_for_streamed(Lowerer *L, Stmt *s, bool words) {
    Expr *call = s->as.for_.iter;
    LLVMValueRef text = lower_expr(L, call->as.call.receiver);
    if (call->as.call.receiver->type->kind != TY_STR) text = call1(L, "__loam_blob_text", C_STR, C_PTR, text);
    LLVMValueRef base = str_ptr(L, text), len = str_len(L, text);
    LLVMValueRef pos = entry_alloca(L, L->i64, "cursor");
    Counter c = {.slot = entry_alloca(L, L->i64, "counter")};
    LLVMBuildStore(L->b, const_int(L, 0), pos);
    LLVMBuildStore(L->b, const_int(L, 0), c.slot);
    LLVMBasicBlockRef head = new_block(L, "for"), exit = new_block(L, "endfor");
    LLVMBuildBr(L->b, head);
    LLVMPositionBuilderAtEnd(L->b, head);
    LLVMValueRef item;
    if (words) {
        scan_bytes(L, base, len, pos, true, exit);         /* to the next word, or the end */
        LLVMValueRef start = LLVMBuildLoad2(L->b, L->i64, pos, "start");
        scan_bytes(L, base, len, pos, false, NULL);        /* to the end of the word */
        LLVMValueRef end = LLVMBuildLoad2(L->b, L->i64, pos, "end");
        item = make_str(L, LLVMBuildGEP2(L->b, L->i8, base, &start, 1, ""), LLVMBuildNSWSub(L->b, end, start, ""));
    } else {
        LLVMBasicBlockRef body = new_block(L, "for.body");
        LLVMValueRef start = LLVMBuildLoad2(L->b, L->i64, pos, "start");
        LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, start, len, ""), body, exit);
        LLVMPositionBuilderAtEnd(L->b, body);
        /* end: the '\n' ending the line, or len for a last line without one,
         * whose '\r' (if any) stays, as in lines(). */
        LLVMValueRef end = call2(L, "__loam_str_line_end", C_I64, C_STR, text, C_I64, start);
        LLVMBuildStore(L->b, LLVMBuildNSWAdd(L->b, end, const_int(L, 1), ""), pos);
        LLVMValueRef n = LLVMBuildNSWSub(L->b, end, start, "");
        /* A '\r' before the '\n' is not part of the line: look at the last
         * byte only when the line is not empty and ends with '\n'. */
        LLVMBasicBlockRef here = LLVMGetInsertBlock(L->b), cr = new_block(L, "line.cr"), got = new_block(L, "line");
        LLVMValueRef has_nl = LLVMBuildAnd(L->b, LLVMBuildICmp(L->b, LLVMIntSLT, end, len, ""),
                                           LLVMBuildICmp(L->b, LLVMIntSGT, n, const_int(L, 0), ""), "");
        LLVMBuildCondBr(L->b, has_nl, cr, got);
        LLVMPositionBuilderAtEnd(L->b, cr);
        LLVMValueRef last = LLVMBuildNSWSub(L->b, end, const_int(L, 1), "");
        LLVMValueRef last_byte = LLVMBuildLoad2(L->b, L->i8, LLVMBuildGEP2(L->b, L->i8, base, &last, 1, ""), "");
        LLVMValueRef is_cr = LLVMBuildICmp(L->b, LLVMIntEQ, last_byte, LLVMConstInt(L->i8, '\r', 0), "");
        LLVMValueRef trimmed = LLVMBuildSelect(L->b, is_cr, LLVMBuildNSWSub(L->b, n, const_int(L, 1), ""), n, "");
        LLVMBuildBr(L->b, got);
        LLVMPositionBuilderAtEnd(L->b, got);
        LLVMValueRef size = phi2(L, L->i64, n, here, trimmed, cr, "line.len");
        item = make_str(L, LLVMBuildGEP2(L->b, L->i8, base, &start, 1, ""), size);
    }
    if (s->as.for_.has_second) {
        set_local(L, &s->as.for_.first, LLVMBuildLoad2(L->b, L->i64, c.slot, "i"));
        set_local(L, &s->as.for_.second, item);
    } else {
        set_local(L, &s->as.for_.first, item);
    }
    loop_body(L, s->as.for_.body, head, exit, step_index, &c);
}

static void lower_for(Lowerer *L, Stmt *s) {
    bool words;
    if (!s->as.for_.range_hi && streamed(s->as.for_.iter, &words)) {
        lower_for_streamed(L, s, words);
        return;
    }
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
        out_flush_all(L);
        budget_spill(L);
        LLVMBuildRet(L->b, v);
    } else {
        out_flush_all(L);
        budget_spill(L);
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
    case S_DELEGATE: {
        Symbol *out = s->as.delegate.out.sym;
        LLVMValueRef handle = LLVMBuildLoad2(L->b, L->ptr, local_slot(L, out), out->name);
        lower_spawn(L, s->as.delegate.call, handle);
        break;
    }
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
    LLVMMetadataRef file = L->di_file;
    if (is_prelude(item)) {
        if (!L->di_prelude) L->di_prelude = LLVMDIBuilderCreateFile(L->dib, "prelude.loam", 12, "stdlib-min", 10);
        file = L->di_prelude;
    }
    LLVMMetadataRef type = LLVMDIBuilderCreateSubroutineType(L->dib, file, NULL, 0, LLVMDIFlagZero);
    L->di_scope = LLVMDIBuilderCreateFunction(L->dib, file, item->name, strlen(item->name), name, len,
                                              file, item->span.line, type, LLVMGetLinkage(fn) != LLVMExternalLinkage,
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

/* Does evaluating e call a Loam function (which might call back, without
 * end)? Struct, variant, method and C calls return after bounded work. */
static bool expr_calls_loam(const Expr *e) {
    if (!e) return false;
    switch (e->kind) {
    case E_INTERP:
        for (uint32_t i = 0; i < e->as.parts.len; i++)
            if (expr_calls_loam(e->as.parts.items[i])) return true;
        return false;
    case E_ARRAY:
        for (uint32_t i = 0; i < e->as.elems.len; i++)
            if (expr_calls_loam(e->as.elems.items[i])) return true;
        return false;
    case E_CALL:
        if (e->as.call.kind == CALL_FN && e->as.call.item && e->as.call.item->kind == I_FN) return true;
        for (uint32_t i = 0; i < e->as.call.args.len; i++)
            if (expr_calls_loam(((Arg *)e->as.call.args.items[i])->value)) return true;
        return expr_calls_loam(e->as.call.receiver);
    case E_FIELD: return expr_calls_loam(e->as.field.object);
    case E_INDEX: return expr_calls_loam(e->as.index.object) || expr_calls_loam(e->as.index.index);
    case E_SLICE:
        return expr_calls_loam(e->as.slice.object) || expr_calls_loam(e->as.slice.lo) || expr_calls_loam(e->as.slice.hi);
    case E_SPAWN: return true;
    case E_UNARY: return expr_calls_loam(e->as.unary.operand);
    case E_BINARY: return expr_calls_loam(e->as.binary.lhs) || expr_calls_loam(e->as.binary.rhs);
    default: return false;
    }
}

/* Can a body run for unbounded time without passing a loop back-edge?
 * Only through calls to Loam functions (recursion). Loops yield at their
 * back-edges on their own. */
static bool stmt_calls_loam(const Stmt *s) {
    if (!s) return false;
    switch (s->kind) {
    case S_LET: return expr_calls_loam(s->as.let.init);
    case S_ASSIGN: return expr_calls_loam(s->as.assign.place) || expr_calls_loam(s->as.assign.value);
    case S_EXPR: return expr_calls_loam(s->as.expr);
    case S_DELEGATE: return true;
    case S_IF:
        return expr_calls_loam(s->as.if_.cond) || stmt_calls_loam(s->as.if_.then_block) ||
               stmt_calls_loam(s->as.if_.else_stmt);
    case S_WHILE: return expr_calls_loam(s->as.while_.cond) || stmt_calls_loam(s->as.while_.body);
    case S_FOR:
        return expr_calls_loam(s->as.for_.iter) || expr_calls_loam(s->as.for_.range_hi) ||
               stmt_calls_loam(s->as.for_.body);
    case S_MATCH:
        if (expr_calls_loam(s->as.match.scrutinee)) return true;
        for (uint32_t i = 0; i < s->as.match.arms.len; i++)
            if (stmt_calls_loam(((MatchArm *)s->as.match.arms.items[i])->body)) return true;
        return false;
    case S_RETURN: return expr_calls_loam(s->as.ret);
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++)
            if (stmt_calls_loam(s->as.block.stmts.items[i])) return true;
        return false;
    default: return false;
    }
}

/* Whether a body has a loop, and so yield points of its own. */
static bool stmt_has_loop(const Stmt *s) {
    if (!s) return false;
    switch (s->kind) {
    case S_WHILE: case S_FOR: return true;
    case S_IF: return stmt_has_loop(s->as.if_.then_block) || stmt_has_loop(s->as.if_.else_stmt);
    case S_MATCH:
        for (uint32_t i = 0; i < s->as.match.arms.len; i++)
            if (stmt_has_loop(((MatchArm *)s->as.match.arms.items[i])->body)) return true;
        return false;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++)
            if (stmt_has_loop(s->as.block.stmts.items[i])) return true;
        return false;
    default: return false;
    }
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
    out_begin(L, item);
    /* The entry yield bounds recursion. A body that calls no Loam function
     * does bounded work between its loops' back-edges, so it needs none, and
     * without it small helpers stay small enough for LLVM to inline. */
    bool entry_yield = item->kind == I_TASK || stmt_calls_loam(item->body);
    L->budget_slot = NULL;
    if (L->opts->yields && (entry_yield || stmt_has_loop(item->body))) {
        L->budget_slot = entry_alloca(L, L->i64, "budget");
        budget_reload(L);
    }
    if (entry_yield) yield_point(L);
}

static void end_body(Lowerer *L, Item *item) {
    lower_stmt(L, item->body);
    if (!block_is_open(L)) return;
    /* Falling off the end: a void fn or task returns; a fn with a result
     * cannot get here (the checker proved every path returns). */
    if (item->kind == I_TASK || item->result_type->kind == TY_VOID) {
        out_flush_all(L);
        budget_spill(L);
        LLVMBuildRetVoid(L->b);
    } else {
        LLVMBuildUnreachable(L->b);
    }
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

/* The prelude's fns that the module calls (declared by fn_value, without a
 * body yet), and those they call in turn; the others are left out. */
static void lower_used_prelude(Lowerer *L) {
    const Program *prelude = prelude_program();
    for (bool more = true; more;) {
        more = false;
        for (uint32_t i = 0; i < prelude->items.len; i++) {
            Item *item = prelude->items.items[i];
            if (item->kind != I_FN) continue;
            char name[512];
            snprintf(name, sizeof name, "__loam_prelude_%s", item->name);
            LLVMValueRef f = LLVMGetNamedFunction(L->m, name);
            if (f && LLVMCountBasicBlocks(f) == 0) {
                lower_fn(L, item);
                more = true;
            }
        }
    }
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

    tbaa_init(&L);
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
    lower_used_prelude(&L);
    lower_task_table(&L, entries, tasks, task_count);
    for (LLVMValueRef fn = LLVMGetFirstFunction(L.m); fn; fn = LLVMGetNextFunction(fn)) tag_values(&L, fn);
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
