/* ast.c — constructors of the syntax tree (ast.h), called by grammar.y.
 *
 * Every node is allocated zeroed from the arena given to ast_begin(), with
 * the "not resolved yet" markers set (field.field, call.builtin,
 * call.variant, pattern.variant = -1). Expression constructors also keep
 * the tree shallow: a node deeper than AST_MAX_EXPR_DEPTH (spec §1.6) is
 * replaced by an E_POISON node, and E0006 is reported once per file, so the
 * later passes may recurse on expressions without running out of stack.
 */
#include "ast.h"

#include <assert.h>
#include <stddef.h>

static Arena *arena;
static bool reported_too_deep;   /* E0006 already reported for this file */

void ast_begin(Arena *a) {
    arena = a;
    reported_too_deep = false;
}

Arena *ast_arena(void) { return arena; }

static void *node(size_t size) {
    assert(arena && "ast_begin() not called");
    return arena_alloc(arena, size);
}

/* Types */

TypeExpr *ast_type_name(const char *name, Span at) {
    TypeExpr *t = node(sizeof *t);
    t->kind = TE_NAME;
    t->span = at;
    t->name = name;
    return t;
}

TypeExpr *ast_type_array(TypeExpr *elem, Span at) {
    TypeExpr *t = node(sizeof *t);
    t->kind = TE_ARRAY;
    t->span = at;
    t->elem = elem;
    return t;
}

TypeExpr *ast_type_map(TypeExpr *key, TypeExpr *value, Span at) {
    TypeExpr *t = node(sizeof *t);
    t->kind = TE_MAP;
    t->span = at;
    t->key = key;
    t->value = value;
    return t;
}

/* Expressions */

/* Bytes of an Expr of each kind: the header plus its own union member, so
 * that small nodes (names, literals) do not pay for the largest (calls).
 * Large programs build millions of nodes; this halves their memory. Every
 * pass reads only the member of a node's kind, as ast.h says. */
#define EXPR_SIZE(member) (offsetof(Expr, as) + sizeof(((Expr *)0)->as.member))
static const size_t expr_sizes[] = {
    [E_POISON] = offsetof(Expr, as),
    [E_INT] = EXPR_SIZE(int_value),
    [E_FLOAT] = EXPR_SIZE(float_value),
    [E_BOOL] = EXPR_SIZE(bool_value),
    [E_BYTE] = EXPR_SIZE(byte_value),
    [E_STR] = EXPR_SIZE(str),
    [E_INTERP] = EXPR_SIZE(parts),
    [E_NAME] = EXPR_SIZE(name),
    [E_ARRAY] = EXPR_SIZE(elems),
    [E_CALL] = EXPR_SIZE(call),
    [E_FIELD] = EXPR_SIZE(field),
    [E_INDEX] = EXPR_SIZE(index),
    [E_SLICE] = EXPR_SIZE(slice),
    [E_MAP_NEW] = EXPR_SIZE(map_new),
    [E_SPAWN] = EXPR_SIZE(spawn),
    [E_UNARY] = EXPR_SIZE(unary),
    [E_BINARY] = EXPR_SIZE(binary),
};

static Expr *expr(ExprKind kind, Span at) {
    Expr *e = node(expr_sizes[kind]);
    e->kind = kind;
    e->span = at;
    e->depth = 1;
    return e;
}

Expr *ast_poison(Span at) { return expr(E_POISON, at); }

static unsigned depth_of(const Expr *e) { return e ? e->depth : 0; }

static unsigned max_depth(unsigned a, unsigned b) { return a > b ? a : b; }

static unsigned list_depth(List l) {
    unsigned d = 0;
    for (uint32_t i = 0; i < l.len; i++) d = max_depth(d, depth_of(l.items[i]));
    return d;
}

/* Sets e->depth from the depth of its deepest child; a node over the limit
 * becomes poison (spec §1.6), reported once per file. */
