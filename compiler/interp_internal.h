/* interp_internal.h — what the interpreter's files share (not a public
 * interface: see interp.h).
 *
 *   interp.c        the image's life: binding, tasks, spawn, DOs and commit
 *   interp_value.c  values: memory layouts, loads and stores, equality, and
 *                   calls into stdlib-min through libffi
 *   interp_expr.c   expressions and built-in methods
 *   interp_stmt.c   statements, places, function calls, frames
 *   interp_rt.c     the runtime entry points stdlib-min calls (__loam_alloc,
 *                   __loam_panic*): task arenas and panics
 *
 * Values use the memory form of spec/abi.md §1, so that arrays and maps are
 * the very loam_array and loam_map that stdlib-min manipulates: an Int is an
 * int64_t, a Bool one byte, a Str a loam_str, arrays and maps pointers, and
 * a struct or enum a block of bytes laid out as the compiler lays it out.
 */
#ifndef LOAM_INTERP_INTERNAL_H
#define LOAM_INTERP_INTERNAL_H

#include "check.h"
#include "interp.h"

#include <setjmp.h>
#include "loam_std.h"
#include "types.h"

/* A value. A struct or enum is `agg`: a private copy of its memory form,
 * never shared (every read makes a fresh copy), so a Value can be stored
 * as it is. The first bytes of a scalar Value are its memory form. */
typedef union Value {
    int64_t i;
    double f;
    bool b;
    uint8_t byte;
    loam_str s;
    void *p;        /* [T], Map, in/out Blob, Ref (IDo*), in [Blob] (IDoList*) */
    uint8_t *agg;   /* struct, enum */
} Value;

/* A data object: an input's bytes, or an output's bytes so far. */
typedef struct ITask ITask;

typedef struct IDo {
    bool is_output;
    bool done;             /* an output whose task ended normally: readable through its Ref */
    ITask *owner;          /* the task that commits this output (changes on delegation) */
    ITask *failed;         /* the task whose failure discarded it, or NULL */
    const char *param;     /* the parameter it is bound to */
    const char *path;      /* the file (NULL for a child's in-memory output) */
    char *tmp_path;        /* an output's temporary file, until committed */
    int fd;
    uint8_t *data;
    int64_t len, cap;
    struct IDo *next_output;   /* the root task's outputs */
    struct IDo *next_any;      /* every data object */
} IDo;

typedef struct IDoList {
    int64_t len;
    IDo **items;
} IDoList;


/* The memory layout of a type: size and alignment; for a struct the
 * offset of each field, for an enum of each variant's payload fields
 * (from the start of the value: the tag is the first 8 bytes). */
typedef struct Layout {
    int64_t size, align;
    int64_t *offsets;          /* struct: one per field */
    int64_t **payload_offsets; /* enum: one array per variant */
} Layout;

/* How a statement ended. */
typedef enum Flow { FLOW_NEXT, FLOW_BREAK, FLOW_CONTINUE, FLOW_RETURN } Flow;

typedef struct Interp {
    const Program *program;
    Arena arena;              /* layouts, where-strings, slot numbers */
    PtrMap layouts;             /* Type* -> Layout* */
    PtrMap wheres;              /* (line << 32 | col) + 1 -> "file:line:col" */
    PtrMap slots;               /* Symbol* -> slot index + 1 in its function's frame */
    PtrMap slot_counts;         /* Item* -> number of slots (+ 1) */
    Value *stack;             /* frames, one after another */
    int64_t stack_top, stack_cap;
    int64_t frame_base;       /* the running function's first slot */
    int depth;                /* Loam calls in progress */
    Value result;             /* what the last `return e` gave */
    const char *task_name;    /* the running task: where of its panics */
} Interp;

/* ---- interp_rt.c ---- */
/* Task arenas: __loam_alloc allocates from the innermost one. */
void *rt_arena_begin(void);
void rt_arena_end(void *saved);
void rt_set_task_name(const char *name);
const char *rt_task_name(void);
/* What a panic outside any task must do before the process exits. */
void rt_on_panic(void (*discard)(void));
/* A panic of the running task longjmps to env with 1, its line (without a
 * newline, at most RT_LINE_MAX - 1 bytes as an image's) copied to line. */
enum { RT_LINE_MAX = 512 };
void rt_set_trap(jmp_buf *env, char *line);
jmp_buf *rt_trap(void);
char *rt_trap_line(void);

/* ---- interp_value.c ---- */
bool is_aggregate(const Type *t);
const Layout *layout_of(Interp *I, Type *t);
int64_t size_of_type(Interp *I, Type *t);
Value load_value(Interp *I, Type *t, const void *p);
void store_value(Interp *I, Type *t, void *p, Value v);
Value copy_value(Interp *I, Type *t, Value v);
bool array_contains(Interp *I, Type *elem, Value a, Value x);
bool interp_equal(Interp *I, Type *t, Value a, Value b);
int kind_of(const Type *t);   /* loam_kind of a scalar, or -1 */
const char *where_of(Interp *I, Span at);
loam_str format_value(Type *t, Value v);   /* interpolation */

/* stdlib-min through libffi: STD_name for each entry point. */
typedef enum StdId {
#define STD(name, sig) STD_##name,
#include "interp_std.def"
#undef STD
    STD_COUNT
} StdId;
Value std_call(StdId id, int n, const Value *args);
/* An extern fn: the stdlib-min entry point of that name, or -1. */
int std_lookup(const char *name);
bool std_signature_matches(int id, Type *result, int n, Type **types);

/* ---- interp_expr.c ---- */
Value eval(Interp *I, Expr *e);
/* `a op b` for values already computed (also compound assignment). */
Value interp_binary(Interp *I, BinaryOp op, Type *t, Value a, Value b, Span at);

/* ---- interp_stmt.c ---- */
Flow exec(Interp *I, Stmt *s);
Value call_function(Interp *I, Item *fn, const Value *args);
Value *local(Interp *I, Symbol *sym);
void run_task_body(Interp *I, Item *task, const Value *args);

/* ---- interp.c ---- */
/* spawn t(args): queues the child; returns its output (a Ref). With
 * delegated_to, the child takes over that output of the caller. */
Value spawn_task(Interp *I, Expr *call, IDo *delegated_to);
/* Blob methods. */
loam_str do_text(Interp *I, IDo *d);
void do_write(IDo *d, const uint8_t *p, int64_t n);

#endif
