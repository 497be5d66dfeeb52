/* ast.h — the syntax tree (spec §2) and the annotations the checker adds.
 *
 * The parser (grammar.y) builds the tree with the ast_* constructors below;
 * it does nothing else. resolve.c fills in `sym` on names, typecheck.c fills in
 * `type` on expressions and the resolution of calls, caps.c reads both.
 * Every node carries the Span of its source text. Lists are List (arena.h)
 * of node pointers.
 */
#ifndef LOAM_AST_H
#define LOAM_AST_H

#include "arena.h"
#include "diag.h"

typedef struct Type Type;       /* types.h */
typedef struct Symbol Symbol;   /* check.h */
typedef struct Item Item;
typedef struct Stmt Stmt;
typedef struct Expr Expr;

/* Deepest expression tree accepted (spec §1.6): bounds the checker's stack. */
enum { AST_MAX_EXPR_DEPTH = 1000 };

typedef enum Mode { MODE_NONE, MODE_IN, MODE_OUT } Mode;

/* type: NAME | '[' type ']' | 'Map' '<' type ',' type '>' */
typedef enum TypeExprKind { TE_NAME, TE_ARRAY, TE_MAP } TypeExprKind;
typedef struct TypeExpr {
    TypeExprKind kind;
    Span span;
    const char *name;                 /* TE_NAME, interned */
    struct TypeExpr *elem;            /* TE_ARRAY */
    struct TypeExpr *key, *value;     /* TE_MAP */
} TypeExpr;

typedef enum UnaryOp { UN_NEG, UN_NOT } UnaryOp;

typedef enum BinaryOp {
    BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_REM,
    BIN_AND, BIN_OR, BIN_XOR, BIN_SHL, BIN_SHR,
    BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE,
    BIN_LOGIC_AND, BIN_LOGIC_OR,
} BinaryOp;

/* Assignment operators: plain, or compound with a BinaryOp. */
typedef enum AssignOp { AS_SET, AS_ADD, AS_SUB, AS_MUL, AS_DIV, AS_REM } AssignOp;

typedef enum ExprKind {
    E_POISON,      /* stands for an expression that failed to parse */
    E_INT, E_FLOAT, E_BOOL, E_BYTE,
    E_STR,         /* a string literal without interpolation */
    E_INTERP,      /* "a{x}b": parts alternate E_STR pieces and expressions:
                    * always 2n+1 parts, pieces at even indices, expressions
                    * at odd ones; empty pieces are kept ("{x}" has 3 parts) */
    E_NAME,
    E_ARRAY,       /* [a, b, c] */
    E_CALL,        /* callee(args); a method call has an E_FIELD callee */
    E_FIELD,       /* object.name */
    E_INDEX,       /* object[index] */
    E_SLICE,       /* object[lo..hi], either bound may be NULL */
    E_MAP_NEW,     /* Map<K, V>() */
    E_SPAWN,       /* spawn call: `call` is an E_CALL */
    E_UNARY,
    E_BINARY,
} ExprKind;

/* A call argument, possibly named (`x: 1`). */
typedef struct Arg {
    const char *name;   /* NULL when positional; interned */
    Span name_span;
    Expr *value;
} Arg;

/* How typecheck.c resolved an E_CALL. */
typedef enum CallKind {
    CALL_UNRESOLVED,
    CALL_FN,          /* a fn or extern fn: `fn_item` */
    CALL_METHOD,      /* a built-in method: `builtin` indexes builtins.def */
    CALL_STRUCT,      /* struct construction: `fn_item` is the struct */
    CALL_VARIANT,     /* enum variant construction: `fn_item`, `variant` */
    CALL_PRINT,       /* the console print(Str) */
    CALL_TASK,        /* the call inside `spawn`: `fn_item` is the task */
} CallKind;

/* An Expr is allocated with only its own member of `as` (ast.c), so the
 * header is kept small and nothing may touch another kind's member. */