static Expr *with_depth(Expr *e, unsigned child_depth) {
    unsigned depth = child_depth + 1;
    if (depth <= AST_MAX_EXPR_DEPTH) {
        e->depth = (uint16_t)depth;
        return e;
    }
    if (!reported_too_deep) {
        reported_too_deep = true;
        diag_error(E0006, e->span, "expression too deeply nested");
        diag_help("an expression may nest at most %d levels; split it into several statements with 'let'",
                  AST_MAX_EXPR_DEPTH);
    }
    return ast_poison(e->span);
}

Expr *ast_int(int64_t v, Span at) {
    Expr *e = expr(E_INT, at);
    e->as.int_value = v;
    return e;
}

Expr *ast_float(double v, Span at) {
    Expr *e = expr(E_FLOAT, at);
    e->as.float_value = v;
    return e;
}

Expr *ast_bool(bool v, Span at) {
    Expr *e = expr(E_BOOL, at);
    e->as.bool_value = v;
    return e;
}

Expr *ast_byte(uint8_t v, Span at) {
    Expr *e = expr(E_BYTE, at);
    e->as.byte_value = v;
    return e;
}

Expr *ast_str(const char *bytes, uint32_t len, Span at) {
    Expr *e = expr(E_STR, at);
    e->as.str.bytes = bytes ? bytes : "";
    e->as.str.len = len;
    return e;
}

Expr *ast_interp(List parts, Span at) {
    assert(parts.len % 2 == 1);
    Expr *e = expr(E_INTERP, at);
    e->as.parts = parts;
    return with_depth(e, list_depth(parts));
}

Expr *ast_name(const char *name, Span at) {
    Expr *e = expr(E_NAME, at);
    e->as.name.name = name;
    return e;
}

Expr *ast_array(List elems, Span at) {
    Expr *e = expr(E_ARRAY, at);
    e->as.elems = elems;
    return with_depth(e, list_depth(elems));
}

Expr *ast_call(Expr *callee, List args, Span at) {
    Expr *e = expr(E_CALL, at);
    e->as.call.callee = callee;
    e->as.call.args = args;
    e->as.call.builtin = -1;
    e->as.call.variant = -1;
    unsigned d = depth_of(callee);
    for (uint32_t i = 0; i < args.len; i++) d = max_depth(d, depth_of(((Arg *)args.items[i])->value));
    return with_depth(e, d);
}

Arg *ast_arg(const char *name, Span name_span, Expr *value) {
    Arg *a = node(sizeof *a);
    a->name = name;
    a->name_span = name_span;
    a->value = value;
    return a;
}

Expr *ast_field(Expr *object, const char *name, Span name_span, Span at) {
    Expr *e = expr(E_FIELD, at);
    e->as.field.object = object;
    e->as.field.name = name;
    e->as.field.name_span = name_span;
    e->as.field.field = -1;
    return with_depth(e, depth_of(object));
}

Expr *ast_index(Expr *object, Expr *index, Span at) {
    Expr *e = expr(E_INDEX, at);
    e->as.index.object = object;
    e->as.index.index = index;
    return with_depth(e, max_depth(depth_of(object), depth_of(index)));
}

Expr *ast_slice(Expr *object, Expr *lo, Expr *hi, Span at) {
    Expr *e = expr(E_SLICE, at);
    e->as.slice.object = object;
    e->as.slice.lo = lo;
    e->as.slice.hi = hi;
    return with_depth(e, max_depth(depth_of(object), max_depth(depth_of(lo), depth_of(hi))));
}

Expr *ast_map_new(TypeExpr *key, TypeExpr *value, Span at) {
    Expr *e = expr(E_MAP_NEW, at);
    e->as.map_new.key = key;
    e->as.map_new.value = value;
    return e;
}

Expr *ast_spawn(Expr *call, Span at) {
    Expr *e = expr(E_SPAWN, at);
    e->as.spawn.call = call;
    return with_depth(e, depth_of(call));
}

Expr *ast_unary(UnaryOp op, Expr *operand, Span at) {
    Expr *e = expr(E_UNARY, at);
    e->as.unary.op = op;
    e->as.unary.operand = operand;
    return with_depth(e, depth_of(operand));
}

