/* typecheck.c — types of declarations and expressions (spec §3, §4, §6, §7).
 *
 * Consumes: a resolved Program (names carry symbols). Produces: every Expr
 * has a non-NULL `type`; calls say what they call (CallKind); locals and
 * parameters have types; struct fields, enum payloads and fn results are
 * resolved. After an error the expression gets the poison type, which every
 * check accepts silently, so one mistake gives one message.
 *
 * What this pass does not judge: how data objects are used (modes, where a
 * handle may appear, delegation). A DO handle gets its TY_DO type here and
 * caps.c checks the rules; where an operator or a conversion meets a handle,
 * this pass stays quiet and lets caps.c explain.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

typedef struct Checker {
    Arena *arena;
    Program *program;
    Item *item;          /* the fn or task being checked */
    Type *result;        /* its result type; void for tasks and plain fns */
} Checker;

static Type *check_expr(Checker *c, Expr *e, Type *expected);
static void check_stmt(Checker *c, Stmt *s);

/* Scratch buffers for type names in messages. */
static char name_a[128], name_b[128];
#define NAME_A(t) type_name((t), name_a, sizeof name_a)
#define NAME_B(t) type_name((t), name_b, sizeof name_b)

static bool is_poison(const Type *t) { return t->kind == TY_POISON; }
static bool is_handle(const Type *t) { return t->kind == TY_DO; }

/* Can a value of type `have` be used where `want` is expected?
 * A Ref is readable like an `in Blob`; modes are caps.c's business. */
static bool accepts(const Type *want, const Type *have) {
    if (want == have || is_poison(want) || is_poison(have)) return true;
    if (want->kind == TY_DO) {
        if (have->kind == TY_DO) return true;   /* list or single, and the mode: caps.c, E0303 */
        if (!want->is_list) return have->kind == TY_REF;
        return have->kind == TY_ARRAY && have->elem->kind == TY_REF;
    }
    return false;
}

/* ---------------------------------------------------------------------------
 * Declarations: type expressions, structs, enums, signatures
 */

static Type *scalar_named(const char *name) {
    static const struct { const char *name; Type *(*make)(void); } table[] = {
        {"Int", type_int}, {"Float", type_float}, {"Bool", type_bool}, {"Byte", type_byte},
        {"Str", type_str}, {"Ref", type_ref},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].make();
    return NULL;
}

static bool is_map_key(const Type *t) {
    return t->kind == TY_INT || t->kind == TY_STR || t->kind == TY_BYTE || t->kind == TY_BOOL || is_poison(t);
}

/* type: NAME | '[' type ']' | 'Map' '<' type ',' type '>'.
 * `mode` is the parameter's mode: it makes `Blob` a handle type, and
 * `[Blob]` the list handle `in [Blob]`. */
static Type *resolve_type(Checker *c, TypeExpr *te, Mode mode) {
    switch (te->kind) {
    case TE_NAME: {
        Type *scalar = scalar_named(te->name);
        if (scalar) return scalar;
        if (strcmp(te->name, "Blob") == 0) return type_do(mode, false);
        Symbol *sym = lookup_global(c->program, te->name);
        if (sym && sym->kind == SYM_ITEM && (sym->item->kind == I_STRUCT || sym->item->kind == I_ENUM))
            return type_named(sym->item);
        if (sym && sym->kind == SYM_ITEM) {
            diag_error(E0202, te->span, "'%s' is a %s, not a type", te->name,
                       sym->item->kind == I_TASK ? "task" : "function");
            diag_note(sym->item->name_span, "'%s' is declared here", te->name);
        } else {
            diag_error(E0202, te->span, "unknown type '%s'", te->name);
            diag_help("the built-in types are Int, Float, Bool, Byte, Str, Ref, [T] and Map<K, V>; "
                      "declare your own with 'struct %s { … }' or 'enum %s { … }'",
                      te->name, te->name);
        }
        return type_poison();
    }
    case TE_ARRAY:
        if (mode != MODE_NONE && te->elem->kind == TE_NAME && strcmp(te->elem->name, "Blob") == 0)
            return type_do(mode, true);
        return type_array(resolve_type(c, te->elem, MODE_NONE));
    case TE_MAP: {
        Type *key = resolve_type(c, te->key, MODE_NONE);
        Type *value = resolve_type(c, te->value, MODE_NONE);
        if (!is_map_key(key)) {
            diag_error(E0236, te->key->span, "a map key cannot be of type '%s'", NAME_A(key));
            diag_help("map keys are Int, Str, Byte or Bool: values that can be hashed and compared");
            return type_poison();
        }
        return type_map(key, value);
    }
    }
    die("bad type expression kind %d", te->kind);
}

/* Fields and variants are found by name through a hash index built once
 * per struct or enum, so that huge declarations stay linear. */
typedef struct NameIndex {
    uint32_t mask;
    struct { const char *name; int index; } *slots;
} NameIndex;

static size_t name_hash(const char *name) { return (size_t)((uintptr_t)name * 0x9E3779B97F4A7C15u >> 17); }

/* Builds decl's index; reports E0205 for a name declared twice. */
static void index_fields(Checker *c, Item *decl) {
    NameIndex *ix = arena_alloc(c->arena, sizeof *ix);
    uint32_t cap = 8;
    while (cap < decl->fields.len * 2) cap *= 2;
    ix->mask = cap - 1;
    ix->slots = arena_alloc(c->arena, cap * sizeof *ix->slots);
    for (uint32_t i = 0; i < decl->fields.len; i++) {
        Field *f = decl->fields.items[i];
        size_t j = name_hash(f->name) & ix->mask;
        while (ix->slots[j].name && ix->slots[j].name != f->name) j = (j + 1) & ix->mask;
        if (ix->slots[j].name) {
            Field *first = decl->fields.items[ix->slots[j].index];
            diag_error(E0205, f->span, "'%s' is declared twice in '%s'", f->name, decl->name);
            diag_note(first->span, "the first '%s' is here", f->name);
            continue;
        }
        ix->slots[j].name = f->name;
        ix->slots[j].index = (int)i;
    }
    decl->field_index = ix;
}

static Field *find_field(Item *decl, const char *name, int *index) {
    NameIndex *ix = decl->field_index;
    if (!ix) return NULL;
    for (size_t j = name_hash(name) & ix->mask; ix->slots[j].name; j = (j + 1) & ix->mask) {
        if (ix->slots[j].name == name) {
            if (index) *index = ix->slots[j].index;
            return decl->fields.items[ix->slots[j].index];
        }
    }
    return NULL;
}

static void resolve_struct_or_enum(Checker *c, Item *item) {
    type_named(item);
    index_fields(c, item);
    for (uint32_t i = 0; i < item->fields.len; i++) {
        Field *f = item->fields.items[i];
        if (item->kind == I_STRUCT) {
            f->field_type = resolve_type(c, f->type, MODE_NONE);
        } else {
            f->payload_types = arena_alloc(c->arena, (f->payload.len + 1) * sizeof *f->payload_types);
            for (uint32_t k = 0; k < f->payload.len; k++)
                f->payload_types[k] = resolve_type(c, f->payload.items[k], MODE_NONE);
        }
    }
}

/* A struct may not contain itself except through an array or a map, whose
 * storage is separate: otherwise its size would be infinite. One depth-first
 * search over direct struct fields (0 = unvisited, 1 = on the path, 2 =
 * done); reaching a struct on the path closes a cycle, reported once at it. */
static void visit_struct(Item *item, uint8_t *state) {
    state[item->ordinal] = 1;
    for (uint32_t i = 0; i < item->fields.len; i++) {
        Type *t = ((Field *)item->fields.items[i])->field_type;
        if (!t || t->kind != TY_STRUCT) continue;
        Item *next = t->decl;
        if (state[next->ordinal] == 1) {
            diag_error(E0207, next->name_span, "struct '%s' contains itself", next->name);
            if (next != item) diag_note(item->name_span, "through the field of '%s' here", item->name);
            diag_help("a value cannot hold a whole copy of itself; hold several in an array instead, e.g. 'items: [%s]'",
                      next->name);
        } else if (state[next->ordinal] == 0) {
            visit_struct(next, state);
        }
    }
    state[item->ordinal] = 2;
}

