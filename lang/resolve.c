/* resolve.c — name resolution (spec §3.1, §3.4, §4).
 *
 * Consumes: a parsed Program, possibly after syntax errors (poison nodes,
 * NULL operands, NULL names). Produces: program->globals (the built-in type
 * names and every item), item->sym, param->sym, the sym of every let, for and
 * match binding, of every E_NAME and of every delegation target; diagnostics
 * E0200, E0201, E0203, E0204 and E0250.
 *
 * After: every Item and every Param has a sym (extern fns included), every
 * named let/for/match binding has one; a binding written '_' has sym NULL; an
 * E_NAME has sym NULL after an error, or when it is the callee `print` and the
 * program declares no `print` (the console function, CALL_PRINT).
 * Not resolved here: field and method names, argument names, type names and
 * pattern variant names; typecheck.c resolves those by type or through
 * lookup_global.
 *
 * Locals live in one hash table from interned name to the innermost
 * declaration. Declarations form a stack (`decls`) that is also the undo log:
 * closing a scope pops back to the mark taken when it opened, restoring what
 * each popped declaration shadowed. Each slot also caches the global of that
 * name, so looking up a name is one probe whatever it names.
 */
#include "check.h"

#include <string.h>

/* The global namespace. Keyed by content, not pointer, so that lookup_global
 * accepts any string; `symbols` keeps declaration order for suggestions. */
typedef struct GlobalSlot {
    const char *name;        /* NULL: empty */
    Symbol *sym;
} GlobalSlot;

struct Scope {
    GlobalSlot *slots;
    uint32_t cap;            /* a power of two, at least twice the count */
    List symbols;            /* of Symbol*: built-in types, then items */
};

/* What declared a local, for the messages about it. */
typedef enum DeclSite { SITE_PARAM, SITE_LET, SITE_FOR, SITE_PATTERN } DeclSite;

/* One local declaration: a let, loop variable, match binding or parameter. */
typedef struct Decl {
    Symbol *sym;
    int32_t shadowed;        /* index of the declaration it hides, or -1 */
    uint32_t depth;          /* depth of the scope that declared it */
    DeclSite site;
} Decl;

typedef struct NameSlot {
    const char *name;        /* interned; NULL: empty */
    Symbol *global;          /* item or built-in type of this name, or NULL */
    int32_t top;             /* innermost local: index into decls, or -1 */
    /* The last local of this name whose scope ended, for E0200's note. */
    Symbol *gone;
    uint32_t gone_item;      /* Resolver.item_number when it ended */
    DeclSite gone_site;
} NameSlot;

/* A block being resolved and the statement it is at, to find a `let` that
 * comes after a use of its name. */
typedef struct BlockFrame {
    const Stmt *block;
    uint32_t at;
} BlockFrame;

typedef struct Resolver {
    Arena *arena;
    Program *program;
    NameSlot *slots;
    uint32_t slot_cap, slot_count;
    Decl *decls;             /* live declarations, outermost first */
    uint32_t decl_len, decl_cap;
    uint32_t depth;          /* of the innermost open scope */
    uint32_t loop_depth;     /* enclosing while/for loops in this body */
    const char *let_name;    /* the let whose initializer is being resolved */
    uint32_t item_number;    /* 1 + index of the item being resolved */
    BlockFrame *frames;      /* enclosing blocks, outermost first */
    uint32_t frame_len, frame_cap;
    const char *print_name;
} Resolver;

/* Where an unknown name was used, for its help line. */
typedef enum NameUse { USE_VALUE, USE_CALLEE, USE_DELEGATE_OUT } NameUse;

static void resolve_expr(Resolver *r, Expr *e);
static void resolve_stmt(Resolver *r, Stmt *s);

static Symbol *new_symbol(Resolver *r, SymbolKind kind, const char *name, Span span) {
    Symbol *sym = arena_alloc(r->arena, sizeof *sym);
    sym->kind = kind;
    sym->name = name;
    sym->span = span;
    sym->flow_slot = -1;
    return sym;
}

/* ---- globals ---- */