struct Expr {
    ExprKind kind;
    bool parens;          /* written inside ( ): `(a < b) < c` is fine */
    uint16_t depth;       /* height of this subtree, for AST_MAX_EXPR_DEPTH */
    Span span;
    Type *type;           /* set by typecheck.c; the poison type after an error */
    union {
        int64_t int_value;
        double float_value;
        bool bool_value;
        uint8_t byte_value;
        struct { const char *bytes; uint32_t len; } str;
        List parts;                                   /* E_INTERP */
        struct { const char *name; Symbol *sym; } name;   /* E_NAME */
        List elems;                                   /* E_ARRAY */
        struct {
            Expr *callee;
            List args;                                /* of Arg* */
            CallKind kind;
            Item *item;       /* CALL_FN/STRUCT/VARIANT/TASK */
            int builtin;      /* CALL_METHOD: index into builtins.def */
            int variant;      /* CALL_VARIANT */
            Expr *receiver;   /* CALL_METHOD: the object before the '.' */
        } call;
        struct {
            Expr *object;
            const char *name;
            Span name_span;
            int field;        /* set by typecheck.c for struct fields, else -1 */
            Item *enum_item;  /* set for `Enum.Variant` without payload */
        } field;
        struct { Expr *object, *index; } index;
        struct { Expr *object, *lo, *hi; } slice;
        struct { TypeExpr *key, *value; } map_new;
        struct { Expr *call; } spawn;
        struct { UnaryOp op; Expr *operand; } unary;
        struct { BinaryOp op; Expr *lhs, *rhs; } binary;
    } as;
};

/* pattern = '_' | NAME | NAME '(' (NAME|'_'),* ')' | literal | '-' INT */
typedef enum PatternKind { P_WILDCARD, P_VARIANT, P_INT, P_BYTE, P_STR, P_BOOL } PatternKind;
typedef struct Pattern {
    PatternKind kind;
    Span span;
    const char *name;        /* P_VARIANT */
    bool has_payload;        /* P_VARIANT written with ( ) */
    List bindings;           /* P_VARIANT: of Binding* */
    int variant;             /* set by typecheck.c */
    union {
        int64_t int_value;
        uint8_t byte_value;
        bool bool_value;
        struct { const char *bytes; uint32_t len; } str;
    } as;
} Pattern;

/* A name bound by a pattern or a for loop; name NULL for '_'. */
typedef struct Binding {
    const char *name;
    Span span;
    Symbol *sym;             /* set by resolve.c */
} Binding;

typedef struct MatchArm {
    Pattern *pattern;
    Stmt *body;              /* an S_BLOCK */
    Span span;
} MatchArm;

typedef enum StmtKind {
    S_LET,        /* let name (: type)? = init; */
    S_ASSIGN,     /* place op value; */
    S_EXPR,       /* expr; */
    S_DELEGATE,   /* spawn call -> out; */
    S_IF,
    S_WHILE,
    S_FOR,        /* for a (, b)? in iter block | for a in lo..hi block */
    S_MATCH,
    S_BREAK, S_CONTINUE,
    S_RETURN,     /* value may be NULL */
    S_BLOCK,
} StmtKind;

struct Stmt {
    StmtKind kind;
    Span span;
    union {
        struct { Binding var; TypeExpr *type; Expr *init; } let;
        struct { AssignOp op; Expr *place, *value; } assign;
        Expr *expr;                                     /* S_EXPR */
        struct { Expr *call; Binding out; } delegate;   /* out.sym set by resolve */
        struct { Expr *cond; Stmt *then_block, *else_stmt; } if_;  /* else_stmt: S_BLOCK, S_IF or NULL */
        struct { Expr *cond; Stmt *body; } while_;
        struct {
            Binding first, second;   /* second.name NULL and span zero when absent */
            bool has_second;
            Expr *iter;              /* or the low bound of a range */
            Expr *range_hi;          /* non-NULL for `lo..hi` */
            Stmt *body;
        } for_;
        struct { Expr *scrutinee; List arms; bool exhaustive; } match;   /* arms: of MatchArm*; exhaustive: set by typecheck.c */
        Expr *ret;                                      /* S_RETURN, may be NULL */
        struct { List stmts; Span close; } block;       /* close: the '}' */
    } as;
};

typedef struct Param {
    const char *name;
    Span span;               /* the whole parameter */
    Span name_span;
    Mode mode;
    Span mode_span;          /* zero when mode is MODE_NONE */
    TypeExpr *type;
    Symbol *sym;             /* set by resolve.c */
} Param;

typedef struct Field {       /* a struct field or an enum variant */
    const char *name;
    Span span;
    TypeExpr *type;          /* struct field */
    List payload;            /* enum variant: of TypeExpr* */
    Type *field_type;        /* struct field: set by typecheck.c */
    Type **payload_types;    /* enum variant: payload.len types, typecheck.c */
} Field;

typedef enum ItemKind { I_FN, I_EXTERN_FN, I_TASK, I_STRUCT, I_ENUM } ItemKind;

