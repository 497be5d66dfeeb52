/* caps.c — the capability checker (spec §5 rules 1–4, §6 spawn and delegation).
 *
 * Consumes: a Program after resolve.c and typecheck.c: names carry their
 * Symbol (or NULL), every expression its Type (poison after an error), every
 * call its resolution (CallKind, item, builtin, receiver).
 * Produces: diagnostics E0301–E0343, nothing else. The only change to the
 * tree: the Symbol of each `out Blob` parameter gets its flow_slot (its index
 * among the out parameters of its fn or task).
 * Guarantees: each problem is reported once; nothing is reported about an
 * expression whose type is poison, nor about a `Blob` written without a mode
 * (its declaration already has an error).
 *
 * Declarations are checked item by item. Each fn or task body is walked once,
 * in evaluation order, carrying the flow state of rule 2; the same walk checks
 * rules 1 and 3 and spawns at each node. Loop bodies are walked again until
 * the flow state at the loop head stops growing; those repeated rounds are
 * "quiet": they report only rule 2 errors, which are deduplicated.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

/* ---- Flow states (§5 rule 2) ----------------------------------------------
 * For each `out` parameter, the set of states it may be in at a point of the
 * body. A state is an array of c->slots masks: slot 0 is non-zero when the
 * point is reachable at all; slot 1 + sym->flow_slot is the set for that out
 * parameter. The empty state (all zero) is an unreachable point. Joining two
 * paths is a bitwise or. */
enum { OUT_UNTOUCHED = 1, OUT_WRITTEN = 2, OUT_DELEGATED = 4 };
enum { SLOT_LIVE = 0 };
typedef uint8_t Mask;

/* A small open-addressing hash table with non-zero 64-bit keys. */
typedef struct Table {
    uint64_t *keys;
    void **values;
    uint32_t cap, len;
} Table;

typedef struct Caps {
    Program *program;
    const CheckOptions *options;
    Arena scratch;             /* flow states and tables of the current body */
    Item *item;                /* the fn or task being walked */
    int slots;                 /* 1 + the number of out parameters of item */
    Param **out_params;        /* slot -> its parameter (slot 0 unused) */
    Span *first_write;         /* slot -> the first write seen (file NULL: none) */
    Stmt **first_delegation;   /* slot -> the first delegation seen */
    int loops;                 /* loops around the current node */
    Stmt *loop;                /* the innermost of them */
    Mask *breaks, *continues;  /* states collected by its break/continue */
    int quiet;                 /* > 0: in a repeated loop round, where all but
                                * rule 2 was already reported in the first */
    Table reported;            /* (code, offset) of the rule 2 errors given */
    Table loop_heads;          /* loop Stmt -> the head state last computed */
} Caps;

static void walk_expr(Caps *c, Expr *e, Mask *st);
static void walk_stmt(Caps *c, Stmt *s, Mask *st);

/* ---- Small helpers ------------------------------------------------------- */

static Mask *state_new(Caps *c) { return arena_alloc(&c->scratch, (size_t)c->slots); }

static Mask *state_copy(Caps *c, const Mask *st) {
    Mask *m = state_new(c);
    memcpy(m, st, (size_t)c->slots);
    return m;
}

static void state_join(const Caps *c, Mask *into, const Mask *from) {
    for (int i = 0; i < c->slots; i++) into[i] |= from[i];
}

static void state_clear(const Caps *c, Mask *st) { memset(st, 0, (size_t)c->slots); }

static bool state_equal(const Caps *c, const Mask *a, const Mask *b) {
    return memcmp(a, b, (size_t)c->slots) == 0;
}

/* The value slot of key in t, inserting it when asked (NULL if absent). */
static void **table_find(Caps *c, Table *t, uint64_t key, bool insert) {
    if (insert && (t->len + 1) * 2 > t->cap) {
        Table bigger = {.cap = t->cap ? t->cap * 2 : 64};
        bigger.keys = arena_alloc(&c->scratch, bigger.cap * sizeof *bigger.keys);
        bigger.values = arena_alloc(&c->scratch, bigger.cap * sizeof *bigger.values);
        for (uint32_t i = 0; i < t->cap; i++) {
            if (!t->keys[i]) continue;
            *table_find(c, &bigger, t->keys[i], true) = t->values[i];
        }
        *t = bigger;
    }
    if (!t->cap) return NULL;
    uint64_t h = key * 0x9E3779B97F4A7C15u;
    for (uint32_t i = (uint32_t)(h >> 32) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->keys[i] == key) return &t->values[i];
        if (!t->keys[i]) {
            if (!insert) return NULL;
            t->keys[i] = key;
            t->len++;
            return &t->values[i];
        }
    }
}

/* True the first time a rule 2 error (code, at) is seen: loop bodies are
 * analysed more than once, and each error must be reported once. */
static bool first_report(Caps *c, DiagCode code, Span at) {
    uint64_t key = ((uint64_t)code + 1) << 32 | at.off;
    if (table_find(c, &c->reported, key, false)) return false;
    *table_find(c, &c->reported, key, true) = c;
    return true;
}

static bool is_poison(const Type *t) { return !t || t->kind == TY_POISON; }

static bool is_blob(const TypeExpr *t) {
    return t && t->kind == TE_NAME && t->name && strcmp(t->name, "Blob") == 0;
}

/* The first `Blob` written inside a type expression, or NULL. */
static const TypeExpr *find_blob(const TypeExpr *t) {
    if (!t) return NULL;
    switch (t->kind) {
    case TE_NAME: return is_blob(t) ? t : NULL;
    case TE_ARRAY: return find_blob(t->elem);
    case TE_MAP: {
        const TypeExpr *k = find_blob(t->key);
        return k ? k : find_blob(t->value);
    }
    }
    return NULL;
}

/* A handle this pass speaks about: a DO with a mode. A Blob without a mode
 * comes from a declaration that already has E0324, an `out [Blob]` from one
 * with E0326. */
static bool is_handle(const Expr *e) {
    const Type *t = e ? e->type : NULL;
    return t && t->kind == TY_DO && t->mode != MODE_NONE && !(t->mode == MODE_OUT && t->is_list);
}

/* A handle not yet reported on: rules 1 and 3 speak only in the first round. */
static bool is_live_handle(const Caps *c, const Expr *e) { return !c->quiet && is_handle(e); }

static bool is_output(const Expr *e) { return is_handle(e) && e->type->mode == MODE_OUT; }

/* Something read like an `in Blob`: an input (or a list of them) or a Ref. */
static bool is_input_like(const Expr *e) {
    if (!e || !e->type) return false;
    return (e->type->kind == TY_DO && e->type->mode == MODE_IN) || e->type->kind == TY_REF;
}

static const char *item_kind_name(const Item *item) {
    switch (item->kind) {
    case I_TASK: return "task";
    case I_STRUCT: return "struct";
    case I_ENUM: return "enum";
    default: return "function";
    }
}

/* The short source text of a span, for code in help lines; NULL when it is
 * unknown, long, or spans lines. */
static const char *source_text(Span s, char *buf, size_t size) {
    if (!s.file || !s.file->text || s.end <= s.off || s.end > s.file->len) return NULL;
    size_t n = s.end - s.off;
    if (n > 40 || n >= size || memchr(s.file->text + s.off, '\n', n)) return NULL;
    memcpy(buf, s.file->text + s.off, n);
    buf[n] = 0;
    return buf;
}

/* How messages name a handle: "'text'", "an element of 'docs'", or a
 * generic phrase. */
static const char *handle_name(const Expr *e, char *buf, size_t size) {
    if (e->kind == E_NAME) snprintf(buf, size, "'%s'", e->as.name.name);
    else if (e->kind == E_INDEX && e->as.index.object->kind == E_NAME)
        snprintf(buf, size, "an element of '%s'", e->as.index.object->as.name.name);
    else snprintf(buf, size, "this data object");
    return buf;
}