static uint32_t hash_string(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot holding `name`, or the empty slot where it would go. */
static GlobalSlot *global_slot(const struct Scope *g, const char *name) {
    uint32_t mask = g->cap - 1;
    for (uint32_t i = hash_string(name) & mask;; i = (i + 1) & mask) {
        GlobalSlot *slot = &g->slots[i];
        if (!slot->name || slot->name == name || strcmp(slot->name, name) == 0) return slot;
    }
}

Symbol *lookup_global(const Program *program, const char *name) {
    if (!program->globals || !name) return NULL;
    return global_slot(program->globals, name)->sym;
}

/* ---- locals: name table and scopes ---- */

static uint32_t hash_pointer(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    return (uint32_t)x;
}

static NameSlot *find_slot(const Resolver *r, const char *name) {
    uint32_t mask = r->slot_cap - 1;
    for (uint32_t i = hash_pointer(name) & mask;; i = (i + 1) & mask) {
        NameSlot *slot = &r->slots[i];
        if (slot->name == name) return slot;
        if (!slot->name) return NULL;
    }
}

static void grow_slots(Resolver *r) {
    NameSlot *old = r->slots;
    uint32_t old_cap = r->slot_cap;
    r->slot_cap = old_cap ? old_cap * 2 : 256;
    r->slots = arena_alloc(r->arena, r->slot_cap * sizeof *r->slots);
    uint32_t mask = r->slot_cap - 1;
    for (uint32_t i = 0; i < old_cap; i++) {
        if (!old[i].name) continue;
        uint32_t j = hash_pointer(old[i].name) & mask;
        while (r->slots[j].name) j = (j + 1) & mask;
        r->slots[j] = old[i];
    }
}

/* The slot of `name`, created empty if needed. */
static NameSlot *slot_for(Resolver *r, const char *name) {
    NameSlot *slot = find_slot(r, name);
    if (slot) return slot;
    if ((r->slot_count + 1) * 2 > r->slot_cap) grow_slots(r);
    uint32_t mask = r->slot_cap - 1;
    uint32_t i = hash_pointer(name) & mask;
    while (r->slots[i].name) i = (i + 1) & mask;
    r->slot_count++;
    r->slots[i] = (NameSlot){.name = name, .top = -1};
    return &r->slots[i];
}

/* The innermost symbol named `name` (local, parameter, item, built-in type). */
static Symbol *lookup(const Resolver *r, const char *name) {
    NameSlot *slot = find_slot(r, name);
    if (!slot) return NULL;
    return slot->top >= 0 ? r->decls[slot->top].sym : slot->global;
}

/* Returns the mark to give scope_close. */
static uint32_t scope_open(Resolver *r) {
    r->depth++;
    return r->decl_len;
}

static void scope_close(Resolver *r, uint32_t mark) {
    while (r->decl_len > mark) {
        Decl *d = &r->decls[--r->decl_len];
        NameSlot *slot = find_slot(r, d->sym->name);
        slot->top = d->shadowed;
        slot->gone = d->sym;
        slot->gone_item = r->item_number;
        slot->gone_site = d->site;
    }
    r->depth--;
}

/* Makes sym visible in the innermost scope, hiding any earlier declaration
 * of its name. Returns the declaration it hides if that is in the same
 * scope (a duplicate for the caller to report), else NULL. */
static Symbol *declare(Resolver *r, Symbol *sym, DeclSite site) {
    NameSlot *slot = slot_for(r, sym->name);
    Symbol *same_scope = NULL;
    if (slot->top >= 0 && r->decls[slot->top].depth == r->depth) same_scope = r->decls[slot->top].sym;
    if (r->decl_len == r->decl_cap) {
        uint32_t cap = r->decl_cap ? r->decl_cap * 2 : 256;
        r->decls = arena_grow(r->arena, r->decls, r->decl_len * sizeof *r->decls, cap * sizeof *r->decls);
        r->decl_cap = cap;
    }
    r->decls[r->decl_len] = (Decl){sym, slot->top, r->depth, site};
    slot->top = (int32_t)r->decl_len++;
    return same_scope;
}

/* ---- unknown names ---- */

enum { SUGGEST_MAX_LEN = 64 };

/* Edit distance with adjacent transpositions ("optimal string alignment"),
 * or limit + 1 when it is certainly above limit (check.h). */
unsigned name_distance(const char *a, const char *b, unsigned limit) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN) return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit) return limit + 1;
    unsigned rows[3][SUGGEST_MAX_LEN + 1];
    unsigned *before = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) prev[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (unsigned)i;
        unsigned row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned d = prev[j - 1] + cost;
            if (prev[j] + 1 < d) d = prev[j] + 1;
            if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && before[j - 2] + 1 < d)
                d = before[j - 2] + 1;
            cur[j] = d;
            if (d < row_min) row_min = d;
        }
        if (row_min > limit) return limit + 1;
        unsigned *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