static void check_struct_cycles(Checker *c) {
    Program *p = c->program;
    uint8_t *state = arena_alloc(c->arena, p->items.len + 1);
    for (uint32_t i = 0; i < p->items.len; i++) {
        Item *item = p->items.items[i];
        if (item->kind == I_STRUCT && state[i] == 0) visit_struct(item, state);
    }
}

static void resolve_signature(Checker *c, Item *item) {
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        Type *t = resolve_type(c, p->type, p->mode);
        if (p->sym) p->sym->type = t;
    }
    item->result_type = item->result ? resolve_type(c, item->result, MODE_NONE) : type_void();
}

/* ---------------------------------------------------------------------------
 * Built-in methods (builtins.def): receivers and signatures
 */

static bool receiver_matches(BuiltinReceiver r, const Type *t) {
    switch (r) {
    case RECV_INT: return t->kind == TY_INT;
    case RECV_FLOAT: return t->kind == TY_FLOAT;
    case RECV_BYTE: return t->kind == TY_BYTE;
    case RECV_BOOL: return t->kind == TY_BOOL;
    case RECV_STR: return t->kind == TY_STR;
    case RECV_ARRAY: return t->kind == TY_ARRAY;
    case RECV_MAP: return t->kind == TY_MAP;
    case RECV_BLOB: return (t->kind == TY_DO && !t->is_list) || t->kind == TY_REF;
    case RECV_BLOBS: return t->kind == TY_DO && t->is_list;
    }
    return false;
}

/* Parses one type of a signature string at *p, substituting T, K and V from
 * the receiver. The strings are ours (builtins.def), so a bad one is a bug. */
static Type *signature_type(const char **p, const Type *receiver) {
    const char *s = *p;
    if (*s == '[') {
        *p = s + 1;
        Type *elem = signature_type(p, receiver);
        if (**p != ']') die("bad builtin signature near '%s'", s);
        (*p)++;
        return type_array(elem);
    }
    if (strncmp(s, "Map<", 4) == 0) {
        *p = s + 4;
        Type *key = signature_type(p, receiver);
        if (**p != ',') die("bad builtin signature near '%s'", s);
        (*p)++;
        Type *value = signature_type(p, receiver);
        if (**p != '>') die("bad builtin signature near '%s'", s);
        (*p)++;
        return type_map(key, value);
    }
    size_t n = 0;
    while (s[n] && strchr("(),[]<>", s[n]) == NULL) n++;
    *p = s + n;
    if (n == 1 && *s == 'T') return receiver->elem;
    if (n == 1 && *s == 'K') return receiver->key;
    if (n == 1 && *s == 'V') return receiver->value;
    char name[16];
    if (n >= sizeof name) die("bad builtin signature near '%s'", s);
    memcpy(name, s, n);
    name[n] = 0;
    Type *t = scalar_named(name);
    if (!t) die("bad builtin signature type '%s'", name);
    return t;
}

typedef struct Signature {
    Type *params[4];
    int param_count;
    Type *result;
} Signature;

static Signature parse_signature(const Builtin *b, const Type *receiver) {
    Signature sig = {.result = type_void()};
    const char *p = b->signature;
    if (*p++ != '(') die("bad builtin signature '%s'", b->signature);
    while (*p != ')') {
        if (sig.param_count == 4) die("builtin '%s' has too many parameters", b->name);
        sig.params[sig.param_count++] = signature_type(&p, receiver);
        if (*p == ',') p++;
    }
    p++;
    if (*p) sig.result = signature_type(&p, receiver);
    return sig;
}

static const char *receiver_description(const Type *t) {
    switch (t->kind) {
    case TY_DO: return t->is_list ? "a list of data objects" : "a data object";
    case TY_REF: return "a Ref";
    default: return NULL;
    }
}

static bool orderable(const Type *t) {
    return t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BYTE || t->kind == TY_STR || t->kind == TY_BOOL ||
           is_poison(t);
}

static bool equatable(const Type *t) {
    switch (t->kind) {
    case TY_MAP: case TY_REF: case TY_DO: case TY_VOID: return false;
    case TY_ARRAY: return equatable(t->elem);
    case TY_STRUCT:
        for (uint32_t i = 0; i < t->decl->fields.len; i++) {
            Field *f = t->decl->fields.items[i];
            if (f->field_type && !equatable(f->field_type)) return false;
        }
        return true;
    case TY_ENUM:
        for (uint32_t i = 0; i < t->decl->fields.len; i++) {
            Field *f = t->decl->fields.items[i];
            for (uint32_t k = 0; f->payload_types && k < f->payload.len; k++)
                if (!equatable(f->payload_types[k])) return false;
        }
        return true;
    default: return true;
    }
}

static void suggest_method(const Type *receiver, const char *name) {
    const char *best = NULL;
    unsigned best_distance = 3;
    for (int i = 0; i < BUILTIN_COUNT; i++) {
        if (!receiver_matches(builtins[i].receiver, receiver)) continue;
        unsigned d = name_distance(name, builtins[i].name, best_distance - 1);
        if (d < best_distance) best = builtins[i].name, best_distance = d;
    }
    if (best) diag_help("did you mean '%s'?", best);
    else {
        char list[512];
        size_t len = 0;
        list[0] = 0;
        for (int i = 0; i < BUILTIN_COUNT && len < sizeof list - 40; i++)
            if (receiver_matches(builtins[i].receiver, receiver))
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", builtins[i].name);
        if (len) diag_help("its methods are: %s", list);
    }
}

/* ---------------------------------------------------------------------------
 * Calls
 */

/* Names an argument in messages ("argument 2 ('n')", "field 'x'"); built
 * only when there is an error, since formatting is slow. */
typedef struct ArgLabel {
    const char *kind;        /* "argument", "field", "value" */
    int number;              /* 1-based, or 0 for none */
    const char *name;        /* or NULL */
} ArgLabel;

static const char *label_text(ArgLabel l, char *buf, size_t size) {
    if (l.number && l.name) snprintf(buf, size, "%s %d ('%s')", l.kind, l.number, l.name);
    else if (l.number) snprintf(buf, size, "%s %d", l.kind, l.number);
    else if (l.name) snprintf(buf, size, "%s '%s'", l.kind, l.name);
    else snprintf(buf, size, "%s", l.kind);
    return buf;
}

static void check_arg_type(Checker *c, Arg *arg, Type *want, ArgLabel label, const char *callee) {
    Type *have = check_expr(c, arg->value, want);
    if (is_handle(have) && want->kind != TY_DO) return;   /* caps.c: rule 3 */
    if (accepts(want, have) && have->kind != TY_VOID) return;
    char what[96];
    label_text(label, what, sizeof what);
    if (have->kind == TY_VOID) {
        diag_error(E0221, arg->value->span, "%s of '%s' has no value", what, callee);
        diag_help("this call does not produce a value; call it on its own line");
        return;
    }
    diag_error(E0221, arg->value->span, "%s of '%s' must be %s '%s', not '%s'", what, callee,
               want->kind == TY_DO ? "a data object," : "of type", NAME_A(want), NAME_B(have));
    if (want->kind == TY_FLOAT && have->kind == TY_INT) diag_help("convert with '.float()'");
    if (want->kind == TY_INT && have->kind == TY_FLOAT) diag_help("convert with '.int()' (it truncates)");
    if (want->kind == TY_STR && (have->kind == TY_INT || have->kind == TY_FLOAT))
        diag_help("turn it into text with '.str()' or \"{…}\"");
}