/* The handle as code for a help line: its source text, else "x". */
static const char *handle_code(const Expr *e, char *buf, size_t size) {
    const char *text = source_text(e->span, buf, size);
    if (text) return text;
    snprintf(buf, size, "%s", e->kind == E_NAME ? e->as.name.name : "x");
    return buf;
}

/* What a handle is, for "…: it is <what>". */
static const char *handle_role(const Type *t) {
    if (t->kind == TY_REF) return "a 'Ref' to another task's output";
    if (t->mode == MODE_OUT) return "an output of this task";
    return t->is_list ? "a list of inputs" : "an input";
}

/* The parameter a handle comes from, directly or as an element, or NULL. */
static const Param *handle_param(const Expr *e) {
    if (e->kind == E_INDEX) e = e->as.index.object;
    if (e->kind != E_NAME || !e->as.name.sym || e->as.name.sym->kind != SYM_PARAM) return NULL;
    return e->as.name.sym->param;
}

/* The spelling of a DO parameter's declared type: "in Blob", "in [Blob]". */
static const char *param_spelling(const Param *p) {
    bool list = p->type && p->type->kind == TE_ARRAY;
    if (p->mode == MODE_OUT) return list ? "out [Blob]" : "out Blob";
    if (p->mode == MODE_IN) return list ? "in [Blob]" : "in Blob";
    return list ? "[Blob]" : "Blob";
}

/* note: where the handle's name was declared, with its mode. */
static void note_declaration(const Expr *e) {
    const Param *p = handle_param(e);
    if (p) {
        diag_note(p->span, "'%s' is declared '%s' here", p->name, param_spelling(p));
        return;
    }
    if (e->kind == E_NAME && e->as.name.sym && e->as.name.sym->span.file)
        diag_note(e->as.name.sym->span, "'%s' is declared here", e->as.name.name);
}

/* The mode of a well-formed DO parameter (in Blob, out Blob, in [Blob]),
 * else MODE_NONE: a malformed one has its own error. */
static Mode param_do_mode(const Param *p, bool *is_list) {
    *is_list = p->type && p->type->kind == TE_ARRAY && is_blob(p->type->elem);
    if (p->mode == MODE_NONE || !(is_blob(p->type) || *is_list)) return MODE_NONE;
    if (p->mode == MODE_OUT && *is_list) return MODE_NONE;
    return p->mode;
}

/* The flow slot (>= 1) of an expression naming an out parameter of the
 * current body, else 0. */
static int out_slot(const Caps *c, const Expr *e) {
    if (!e || e->kind != E_NAME) return 0;
    const Symbol *sym = e->as.name.sym;
    if (!sym || sym->kind != SYM_PARAM || sym->owner != c->item || sym->flow_slot < 0) return 0;
    return sym->flow_slot + 1;
}

/* The name of the task a spawn call starts, for messages. */
static const char *spawned_name(const Expr *call) {
    if (call->kind != E_CALL) return "the child task";
    if (call->as.call.item && call->as.call.item->name) return call->as.call.item->name;
    if (call->as.call.callee && call->as.call.callee->kind == E_NAME) return call->as.call.callee->as.name.name;
    return "the child task";
}

/* help: the fix for a write to something read-only: one of the outputs. */
static void help_write_an_output(const Caps *c, const Expr *e) {
    char buf[64];
    const char *code = handle_code(e, buf, sizeof buf);
    if (c->slots > 1) {
        const char *out = c->out_params[1]->name;
        if (e->kind == E_NAME && handle_param(e) && e->type->kind == TY_DO && !e->type->is_list)
            diag_help("declare '%s' as 'out Blob' if this %s produces it, or write to one of its "
                      "outputs instead, e.g. `%s.write(...)`",
                      code, item_kind_name(c->item), out);
        else diag_help("write to one of this %s's outputs instead, e.g. `%s.write(...)`", item_kind_name(c->item), out);
    } else if (e->kind == E_NAME && handle_param(e) && e->type->kind == TY_DO && !e->type->is_list) {
        diag_help("declare '%s' as 'out Blob' if this %s produces it, or give the %s an output "
                  "(e.g. 'result: out Blob') and write to that",
                  code, item_kind_name(c->item), item_kind_name(c->item));
    } else {
        diag_help("give the %s an output (e.g. 'result: out Blob') and write to that", item_kind_name(c->item));
    }
}

/* help: why an output cannot be read, and what to do instead. */
static void help_output_not_readable(const Expr *e) {
    char buf[64];
    const char *code = handle_code(e, buf, sizeof buf);
    diag_help("an output is write-only: this task sends data into it, and other tasks read "
              "it after this task has finished");
    diag_help("keep the data in a variable (a 'Str' or an array) if you need to look at it "
              "again, and write it to '%s' when it is ready; or declare '%s' as 'in Blob' "
              "if the task only reads it",
              code, code);
}

/* help: why handles cannot be copied. */
static void help_handle_is_permission(const Expr *e) {
    const char *what = e->type->mode == MODE_OUT ? "write" : "read";
    diag_help("a data object parameter is not the data itself but this task's permission to "
              "%s it; a permission cannot be copied, so that the checker can always tell "
              "which task uses which data",
              what);
}

/* help: how to use a handle's contents instead of the handle; `var` names
 * the variable to read into, declared there when is_let. */
static void help_use_contents(const Expr *e, const char *var, bool is_let) {
    char buf[64];
    const char *code = handle_code(e, buf, sizeof buf);
    if (e->type->mode == MODE_OUT)
        diag_help("write to '%s' directly where you need it (`%s.write(...)`), or build the "
                  "text in a 'Str' variable and write it once",
                  code, code);
    else if (e->type->is_list)
        diag_help("use '%s' directly where you need it: index it (`%s[i]`) or loop over it "
                  "(`for d in %s`)",
                  code, code, code);
    else
        diag_help("use '%s' directly where you need it, or read its contents into a value: "
                  "`%s%s = %s.text();`",
                  code, is_let ? "let " : "", var, code);
}

/* ---- §5 rule 3: handles are not values ------------------------------------
 * A handle may be a method receiver, the object of an index or slice, an
 * argument of a function or a spawned task, what a `for` iterates, or the
 * name after `->`. Every other position calls one of these. */

/* E0320: `let s = text;`, or `s = text;` when is_let is false. */
static void reject_stored_in_variable(Caps *c, const Expr *e, const char *var, bool is_let) {
    if (!is_live_handle(c, e)) return;
    char name[96];
    diag_error(E0320, e->span, "cannot store %s in variable '%s'", handle_name(e, name, sizeof name), var);
    note_declaration(e);
    help_handle_is_permission(e);
    help_use_contents(e, var, is_let);
}

/* E0321: a handle in an array, a struct, a map, or assigned to a place. */
static void reject_stored_in_value(Caps *c, const Expr *e, const char *where) {
    if (!is_live_handle(c, e)) return;
    char name[96], buf[64];
    diag_error(E0321, e->span, "cannot store %s in %s", handle_name(e, name, sizeof name), where);
    note_declaration(e);
    help_handle_is_permission(e);
    if (e->type->mode == MODE_OUT) help_use_contents(e, "s", true);
    else
        diag_help("store what you read from it instead (e.g. `%s.text()`); to keep the output "
                  "of a spawned task, store the 'Ref' that 'spawn' returns",
                  e->type->is_list ? "d" : handle_code(e, buf, sizeof buf));
}