Expr *ast_binary(BinaryOp op, Expr *lhs, Expr *rhs, Span at) {
    Expr *e = expr(E_BINARY, at);
    e->as.binary.op = op;
    e->as.binary.lhs = lhs;
    e->as.binary.rhs = rhs;
    return with_depth(e, max_depth(depth_of(lhs), depth_of(rhs)));
}

/* Parentheses add no node, only the mark that `(a < b) < c` is fine. */
Expr *ast_parens(Expr *e, Span at) {
    e->parens = true;
    e->span = at;
    return e;
}

/* Patterns */

Pattern *ast_pattern(PatternKind kind, Span at) {
    Pattern *p = node(sizeof *p);
    p->kind = kind;
    p->span = at;
    p->variant = -1;
    return p;
}

Pattern *ast_pattern_variant(const char *name, bool has_payload, List bindings, Span at) {
    Pattern *p = ast_pattern(P_VARIANT, at);
    p->name = name;
    p->has_payload = has_payload;
    p->bindings = bindings;
    return p;
}

Pattern *ast_pattern_int(int64_t v, Span at) {
    Pattern *p = ast_pattern(P_INT, at);
    p->as.int_value = v;
    return p;
}

Pattern *ast_pattern_byte(uint8_t v, Span at) {
    Pattern *p = ast_pattern(P_BYTE, at);
    p->as.byte_value = v;
    return p;
}

Pattern *ast_pattern_str(const char *bytes, uint32_t len, Span at) {
    Pattern *p = ast_pattern(P_STR, at);
    p->as.str.bytes = bytes ? bytes : "";
    p->as.str.len = len;
    return p;
}

Pattern *ast_pattern_bool(bool v, Span at) {
    Pattern *p = ast_pattern(P_BOOL, at);
    p->as.bool_value = v;
    return p;
}

Binding *ast_binding(const char *name, Span at) {
    Binding *b = node(sizeof *b);
    b->name = name;
    b->span = at;
    return b;
}

MatchArm *ast_arm(Pattern *pattern, Stmt *body, Span at) {
    MatchArm *a = node(sizeof *a);
    a->pattern = pattern;
    a->body = body;
    a->span = at;
    return a;
}

/* Statements */

#define STMT_SIZE(member) (offsetof(Stmt, as) + sizeof(((Stmt *)0)->as.member))
static const size_t stmt_sizes[] = {
    [S_LET] = STMT_SIZE(let),
    [S_ASSIGN] = STMT_SIZE(assign),
    [S_EXPR] = STMT_SIZE(expr),
    [S_DELEGATE] = STMT_SIZE(delegate),
    [S_IF] = STMT_SIZE(if_),
    [S_WHILE] = STMT_SIZE(while_),
    [S_FOR] = STMT_SIZE(for_),
    [S_MATCH] = STMT_SIZE(match),
    [S_BREAK] = offsetof(Stmt, as),
    [S_CONTINUE] = offsetof(Stmt, as),
    [S_RETURN] = STMT_SIZE(ret),
    [S_BLOCK] = STMT_SIZE(block),
};

static Stmt *stmt(StmtKind kind, Span at) {
    Stmt *s = node(stmt_sizes[kind]);
    s->kind = kind;
    s->span = at;
    return s;
}

Stmt *ast_let(const char *name, Span name_span, TypeExpr *type, Expr *init, Span at) {
    Stmt *s = stmt(S_LET, at);
    s->as.let.var = (Binding){ .name = name, .span = name_span };
    s->as.let.type = type;
    s->as.let.init = init;
    return s;
}

Stmt *ast_assign(AssignOp op, Expr *place, Expr *value, Span at) {
    Stmt *s = stmt(S_ASSIGN, at);
    s->as.assign.op = op;
    s->as.assign.place = place;
    s->as.assign.value = value;
    return s;
}

Stmt *ast_expr_stmt(Expr *e, Span at) {
    Stmt *s = stmt(S_EXPR, at);
    s->as.expr = e;
    return s;
}

Stmt *ast_delegate(Expr *call, const char *out, Span out_span, Span at) {
    Stmt *s = stmt(S_DELEGATE, at);
    s->as.delegate.call = call;
    s->as.delegate.out = (Binding){ .name = out, .span = out_span };
    return s;
}