static void reject_named_args(List *args, const char *callee) {
    for (uint32_t i = 0; i < args->len; i++) {
        Arg *a = args->items[i];
        if (a->name) {
            diag_error(E0225, a->name_span, "'%s' takes its arguments in order, without names", callee);
            diag_help("remove '%s:'; only struct construction takes named arguments", a->name);
            return;
        }
    }
}

static bool check_arity(List *args, int want, const char *callee, Span at, Span decl) {
    if ((int)args->len == want) return true;
    diag_error(E0220, at, "'%s' takes %d argument%s, but %u %s given", callee, want, want == 1 ? "" : "s",
               args->len, args->len == 1 ? "was" : "were");
    if (decl.file) diag_note(decl, "'%s' is declared here", callee);
    return false;
}

/* Checks the values of all arguments without a parameter to match them to,
 * so that names inside still get types after an error. */
static void check_args_loosely(Checker *c, List *args) {
    for (uint32_t i = 0; i < args->len; i++) check_expr(c, ((Arg *)args->items[i])->value, NULL);
}

static Type *check_fn_call(Checker *c, Expr *e, Item *fn) {
    List *args = &e->as.call.args;
    e->as.call.kind = CALL_FN;
    e->as.call.item = fn;
    reject_named_args(args, fn->name);
    if (!check_arity(args, (int)fn->params.len, fn->name, e->span, fn->name_span)) {
        check_args_loosely(c, args);
        return fn->result_type ? fn->result_type : type_poison();
    }
    for (uint32_t i = 0; i < args->len; i++) {
        Param *p = fn->params.items[i];
        Type *want = p->sym && p->sym->type ? p->sym->type : type_poison();
        check_arg_type(c, args->items[i], want, (ArgLabel){"argument", (int)i + 1, p->name}, fn->name);
    }
    return fn->result_type ? fn->result_type : type_poison();
}

/* The call inside `spawn` or a delegation: arguments bind to the task's
 * parameters that are not outputs (spec §6). */
static void check_task_call(Checker *c, Expr *call, Item *task) {
    List *args = &call->as.call.args;
    call->as.call.kind = CALL_TASK;
    call->as.call.item = task;
    call->type = type_ref();
    reject_named_args(args, task->name);
    Param *inputs[256];
    int count = 0;
    for (uint32_t i = 0; i < task->params.len && count < 256; i++) {
        Param *p = task->params.items[i];
        if (p->mode != MODE_OUT) inputs[count++] = p;
    }
    if ((int)args->len != count) {
        diag_error(E0220, call->span, "task '%s' takes %d argument%s, but %u %s given", task->name, count,
                   count == 1 ? "" : "s", args->len, args->len == 1 ? "was" : "were");
        diag_note(task->name_span, "'%s' is declared here", task->name);
        diag_help("pass every parameter of '%s' except its output, which the spawn creates", task->name);
        check_args_loosely(c, args);
        return;
    }
    for (int i = 0; i < count; i++) {
        Type *want = inputs[i]->sym && inputs[i]->sym->type ? inputs[i]->sym->type : type_poison();
        check_arg_type(c, args->items[i], want, (ArgLabel){"argument", i + 1, inputs[i]->name}, task->name);
    }
}

/* spawn call, or the call of `spawn call -> out;` */
static void check_spawned_call(Checker *c, Expr *call) {
    if (call->kind != E_CALL) {   /* the parser reported it; only E_POISON gets here */
        check_expr(c, call, NULL);
        return;
    }
    Expr *callee = call->as.call.callee;
    Symbol *sym = callee->kind == E_NAME ? callee->as.name.sym : NULL;
    if (sym && sym->kind == SYM_ITEM && sym->item->kind == I_TASK) {
        callee->type = type_void();
        check_task_call(c, call, sym->item);
        return;
    }
    /* Not a task: type it as an ordinary call, and let caps.c say E0342. */
    check_expr(c, call, NULL);
}

static Type *check_struct_construction(Checker *c, Expr *e, Item *decl) {
    List *args = &e->as.call.args;
    e->as.call.kind = CALL_STRUCT;
    e->as.call.item = decl;
    Type *type = type_named(decl);
    bool named = args->len > 0 && ((Arg *)args->items[0])->name != NULL;
    for (uint32_t i = 1; i < args->len; i++) {
        Arg *a = args->items[i];
        if ((a->name != NULL) != named) {
            diag_error(E0223, a->value->span, "'%s(…)' mixes named and positional fields", decl->name);
            diag_help("name every field ('%s(x: 1, y: 2)') or none ('%s(1, 2)')", decl->name, decl->name);
            check_args_loosely(c, args);
            return type;
        }
    }
    uint32_t field_count = decl->fields.len;
    if (!named) {
        if ((uint32_t)args->len != field_count) {
            diag_error(E0222, e->span, "struct '%s' has %u field%s, but %u value%s given", decl->name, field_count,
                       field_count == 1 ? "" : "s", args->len, args->len == 1 ? " was" : "s were");
            diag_note(decl->name_span, "'%s' is declared here", decl->name);
            check_args_loosely(c, args);
            return type;
        }
        for (uint32_t i = 0; i < args->len; i++) {
            Field *f = decl->fields.items[i];
            check_arg_type(c, args->items[i], f->field_type ? f->field_type : type_poison(),
                           (ArgLabel){"field", 0, f->name}, decl->name);
        }
        return type;
    }
    bool *seen = arena_alloc(c->arena, field_count + 1);
    for (uint32_t i = 0; i < args->len; i++) {
        Arg *a = args->items[i];
        int index;
        Field *f = find_field(decl, a->name, &index);
        if (!f) {
            diag_error(E0206, a->name_span, "struct '%s' has no field '%s'", decl->name, a->name);
            diag_note(decl->name_span, "'%s' is declared here", decl->name);
            check_expr(c, a->value, NULL);
            continue;
        }
        if (seen[index]) {
            diag_error(E0222, a->name_span, "field '%s' is given twice", a->name);
            check_expr(c, a->value, NULL);
            continue;
        }
        seen[index] = true;
        check_arg_type(c, a, f->field_type ? f->field_type : type_poison(), (ArgLabel){"field", 0, f->name},
                       decl->name);
    }
    for (uint32_t i = 0; i < field_count; i++) {
        if (seen[i]) continue;
        Field *f = decl->fields.items[i];
        diag_error(E0222, e->span, "field '%s' of '%s' is missing", f->name, decl->name);
        diag_help("every field needs a value: add '%s: …'", f->name);
    }
    return type;
}

static Type *check_variant_construction(Checker *c, Expr *e, Item *decl, Expr *field) {
    List *args = &e->as.call.args;
    const char *name = field->as.field.name;
    int index;
    Field *v = find_field(decl, name, &index);
    field->type = type_void();
    if (!v) {
        diag_error(E0206, field->as.field.name_span, "enum '%s' has no variant '%s'", decl->name, name);
        diag_note(decl->name_span, "'%s' is declared here", decl->name);
        check_args_loosely(c, args);
        return type_poison();
    }
    e->as.call.kind = CALL_VARIANT;
    e->as.call.item = decl;
    e->as.call.variant = index;
    reject_named_args(args, name);
    if (v->payload.len == 0) {
        diag_error(E0224, e->span, "variant '%s.%s' holds no values, so it cannot be called", decl->name, name);
        diag_help("write it without parentheses: '%s.%s'", decl->name, name);
        check_args_loosely(c, args);
        return type_named(decl);
    }
    if (!check_arity(args, (int)v->payload.len, name, e->span, v->span)) {
        check_args_loosely(c, args);
        return type_named(decl);
    }
    for (uint32_t i = 0; i < args->len; i++)
        check_arg_type(c, args->items[i], v->payload_types[i], (ArgLabel){"value", (int)i + 1, NULL}, name);
    return type_named(decl);
}