/* E0322: `return text;` */
static void reject_returned(Caps *c, const Expr *e) {
    if (!is_live_handle(c, e)) return;
    char name[96], buf[64];
    const char *code = e->type->is_list ? "d" : handle_code(e, buf, sizeof buf);
    diag_error(E0322, e->span, "cannot return %s from %s '%s'", handle_name(e, name, sizeof name),
               item_kind_name(c->item), c->item->name);
    note_declaration(e);
    if (c->item->kind == I_TASK) {
        diag_help("a task gives back nothing: it produces its results by writing its outputs, "
                  "which other tasks read once it has finished");
        if (e->type->mode == MODE_OUT) diag_help("write to '%s' instead of returning it", code);
        else if (c->slots > 1)
            diag_help("write what you read to an output instead, e.g. `%s.write(%s.text());`",
                      c->out_params[1]->name, code);
        else diag_help("give the task an output (e.g. 'result: out Blob') and write what you read to it");
        return;
    }
    diag_help("a data object belongs to the task that was given it; a function can use it "
              "during the call but cannot hand it back");
    if (e->type->mode == MODE_OUT) diag_help("write to '%s' here instead of returning it", code);
    else if (!c->item->result)
        diag_help("return what you read from it instead, e.g. `return %s.text();`, and declare "
                  "the result type: `fn %s(...) -> Str`",
                  code, c->item->name);
    else {
        const TypeExpr *r = c->item->result;
        bool wants_int = r->kind == TE_NAME && r->name && strcmp(r->name, "Int") == 0;
        diag_help("return what you read from it instead, e.g. `return %s.%s();`", code, wants_int ? "len" : "text");
    }
}

/* E0323: an operand, a condition, an interpolation, a scrutinee, an index.
 * `how` completes "cannot <how>" after the name, e.g. "as an operand of '+'". */
static void reject_used_as_value(Caps *c, const Expr *e, const char *verb, const char *how) {
    if (!is_live_handle(c, e)) return;
    char name[96], buf[64];
    const char *code = handle_code(e, buf, sizeof buf);
    diag_error(E0323, e->span, "cannot %s %s%s", verb, handle_name(e, name, sizeof name), how);
    note_declaration(e);
    diag_help("'%s' is not the data itself but this task's permission to %s it; operators, "
              "conditions, strings and plain parameters need values",
              code, e->type->mode == MODE_OUT ? "write" : "read");
    if (e->type->mode == MODE_OUT)
        diag_help("an output cannot be read: keep what you write in a variable and use that");
    else if (e->type->is_list)
        diag_help("use a value read from it, e.g. `%s.len()`, or loop over it: `for d in %s`", code, code);
    else diag_help("read its contents first, e.g. `%s.text()` or `%s.len()`", code, code);
}

/* ---- §5 rule 1: modes ---------------------------------------------------- */

/* The span of `recv.method` in a method call: what the caret should point
 * at, rather than the whole call with its arguments. */
static Span method_span(const Expr *call, const Expr *recv) {
    const Expr *callee = call->as.call.callee;
    if (callee && callee->kind == E_FIELD) return span_join(recv->span, callee->as.field.name_span);
    return call->span;
}

/* E0301: a writing method on an input or a Ref. */
static void report_write_to_input(Caps *c, const Expr *call, const Expr *recv) {
    char name[96];
    diag_error(E0301, method_span(call, recv), "cannot write to %s: it is %s", handle_name(recv, name, sizeof name),
               handle_role(recv->type));
    note_declaration(recv);
    if (recv->type->kind == TY_REF)
        diag_help("a 'Ref' names the output of another task: only that task writes it, and "
                  "this task can only read it, once it is finished");
    else
        diag_help("an input is shared, read-only data: other tasks may be reading it at the "
                  "same time, and a task's result must depend only on its inputs");
    help_write_an_output(c, recv);
}

/* E0302: reading an output; `how` says how it is read. */
static void report_read_of_output(const Expr *at, const Expr *handle, const char *how) {
    char name[96];
    diag_error(E0302, at->span, "cannot %s %s: it is an output", how, handle_name(handle, name, sizeof name));
    note_declaration(handle);
    help_output_not_readable(handle);
}

/* ---- §5 rule 2: one commit ----------------------------------------------- */

/* A write to out parameter `slot` (a writing method, or passing it to a
 * function's out parameter). `what` is what is done: "write to 'o'". */
static void flow_write(Caps *c, Mask *st, int slot, Span at, const char *what) {
    Mask m = st[slot];
    if (!m) return;
    const Param *p = c->out_params[slot];
    Stmt *d = c->first_delegation[slot];
    if ((m & OUT_DELEGATED) && first_report(c, E0310, at)) {
        const char *child = d ? spawned_name(d->as.delegate.call) : "a child task";
        diag_error(E0310, at, "cannot %s: it %s already been handed to task '%s'", what,
                   m == OUT_DELEGATED ? "has" : "may have", child);
        if (d) diag_note(d->span, "'%s' is handed to '%s' here", p->name, child);
        diag_help("after `spawn %s(...) -> %s;` the child task produces '%s' in this task's "
                  "place; if this task wrote to it too, two tasks would be writing the same output",
                  child, p->name, p->name);
        diag_help("either write '%s' in this task or hand it over, not both: pass what you "
                  "wanted to write to '%s' as an argument, or let '%s' write it",
                  p->name, child, child);
    }
    st[slot] = (Mask)((m & (OUT_UNTOUCHED | OUT_WRITTEN) ? OUT_WRITTEN : 0) | (m & OUT_DELEGATED));
    if (!c->first_write[slot].file) c->first_write[slot] = at;
}

/* `spawn t(...) -> o;` with o in `slot`: o becomes the child's output. */
static void flow_delegate(Caps *c, Mask *st, int slot, Stmt *s) {
    Mask m = st[slot];
    if (!m) return;
    const Param *p = c->out_params[slot];
    const char *child = spawned_name(s->as.delegate.call);
    Stmt *first = c->first_delegation[slot];
    if (c->loops > 0) {
        if (first_report(c, E0313, s->span)) {
            diag_error(E0313, s->span, "cannot hand '%s' to task '%s' inside a loop", p->name, child);
            diag_note(c->loop->span, "the loop starts here");
            diag_help("a loop may run its body many times, but an output is produced exactly "
                      "once, so it can be handed over only once");
            diag_help("collect the parts in the loop, e.g. `parts.push(spawn %s(...));`, and "
                      "delegate once after the loop, e.g. `spawn merge(parts) -> %s;`",
                      child, p->name);
        }
    } else if (m & OUT_DELEGATED) {
        if (first_report(c, E0312, s->span)) {
            const char *before = first ? spawned_name(first->as.delegate.call) : "another task";
            diag_error(E0312, s->span, "cannot hand '%s' to task '%s': it %s already been handed to task '%s'",
                       p->name, child, m == OUT_DELEGATED ? "has" : "may have", before);
            if (first && first != s) diag_note(first->span, "'%s' is first handed to '%s' here", p->name, before);
            diag_help("an output is produced by exactly one task; after two delegations, two "
                      "children would both be producing '%s'",
                      p->name);
            diag_help("start the first child normally, `let r = spawn %s(...);`, and pass 'r' "
                      "to the other one: `spawn %s(r, ...) -> %s;`",
                      before, child, p->name);
        }
    } else if (m & OUT_WRITTEN) {
        if (first_report(c, E0311, s->span)) {
            diag_error(E0311, s->span, "cannot hand '%s' to task '%s': this task %s already written to it",
                       p->name, child, m == OUT_WRITTEN ? "has" : "may have");
            if (c->first_write[slot].file) diag_note(c->first_write[slot], "'%s' is written here", p->name);
            diag_help("an output is produced exactly once, by one task; after the delegation "
                      "'%s' produces '%s', and what this task wrote would be lost",
                      child, p->name);
            diag_help("pass what you wrote to '%s' as an argument and let it write everything, "
                      "or keep writing '%s' here and do not delegate it",
                      child, p->name);
        }
    }
    st[slot] = OUT_DELEGATED;
    if (!first) c->first_delegation[slot] = s;
}

/* ---- Calls --------------------------------------------------------------- */

/* §5 rule 1 for built-in methods: the access of the method against the mode
 * of the receiver; a write to an out parameter is a rule 2 event. */
