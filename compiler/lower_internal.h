/* lower_internal.h — what lower.c and lower_expr.c share: the lowering
 * state and the helpers each half uses of the other. lower.c holds the
 * module, types, calls into C, panics, yield points, locals, statements and
 * functions; lower_expr.c holds values and expressions (strings, arrays,
 * maps, arithmetic, calls, methods). Not a public interface: see lower.h.
 */
#ifndef LOAM_LOWER_INTERNAL_H
#define LOAM_LOWER_INTERNAL_H

#include "lower.h"

#include "check.h"
#include "emit.h"
#include "types.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>

/* Every "not yet supported" report (diag.def E0400); the message says what. */
#define NOT_SUPPORTED E0400

/* The state of one lowering: the module, the function being built, its loops. */
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
    PtrMap outs;          /* Symbol* of an out handle -> its OutBuffer (lower_out.c) */
    LLVMValueRef budget;  /* __loam_budget, or NULL */
    LLVMValueRef budget_slot;   /* the function's copy of it, or NULL (lower.c) */
    unsigned tbaa_kind;   /* alias tags (lower.c): */
    LLVMValueRef tbaa_header, tbaa_budget, tbaa_value;
    /* DWARF line tables, when opts->debug_info. */
    LLVMDIBuilderRef dib;
    LLVMMetadataRef di_file, di_scope, di_prelude;
    /* The function being lowered. */
    LLVMValueRef fn;
    LLVMValueRef alloca_point;   /* the entry block's branch: allocas go before it */
    Item *item;
    Loop *loop;
} Lowerer;

typedef enum CType { C_VOID, C_I64, C_I32, C_F64, C_BOOL, C_BYTE, C_STR, C_PTR } CType;

enum { FN_NORETURN = 1, FN_COLD = 2 };

typedef enum PanicKind { PANIC_OVERFLOW, PANIC_DIVIDE, PANIC_BOUNDS, PANIC_MESSAGE } PanicKind;

enum { ARRAY_DATA, ARRAY_LEN, ARRAY_CAP, ARRAY_ELEM_SIZE };

/* ---- lower.c ---- */
void unsupported(Span at, const char *what);
LLVMTypeRef mem_type(Lowerer *L, Type *t);
LLVMValueRef to_mem(Lowerer *L, Type *t, LLVMValueRef v);
LLVMValueRef from_mem(Lowerer *L, Type *t, LLVMValueRef v);
uint64_t size_of(Lowerer *L, LLVMTypeRef t);
LLVMTypeRef payload_type(Lowerer *L, Field *variant);
LLVMTypeRef named_type(Lowerer *L, Item *decl);
LLVMTypeRef value_type(Lowerer *L, Type *t);
LLVMValueRef str_const(Lowerer *L, const char *bytes, size_t len);
LLVMValueRef where(Lowerer *L, Span at);
LLVMValueRef const_int(Lowerer *L, int64_t v);
CType ctype_of(Type *t);
bool c_passable(Type *t);
void defined_function(Lowerer *L, LLVMValueRef fn);
LLVMValueRef call_c(Lowerer *L, const char *name, CType ret, int n, const CType *params, const LLVMValueRef *args, int flags);
LLVMValueRef call1(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0);
LLVMValueRef call2(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1, LLVMValueRef a1);
LLVMValueRef call3(Lowerer *L, const char *name, CType ret, CType p0, LLVMValueRef a0, CType p1, LLVMValueRef a1, CType p2, LLVMValueRef a2);
LLVMValueRef call_intrinsic(Lowerer *L, const char *name, LLVMTypeRef overload, int n, LLVMValueRef *args);
LLVMValueRef unlikely(Lowerer *L, LLVMValueRef cond);
LLVMBasicBlockRef new_block(Lowerer *L, const char *name);
LLVMValueRef phi2(Lowerer *L, LLVMTypeRef type, LLVMValueRef a, LLVMBasicBlockRef from_a, LLVMValueRef b,
                  LLVMBasicBlockRef from_b, const char *name);
void panic_if(Lowerer *L, LLVMValueRef bad, PanicKind kind, Span at, LLVMValueRef index, LLVMValueRef len, const char *what);
void check_bounds(Lowerer *L, LLVMValueRef index, LLVMValueRef len, Span at);
LLVMValueRef entry_alloca(Lowerer *L, LLVMTypeRef type, const char *name);
LLVMValueRef local_slot(Lowerer *L, Symbol *sym);
LLVMBuilderRef begin_helper(Lowerer *L, const char *name, LLVMTypeRef type, LLVMValueRef *fn);
LLVMValueRef field_ptr(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k);
LLVMValueRef load_field(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k, LLVMTypeRef field_type, const char *name);
void budget_spill(Lowerer *L);
void budget_reload(Lowerer *L);
void store_field(Lowerer *L, LLVMBuilderRef b, LLVMTypeRef type, LLVMValueRef p, unsigned k, LLVMValueRef v);
LLVMValueRef array_reserve_helper(Lowerer *L);

/* ---- lower_expr.c ---- */
LLVMValueRef array_len(Lowerer *L, LLVMValueRef a);
LLVMValueRef element_at(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i);
LLVMValueRef checked_element(Lowerer *L, Type *elem, LLVMValueRef a, LLVMValueRef i, Span at);
LLVMValueRef load_element(Lowerer *L, Type *elem, LLVMValueRef p);
LLVMValueRef spill(Lowerer *L, Type *t, LLVMValueRef v, const char *name);
LLVMValueRef load_mem(Lowerer *L, Type *t, LLVMValueRef p);
LLVMValueRef values_equal(Lowerer *L, Type *t, LLVMValueRef a, LLVMValueRef b, Span at);
LLVMValueRef compare(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at);
LLVMValueRef apply_binary(Lowerer *L, BinaryOp op, Type *t, LLVMValueRef a, LLVMValueRef b, Span at);
LLVMValueRef dolist_len(Lowerer *L, LLVMValueRef list);
LLVMValueRef dolist_item(Lowerer *L, LLVMValueRef list, LLVMValueRef i);
LLVMValueRef fn_value(Lowerer *L, Item *fn);
/* fn comes from stdlib-min/prelude.loam (lang/prelude.c), not the program. */
static inline bool is_prelude(const Item *fn) { return fn->span.file && fn->span.file->is_stdlib; }
LLVMValueRef str_ptr(Lowerer *L, LLVMValueRef s);
LLVMValueRef str_len(Lowerer *L, LLVMValueRef s);
LLVMValueRef make_str(Lowerer *L, LLVMValueRef p, LLVMValueRef len);
LLVMValueRef lower_expr(Lowerer *L, Expr *e);
LLVMValueRef lower_spawn(Lowerer *L, Expr *call, LLVMValueRef delegated);

/* ---- lower_out.c: coalesced writes to out handles ---- */
/* Creates the (empty) buffers of item's out parameters; at body start. */
void out_begin(Lowerer *L, Item *item);
/* MUST: n >= 0. A pointer to n writable bytes of out's buffer. */
LLVMValueRef out_reserve(Lowerer *L, Symbol *out, LLVMValueRef n);
/* MUST: p from out_reserve(out, m) with n <= m, and nothing reserved since. */
void out_wrote(Lowerer *L, Symbol *out, LLVMValueRef p, LLVMValueRef n);
/* Commits out's buffer (when out is an output), before others may write it. */
void out_flush(Lowerer *L, Symbol *out);
/* Commits the call's handle arguments (those that are outputs). */
void out_flush_args(Lowerer *L, Expr *call);
/* Commits every buffer of the function: before each return. */
void out_flush_all(Lowerer *L);

#endif