/* A method written in Loam (stdlib-min/prelude.loam), checked as the
 * method: from here on it is a call of its function with the receiver as
 * the first argument, for the compiler and the interpreter alike. */
static void call_prelude(Checker *c, Expr *e, Item *fn, Expr *receiver) {
    List args = {0};
    Arg *self = arena_alloc(c->arena, sizeof *self);
    self->value = receiver;
    list_push(c->arena, &args, self);
    for (uint32_t i = 0; i < e->as.call.args.len; i++) list_push(c->arena, &args, e->as.call.args.items[i]);
    e->as.call.args = args;
    e->as.call.kind = CALL_FN;
    e->as.call.item = fn;
    e->as.call.receiver = NULL;
}

static Type *check_method_call(Checker *c, Expr *e, Expr *field) {
    Expr *object = field->as.field.object;
    const char *name = field->as.field.name;
    List *args = &e->as.call.args;
    /* Enum.Variant(…) */
    if (object->kind == E_NAME && object->as.name.sym && object->as.name.sym->kind == SYM_ITEM &&
        object->as.name.sym->item->kind == I_ENUM) {
        object->type = type_void();
        return check_variant_construction(c, e, object->as.name.sym->item, field);
    }
    Type *receiver = check_expr(c, object, NULL);
    field->type = type_void();
    if (is_poison(receiver)) {
        check_args_loosely(c, args);
        return type_poison();
    }
    int found = -1;
    for (int i = 0; i < BUILTIN_COUNT && found < 0; i++)
        if (builtins[i].name[0] == name[0] && strcmp(builtins[i].name, name) == 0 &&
            receiver_matches(builtins[i].receiver, receiver))
            found = i;
    if (found < 0) {
        const char *desc = receiver_description(receiver);
        if (desc) diag_error(E0210, field->as.field.name_span, "%s has no method '%s'", desc, name);
        else diag_error(E0210, field->as.field.name_span, "'%s' has no method '%s'", NAME_A(receiver), name);
        suggest_method(receiver, name);
        check_args_loosely(c, args);
        return type_poison();
    }
    const Builtin *b = &builtins[found];
    e->as.call.kind = CALL_METHOD;
    e->as.call.builtin = found;
    e->as.call.receiver = object;
    /* Methods that need more of the element type than the table can say. */
    if (receiver->kind == TY_ARRAY) {
        Type *elem = receiver->elem;
        if ((found == BUILTIN_ARRAY_SORT || found == BUILTIN_ARRAY_SORTED) && !orderable(elem)) {
            diag_error(E0210, field->as.field.name_span, "cannot sort '%s': its elements have no order", NAME_A(receiver));
            diag_help("sort arrays of Int, Float, Byte, Str or Bool");
        } else if (found == BUILTIN_ARRAY_CONTAINS && !equatable(elem)) {
            diag_error(E0210, field->as.field.name_span, "cannot search '%s': its elements cannot be compared", NAME_A(receiver));
        } else if (found == BUILTIN_ARRAY_JOIN && elem->kind != TY_STR && !is_poison(elem)) {
            diag_error(E0210, field->as.field.name_span, "'join' needs an array of Str, not '%s'", NAME_A(receiver));
            diag_help("turn the elements into text first, e.g. with a loop and '.str()'");
        }
    }
    reject_named_args(args, name);
    Signature sig = parse_signature(b, receiver);
    if (!check_arity(args, sig.param_count, name, e->span, (Span){0})) {
        check_args_loosely(c, args);
        return sig.result;
    }
    for (int i = 0; i < sig.param_count; i++)
        check_arg_type(c, args->items[i], sig.params[i], (ArgLabel){"argument", i + 1, NULL}, name);
    Item *impl = prelude_method(found);
    if (impl) call_prelude(c, e, impl, object);
    return sig.result;
}

/* postfix_expr: expr '(' arg,* ')' */
static Type *check_call(Checker *c, Expr *e) {
    Expr *callee = e->as.call.callee;
    List *args = &e->as.call.args;
    if (callee->kind == E_FIELD) return check_method_call(c, e, callee);
    if (callee->kind == E_NAME) {
        Symbol *sym = callee->as.name.sym;
        callee->type = type_void();
        if (!sym && strcmp(callee->as.name.name, "print") == 0) {
            e->as.call.kind = CALL_PRINT;
            reject_named_args(args, "print");
            if (check_arity(args, 1, "print", e->span, (Span){0}))
                check_arg_type(c, args->items[0], type_str(), (ArgLabel){"the argument", 0, NULL}, "print");
            else
                check_args_loosely(c, args);
            return type_void();
        }
        if (!sym) {
            check_args_loosely(c, args);
            return type_poison();
        }
        if (sym->kind == SYM_ITEM) {
            Item *item = sym->item;
            switch (item->kind) {
            case I_FN:
            case I_EXTERN_FN: return check_fn_call(c, e, item);
            case I_STRUCT: return check_struct_construction(c, e, item);
            case I_TASK:
                diag_error(E0226, callee->span, "'%s' is a task; a task is started, not called", item->name);
                diag_help("start it as a child task with 'spawn %s(…)', which gives a Ref to its output", item->name);
                check_args_loosely(c, args);
                return type_poison();
            case I_ENUM:
                diag_error(E0224, callee->span, "'%s' is an enum, not a function", item->name);
                diag_help("build one of its values with '%s.Variant(…)'", item->name);
                check_args_loosely(c, args);
                return type_poison();
            }
        }
        if (sym->kind == SYM_TYPE) {
            diag_error(E0224, callee->span, "'%s' is a type, not a function", sym->name);
            diag_help("convert values with methods, e.g. 'n.float()', 'x.int()', 'b.int()', 'n.str()'");
        } else {
            char buf[128];
            diag_error(E0224, callee->span, "'%s' is a variable of type '%s', not a function", sym->name,
                       sym->type ? type_name(sym->type, buf, sizeof buf) : "?");
        }
        check_args_loosely(c, args);
        return type_poison();
    }
    Type *t = check_expr(c, callee, NULL);
    if (!is_poison(t)) {
        diag_error(E0224, callee->span, "this expression is not a function; it cannot be called");
    }
    check_args_loosely(c, args);
    return type_poison();
}

/* ---------------------------------------------------------------------------
 * Expressions
 */

static Type *check_name(Checker *c, Expr *e) {
    Symbol *sym = e->as.name.sym;
    if (!sym) return type_poison();
    switch (sym->kind) {
    case SYM_LOCAL:
    case SYM_PARAM: return sym->type ? sym->type : type_poison();
    case SYM_ITEM: {
        Item *item = sym->item;
        static const char *const kinds[] = {"function", "function", "task", "struct", "enum"};
        diag_error(E0208, e->span, "'%s' is a %s, not a value", item->name, kinds[item->kind]);
        if (item->kind == I_FN || item->kind == I_EXTERN_FN) diag_help("call it: '%s(…)'", item->name);
        else if (item->kind == I_TASK) diag_help("start it with 'spawn %s(…)'", item->name);
        else if (item->kind == I_STRUCT) diag_help("build a value with '%s(…)'", item->name);
        else diag_help("pick a variant: '%s.Variant'", item->name);
        return type_poison();
    }
    case SYM_TYPE:
        diag_error(E0208, e->span, "'%s' is a type, not a value", sym->name);
        return type_poison();
    }
    return type_poison();
}