typedef struct Suggestion {
    const char *name;
    unsigned distance;       /* candidates must be strictly closer */
} Suggestion;

static void consider(Suggestion *best, const char *unknown, const char *candidate) {
    if (!candidate || candidate == unknown) return;
    unsigned d = name_distance(unknown, candidate, best->distance - 1);
    if (d < best->distance) {
        best->name = candidate;
        best->distance = d;
    }
}

/* The visible name closest to `unknown` (innermost locals first, then items
 * and built-in types in declaration order), or NULL if none is close: one
 * edit for names of up to 5 letters, two for longer ones, so that 'Point'
 * does not suggest 'count'. Only runs on errors. */
static const char *closest_name(const Resolver *r, const char *unknown, NameUse use) {
    size_t len = strlen(unknown);
    if (len < 2) return NULL;
    Suggestion best = {NULL, len <= 5 ? 2 : 3};
    for (uint32_t i = r->decl_len; i-- > 0;) consider(&best, unknown, r->decls[i].sym->name);
    const List *globals = &r->program->globals->symbols;
    for (uint32_t i = 0; i < globals->len; i++) consider(&best, unknown, ((Symbol *)globals->items[i])->name);
    if (use == USE_CALLEE && !lookup(r, r->print_name)) consider(&best, unknown, r->print_name);
    return best.name;
}

enum { LATER_LET_SCAN_LIMIT = 4096 };

/* A `let` of `name` after the current statement in an enclosing block, or
 * NULL. Bounded, so that many errors in a long block stay linear. */
static const Binding *later_let(const Resolver *r, const char *name) {
    uint32_t budget = LATER_LET_SCAN_LIMIT;
    for (uint32_t f = r->frame_len; f-- > 0;) {
        const List *stmts = &r->frames[f].block->as.block.stmts;
        for (uint32_t i = r->frames[f].at + 1; i < stmts->len; i++) {
            if (budget-- == 0) return NULL;
            const Stmt *s = stmts->items[i];
            if (s->kind == S_LET && s->as.let.var.name == name) return &s->as.let.var;
        }
    }
    return NULL;
}

/* E0200. The help says why the name is not visible when the resolver can
 * tell (its own let, a later let, a scope that ended), else suggests a
 * visible name close to it, else says how to declare one. */
static void report_unknown(const Resolver *r, const char *name, Span at, NameUse use) {
    diag_error(E0200, at, "unknown name '%s'", name);
    if (name == r->let_name) {
        diag_help("'%s' exists only after its 'let' statement, so its own initializer cannot use it", name);
        return;
    }
    const Binding *later = later_let(r, name);
    if (later) {
        diag_note(later->span, "'%s' is declared here, after its use", name);
        diag_help("move the 'let' above the first use: a variable exists only after its 'let'");
        return;
    }
    const NameSlot *slot = find_slot(r, name);
    if (slot && slot->gone && slot->gone_item == r->item_number) {
        switch (slot->gone_site) {
        case SITE_LET:
        case SITE_PARAM:
            diag_note(slot->gone->span, "'%s' is declared here, inside a block that has ended", name);
            diag_help("a variable exists only until the end of its block; declare it before that block to use it "
                      "after");
            return;
        case SITE_FOR:
            diag_note(slot->gone->span, "'%s' is a loop variable, which exists only inside its loop", name);
            diag_help("to keep its value, assign it to a variable declared before the loop");
            return;
        case SITE_PATTERN:
            diag_note(slot->gone->span, "'%s' is bound by this pattern and exists only inside its arm", name);
            diag_help("use it inside the arm, or assign it to a variable declared before the 'match'");
            return;
        }
    }
    const char *near = closest_name(r, name, use);
    if (near) diag_help("did you mean '%s'?", near);
    else if (use == USE_DELEGATE_OUT)
        diag_help("'spawn … -> %s;' hands over an output of this task: declare it as a parameter '%s: out Blob'",
                  name, name);
    else if (name == r->print_name)
        diag_help("'print' is the console function and can only be called: 'print(\"…\")'");
    else if (name[0] >= 'A' && name[0] <= 'Z')
        diag_help("declare '%s' as a struct, enum, fn or task, or check the spelling", name);
    else
        diag_help("declare it with 'let %s = …' before using it, in this block or an enclosing one", name);
}