struct Item {
    ItemKind kind;
    Span span;
    const char *name;
    Span name_span;
    List params;             /* of Param*: fn, extern fn, task */
    TypeExpr *result;        /* fn, extern fn; NULL when none */
    Stmt *body;              /* fn, task: an S_BLOCK */
    List fields;             /* struct fields or enum variants: of Field* */
    Type *type;              /* struct/enum: set by typecheck.c */
    Type *result_type;       /* fn, extern fn: set by typecheck.c (void if none) */
    struct NameIndex *field_index; /* struct/enum: name -> field, typecheck.c */
    uint32_t ordinal;        /* position in Program.items, set by typecheck.c */
    Symbol *sym;
};

typedef struct Program {
    const SourceFile *file;
    List items;              /* of Item* */
    struct Scope *globals;   /* resolve.c: items and built-in type names */
} Program;

/* Constructors used by the grammar. Each allocates from the arena given to
 * ast_begin() and enforces AST_MAX_EXPR_DEPTH (reporting E0006). */
void ast_begin(Arena *arena);
Arena *ast_arena(void);

TypeExpr *ast_type_name(const char *name, Span at);
TypeExpr *ast_type_array(TypeExpr *elem, Span at);
TypeExpr *ast_type_map(TypeExpr *key, TypeExpr *value, Span at);

Expr *ast_poison(Span at);
Expr *ast_int(int64_t v, Span at);
Expr *ast_float(double v, Span at);
Expr *ast_bool(bool v, Span at);
Expr *ast_byte(uint8_t v, Span at);
Expr *ast_str(const char *bytes, uint32_t len, Span at);
Expr *ast_interp(List parts, Span at);
Expr *ast_name(const char *name, Span at);
Expr *ast_array(List elems, Span at);
Expr *ast_call(Expr *callee, List args, Span at);
Arg *ast_arg(const char *name, Span name_span, Expr *value);
Expr *ast_field(Expr *object, const char *name, Span name_span, Span at);
Expr *ast_index(Expr *object, Expr *index, Span at);
Expr *ast_slice(Expr *object, Expr *lo, Expr *hi, Span at);
Expr *ast_map_new(TypeExpr *key, TypeExpr *value, Span at);
Expr *ast_spawn(Expr *call, Span at);
Expr *ast_unary(UnaryOp op, Expr *operand, Span at);
Expr *ast_binary(BinaryOp op, Expr *lhs, Expr *rhs, Span at);
/* '(' e ')': sets e->parens and widens e's span to the parentheses. */
Expr *ast_parens(Expr *e, Span at);

Pattern *ast_pattern(PatternKind kind, Span at);
Pattern *ast_pattern_variant(const char *name, bool has_payload, List bindings, Span at);
Pattern *ast_pattern_int(int64_t v, Span at);
Pattern *ast_pattern_byte(uint8_t v, Span at);
Pattern *ast_pattern_str(const char *bytes, uint32_t len, Span at);
Pattern *ast_pattern_bool(bool v, Span at);
Binding *ast_binding(const char *name, Span at);
MatchArm *ast_arm(Pattern *pattern, Stmt *body, Span at);

Stmt *ast_let(const char *name, Span name_span, TypeExpr *type, Expr *init, Span at);
Stmt *ast_assign(AssignOp op, Expr *place, Expr *value, Span at);
Stmt *ast_expr_stmt(Expr *expr, Span at);
Stmt *ast_delegate(Expr *call, const char *out, Span out_span, Span at);
Stmt *ast_if(Expr *cond, Stmt *then_block, Stmt *else_stmt, Span at);
Stmt *ast_while(Expr *cond, Stmt *body, Span at);
Stmt *ast_for(Binding *first, Binding *second, Expr *iter, Expr *range_hi, Stmt *body, Span at);
Stmt *ast_match(Expr *scrutinee, List arms, Span at);
Stmt *ast_jump(StmtKind kind, Span at);   /* S_BREAK, S_CONTINUE */
Stmt *ast_return(Expr *value, Span at);
Stmt *ast_block(List stmts, Span close, Span at);

Param *ast_param(const char *name, Span name_span, Mode mode, Span mode_span, TypeExpr *type, Span at);
Field *ast_field_decl(const char *name, TypeExpr *type, Span at);
Field *ast_variant_decl(const char *name, List payload, Span at);
Item *ast_fn(ItemKind kind, const char *name, Span name_span, List params, TypeExpr *result, Stmt *body, Span at);
Item *ast_struct(ItemKind kind, const char *name, Span name_span, List fields, Span at);

/* Parse one file (grammar.y). Always returns a Program, possibly with
 * fewer items than the file has when there were syntax errors; the errors
 * are in diag. */
Program *parse_program(Arena *arena, const SourceFile *file);

/* Printable names for messages. */
const char *binary_op_spelling(BinaryOp op);

#endif