static Type *check_field(Checker *c, Expr *e) {
    Expr *object = e->as.field.object;
    const char *name = e->as.field.name;
    e->as.field.field = -1;
    if (object->kind == E_NAME && object->as.name.sym && object->as.name.sym->kind == SYM_ITEM &&
        object->as.name.sym->item->kind == I_ENUM) {
        Item *decl = object->as.name.sym->item;
        object->type = type_void();
        int index;
        Field *v = find_field(decl, name, &index);
        if (!v) {
            diag_error(E0206, e->as.field.name_span, "enum '%s' has no variant '%s'", decl->name, name);
            diag_note(decl->name_span, "'%s' is declared here", decl->name);
            return type_poison();
        }
        e->as.field.enum_item = decl;
        e->as.field.field = index;
        if (v->payload.len > 0) {
            diag_error(E0220, e->span, "variant '%s.%s' holds %u value%s", decl->name, name, v->payload.len,
                       v->payload.len == 1 ? "" : "s");
            diag_help("give them in parentheses: '%s.%s(…)'", decl->name, name);
        }
        return type_named(decl);
    }
    Type *t = check_expr(c, object, NULL);
    if (is_poison(t)) return t;
    if (t->kind == TY_STRUCT) {
        int index;
        Field *f = find_field(t->decl, name, &index);
        if (f) {
            e->as.field.field = index;
            return f->field_type ? f->field_type : type_poison();
        }
        diag_error(E0237, e->as.field.name_span, "struct '%s' has no field '%s'", t->decl->name, name);
        const char *best = NULL;
        unsigned best_distance = 3;
        for (uint32_t i = 0; i < t->decl->fields.len; i++) {
            Field *g = t->decl->fields.items[i];
            unsigned d = name_distance(name, g->name, best_distance - 1);
            if (d < best_distance) best = g->name, best_distance = d;
        }
        if (best) diag_help("did you mean '%s'?", best);
        return type_poison();
    }
    for (int i = 0; i < BUILTIN_COUNT; i++) {
        if (strcmp(builtins[i].name, name) == 0 && receiver_matches(builtins[i].receiver, t)) {
            diag_error(E0237, e->as.field.name_span, "'%s' is a method; call it with '%s()'", name, name);
            return type_poison();
        }
    }
    const char *desc = receiver_description(t);
    if (desc) diag_error(E0237, e->as.field.name_span, "%s has no field '%s'", desc, name);
    else diag_error(E0237, e->as.field.name_span, "'%s' has no field '%s'", NAME_A(t), name);
    return type_poison();
}

static void expect_int_index(Checker *c, Expr *index, const char *what) {
    Type *t = check_expr(c, index, type_int());
    if (!accepts(type_int(), t) && !is_handle(t)) {
        diag_error(E0230, index->span, "%s must be an Int, not '%s'", what, NAME_A(t));
        if (t->kind == TY_BYTE) diag_help("convert with '.int()'");
    }
}

static Type *check_index(Checker *c, Expr *e) {
    Type *t = check_expr(c, e->as.index.object, NULL);
    Expr *index = e->as.index.index;
    switch (t->kind) {
    case TY_POISON: check_expr(c, index, NULL); return t;
    case TY_ARRAY: expect_int_index(c, index, "an array index"); return t->elem;
    case TY_STR: expect_int_index(c, index, "a string index"); return type_byte();
    case TY_REF: expect_int_index(c, index, "an index"); return type_byte();
    case TY_DO:
        expect_int_index(c, index, "an index");
        return t->is_list ? type_do(t->mode, false) : type_byte();
    case TY_MAP: {
        Type *k = check_expr(c, index, t->key);
        if (!accepts(t->key, k))
            diag_error(E0230, index->span, "the key of '%s' must be '%s', not '%s'", NAME_A(t), NAME_B(t->key),
                       type_name(k, (char[128]){0}, 128));
        return t->value;
    }
    default:
        check_expr(c, index, NULL);
        diag_error(E0233, e->span, "cannot index a value of type '%s'", NAME_A(t));
        diag_help("only arrays, maps, strings and data objects have elements");
        return type_poison();
    }
}

static Type *check_slice(Checker *c, Expr *e) {
    Type *t = check_expr(c, e->as.slice.object, NULL);
    if (e->as.slice.lo) expect_int_index(c, e->as.slice.lo, "a slice bound");
    if (e->as.slice.hi) expect_int_index(c, e->as.slice.hi, "a slice bound");
    switch (t->kind) {
    case TY_POISON: return t;
    case TY_STR: return t;
    case TY_ARRAY: return t;
    case TY_REF: return type_str();
    case TY_DO:
        if (!t->is_list) return type_str();
        /* fall through */
    default:
        diag_error(E0233, e->span, "cannot slice a value of type '%s'", NAME_A(t));
        diag_help("slices 'x[a..b]' work on strings, arrays and data objects");
        return type_poison();
    }
}

static Type *check_array(Checker *c, Expr *e, Type *expected) {
    List *elems = &e->as.elems;
    Type *want_elem = expected && expected->kind == TY_ARRAY ? expected->elem : NULL;
    if (elems->len == 0) {
        if (want_elem) return expected;
        diag_error(E0232, e->span, "cannot tell the type of the elements of an empty array");
        diag_help("write the type where you declare it, e.g. 'let xs: [Int] = [];'");
        return type_poison();
    }
    Type *first = check_expr(c, elems->items[0], want_elem);
    if (first->kind == TY_VOID) {
        diag_error(E0230, ((Expr *)elems->items[0])->span, "this call gives no value to put in an array");
        first = type_poison();
    }
    for (uint32_t i = 1; i < elems->len; i++) {
        Expr *x = elems->items[i];
        Type *t = check_expr(c, x, want_elem ? want_elem : first);
        if (!accepts(first, t)) {
            diag_error(E0230, x->span, "array elements must all have one type: this is '%s', the first is '%s'",
                       NAME_A(t), NAME_B(first));
            return type_poison();
        }
    }
    return is_poison(first) ? first : type_array(first);
}

static Type *check_interp(Checker *c, Expr *e) {
    for (uint32_t i = 0; i < e->as.parts.len; i++) {
        Expr *part = e->as.parts.items[i];
        Type *t = check_expr(c, part, NULL);
        if (part->kind == E_STR || is_poison(t) || is_handle(t)) continue;
        if (t->kind != TY_INT && t->kind != TY_FLOAT && t->kind != TY_BOOL && t->kind != TY_BYTE &&
            t->kind != TY_STR) {
            if (t->kind == TY_VOID) diag_error(E0240, part->span, "this call gives no value to put in a string");
            else diag_error(E0240, part->span, "cannot put a value of type '%s' in a string", NAME_A(t));
            diag_help("only Int, Float, Bool, Byte and Str values can be interpolated; "
                      "interpolate their parts instead, e.g. \"{p.x}, {p.y}\"");
        }
    }
    return type_str();
}

static Type *check_unary(Checker *c, Expr *e) {
    Type *t = check_expr(c, e->as.unary.operand, NULL);
    if (is_poison(t) || is_handle(t)) return type_poison();
    if (e->as.unary.op == UN_NEG) {
        if (t->kind == TY_INT || t->kind == TY_FLOAT) return t;
        diag_error(E0231, e->span, "cannot negate a value of type '%s'", NAME_A(t));
        return type_poison();
    }
    if (t->kind == TY_BOOL || t->kind == TY_INT) return t;
    diag_error(E0231, e->span, "'!' needs a Bool (or an Int, for bitwise not), not '%s'", NAME_A(t));
    return type_poison();
}