static void check_method_access(Caps *c, Expr *call, Mask *st) {
    int b = call->as.call.builtin;
    Expr *recv = call->as.call.receiver;
    if (b < 0 || b >= BUILTIN_COUNT || !recv || is_poison(recv->type)) return;
    Access access = builtins[b].access;
    if (access == ACCESS_WRITE) {
        if (is_input_like(recv)) {
            if (!c->quiet) report_write_to_input(c, call, recv);
        } else if (is_output(recv)) {
            int slot = out_slot(c, recv);
            char what[128];
            snprintf(what, sizeof what, "write to '%s'", recv->kind == E_NAME ? recv->as.name.name : "it");
            if (slot) flow_write(c, st, slot, call->span, what);
        }
    } else if (access == ACCESS_READ && is_output(recv) && !c->quiet) {
        char name[96];
        diag_error(E0302, method_span(call, recv), "cannot read %s with '%s()': it is an output",
                   handle_name(recv, name, sizeof name), builtins[b].name);
        note_declaration(recv);
        help_output_not_readable(recv);
    }
}

/* E0303: a list of inputs where one is expected, or the reverse. */
static void report_list_mismatch(const Caps *c, const Expr *arg, const Param *p, const Item *callee) {
    char name[96], buf[64];
    const char *code = handle_code(arg, buf, sizeof buf);
    bool have_list = arg->type->is_list;
    diag_error(E0303, arg->span, "cannot pass %s to '%s' of %s '%s': it is %s, and '%s' is %s",
               handle_name(arg, name, sizeof name), p->name, item_kind_name(callee), callee->name,
               have_list ? "a list of inputs" : "one input", p->name,
               have_list ? "one 'in Blob'" : "a list, 'in [Blob]'");
    diag_note(p->span, "'%s' of '%s' is declared '%s' here", p->name, callee->name, param_spelling(p));
    if (have_list)
        diag_help("pick one element, e.g. `%s[0]`, or loop over the list and pass each one: "
                  "`for d in %s { ... }`",
                  code, code);
    else
        diag_help("declare '%s' as '%s: in Blob' if '%s' reads one data object, or pass this "
                  "%s's own 'in [Blob]'",
                  p->name, p->name, callee->name, item_kind_name(c->item));
}

/* E0323: a handle passed where the parameter takes a plain value. */
static void reject_handle_for_value_param(Caps *c, const Expr *arg, const Param *p, const Item *callee) {
    if (!is_live_handle(c, arg)) return;
    char how[160], tbuf[64];
    const Type *t = p->sym ? p->sym->type : NULL;
    const char *tn = t ? type_name(t, tbuf, sizeof tbuf) : "value";
    snprintf(how, sizeof how, " to '%s' of %s '%s', which takes %s '%s'", p->name, item_kind_name(callee),
             callee->name, strchr("AEIOU", tn[0]) ? "an" : "a", tn);
    reject_used_as_value(c, arg, "pass", how);
}

/* Argument i of a call to a fn (rule 1): E0303 when its mode or list-ness
 * differs from its parameter's; passing an out parameter to an `out`
 * parameter writes it (rule 2); a handle for a value parameter is E0323. */
static void check_fn_argument(Caps *c, Expr *call, uint32_t i, Mask *st) {
    Item *fn = call->as.call.item;
    Expr *arg = ((Arg *)call->as.call.args.items[i])->value;
    /* With the wrong number of arguments (E0220) nothing is bound. */
    if (!fn || call->as.call.args.len != fn->params.len || !arg || is_poison(arg->type)) return;
    const Param *p = fn->params.items[i];
    bool want_list;
    Mode want = param_do_mode(p, &want_list);
    if (!find_blob(p->type)) {
        reject_handle_for_value_param(c, arg, p, fn);
        return;
    }
    if (want == MODE_NONE) return;   /* a malformed DO parameter: E0324/E0326 */
    char name[96], buf[64];
    const char *code = handle_code(arg, buf, sizeof buf);
    if (is_handle(arg) && arg->type->is_list != want_list) {
        if (!c->quiet) report_list_mismatch(c, arg, p, fn);
    } else if (want == MODE_OUT && is_input_like(arg)) {
        if (c->quiet) return;
        diag_error(E0303, arg->span, "cannot pass %s to '%s' of %s '%s': it is %s, and '%s' is an output",
                   handle_name(arg, name, sizeof name), p->name, item_kind_name(fn), fn->name,
                   handle_role(arg->type), p->name);
        diag_note(p->span, "'%s' of '%s' is declared 'out' here", p->name, fn->name);
        if (arg->type->kind == TY_REF)
            diag_help("'%s' may write to '%s', and a 'Ref' is only read: the task that was "
                      "spawned writes it",
                      fn->name, p->name);
        else
            diag_help("'%s' may write to '%s', and an input is never written: other tasks may be "
                      "reading it at the same time",
                      fn->name, p->name);
        diag_help("declare it as '%s: in Blob' if '%s' only reads it, or pass one of this "
                  "%s's outputs",
                  p->name, fn->name, item_kind_name(c->item));
    } else if (want == MODE_IN && is_output(arg)) {
        if (c->quiet) return;
        diag_error(E0303, arg->span, "cannot pass %s to '%s' of %s '%s': it is an output, and '%s' is an input",
                   handle_name(arg, name, sizeof name), p->name, item_kind_name(fn), fn->name, p->name);
        diag_note(p->span, "'%s' of '%s' is declared 'in' here", p->name, fn->name);
        diag_help("'%s' reads '%s', and an output is write-only: other tasks see it only after "
                  "this task has finished",
                  fn->name, p->name);
        diag_help("declare it as '%s: out Blob' if '%s' only writes it, or pass an input",
                  p->name, fn->name);
    } else if (want == MODE_OUT && is_output(arg)) {
        int slot = out_slot(c, arg);
        char what[160];
        snprintf(what, sizeof what, "pass '%s' to '%s', which writes it", code, fn->name);
        if (slot) flow_write(c, st, slot, arg->span, what);
    }
}

/* call: callee '(' arg,* ')'
 * typecheck.c leaves every handle given as an argument to this pass: where
 * the parameter is a DO, the mode (E0303); where it is a plain value, a struct
 * field or an array element, rule 3 (E0321, E0323). */
static void walk_call(Caps *c, Expr *e, Mask *st) {
    List *args = &e->as.call.args;
    switch (e->as.call.kind) {
    case CALL_METHOD: {
        int b = e->as.call.builtin;
        bool stores = b == BUILTIN_ARRAY_PUSH || b == BUILTIN_ARRAY_INSERT;
        const char *method = b >= 0 && b < BUILTIN_COUNT ? builtins[b].name : "?";
        char where[96];
        walk_expr(c, e->as.call.receiver, st);
        for (uint32_t i = 0; i < args->len; i++) {
            Expr *v = ((Arg *)args->items[i])->value;
            if (stores) {
                snprintf(where, sizeof where, "an array (with '%s')", method);
                reject_stored_in_value(c, v, where);
            } else {
                snprintf(where, sizeof where, " to method '%s'", method);
                reject_used_as_value(c, v, "pass", where);
            }
            walk_expr(c, v, st);
        }
        check_method_access(c, e, st);
        break;
    }
    case CALL_FN:
        for (uint32_t i = 0; i < args->len; i++) walk_expr(c, ((Arg *)args->items[i])->value, st);
        for (uint32_t i = 0; i < args->len; i++) check_fn_argument(c, e, i, st);
        break;
    case CALL_STRUCT:
    case CALL_VARIANT: {
        const Item *it = e->as.call.item;
        char where[128];
        if (it && e->as.call.kind == CALL_VARIANT && e->as.call.variant >= 0 &&
            (uint32_t)e->as.call.variant < it->fields.len)
            snprintf(where, sizeof where, "variant '%s.%s'", it->name,
                     ((Field *)it->fields.items[e->as.call.variant])->name);
        else snprintf(where, sizeof where, "struct '%s'", it ? it->name : "?");
        for (uint32_t i = 0; i < args->len; i++) {
            Expr *v = ((Arg *)args->items[i])->value;
            reject_stored_in_value(c, v, where);
            walk_expr(c, v, st);
        }
        break;
    }
    case CALL_PRINT:
        for (uint32_t i = 0; i < args->len; i++) {
            Expr *v = ((Arg *)args->items[i])->value;
            reject_used_as_value(c, v, "print", " directly");
            walk_expr(c, v, st);
        }
        break;
    case CALL_TASK:        /* only inside a spawn: see check_spawn */
        for (uint32_t i = 0; i < args->len; i++) walk_expr(c, ((Arg *)args->items[i])->value, st);
        break;
    case CALL_UNRESOLVED:
        walk_expr(c, e->as.call.callee, st);
        for (uint32_t i = 0; i < args->len; i++) walk_expr(c, ((Arg *)args->items[i])->value, st);
        break;
    }
}

