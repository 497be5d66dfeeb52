/* lower_out.c — writes to an `out` DO, coalesced (design §3, abi.md §4).
 *
 * Each out handle a function writes gets a buffer of its own in that
 * function: three locals, base/cur/end, null until the first write. A write
 * of n bytes that fits in [cur, end) is a compare and a copy; one that does
 * not commits what the buffer holds (__loam_commit) and requests a new one of
 * at least OUT_CHUNK bytes (__loam_request). So a loop of small writes makes
 * one request/commit pair per OUT_CHUNK bytes instead of one per write, and
 * a write of a known size needs no check of its own beyond the compare.
 *
 * The kernel allows one outstanding request per output, so the buffer is
 * committed before anyone else can write through the handle: before a call
 * or spawn that is passed the handle, and before the function returns. A
 * panic discards every output, so it commits nothing.
 */
#include "lower_internal.h"

enum { OUT_CHUNK = 8192 };

typedef struct OutBuffer {
    Symbol *out;
    LLVMValueRef base, cur, end;   /* allocas holding pointers */
} OutBuffer;

static LLVMValueRef load_ptr(Lowerer *L, LLVMValueRef slot, const char *name) {
    return LLVMBuildLoad2(L->b, L->ptr, slot, name);
}

/* The buffer of `out` in this function, created empty on first use. */
static OutBuffer *buffer_of(Lowerer *L, Symbol *out) {
    void **slot = ptrmap_slot(&L->arena, &L->outs, (uintptr_t)out);
    if (*slot) return *slot;
    OutBuffer *ob = arena_alloc(&L->arena, sizeof *ob);
    ob->out = out;
    ob->base = entry_alloca(L, L->ptr, "out.base");
    ob->cur = entry_alloca(L, L->ptr, "out.cur");
    ob->end = entry_alloca(L, L->ptr, "out.end");
    LLVMBuilderRef b = LLVMCreateBuilderInContext(L->ctx);
    LLVMPositionBuilderBefore(b, L->alloca_point);
    LLVMValueRef null = LLVMConstNull(L->ptr);
    LLVMBuildStore(b, null, ob->base);
    LLVMBuildStore(b, null, ob->cur);
    LLVMBuildStore(b, null, ob->end);
    LLVMDisposeBuilder(b);
    *slot = ob;
    return ob;
}

static LLVMValueRef handle_of(Lowerer *L, Symbol *out) {
    return LLVMBuildLoad2(L->b, L->ptr, local_slot(L, out), out->name);
}

/* if (base) { __loam_commit(h, base, cur - base); base = cur = end = null; } */
static void flush(Lowerer *L, OutBuffer *ob) {
    LLVMValueRef base = load_ptr(L, ob->base, "out.base");
    LLVMBasicBlockRef commit = new_block(L, "out.commit"), done = new_block(L, "out.flushed");
    LLVMBuildCondBr(L->b, LLVMBuildIsNotNull(L->b, base, ""), commit, done);
    LLVMPositionBuilderAtEnd(L->b, commit);
    LLVMValueRef used = LLVMBuildPtrDiff2(L->b, L->i8, load_ptr(L, ob->cur, "out.cur"), base, "out.used");
    call3(L, "__loam_commit", C_VOID, C_PTR, handle_of(L, ob->out), C_PTR, base, C_I64, used);
    LLVMValueRef null = LLVMConstNull(L->ptr);
    LLVMBuildStore(L->b, null, ob->base);
    LLVMBuildStore(L->b, null, ob->cur);
    LLVMBuildStore(L->b, null, ob->end);
    LLVMBuildBr(L->b, done);
    LLVMPositionBuilderAtEnd(L->b, done);
}

LLVMValueRef out_reserve(Lowerer *L, Symbol *out, LLVMValueRef n) {
    OutBuffer *ob = buffer_of(L, out);
    LLVMValueRef cur = load_ptr(L, ob->cur, "out.cur");
    LLVMValueRef room = LLVMBuildPtrDiff2(L->b, L->i8, load_ptr(L, ob->end, "out.end"), cur, "out.room");
    LLVMBasicBlockRef fast = LLVMGetInsertBlock(L->b), refill = new_block(L, "out.refill"), done = new_block(L, "out.ready");
    LLVMValueRef fits = LLVMBuildICmp(L->b, LLVMIntULE, n, room, "");
    LLVMBuildCondBr(L->b, fits, done, refill);
    LLVMPositionBuilderAtEnd(L->b, refill);
    flush(L, ob);
    LLVMValueRef chunk = const_int(L, OUT_CHUNK);
    LLVMValueRef size = LLVMBuildSelect(L->b, LLVMBuildICmp(L->b, LLVMIntUGT, n, chunk, ""), n, chunk, "out.size");
    LLVMValueRef fresh = call2(L, "__loam_request", C_PTR, C_PTR, handle_of(L, out), C_I64, size);
    LLVMBuildStore(L->b, fresh, ob->base);
    LLVMBuildStore(L->b, fresh, ob->cur);
    LLVMBuildStore(L->b, LLVMBuildGEP2(L->b, L->i8, fresh, &size, 1, ""), ob->end);
    LLVMBasicBlockRef refilled = LLVMGetInsertBlock(L->b);
    LLVMBuildBr(L->b, done);
    LLVMPositionBuilderAtEnd(L->b, done);
    return phi2(L, L->ptr, cur, fast, fresh, refilled, "out.p");
}

void out_wrote(Lowerer *L, Symbol *out, LLVMValueRef p, LLVMValueRef n) {
    LLVMBuildStore(L->b, LLVMBuildGEP2(L->b, L->i8, p, &n, 1, "out.next"), buffer_of(L, out)->cur);
}

void out_flush(Lowerer *L, Symbol *out) {
    if (out->type && out->type->kind == TY_DO && out->type->mode == MODE_OUT) flush(L, buffer_of(L, out));
}

void out_begin(Lowerer *L, Item *item) {
    L->outs = (PtrMap){0};
    /* Every buffer exists from the entry on, so that each return commits
     * all of them, including those of writes that come later in the text
     * but earlier at run time (an earlier iteration of a loop). */
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        if (p->mode == MODE_OUT && p->sym) buffer_of(L, p->sym);
    }
}

void out_flush_all(Lowerer *L) {
    for (uint32_t i = 0; i < L->outs.cap; i++)
        if (L->outs.values && L->outs.values[i]) flush(L, L->outs.values[i]);
}

void out_flush_args(Lowerer *L, Expr *call) {
    for (uint32_t i = 0; i < call->as.call.args.len; i++) {
        Expr *arg = ((Arg *)call->as.call.args.items[i])->value;
        if (arg->kind == E_NAME && arg->as.name.sym) out_flush(L, arg->as.name.sym);
    }
}