static Type *check_binary(Checker *c, Expr *e) {
    BinaryOp op = e->as.binary.op;
    Type *l = check_expr(c, e->as.binary.lhs, NULL);
    Type *r = check_expr(c, e->as.binary.rhs, l->kind == TY_ARRAY ? l : NULL);
    const char *spelling = binary_op_spelling(op);
    if (is_handle(l) || is_handle(r)) return type_poison();   /* caps.c: E0323 */
    bool poisoned = is_poison(l) || is_poison(r);
    switch (op) {
    case BIN_ADD: case BIN_SUB: case BIN_MUL: case BIN_DIV: case BIN_REM:
        if (poisoned) return type_poison();
        if (l == r && (l->kind == TY_INT || l->kind == TY_FLOAT)) return l;
        if (op == BIN_ADD && l == r && l->kind == TY_STR) return l;
        if ((l->kind == TY_INT && r->kind == TY_FLOAT) || (l->kind == TY_FLOAT && r->kind == TY_INT)) {
            diag_error(E0230, e->span, "cannot use '%s' on an Int and a Float", spelling);
            diag_help("Loam never converts numbers silently: write '.float()' after the Int, or '.int()' after the Float");
            return type_poison();
        }
        diag_error(E0231, e->span, "cannot use '%s' on '%s' and '%s'", spelling, NAME_A(l), NAME_B(r));
        if (op == BIN_ADD && (l->kind == TY_STR || r->kind == TY_STR))
            diag_help("'+' joins two Str values; to put a number in a string, write \"…{n}…\"");
        return type_poison();
    case BIN_AND: case BIN_OR: case BIN_XOR: case BIN_SHL: case BIN_SHR:
        if (poisoned) return type_int();
        if (l->kind == TY_INT && r->kind == TY_INT) return l;
        diag_error(E0231, e->span, "'%s' works on two Ints, not '%s' and '%s'", spelling, NAME_A(l), NAME_B(r));
        if (l->kind == TY_BOOL || r->kind == TY_BOOL)
            diag_help("for Bool conditions use '&&' and '||'");
        return type_poison();
    case BIN_EQ: case BIN_NE:
        if (poisoned) return type_bool();
        if (l != r) {
            diag_error(E0230, e->span, "cannot compare '%s' with '%s'", NAME_A(l), NAME_B(r));
            return type_bool();
        }
        if (!equatable(l)) {
            diag_error(E0231, e->span, "values of type '%s' cannot be compared with '%s'", NAME_A(l), spelling);
            if (l->kind == TY_MAP) diag_help("compare their sizes or look up keys instead");
        }
        return type_bool();
    case BIN_LT: case BIN_LE: case BIN_GT: case BIN_GE:
        if (poisoned) return type_bool();
        if (l != r) {
            diag_error(E0230, e->span, "cannot compare '%s' with '%s'", NAME_A(l), NAME_B(r));
            return type_bool();
        }
        if (!orderable(l) || l->kind == TY_BOOL)
            diag_error(E0231, e->span, "values of type '%s' have no order for '%s'", NAME_A(l), spelling);
        return type_bool();
    case BIN_LOGIC_AND: case BIN_LOGIC_OR:
        if (poisoned || (l->kind == TY_BOOL && r->kind == TY_BOOL)) return type_bool();
        diag_error(E0231, e->span, "'%s' works on two Bools, not '%s' and '%s'", spelling, NAME_A(l), NAME_B(r));
        if (l->kind == TY_INT && r->kind == TY_INT) diag_help("for bitwise 'and'/'or' of Ints use '&' and '|'");
        else diag_help("compare explicitly to get a Bool, e.g. 'n != 0'");
        return type_bool();
    }
    return type_poison();
}

static Type *compute_expr_type(Checker *c, Expr *e, Type *expected) {
    switch (e->kind) {
    case E_POISON: return type_poison();
    case E_INT: return type_int();
    case E_FLOAT: return type_float();
    case E_BOOL: return type_bool();
    case E_BYTE: return type_byte();
    case E_STR: return type_str();
    case E_INTERP: return check_interp(c, e);
    case E_NAME: return check_name(c, e);
    case E_ARRAY: return check_array(c, e, expected);
    case E_CALL: return check_call(c, e);
    case E_FIELD: return check_field(c, e);
    case E_INDEX: return check_index(c, e);
    case E_SLICE: return check_slice(c, e);
    case E_MAP_NEW: {
        Type *key = resolve_type(c, e->as.map_new.key, MODE_NONE);
        Type *value = resolve_type(c, e->as.map_new.value, MODE_NONE);
        if (!is_map_key(key)) {
            diag_error(E0236, e->as.map_new.key->span, "a map key cannot be of type '%s'", NAME_A(key));
            diag_help("map keys are Int, Str, Byte or Bool: values that can be hashed and compared");
            return type_poison();
        }
        return type_map(key, value);
    }
    case E_SPAWN:
        check_spawned_call(c, e->as.spawn.call);
        return type_ref();
    case E_UNARY: return check_unary(c, e);
    case E_BINARY: return check_binary(c, e);
    }
    die("bad expression kind %d", e->kind);
}

static Type *check_expr(Checker *c, Expr *e, Type *expected) {
    e->type = compute_expr_type(c, e, expected);
    return e->type;
}

/* ---------------------------------------------------------------------------
 * Statements
 */

static void expect_bool(Checker *c, Expr *cond, const char *what) {
    Type *t = check_expr(c, cond, type_bool());
    if (!is_poison(t) && !is_handle(t) && t->kind != TY_BOOL) {
        diag_error(E0230, cond->span, "the condition of '%s' must be a Bool, not '%s'", what, NAME_A(t));
        if (t->kind == TY_INT) diag_help("compare it explicitly, e.g. 'n != 0'");
    }
}

/* Is `place` something that can be assigned to (spec §3.2)? Reports E0235. */
static bool check_place(Expr *place) {
    switch (place->kind) {
    case E_NAME: {
        Symbol *sym = place->as.name.sym;
        if (!sym) return true;
        if ((sym->kind == SYM_LOCAL || sym->kind == SYM_PARAM) && sym->type && is_handle(sym->type)) {
            diag_error(E0235, place->span, "'%s' is a data object; it cannot be replaced", sym->name);
            diag_help("write to an output with '%s.write(…)'", sym->name);
            return false;
        }
        if (sym->kind == SYM_LOCAL || sym->kind == SYM_PARAM) return true;
        diag_error(E0235, place->span, "cannot assign to '%s': it is not a variable", sym->name);
        return false;
    }
    case E_FIELD:
        if (place->as.field.enum_item) break;
        return check_place(place->as.field.object);
    case E_INDEX: {
        Type *t = place->as.index.object->type;
        if (t && (t->kind == TY_STR || t->kind == TY_DO || t->kind == TY_REF)) {
            diag_error(E0235, place->span, "cannot change a byte of a '%s': it is immutable", NAME_A(t));
            diag_help("build a new string instead, e.g. with slices and '+'");
            return false;
        }
        return check_place(place->as.index.object);
    }
    case E_POISON: return true;
    default: break;
    }
    diag_error(E0235, place->span, "cannot assign to this expression");
    diag_help("assign to a variable, a field ('p.x = …') or an element ('xs[i] = …')");
    return false;
}

static void check_assign(Checker *c, Stmt *s) {
    Expr *place = s->as.assign.place, *value = s->as.assign.value;
    Type *pt = check_expr(c, place, NULL);
    Type *vt = check_expr(c, value, pt);
    if (!check_place(place) || is_poison(pt) || is_poison(vt) || is_handle(vt)) return;
    if (s->as.assign.op == AS_SET) {
        if (!accepts(pt, vt))
            diag_error(E0230, value->span, "cannot assign a '%s' to a place of type '%s'", NAME_A(vt), NAME_B(pt));
        return;
    }
    static const BinaryOp ops[] = {[AS_ADD] = BIN_ADD, [AS_SUB] = BIN_SUB, [AS_MUL] = BIN_MUL,
                                   [AS_DIV] = BIN_DIV, [AS_REM] = BIN_REM};
    const char *spelling = binary_op_spelling(ops[s->as.assign.op]);
    bool numeric = pt == vt && (pt->kind == TY_INT || pt->kind == TY_FLOAT);
    bool concat = s->as.assign.op == AS_ADD && pt == vt && pt->kind == TY_STR;
    if (!numeric && !concat) {
        diag_error(pt != vt ? E0230 : E0231, s->span, "cannot use '%s=' on '%s' and '%s'", spelling, NAME_A(pt),
                   NAME_B(vt));
        if ((pt->kind == TY_INT && vt->kind == TY_FLOAT) || (pt->kind == TY_FLOAT && vt->kind == TY_INT))
            diag_help("Loam never converts numbers silently: use '.float()' or '.int()'");
    }
}