/* ---- §6: spawn and delegation -------------------------------------------- */

/* E0342: what was spawned instead of a task. */
static void report_spawn_of_non_task(const Expr *call) {
    const Item *it = call->as.call.item;
    const char *why = "'spawn' starts a task, which runs on its own and produces a data object";
    switch (call->as.call.kind) {
    case CALL_FN:
        diag_error(E0342, call->span, "cannot spawn '%s': it is a function, not a task", it ? it->name : "?");
        if (it) diag_note(it->name_span, "'%s' is declared here", it->name);
        diag_help("%s; a function runs inside the task that calls it", why);
        diag_help("call it directly, `%s(...)`, or make it a task with an output: "
                  "`task %s(..., result: out Blob)`",
                  it ? it->name : "f", it ? it->name : "f");
        return;
    case CALL_STRUCT:
        diag_error(E0342, call->span, "cannot spawn '%s': it builds a struct, it is not a task", it ? it->name : "?");
        diag_help("%s", why);
        diag_help("build the value directly, without 'spawn'");
        return;
    case CALL_VARIANT: {
        const Field *v = it && call->as.call.variant >= 0 && (uint32_t)call->as.call.variant < it->fields.len
                             ? it->fields.items[call->as.call.variant]
                             : NULL;
        diag_error(E0342, call->span, "cannot spawn '%s.%s': it builds an enum value, it is not a task",
                   it ? it->name : "?", v ? v->name : "?");
        diag_help("%s", why);
        diag_help("build the value directly, without 'spawn'");
        return;
    }
    case CALL_PRINT:
        diag_error(E0342, call->span, "cannot spawn 'print': it writes to the console, it is not a task");
        diag_help("%s", why);
        diag_help("call 'print(...)' directly, without 'spawn'");
        return;
    default:
        diag_error(E0342, call->span, "cannot spawn a method call: only a task can be spawned");
        diag_help("%s", why);
        diag_help("call the method directly, without 'spawn'");
        return;
    }
}

/* E0340: the spawned task must have exactly one out parameter. */
static void check_spawned_outputs(const Expr *call) {
    const Item *task = call->as.call.item;
    if (!task) return;
    const Param *outs[2] = {0};
    uint32_t n = 0;
    for (uint32_t i = 0; i < task->params.len; i++) {
        const Param *p = task->params.items[i];
        if (p->mode == MODE_OUT) {
            if (n < 2) outs[n] = p;
            n++;
        }
    }
    if (n == 1) return;
    if (n == 0) {
        diag_error(E0340, call->span, "cannot spawn task '%s': it has no output", task->name);
        diag_note(task->name_span, "'%s' is declared here", task->name);
        diag_help("'spawn' gives back a 'Ref' to the child's output (or hands it one of this "
                  "task's outputs with '->'), so the child must produce exactly one output");
        diag_help("give '%s' an output parameter, e.g. `result: out Blob`", task->name);
    } else {
        diag_error(E0340, call->span, "cannot spawn task '%s': it has %u outputs ('%s', '%s'%s)",
                   task->name, n, outs[0]->name, outs[1]->name, n > 2 ? ", …" : "");
        diag_note(task->name_span, "'%s' is declared here", task->name);
        diag_help("'spawn' gives back one 'Ref' to the child's output (or hands it one of this "
                  "task's outputs with '->'), so the child must produce exactly one output");
        diag_help("split '%s' into tasks that produce one output each", task->name);
    }
}

/* spawn_expr: 'spawn' call, and the call of a delegation. Returns true when
 * the call starts a task (or is unresolved: then nothing more is said). */
static bool check_spawn(Caps *c, Expr *call, Mask *st) {
    if (!call || call->kind != E_CALL) {
        walk_expr(c, call, st);
        return false;
    }
    switch (call->as.call.kind) {
    case CALL_UNRESOLVED:
        walk_call(c, call, st);
        return true;
    case CALL_TASK:
        break;
    default:
        if (!c->quiet) report_spawn_of_non_task(call);
        walk_call(c, call, st);
        return false;
    }
    if (!c->quiet) check_spawned_outputs(call);
    List *args = &call->as.call.args;
    const Item *task = call->as.call.item;
    uint32_t inputs = 0;
    for (uint32_t k = 0; task && k < task->params.len; k++)
        inputs += ((Param *)task->params.items[k])->mode != MODE_OUT;
    for (uint32_t i = 0, k = 0; i < args->len; i++) {
        Expr *v = ((Arg *)args->items[i])->value;
        walk_expr(c, v, st);
        /* The parameter it binds: the next one that is not an output; none
         * when the number of arguments is wrong (E0220). */
        const Param *bound = NULL;
        while (task && args->len == inputs && k < task->params.len && !bound) {
            const Param *p = task->params.items[k++];
            if (p->mode != MODE_OUT) bound = p;
        }
        if (c->quiet || !is_handle(v)) continue;
        if (is_output(v)) {
            char name[96], buf[64];
            const char *code = handle_code(v, buf, sizeof buf);
            const char *child = spawned_name(call);
            diag_error(E0341, v->span, "cannot pass output %s to spawned task '%s'", handle_name(v, name, sizeof name),
                       child);
            note_declaration(v);
            diag_help("an output is written by exactly one task; passed as an argument, both this "
                      "task and '%s' could write it",
                      child);
            diag_help("hand it over with a delegation instead: `spawn %s(...) -> %s;` (then '%s' "
                      "writes '%s' in this task's place)",
                      child, code, child, code);
        } else if (bound && !find_blob(bound->type)) {
            reject_handle_for_value_param(c, v, bound, task);
        } else if (bound) {
            bool want_list;
            if (param_do_mode(bound, &want_list) != MODE_NONE && want_list != v->type->is_list)
                report_list_mismatch(c, v, bound, task);
        }
    }
    return true;
}

/* E0314/E0343: the name after '->' must be an out parameter of this task. */
static int delegation_slot(Caps *c, Stmt *s) {
    const Binding *out = &s->as.delegate.out;
    if (!out->name) return 0;   /* a syntax error */
    if (c->item->kind != I_TASK) {
        if (!c->quiet) {
            diag_error(E0314, out->span.file ? out->span : s->span,
                       "cannot delegate '%s' in function '%s': only a task can hand its own output to a child task",
                       out->name, c->item->name);
            diag_help("a function runs inside the task that calls it; the output belongs to that "
                      "task, which alone decides whether to write it or hand it over");
            diag_help("move `spawn %s(...) -> %s;` into the task itself, or have '%s' return "
                      "what it computes and let the task delegate",
                      spawned_name(s->as.delegate.call), out->name, c->item->name);
        }
        return 0;
    }
    const Symbol *sym = out->sym;
    if (!sym) return 0;
    if (sym->kind == SYM_PARAM && sym->owner == c->item && sym->param && sym->param->mode == MODE_OUT)
        return sym->flow_slot >= 0 ? sym->flow_slot + 1 : 0;   /* else a malformed parameter */
    if (c->quiet) return 0;
    const char *what;
    if (sym->kind == SYM_PARAM && sym->param && sym->param->mode == MODE_IN) what = "an input";
    else if (sym->kind == SYM_PARAM) what = "a value parameter";
    else if (sym->kind == SYM_LOCAL && sym->type && sym->type->kind == TY_REF) what = "a 'Ref' (the output of a spawned task)";
    else if (sym->kind == SYM_LOCAL) what = "a local variable";
    else if (sym->kind == SYM_ITEM && sym->item) what = sym->item->kind == I_TASK ? "a task" : "a function or type";
    else what = "a type";
    diag_error(E0343, out->span, "cannot delegate to '%s': it is %s, not an output of task '%s'", out->name,
               what, c->item->name);
    if (sym->kind == SYM_PARAM && sym->param && sym->param->mode != MODE_NONE)
        diag_note(sym->param->span, "'%s' is declared '%s' here", out->name, param_spelling(sym->param));
    else if (sym->span.file) diag_note(sym->span, "'%s' is declared here", out->name);
    diag_help("`spawn %s(...) -> o;` hands 'o', one of this task's own 'out' parameters, to "
              "the child, which then produces it in this task's place",
              spawned_name(s->as.delegate.call));
    if (c->slots > 1)
        diag_help("name one of the outputs, e.g. `-> %s;`, or keep the child's result with "
                  "`let r = spawn %s(...);`",
                  c->out_params[1]->name, spawned_name(s->as.delegate.call));
    else
        diag_help("to keep the child's result, write `let r = spawn %s(...);`", spawned_name(s->as.delegate.call));
    return 0;
}