/* ---- declarations ---- */

static void declare_binding(Resolver *r, Binding *b, DeclSite site) {
    if (!b->name) return;   /* '_' */
    b->sym = new_symbol(r, SYM_LOCAL, b->name, b->span);
    Symbol *first = declare(r, b->sym, site);
    if (!first) return;
    switch (site) {
    case SITE_LET:
        diag_error(E0203, b->span, "'%s' is declared twice in this block", b->name);
        diag_note(first->span, "'%s' was first declared here", b->name);
        diag_help("use a different name, or assign with '%s = …' to change the existing variable", b->name);
        break;
    case SITE_FOR:
        diag_error(E0203, b->span, "loop variable '%s' is declared twice", b->name);
        diag_note(first->span, "'%s' was first declared here", b->name);
        diag_help("give the two loop variables different names");
        break;
    case SITE_PARAM:   /* parameters are reported as E0204 by resolve_item */
    case SITE_PATTERN:
        diag_error(E0203, b->span, "'%s' is bound twice in this pattern", b->name);
        diag_note(first->span, "'%s' was first bound here", b->name);
        diag_help("give each binding its own name, or write '_' for a field you do not need");
        break;
    }
}

/* Built-in type names first, then every item, so that items may be used
 * before their declaration (spec §4). */
static void declare_globals(Resolver *r) {
    static const char *const builtin_types[] = {"Int", "Float", "Bool", "Byte", "Str", "Blob", "Ref"};
    enum { BUILTIN_TYPE_COUNT = sizeof builtin_types / sizeof builtin_types[0] };
    Program *p = r->program;
    struct Scope *g = arena_alloc(r->arena, sizeof *g);
    uint32_t want = 2 * (BUILTIN_TYPE_COUNT + p->items.len);
    g->cap = 16;
    while (g->cap < want) g->cap *= 2;
    g->slots = arena_alloc(r->arena, g->cap * sizeof *g->slots);
    p->globals = g;

    for (int i = 0; i < BUILTIN_TYPE_COUNT; i++) {
        const char *name = intern(builtin_types[i], strlen(builtin_types[i]));
        Symbol *sym = new_symbol(r, SYM_TYPE, name, (Span){0});
        *global_slot(g, name) = (GlobalSlot){name, sym};
        list_push(r->arena, &g->symbols, sym);
    }
    for (uint32_t i = 0; i < p->items.len; i++) {
        Item *item = p->items.items[i];
        Symbol *sym = new_symbol(r, SYM_ITEM, item->name, item->name_span);
        sym->item = item;
        item->sym = sym;
        if (!item->name) continue;
        GlobalSlot *slot = global_slot(g, item->name);
        if (slot->name) {
            Symbol *first = slot->sym;
            diag_error(E0201, item->name_span, "'%s' is declared twice", item->name);
            if (first->kind == SYM_TYPE) {
                diag_note(first->span, "'%s' is a built-in type", item->name);
                diag_help("choose another name");
            } else {
                diag_note(first->span, "'%s' was first declared here", item->name);
                diag_help("rename one of them: fns, tasks, structs and enums share one namespace");
            }
            continue;
        }
        *slot = (GlobalSlot){item->name, sym};
        list_push(r->arena, &g->symbols, sym);
    }
    for (uint32_t i = 0; i < g->symbols.len; i++) {
        Symbol *sym = g->symbols.items[i];
        slot_for(r, sym->name)->global = sym;
    }
}

/* Parameters get a scope of their own around the body block, so a `let` at
 * the top of the body may shadow a parameter. */