static void check_let(Checker *c, Stmt *s) {
    Type *declared = s->as.let.type ? resolve_type(c, s->as.let.type, MODE_NONE) : NULL;
    Type *t = check_expr(c, s->as.let.init, declared);
    if (t->kind == TY_VOID) {
        diag_error(E0230, s->as.let.init->span, "this gives no value to store in '%s'", s->as.let.var.name);
        t = type_poison();
    } else if (declared && !accepts(declared, t)) {
        diag_error(E0230, s->as.let.init->span, "'%s' is declared '%s' but is given a '%s'", s->as.let.var.name,
                   NAME_A(declared), NAME_B(t));
    }
    if (s->as.let.var.sym) s->as.let.var.sym->type = declared ? declared : t;
}

static void bind(Binding *b, Type *t) {
    if (b->sym) b->sym->type = t;
}

static void check_for(Checker *c, Stmt *s) {
    Binding *first = &s->as.for_.first, *second = &s->as.for_.second;
    bool two = s->as.for_.has_second;
    if (s->as.for_.range_hi) {
        expect_int_index(c, s->as.for_.iter, "a range bound");
        expect_int_index(c, s->as.for_.range_hi, "a range bound");
        bind(first, type_int());
        if (two) {
            diag_error(E0254, second->span, "a range gives one value per step; it has no second loop variable");
            bind(second, type_poison());
        }
        check_stmt(c, s->as.for_.body);
        return;
    }
    Type *t = check_expr(c, s->as.for_.iter, NULL);
    Type *a = type_poison(), *b = type_poison();
    switch (t->kind) {
    case TY_POISON: break;
    case TY_ARRAY:
        if (two) a = type_int(), b = t->elem;
        else a = t->elem;
        break;
    case TY_MAP: a = t->key, b = t->value; break;
    case TY_DO:
        if (t->is_list) {
            if (two) a = type_int(), b = type_do(t->mode, false);
            else a = type_do(t->mode, false);
            break;
        }
        if (t->mode == MODE_OUT) break;  /* caps.c: an output cannot be read */
        /* fall through */
    case TY_REF:
        diag_error(E0234, s->as.for_.iter->span, "cannot iterate a data object directly");
        diag_help("iterate its lines with 'for line in %s.lines()', or its bytes with '.bytes()'",
                  s->as.for_.iter->kind == E_NAME ? s->as.for_.iter->as.name.name : "x");
        break;
    case TY_STR:
        diag_error(E0234, s->as.for_.iter->span, "cannot iterate a Str directly");
        diag_help("iterate '.lines()', '.words()' or '.bytes()'");
        break;
    default:
        diag_error(E0234, s->as.for_.iter->span, "cannot iterate a value of type '%s'", NAME_A(t));
        diag_help("'for' iterates arrays, maps, lists of data objects and ranges 'a..b'");
        break;
    }
    bind(first, a);
    if (two) {
        bool pairs = is_poison(t) || t->kind == TY_ARRAY || t->kind == TY_MAP || (t->kind == TY_DO && t->is_list);
        if (!pairs) b = type_poison();
        bind(second, b);
    } else if (t->kind == TY_MAP) {
        diag_error(E0254, first->span, "a map gives a key and a value at each step: write 'for %s, value in …'",
                   first->name ? first->name : "key");
        diag_help("to visit only the keys, iterate '.keys()'");
    }
    check_stmt(c, s->as.for_.body);
}

static bool pattern_is_catch_all(const Pattern *p) { return p->kind == P_WILDCARD; }

/* The literal patterns of one match, to find repeats in linear time. */
typedef struct LiteralSet {
    uint32_t mask;
    Pattern **slots;
} LiteralSet;

static uint64_t literal_hash(const Pattern *p) {
    uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)p->kind;
    switch (p->kind) {
    case P_INT: h ^= (uint64_t)p->as.int_value; break;
    case P_BYTE: h ^= p->as.byte_value; break;
    case P_BOOL: h ^= p->as.bool_value; break;
    case P_STR:
        for (uint32_t i = 0; i < p->as.str.len; i++) h = (h ^ (uint8_t)p->as.str.bytes[i]) * 0x100000001b3u;
        break;
    default: break;
    }
    return h * 0x9E3779B97F4A7C15u >> 20;
}

static bool same_literal(const Pattern *a, const Pattern *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case P_INT: return a->as.int_value == b->as.int_value;
    case P_BYTE: return a->as.byte_value == b->as.byte_value;
    case P_BOOL: return a->as.bool_value == b->as.bool_value;
    case P_STR: return a->as.str.len == b->as.str.len && memcmp(a->as.str.bytes, b->as.str.bytes, a->as.str.len) == 0;
    default: return false;
    }
}

/* Adds p to the set; returns the earlier equal pattern if there is one. */
static Pattern *remember_literal(LiteralSet *set, Pattern *p) {
    size_t j = literal_hash(p) & set->mask;
    for (; set->slots[j]; j = (j + 1) & set->mask)
        if (same_literal(set->slots[j], p)) return set->slots[j];
    set->slots[j] = p;
    return NULL;
}

static void check_match(Checker *c, Stmt *s) {
    Type *t = check_expr(c, s->as.match.scrutinee, NULL);
    List *arms = &s->as.match.arms;
    bool matchable = t->kind == TY_ENUM || t->kind == TY_INT || t->kind == TY_BYTE || t->kind == TY_STR ||
                     t->kind == TY_BOOL;
    if (!matchable && !is_poison(t) && !is_handle(t)) {
        diag_error(E0257, s->as.match.scrutinee->span, "cannot match on a value of type '%s'", NAME_A(t));
        diag_help("'match' works on enums, Int, Byte, Str and Bool; use 'if' for other values");
    }
    bool checkable = matchable;
    Item *decl = t->kind == TY_ENUM ? t->decl : NULL;
    uint32_t variants = decl ? decl->fields.len : 0;
    bool *covered = arena_alloc(c->arena, variants + 2);
    bool seen_true = false, seen_false = false, catch_all = false;
    LiteralSet literals = {.mask = 0};
    uint32_t cap = 8;
    while (cap < arms->len * 2) cap *= 2;
    literals.mask = cap - 1;
    literals.slots = arena_alloc(c->arena, cap * sizeof *literals.slots);
    for (uint32_t i = 0; i < arms->len; i++) {
        MatchArm *arm = arms->items[i];
        Pattern *p = arm->pattern;
        p->variant = -1;
        for (uint32_t k = 0; k < p->bindings.len; k++) bind(p->bindings.items[k], type_poison());
        if (catch_all) {
            diag_error(E0256, p->span, "this pattern can never match: an earlier '_' matches everything");
            diag_help("move the '_' arm to the end");
        } else if (pattern_is_catch_all(p)) {
            catch_all = true;
        } else if (checkable && decl) {
            if (p->kind != P_VARIANT) {
                diag_error(E0257, p->span, "this pattern does not fit a '%s'; write one of its variants", decl->name);
            } else {
                int index;
                Field *v = find_field(decl, p->name, &index);
                if (!v) {
                    diag_error(E0206, p->span, "enum '%s' has no variant '%s'", decl->name, p->name);
                    diag_note(decl->name_span, "'%s' is declared here", decl->name);
                } else {
                    p->variant = index;
                    if (covered[index]) {
                        diag_error(E0256, p->span, "variant '%s' is already matched above", p->name);
                    }
                    covered[index] = true;
                    if (v->payload.len != p->bindings.len && (p->has_payload || v->payload.len > 0)) {
                        diag_error(E0257, p->span, "variant '%s' holds %u value%s, but the pattern names %u",
                                   p->name, v->payload.len, v->payload.len == 1 ? "" : "s", p->bindings.len);
                        diag_help("name each value, or '_' to ignore it: '%s(%s)'", p->name,
                                  v->payload.len == 0 ? "" : v->payload.len == 1 ? "x" : "a, b");
                    } else {
                        for (uint32_t k = 0; k < p->bindings.len; k++) bind(p->bindings.items[k], v->payload_types[k]);
                    }
                }
            }
        } else if (checkable) {
            bool fits = (p->kind == P_INT && t->kind == TY_INT) || (p->kind == P_BYTE && t->kind == TY_BYTE) ||
                        (p->kind == P_STR && t->kind == TY_STR) || (p->kind == P_BOOL && t->kind == TY_BOOL);
            if (!fits) {
                diag_error(E0257, p->span, "this pattern does not fit a value of type '%s'", NAME_A(t));
            } else {
                /* A literal matched twice: the second arm is dead. */
                Pattern *first = remember_literal(&literals, p);
                if (first) {
                    diag_error(E0256, p->span, "this value is already matched above");
                    diag_note(first->span, "it is matched here");
                }
                if (p->kind == P_BOOL) *(p->as.bool_value ? &seen_true : &seen_false) = true;
            }
        }
        check_stmt(c, arm->body);
    }
    s->as.match.exhaustive = catch_all;
    if (!checkable || catch_all) return;
    if (decl) {
        char missing[256];
        size_t len = 0;
        int count = 0;
        missing[0] = 0;
        for (uint32_t i = 0; i < variants; i++) {
            if (covered[i]) continue;
            Field *v = decl->fields.items[i];
            if (len < sizeof missing - 64)
                len += (size_t)snprintf(missing + len, sizeof missing - len, "%s'%s'", count ? ", " : "", v->name);
            count++;
        }
        s->as.match.exhaustive = count == 0;
        if (count) {
            diag_error(E0255, s->as.match.scrutinee->span, "this match does not handle %s of '%s'", missing,
                       decl->name);
            diag_help("add an arm for %s, or a final '_ => { … }' arm", count == 1 ? "it" : "each");
        }
    } else if (t->kind == TY_BOOL && seen_true && seen_false) {
        s->as.match.exhaustive = true;
    } else {
        diag_error(E0255, s->as.match.scrutinee->span, "this match on '%s' does not handle every value", NAME_A(t));
        diag_help("add a final '_ => { … }' arm for the other values");
    }
}