/* ---- Expressions --------------------------------------------------------- */

/* E0302 for `o[i]`, `o[a..b]`: indexing reads. */
static void check_indexed_object(Caps *c, Expr *e, Expr *object) {
    if (c->quiet || !is_output(object)) return;
    report_read_of_output(e, object, "read bytes of");
}

/* The index of `object[index]`. A handle as a map key is a key of the wrong
 * type (typecheck.c, E0230); elsewhere it is used as a number (E0323). */
static void walk_index_value(Caps *c, Expr *object, Expr *index, Mask *st) {
    if (!(object && object->type && object->type->kind == TY_MAP)) reject_used_as_value(c, index, "use", " as an index");
    walk_expr(c, index, st);
}

static const char *unary_spelling(UnaryOp op) { return op == UN_NEG ? "-" : "!"; }

static void walk_expr(Caps *c, Expr *e, Mask *st) {
    if (!e) return;
    char how[64];
    switch (e->kind) {
    case E_POISON: case E_INT: case E_FLOAT: case E_BOOL: case E_BYTE: case E_STR: case E_NAME:
        return;
    case E_INTERP:
        for (uint32_t i = 0; i < e->as.parts.len; i++) {
            Expr *part = e->as.parts.items[i];
            reject_used_as_value(c, part, "interpolate", " into a string");
            walk_expr(c, part, st);
        }
        return;
    case E_ARRAY: {
        /* One error per array literal, at the first handle. */
        bool reported = false;
        for (uint32_t i = 0; i < e->as.elems.len; i++) {
            Expr *elem = e->as.elems.items[i];
            if (!reported && is_handle(elem)) {
                reject_stored_in_value(c, elem, "an array");
                reported = true;
            }
            walk_expr(c, elem, st);
        }
        return;
    }
    case E_CALL:
        walk_call(c, e, st);
        return;
    case E_FIELD:
        walk_expr(c, e->as.field.object, st);
        return;
    case E_INDEX:
        walk_expr(c, e->as.index.object, st);
        check_indexed_object(c, e, e->as.index.object);
        walk_index_value(c, e->as.index.object, e->as.index.index, st);
        return;
    case E_SLICE:
        walk_expr(c, e->as.slice.object, st);
        check_indexed_object(c, e, e->as.slice.object);
        reject_used_as_value(c, e->as.slice.lo, "use", " as a bound of a slice");
        walk_expr(c, e->as.slice.lo, st);
        reject_used_as_value(c, e->as.slice.hi, "use", " as a bound of a slice");
        walk_expr(c, e->as.slice.hi, st);
        return;
    case E_MAP_NEW: {
        const TypeExpr *blob = find_blob(e->as.map_new.key);
        if (!blob) blob = find_blob(e->as.map_new.value);
        if (blob && !c->quiet) {
            diag_error(E0324, blob->span, "a map cannot hold a 'Blob'");
            diag_help("a 'Blob' is a data object, which a task reaches only through a parameter "
                      "with a mode ('in Blob' or 'out Blob'); it cannot be kept in a map");
            diag_help("store what you read from it instead (e.g. a 'Str'), or the 'Ref' of a "
                      "spawned task");
        }
        return;
    }
    case E_SPAWN:
        check_spawn(c, e->as.spawn.call, st);
        return;
    case E_UNARY:
        snprintf(how, sizeof how, " as an operand of '%s'", unary_spelling(e->as.unary.op));
        reject_used_as_value(c, e->as.unary.operand, "use", how);
        walk_expr(c, e->as.unary.operand, st);
        return;
    case E_BINARY: {
        BinaryOp op = e->as.binary.op;
        snprintf(how, sizeof how, " as an operand of '%s'", binary_op_spelling(op));
        /* One error per operator, at the first handle. */
        reject_used_as_value(c, is_handle(e->as.binary.lhs) ? e->as.binary.lhs : e->as.binary.rhs, "use", how);
        walk_expr(c, e->as.binary.lhs, st);
        if (op == BIN_LOGIC_AND || op == BIN_LOGIC_OR) {
            /* The right operand may not run. */
            Mask *skipped = state_copy(c, st);
            walk_expr(c, e->as.binary.rhs, st);
            state_join(c, st, skipped);
        } else {
            walk_expr(c, e->as.binary.rhs, st);
        }
        return;
    }
    }
}

/* ---- Statements ---------------------------------------------------------- */

/* How an assignment target is named: "'x'", "an element of 'xs'", "field 'f'". */
static const char *place_name(const Expr *place, char *buf, size_t size) {
    if (place->kind == E_NAME) snprintf(buf, size, "'%s'", place->as.name.name);
    else if (place->kind == E_FIELD) snprintf(buf, size, "field '%s'", place->as.field.name);
    else if (place->kind == E_INDEX && place->as.index.object->kind == E_NAME)
        snprintf(buf, size, "an element of '%s'", place->as.index.object->as.name.name);
    else snprintf(buf, size, "this place");
    return buf;
}

/* place: NAME | place '.' NAME | place '[' expr ']' — the target of an
 * assignment. typecheck.c rejects a handle or its bytes as a place (E0235). */
static void walk_place(Caps *c, Expr *place, Mask *st) {
    if (!place) return;
    switch (place->kind) {
    case E_NAME:
        return;
    case E_FIELD:
        walk_place(c, place->as.field.object, st);
        return;
    case E_INDEX:
        walk_place(c, place->as.index.object, st);
        walk_index_value(c, place->as.index.object, place->as.index.index, st);
        return;
    default:
        walk_expr(c, place, st);
        return;
    }
}

/* Whether typecheck.c already rejected this place (E0235): a handle, or a
 * byte of a string, a DO or a Ref. */
static bool place_rejected(const Expr *place) {
    if (!place) return true;
    const Type *t = place->type;
    if (t && t->kind == TY_DO) return true;
    if (place->kind != E_INDEX) return false;
    t = place->as.index.object ? place->as.index.object->type : NULL;
    return t && (t->kind == TY_STR || t->kind == TY_DO || t->kind == TY_REF);
}

/* assign_stmt: place assign_op expr ';' */
static void walk_assign(Caps *c, Stmt *s, Mask *st) {
    static const char *const spelling[] = {[AS_SET] = "=", [AS_ADD] = "+=", [AS_SUB] = "-=",
                                           [AS_MUL] = "*=", [AS_DIV] = "/=", [AS_REM] = "%="};
    Expr *place = s->as.assign.place, *value = s->as.assign.value;
    char buf[96];
    if (place_rejected(place)) {
        /* one error for the statement */
    } else if (s->as.assign.op != AS_SET) {
        snprintf(buf, sizeof buf, " as an operand of '%s'", spelling[s->as.assign.op]);
        reject_used_as_value(c, value, "use", buf);
    } else if (place->kind == E_NAME) {
        reject_stored_in_variable(c, value, place->as.name.name, false);
    } else {
        reject_stored_in_value(c, value, place_name(place, buf, sizeof buf));
    }
    walk_expr(c, value, st);
    walk_place(c, place, st);
}