static void resolve_item(Resolver *r, Item *item) {
    if (item->kind != I_FN && item->kind != I_EXTERN_FN && item->kind != I_TASK) return;
    uint32_t mark = scope_open(r);
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *param = item->params.items[i];
        Symbol *sym = new_symbol(r, SYM_PARAM, param->name, param->name_span);
        sym->param = param;
        sym->owner = item;
        param->sym = sym;
        if (!param->name) continue;
        Symbol *first = declare(r, sym, SITE_PARAM);
        if (first) {
            diag_error(E0204, param->name_span, "parameter '%s' is declared twice", param->name);
            diag_note(first->span, "'%s' was first declared here", param->name);
            diag_help("give each parameter its own name");
        }
    }
    r->loop_depth = 0;
    resolve_stmt(r, item->body);
    scope_close(r, mark);
}

/* ---- statements ---- */

static void resolve_block(Resolver *r, Stmt *block) {
    if (r->frame_len == r->frame_cap) {
        uint32_t cap = r->frame_cap ? r->frame_cap * 2 : 64;
        r->frames = arena_grow(r->arena, r->frames, r->frame_len * sizeof *r->frames, cap * sizeof *r->frames);
        r->frame_cap = cap;
    }
    uint32_t frame = r->frame_len++;
    r->frames[frame].block = block;
    uint32_t mark = scope_open(r);
    for (uint32_t i = 0; i < block->as.block.stmts.len; i++) {
        r->frames[frame].at = i;
        resolve_stmt(r, block->as.block.stmts.items[i]);
    }
    scope_close(r, mark);
    r->frame_len--;
}

/* for_stmt: 'for' NAME (',' NAME)? 'in' expr block | 'for' NAME 'in' expr '..' expr block */
static void resolve_for(Resolver *r, Stmt *s) {
    resolve_expr(r, s->as.for_.iter);
    resolve_expr(r, s->as.for_.range_hi);
    uint32_t mark = scope_open(r);
    declare_binding(r, &s->as.for_.first, SITE_FOR);
    if (s->as.for_.has_second) declare_binding(r, &s->as.for_.second, SITE_FOR);
    r->loop_depth++;
    resolve_stmt(r, s->as.for_.body);
    r->loop_depth--;
    scope_close(r, mark);
}

/* match_stmt: 'match' expr '{' (pattern '=>' block ','?)* '}'
 * Variant names are left to typecheck.c: they depend on the scrutinee. */
static void resolve_match(Resolver *r, Stmt *s) {
    resolve_expr(r, s->as.match.scrutinee);
    for (uint32_t i = 0; i < s->as.match.arms.len; i++) {
        MatchArm *arm = s->as.match.arms.items[i];
        uint32_t mark = scope_open(r);
        if (arm->pattern && arm->pattern->kind == P_VARIANT) {
            List *bindings = &arm->pattern->bindings;
            for (uint32_t j = 0; j < bindings->len; j++) declare_binding(r, bindings->items[j], SITE_PATTERN);
        }
        resolve_stmt(r, arm->body);
        scope_close(r, mark);
    }
}

/* delegate_stmt: 'spawn' call '->' NAME ';' */
static void resolve_delegate(Resolver *r, Stmt *s) {
    resolve_expr(r, s->as.delegate.call);
    Binding *out = &s->as.delegate.out;
    if (!out->name) return;
    out->sym = lookup(r, out->name);
    if (!out->sym) report_unknown(r, out->name, out->span, USE_DELEGATE_OUT);
}