static void check_return(Checker *c, Stmt *s) {
    Expr *value = s->as.ret;
    bool is_task = c->item->kind == I_TASK;
    if (value) {
        Type *t = check_expr(c, value, c->result);
        if (is_task || c->result->kind == TY_VOID) {
            if (is_handle(t)) return;   /* caps.c: E0322 */
            diag_error(E0251, value->span, "%s '%s' does not return a value", is_task ? "task" : "function",
                       c->item->name);
            if (is_task) diag_help("a task produces its results by writing its 'out' data objects");
            else diag_help("declare the result type: 'fn %s(…) -> %s'", c->item->name, NAME_A(t));
            return;
        }
        if (!accepts(c->result, t) && !is_handle(t))
            diag_error(E0230, value->span, "'%s' returns '%s', not '%s'", c->item->name, NAME_A(c->result), NAME_B(t));
        return;
    }
    if (!is_task && c->result->kind != TY_VOID && !is_poison(c->result)) {
        diag_error(E0253, s->span, "'%s' must return a '%s' value", c->item->name, NAME_A(c->result));
        diag_help("write 'return <value>;'");
    }
}

static void check_stmt(Checker *c, Stmt *s) {
    switch (s->kind) {
    case S_LET: check_let(c, s); break;
    case S_ASSIGN: check_assign(c, s); break;
    case S_EXPR: check_expr(c, s->as.expr, NULL); break;
    case S_DELEGATE: check_spawned_call(c, s->as.delegate.call); break;
    case S_IF:
        expect_bool(c, s->as.if_.cond, "if");
        check_stmt(c, s->as.if_.then_block);
        if (s->as.if_.else_stmt) check_stmt(c, s->as.if_.else_stmt);
        break;
    case S_WHILE:
        expect_bool(c, s->as.while_.cond, "while");
        check_stmt(c, s->as.while_.body);
        break;
    case S_FOR: check_for(c, s); break;
    case S_MATCH: check_match(c, s); break;
    case S_BREAK: case S_CONTINUE: break;
    case S_RETURN: check_return(c, s); break;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) check_stmt(c, s->as.block.stmts.items[i]);
        break;
    }
}

/* ---------------------------------------------------------------------------
 * Every path returns (spec §3.4): a conservative structural analysis.
 */

static bool contains_break(const Stmt *s) {
    switch (s->kind) {
    case S_BREAK: return true;
    case S_IF: return contains_break(s->as.if_.then_block) || (s->as.if_.else_stmt && contains_break(s->as.if_.else_stmt));
    case S_MATCH:
        for (uint32_t i = 0; i < s->as.match.arms.len; i++)
            if (contains_break(((MatchArm *)s->as.match.arms.items[i])->body)) return true;
        return false;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++)
            if (contains_break(s->as.block.stmts.items[i])) return true;
        return false;
    default: return false;  /* a break inside an inner loop ends that loop */
    }
}

static bool always_returns(const Stmt *s) {
    switch (s->kind) {
    case S_RETURN: return true;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++)
            if (always_returns(s->as.block.stmts.items[i])) return true;
        return false;
    case S_IF: return s->as.if_.else_stmt && always_returns(s->as.if_.then_block) && always_returns(s->as.if_.else_stmt);
    case S_MATCH: {
        /* Exhaustiveness errors are reported elsewhere; here, all arms must return. */
        if (s->as.match.arms.len == 0) return false;
        for (uint32_t i = 0; i < s->as.match.arms.len; i++)
            if (!always_returns(((MatchArm *)s->as.match.arms.items[i])->body)) return false;
        return true;
    }
    case S_WHILE:
        /* `while true { … }` without a break never falls through. */
        return s->as.while_.cond->kind == E_BOOL && s->as.while_.cond->as.bool_value && !contains_break(s->as.while_.body);
    default: return false;
    }
}

/* ---------------------------------------------------------------------------
 * The pass
 */

void typecheck_program(Arena *arena, Program *program) {
    Checker c = {.arena = arena, .program = program};
    List *items = &program->items;
    for (uint32_t i = 0; i < items->len; i++) ((Item *)items->items[i])->ordinal = i;
    for (uint32_t i = 0; i < items->len; i++) {
        Item *item = items->items[i];
        if (item->kind == I_STRUCT || item->kind == I_ENUM) resolve_struct_or_enum(&c, item);
    }
    check_struct_cycles(&c);
    for (uint32_t i = 0; i < items->len; i++) {
        Item *item = items->items[i];
        if (item->kind == I_FN || item->kind == I_EXTERN_FN || item->kind == I_TASK) resolve_signature(&c, item);
    }
    for (uint32_t i = 0; i < items->len; i++) {
        Item *item = items->items[i];
        if (!item->body) continue;
        c.item = item;
        c.result = item->kind == I_TASK ? type_void() : item->result_type;
        check_stmt(&c, item->body);
        if (item->kind == I_FN && c.result->kind != TY_VOID && !is_poison(c.result) && !always_returns(item->body)) {
            Span close = item->body->kind == S_BLOCK ? item->body->as.block.close : item->body->span;
            diag_error(E0252, close, "'%s' can reach its end without returning a '%s'", item->name, NAME_A(c.result));
            diag_note(item->name_span, "'%s' is declared to return '%s'", item->name, NAME_A(c.result));
            diag_help("add a 'return' on every path, e.g. at the end of the function");
        }
    }
}