/* Whether a match covers every value, so that it never falls through. */
static bool match_is_exhaustive(const Stmt *s) {
    return s->as.match.exhaustive;   /* decided once, by typecheck.c */
}

/* §5 rule 2 for loops: the body runs zero or more times. The state at the
 * head is the join of the entry, the end of the body and every `continue`;
 * it is recomputed until it stops growing (it only grows, and the states are
 * finite, so this ends). A loop analysed again (in a later round of an
 * enclosing loop) starts from its last head: entries only grow, so that head
 * is below the new fixed point, and nested loops cost no more than linear
 * time. After the loop: the head (the condition is false) joined with every
 * `break`. */
static void walk_loop(Caps *c, Stmt *loop, Expr *cond, Stmt *body, Mask *st) {
    Mask *head = state_copy(c, st);
    void **cached = table_find(c, &c->loop_heads, (uint64_t)(uintptr_t)loop, false);
    if (cached) state_join(c, head, *cached);
    Mask *saved_breaks = c->breaks, *saved_continues = c->continues;
    Stmt *saved_loop = c->loop;
    Mask *breaks = state_new(c), *continues = state_new(c);
    for (int round = 0;; round++) {
        state_clear(c, breaks);
        state_clear(c, continues);
        Mask *cur = state_copy(c, head);
        if (round > 0) c->quiet++;
        if (cond) {
            reject_used_as_value(c, cond, "use", " as a condition");
            walk_expr(c, cond, cur);
        }
        /* The state when the loop ends because its condition is false;
         * `while true` ends only by `break`. */
        Mask *exit = state_copy(c, cur);
        if (cond && cond->kind == E_BOOL && cond->as.bool_value) state_clear(c, exit);
        c->breaks = breaks;
        c->continues = continues;
        c->loop = loop;
        c->loops++;
        walk_stmt(c, body, cur);
        c->loops--;
        c->loop = saved_loop;
        c->breaks = saved_breaks;
        c->continues = saved_continues;
        if (round > 0) c->quiet--;
        state_join(c, cur, continues);
        state_join(c, cur, head);
        if (state_equal(c, cur, head)) {
            state_join(c, exit, breaks);
            memcpy(st, exit, (size_t)c->slots);
            *table_find(c, &c->loop_heads, (uint64_t)(uintptr_t)loop, true) = head;
            return;
        }
        head = cur;
    }
}

/* for_stmt: 'for' NAME (',' NAME)? 'in' expr block | 'for' NAME 'in' expr '..' expr block */
static void walk_for(Caps *c, Stmt *s, Mask *st) {
    Expr *iter = s->as.for_.iter;
    if (s->as.for_.range_hi) {
        reject_used_as_value(c, iter, "use", " as a bound of a range");
        walk_expr(c, iter, st);
        reject_used_as_value(c, s->as.for_.range_hi, "use", " as a bound of a range");
        walk_expr(c, s->as.for_.range_hi, st);
    } else {
        walk_expr(c, iter, st);
        if (!c->quiet && is_output(iter)) report_read_of_output(iter, iter, "loop over");
    }
    walk_loop(c, s, NULL, s->as.for_.body, st);
}

/* match_stmt: 'match' expr '{' (pattern '=>' block)* '}' */
static void walk_match(Caps *c, Stmt *s, Mask *st) {
    reject_used_as_value(c, s->as.match.scrutinee, "match on", "");
    walk_expr(c, s->as.match.scrutinee, st);
    Mask *entry = state_copy(c, st);
    Mask *arm_state = state_new(c);
    if (!match_is_exhaustive(s)) state_join(c, st, entry);
    else state_clear(c, st);
    for (uint32_t i = 0; i < s->as.match.arms.len; i++) {
        MatchArm *arm = s->as.match.arms.items[i];
        memcpy(arm_state, entry, (size_t)c->slots);
        walk_stmt(c, arm->body, arm_state);
        state_join(c, st, arm_state);
    }
}

/* let_stmt: 'let' NAME (':' type)? '=' expr ';' */
static void walk_let(Caps *c, Stmt *s, Mask *st) {
    const TypeExpr *blob = find_blob(s->as.let.type);
    if (blob && !c->quiet) {
        diag_error(E0324, blob->span, "variable '%s' cannot hold a 'Blob'", s->as.let.var.name ? s->as.let.var.name : "_");
        diag_help("a 'Blob' is a data object, which a task reaches only through a parameter "
                  "with a mode ('in Blob' or 'out Blob'); that permission cannot be kept in a variable");
        diag_help("use the parameter directly, or keep what you read from it, e.g. `let s: Str = text.text();`");
    }
    /* With a declared type other than Blob, typecheck.c reports the mismatch. */
    if (!s->as.let.type) reject_stored_in_variable(c, s->as.let.init, s->as.let.var.name ? s->as.let.var.name : "_", true);
    walk_expr(c, s->as.let.init, st);
}

static void walk_stmt(Caps *c, Stmt *s, Mask *st) {
    if (!s) return;
    switch (s->kind) {
    case S_LET:
        walk_let(c, s, st);
        return;
    case S_ASSIGN:
        walk_assign(c, s, st);
        return;
    case S_EXPR:
        walk_expr(c, s->as.expr, st);   /* a bare handle as a statement does nothing */
        return;
    case S_DELEGATE: {
        check_spawn(c, s->as.delegate.call, st);
        int slot = delegation_slot(c, s);
        if (slot) flow_delegate(c, st, slot, s);
        return;
    }
    case S_IF: {
        reject_used_as_value(c, s->as.if_.cond, "use", " as a condition");
        walk_expr(c, s->as.if_.cond, st);
        Mask *other = state_copy(c, st);
        walk_stmt(c, s->as.if_.then_block, st);
        walk_stmt(c, s->as.if_.else_stmt, other);
        state_join(c, st, other);
        return;
    }
    case S_WHILE:
        walk_loop(c, s, s->as.while_.cond, s->as.while_.body, st);
        return;
    case S_FOR:
        walk_for(c, s, st);
        return;
    case S_MATCH:
        walk_match(c, s, st);
        return;
    case S_BREAK:
        if (c->breaks) state_join(c, c->breaks, st);
        state_clear(c, st);
        return;
    case S_CONTINUE:
        if (c->continues) state_join(c, c->continues, st);
        state_clear(c, st);
        return;
    case S_RETURN:
        reject_returned(c, s->as.ret);
        walk_expr(c, s->as.ret, st);
        state_clear(c, st);
        return;
    case S_BLOCK:
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) walk_stmt(c, s->as.block.stmts.items[i], st);
        return;
    }
}

/* ---- Declarations (§4, §5 rule 3, rule 4) -------------------------------- */

/* §5 rule 3 on one parameter: E0324 (Blob without a mode), E0325 (a mode
 * on a value), E0326 (out [Blob]). Returns true when it is well formed. */