Stmt *ast_if(Expr *cond, Stmt *then_block, Stmt *else_stmt, Span at) {
    Stmt *s = stmt(S_IF, at);
    s->as.if_.cond = cond;
    s->as.if_.then_block = then_block;
    s->as.if_.else_stmt = else_stmt;
    return s;
}

Stmt *ast_while(Expr *cond, Stmt *body, Span at) {
    Stmt *s = stmt(S_WHILE, at);
    s->as.while_.cond = cond;
    s->as.while_.body = body;
    return s;
}

Stmt *ast_for(Binding *first, Binding *second, Expr *iter, Expr *range_hi, Stmt *body, Span at) {
    Stmt *s = stmt(S_FOR, at);
    s->as.for_.first = *first;
    if (second) {
        s->as.for_.second = *second;
        s->as.for_.has_second = true;
    }
    s->as.for_.iter = iter;
    s->as.for_.range_hi = range_hi;
    s->as.for_.body = body;
    return s;
}

Stmt *ast_match(Expr *scrutinee, List arms, Span at) {
    Stmt *s = stmt(S_MATCH, at);
    s->as.match.scrutinee = scrutinee;
    s->as.match.arms = arms;
    return s;
}

Stmt *ast_jump(StmtKind kind, Span at) {
    assert(kind == S_BREAK || kind == S_CONTINUE);
    return stmt(kind, at);
}

Stmt *ast_return(Expr *value, Span at) {
    Stmt *s = stmt(S_RETURN, at);
    s->as.ret = value;
    return s;
}

Stmt *ast_block(List stmts, Span close, Span at) {
    Stmt *s = stmt(S_BLOCK, at);
    s->as.block.stmts = stmts;
    s->as.block.close = close;
    return s;
}

/* Items */

Param *ast_param(const char *name, Span name_span, Mode mode, Span mode_span, TypeExpr *type, Span at) {
    Param *p = node(sizeof *p);
    p->name = name;
    p->span = at;
    p->name_span = name_span;
    p->mode = mode;
    p->mode_span = mode_span;
    p->type = type;
    return p;
}

Field *ast_field_decl(const char *name, TypeExpr *type, Span at) {
    Field *f = node(sizeof *f);
    f->name = name;
    f->span = at;
    f->type = type;
    return f;
}

Field *ast_variant_decl(const char *name, List payload, Span at) {
    Field *f = node(sizeof *f);
    f->name = name;
    f->span = at;
    f->payload = payload;
    return f;
}

static Item *item(ItemKind kind, const char *name, Span name_span, Span at) {
    Item *it = node(sizeof *it);
    it->kind = kind;
    it->span = at;
    it->name = name;
    it->name_span = name_span;
    return it;
}

Item *ast_fn(ItemKind kind, const char *name, Span name_span, List params, TypeExpr *result, Stmt *body,
             Span at) {
    assert(kind == I_FN || kind == I_EXTERN_FN || kind == I_TASK);
    Item *it = item(kind, name, name_span, at);
    it->params = params;
    it->result = result;
    it->body = body;
    return it;
}

Item *ast_struct(ItemKind kind, const char *name, Span name_span, List fields, Span at) {
    assert(kind == I_STRUCT || kind == I_ENUM);
    Item *it = item(kind, name, name_span, at);
    it->fields = fields;
    return it;
}

const char *binary_op_spelling(BinaryOp op) {
    switch (op) {
    case BIN_ADD: return "+";
    case BIN_SUB: return "-";
    case BIN_MUL: return "*";
    case BIN_DIV: return "/";
    case BIN_REM: return "%";
    case BIN_AND: return "&";
    case BIN_OR: return "|";
    case BIN_XOR: return "^";
    case BIN_SHL: return "<<";
    case BIN_SHR: return ">>";
    case BIN_EQ: return "==";
    case BIN_NE: return "!=";
    case BIN_LT: return "<";
    case BIN_LE: return "<=";
    case BIN_GT: return ">";
    case BIN_GE: return ">=";
    case BIN_LOGIC_AND: return "&&";
    case BIN_LOGIC_OR: return "||";
    }
    return "?";
}
