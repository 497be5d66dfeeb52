/* check.h — the checking passes: resolve, types, caps (spec §3–§6).
 *
 * Consumes: a parsed Program. Produces: the same tree, annotated (symbols on
 * names, types on expressions, resolved calls), and diagnostics. The passes
 * run in this order and each may assume the previous one ran, even if it
 * reported errors: unresolved names have sym == NULL and poison types.
 */
#ifndef LOAM_CHECK_H
#define LOAM_CHECK_H

#include "ast.h"
#include "types.h"

typedef enum SymbolKind {
    SYM_LOCAL,     /* let, for-loop variable, match binding */
    SYM_PARAM,     /* parameter of a fn or task: `param` */
    SYM_ITEM,      /* fn, extern fn, task, struct, enum: `item` */
    SYM_TYPE,      /* a built-in type name (Int, Str, Blob, Ref, …) */
} SymbolKind;

struct Symbol {
    SymbolKind kind;
    const char *name;
    Span span;               /* where it was declared; zero for built-ins */
    Type *type;              /* locals and params: set by typecheck.c */
    Item *item;              /* SYM_ITEM */
    Param *param;            /* SYM_PARAM */
    Item *owner;             /* SYM_PARAM: the fn or task it belongs to */
    int flow_slot;           /* caps.c: index of an out parameter, else -1 */
};

typedef enum Access { ACCESS_NONE, ACCESS_READ, ACCESS_WRITE } Access;

typedef enum BuiltinReceiver { RECV_INT, RECV_FLOAT, RECV_BYTE, RECV_BOOL, RECV_STR,
    RECV_ARRAY, RECV_MAP, RECV_BLOB, RECV_BLOBS } BuiltinReceiver;

typedef enum BuiltinId {
#define METHOD(id, recv, name, sig, access) BUILTIN_##id,
#include "builtins.def"
#undef METHOD
    BUILTIN_COUNT
} BuiltinId;

typedef struct Builtin {
    BuiltinReceiver receiver;
    const char *name;
    const char *signature;
    Access access;
} Builtin;

extern const Builtin builtins[BUILTIN_COUNT];

typedef struct CheckOptions {
    bool allow_extern;       /* rule 4 lifted: --allow-extern */
} CheckOptions;

/* Each pass reports into diag and returns nothing: count errors there. */
void resolve_program(Arena *arena, Program *program);
void typecheck_program(Arena *arena, Program *program);
void caps_program(Arena *arena, Program *program, const CheckOptions *options);

/* The global symbol (item or built-in type) named `name`, or NULL.
 * Valid after resolve_program. */
Symbol *lookup_global(const Program *program, const char *name);

/* Edit distance between two names for "did you mean" hints, counting a
 * swap of adjacent letters as one edit; limit + 1 when above limit. */
unsigned name_distance(const char *a, const char *b, unsigned limit);

/* prelude.c: the standard library's Loam part, parsed and checked on first
 * use and kept for the process; its fns implement built-in methods. */
const Program *prelude_program(void);
/* The prelude fn that implements builtins[builtin], or NULL (then it is C). */
Item *prelude_method(int builtin);

/* The whole checker: resolve, types, caps, in order. */
void check_program(Arena *arena, Program *program, const CheckOptions *options);

#endif