static void resolve_stmt(Resolver *r, Stmt *s) {
    if (!s) return;
    switch (s->kind) {
    case S_LET:
        /* The initializer first: `let x = x + 1;` reads the outer x. */
        r->let_name = s->as.let.var.name;
        resolve_expr(r, s->as.let.init);
        r->let_name = NULL;
        declare_binding(r, &s->as.let.var, SITE_LET);
        break;
    case S_ASSIGN:
        resolve_expr(r, s->as.assign.place);
        resolve_expr(r, s->as.assign.value);
        break;
    case S_EXPR:
        resolve_expr(r, s->as.expr);
        break;
    case S_DELEGATE:
        resolve_delegate(r, s);
        break;
    case S_IF:
        /* An else-if chain is a loop, not a recursion: it may be long. */
        for (; s && s->kind == S_IF; s = s->as.if_.else_stmt) {
            resolve_expr(r, s->as.if_.cond);
            resolve_stmt(r, s->as.if_.then_block);
        }
        resolve_stmt(r, s);
        break;
    case S_WHILE:
        resolve_expr(r, s->as.while_.cond);
        r->loop_depth++;
        resolve_stmt(r, s->as.while_.body);
        r->loop_depth--;
        break;
    case S_FOR:
        resolve_for(r, s);
        break;
    case S_MATCH:
        resolve_match(r, s);
        break;
    case S_BREAK:
    case S_CONTINUE:
        /* §3.4: a match arm inside a loop is still inside it. */
        if (r->loop_depth == 0) {
            const char *word = s->kind == S_BREAK ? "break" : "continue";
            diag_error(E0250, s->span, "'%s' outside a loop", word);
            diag_help(s->kind == S_BREAK ? "'break' leaves the innermost 'while' or 'for' loop; use 'return' to leave "
                                           "the function"
                                         : "'continue' starts the next round of the innermost 'while' or 'for' loop; "
                                           "there is none around it");
        }
        break;
    case S_RETURN:
        resolve_expr(r, s->as.ret);
        break;
    case S_BLOCK:
        resolve_block(r, s);
        break;
    }
}

/* ---- expressions ---- */

static void resolve_name(Resolver *r, Expr *e, NameUse use) {
    const char *name = e->as.name.name;
    if (!name) return;
    e->as.name.sym = lookup(r, name);
    if (e->as.name.sym) return;
    /* The console print: typecheck.c makes it CALL_PRINT. */
    if (use == USE_CALLEE && name == r->print_name) return;
    report_unknown(r, name, e->span, use);
}

static void resolve_exprs(Resolver *r, List *exprs) {
    for (uint32_t i = 0; i < exprs->len; i++) resolve_expr(r, exprs->items[i]);
}

static void resolve_expr(Resolver *r, Expr *e) {
    if (!e) return;
    switch (e->kind) {
    case E_POISON:
    case E_INT:
    case E_FLOAT:
    case E_BOOL:
    case E_BYTE:
    case E_STR:
    case E_MAP_NEW:      /* only type names: typecheck.c */
        break;
    case E_INTERP:
        resolve_exprs(r, &e->as.parts);
        break;
    case E_NAME:
        resolve_name(r, e, USE_VALUE);
        break;
    case E_ARRAY:
        resolve_exprs(r, &e->as.elems);
        break;
    case E_CALL: {
        Expr *callee = e->as.call.callee;
        if (callee && callee->kind == E_NAME) resolve_name(r, callee, USE_CALLEE);
        else resolve_expr(r, callee);
        /* Argument names are struct field names: typecheck.c. */
        for (uint32_t i = 0; i < e->as.call.args.len; i++) {
            Arg *arg = e->as.call.args.items[i];
            resolve_expr(r, arg->value);
        }
        break;
    }
    case E_FIELD:        /* the name after '.' depends on the object's type */
        resolve_expr(r, e->as.field.object);
        break;
    case E_INDEX:
        resolve_expr(r, e->as.index.object);
        resolve_expr(r, e->as.index.index);
        break;
    case E_SLICE:
        resolve_expr(r, e->as.slice.object);
        resolve_expr(r, e->as.slice.lo);
        resolve_expr(r, e->as.slice.hi);
        break;
    case E_SPAWN:
        resolve_expr(r, e->as.spawn.call);
        break;
    case E_UNARY:
        resolve_expr(r, e->as.unary.operand);
        break;
    case E_BINARY:
        resolve_expr(r, e->as.binary.lhs);
        resolve_expr(r, e->as.binary.rhs);
        break;
    }
}

/* ---- the pass ---- */

void resolve_program(Arena *arena, Program *program) {
    Resolver r = {
        .arena = arena,
        .program = program,
        .print_name = intern("print", 5),
    };
    grow_slots(&r);
    declare_globals(&r);
    for (uint32_t i = 0; i < program->items.len; i++) {
        r.item_number = i + 1;
        resolve_item(&r, program->items.items[i]);
    }
}