static bool check_param(const Item *item, const Param *p) {
    const TypeExpr *blob = find_blob(p->type);
    const Type *type = p->sym ? p->sym->type : NULL;
    const char *kind = item_kind_name(item);
    if (p->mode == MODE_NONE) {
        if (!blob) return true;
        bool list = p->type->kind == TE_ARRAY && is_blob(p->type->elem);
        diag_error(E0324, blob->span, "parameter '%s' is a data object and needs a mode", p->name);
        diag_help("the mode says what the %s may do with the data object: read it ('in') or "
                  "write it ('out')",
                  kind);
        if (list) diag_help("write '%s: in [Blob]'", p->name);
        else if (is_blob(p->type))
            diag_help("write '%s: in Blob' if the %s reads it, or '%s: out Blob' if it writes it", p->name, kind, p->name);
        else diag_help("a parameter can be 'in Blob', 'out Blob' or 'in [Blob]'; other types "
                       "cannot contain a 'Blob'");
        return false;
    }
    const char *mode = p->mode == MODE_IN ? "in" : "out";
    Span mode_at = p->mode_span.file ? p->mode_span : p->span;
    if (!blob) {
        if (type && type->kind == TY_POISON) return false;
        char tbuf[64];
        diag_error(E0325, mode_at, "'%s' is only for data objects, but parameter '%s' has type '%s'", mode,
                   p->name, type ? type_name(type, tbuf, sizeof tbuf) : "a value type");
        diag_help("modes say how a %s uses a data object ('Blob'); plain values are always "
                  "read-only copies",
                  kind);
        if (p->mode == MODE_IN) diag_help("drop 'in': write '%s: %s'", p->name, type ? tbuf : "...");
        else if (item->kind == I_TASK)
            diag_help("a task produces data by writing to an output, e.g. '%s: out Blob'", p->name);
        else diag_help("a function gives back a value by returning it: drop 'out' and write the "
                       "result type after '->'");
        return false;
    }
    bool list = p->type->kind == TE_ARRAY && is_blob(p->type->elem);
    if (!is_blob(p->type) && !list) {
        diag_error(E0324, blob->span, "a data object parameter must be 'in Blob', 'out Blob' or 'in [Blob]'");
        diag_help("a 'Blob' cannot be nested inside other types: a task reaches data objects only "
                  "one by one, or as one list of inputs");
        return false;
    }
    if (p->mode == MODE_OUT && list) {
        diag_error(E0326, p->type->span, "parameter '%s' cannot be 'out [Blob]': a list of outputs is not supported",
                   p->name);
        diag_help("a task produces each output separately, each with its own name: declare one "
                  "'out Blob' parameter per output");
        return false;
    }
    return true;
}

/* E0326: task parameters are Int, Float, Bool, Str, or a DO (§4). */
static void check_task_param_type(const Param *p) {
    const Type *t = p->sym ? p->sym->type : NULL;
    if (p->mode != MODE_NONE || !t) return;
    switch (t->kind) {
    case TY_POISON: case TY_INT: case TY_FLOAT: case TY_BOOL: case TY_STR: case TY_DO:
        return;
    default:
        break;
    }
    char tbuf[64];
    diag_error(E0326, p->type ? p->type->span : p->span, "task parameter '%s' cannot have type '%s'", p->name,
               type_name(t, tbuf, sizeof tbuf));
    diag_help("a task's arguments come from the command line or from the task that spawns it, "
              "so they must be simple values: 'Int', 'Float', 'Bool' or 'Str'; data comes in "
              "data objects ('in Blob', 'in [Blob]')");
    if (t->kind == TY_REF) diag_help("to pass the output of a spawned task, declare '%s: in Blob' and pass the 'Ref'", p->name);
    else if (t->kind == TY_ARRAY && t->elem->kind == TY_REF)
        diag_help("to pass the outputs of spawned tasks, declare '%s: in [Blob]' and pass the '[Ref]'", p->name);
    else if (t->kind == TY_BYTE) diag_help("pass it as an 'Int' and convert it with '.byte()'");
    else diag_help("pass the data as text in an 'in Blob' and parse it in the task, or pass the values one by one");
}

/* §5 rule 3 on a declaration: params, result; rule 4 on extern fn. */
static void check_signature(Caps *c, Item *item) {
    bool is_task = item->kind == I_TASK;
    for (uint32_t i = 0; i < item->params.len; i++) {
        const Param *p = item->params.items[i];
        if (check_param(item, p) && is_task) check_task_param_type(p);
    }
    const TypeExpr *blob = find_blob(item->result);
    if (blob) {
        diag_error(E0324, blob->span, "%s '%s' cannot return a 'Blob'", item_kind_name(item), item->name);
        diag_help("a 'Blob' is a data object, which a task reaches only through a parameter with "
                  "a mode; a function can use it during the call but cannot hand it back");
        diag_help("return what you read from it (e.g. a 'Str'), or give '%s' an 'out Blob' "
                  "parameter and write to it",
                  item->name);
    }
    if (item->kind == I_EXTERN_FN && !c->program->file->is_stdlib && !(c->options && c->options->allow_extern)) {
        diag_error(E0330, item->name_span, "extern function '%s' is only allowed in the standard library", item->name);
        diag_help("an extern function calls C code that the checker cannot see, so it could "
                  "break every rule about data objects; only the standard library may use them");
        diag_help("use the standard library's functions, or pass '--allow-extern' to 'loam "
                  "check' for experiments");
    }
}

/* E0324 on struct fields and enum payloads. */
static void check_fields(Item *item) {
    for (uint32_t i = 0; i < item->fields.len; i++) {
        const Field *f = item->fields.items[i];
        const TypeExpr *blob = find_blob(f->type);
        for (uint32_t j = 0; !blob && j < f->payload.len; j++) blob = find_blob(f->payload.items[j]);
        if (!blob) continue;
        if (item->kind == I_STRUCT)
            diag_error(E0324, blob->span, "field '%s' of struct '%s' cannot hold a 'Blob'", f->name, item->name);
        else diag_error(E0324, blob->span, "variant '%s' of enum '%s' cannot carry a 'Blob'", f->name, item->name);
        diag_help("a 'Blob' is a data object, which a task reaches only through a parameter "
                  "with a mode ('in Blob' or 'out Blob'); that permission cannot be kept in a value");
        diag_help("store what you read from it instead (e.g. a 'Str'), or the 'Ref' of a spawned task");
    }
}

/* Numbers the out parameters of a fn or task: flow slots for rule 2. */
static void assign_flow_slots(Caps *c, Item *item) {
    int outs = 0;
    for (uint32_t i = 0; i < item->params.len; i++) {
        const Param *p = item->params.items[i];
        if (p->mode == MODE_OUT && is_blob(p->type) && p->sym) outs++;
    }
    c->slots = 1 + outs;
    c->out_params = arena_alloc(&c->scratch, (size_t)c->slots * sizeof *c->out_params);
    c->first_write = arena_alloc(&c->scratch, (size_t)c->slots * sizeof *c->first_write);
    c->first_delegation = arena_alloc(&c->scratch, (size_t)c->slots * sizeof *c->first_delegation);
    int k = 0;
    for (uint32_t i = 0; i < item->params.len; i++) {
        Param *p = item->params.items[i];
        if (p->mode == MODE_OUT && is_blob(p->type) && p->sym) {
            p->sym->flow_slot = k;
            c->out_params[++k] = p;
        }
    }
}

/* One fn, extern fn or task: its signature, then its body. */
static void check_callable(Caps *c, Item *item) {
    arena_init(&c->scratch);
    c->item = item;
    c->loops = 0;
    c->loop = NULL;
    c->breaks = c->continues = NULL;
    c->quiet = 0;
    c->reported = (Table){0};
    c->loop_heads = (Table){0};
    assign_flow_slots(c, item);
    check_signature(c, item);
    if (item->body) {
        Mask *st = state_new(c);
        st[SLOT_LIVE] = 1;
        for (int i = 1; i < c->slots; i++) st[i] = OUT_UNTOUCHED;
        walk_stmt(c, item->body, st);
    }
    arena_free(&c->scratch);
}

void caps_program(Arena *arena, Program *program, const CheckOptions *options) {
    (void)arena;   /* caps.c adds nothing to the tree: its scratch is per item */
    Caps c = {.program = program, .options = options};
    for (uint32_t i = 0; i < program->items.len; i++) {
        Item *item = program->items.items[i];
        switch (item->kind) {
        case I_FN:
        case I_EXTERN_FN:
        case I_TASK:
            check_callable(&c, item);
            break;
        case I_STRUCT:
        case I_ENUM:
            check_fields(item);
            break;
        }
    }
}
