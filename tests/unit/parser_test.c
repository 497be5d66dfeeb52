/* parser_test.c — unit tests of grammar.y and ast.c (spec §2).
 *
 * Each case parses a source string and compares the tree, printed as a
 * compact S-expression, with an expectation written by hand from the spec's
 * grammar and precedence table; or, for broken input, checks the diagnostic
 * codes and positions (captured as JSON lines from diag_flush). Prints
 * `PASS name` / `FAIL name: …` and a final `N passed, M failed` line; exits 1
 * on any failure.
 */
#include "ast.h"
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

/* ---- a growable string ---- */

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) abort();
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---- the S-expression printer ---- */

static void print_expr(Buf *b, const Expr *e);
static void print_stmt(Buf *b, const Stmt *s);

static void print_type(Buf *b, const TypeExpr *t) {
    switch (t->kind) {
    case TE_NAME: put(b, "%s", t->name); break;
    case TE_ARRAY: put(b, "["); print_type(b, t->elem); put(b, "]"); break;
    case TE_MAP:
        put(b, "Map<");
        print_type(b, t->key);
        put(b, ", ");
        print_type(b, t->value);
        put(b, ">");
        break;
    }
}

static void print_bytes(Buf *b, const char *s, uint32_t len) {
    put(b, "\"");
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') put(b, "\\n");
        else if (c == '\t') put(b, "\\t");
        else if (c == '"' || c == '\\') put(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) put(b, "\\x%02x", c);
        else put(b, "%c", c);
    }
    put(b, "\"");
}

static void print_opt_expr(Buf *b, const Expr *e) {
    if (e) print_expr(b, e);
    else put(b, "_");
}

static void print_expr(Buf *b, const Expr *e) {
    switch (e->kind) {
    case E_POISON: put(b, "(poison)"); break;
    case E_INT: put(b, "(int %lld)", (long long)e->as.int_value); break;
    case E_FLOAT: put(b, "(float %g)", e->as.float_value); break;
    case E_BOOL: put(b, "(bool %s)", e->as.bool_value ? "true" : "false"); break;
    case E_BYTE: put(b, "(byte %u)", e->as.byte_value); break;
    case E_STR: put(b, "(str "); print_bytes(b, e->as.str.bytes, e->as.str.len); put(b, ")"); break;
    case E_INTERP:
        put(b, "(interp");
        for (uint32_t i = 0; i < e->as.parts.len; i++) { put(b, " "); print_expr(b, e->as.parts.items[i]); }
        put(b, ")");
        break;
    case E_NAME: put(b, "(name %s)", e->as.name.name); break;
    case E_ARRAY:
        put(b, "(array");
        for (uint32_t i = 0; i < e->as.elems.len; i++) { put(b, " "); print_expr(b, e->as.elems.items[i]); }
        put(b, ")");
        break;
    case E_CALL:
        put(b, "(call ");
        print_expr(b, e->as.call.callee);
        for (uint32_t i = 0; i < e->as.call.args.len; i++) {
            const Arg *a = e->as.call.args.items[i];
            put(b, " ");
            if (a->name) put(b, "%s: ", a->name);
            print_expr(b, a->value);
        }
        put(b, ")");
        break;
    case E_FIELD: put(b, "(field "); print_expr(b, e->as.field.object); put(b, " %s)", e->as.field.name); break;
    case E_INDEX:
        put(b, "(index ");
        print_expr(b, e->as.index.object);
        put(b, " ");
        print_expr(b, e->as.index.index);
        put(b, ")");
        break;
    case E_SLICE:
        put(b, "(slice ");
        print_expr(b, e->as.slice.object);
        put(b, " ");
        print_opt_expr(b, e->as.slice.lo);
        put(b, " ");
        print_opt_expr(b, e->as.slice.hi);
        put(b, ")");
        break;
    case E_MAP_NEW:
        put(b, "(map ");
        print_type(b, e->as.map_new.key);
        put(b, " ");
        print_type(b, e->as.map_new.value);
        put(b, ")");
        break;
    case E_SPAWN: put(b, "(spawn "); print_expr(b, e->as.spawn.call); put(b, ")"); break;
    case E_UNARY:
        put(b, "(unary %s ", e->as.unary.op == UN_NEG ? "-" : "!");
        print_expr(b, e->as.unary.operand);
        put(b, ")");
        break;
    case E_BINARY:
        put(b, "(binary %s ", binary_op_spelling(e->as.binary.op));
        print_expr(b, e->as.binary.lhs);
        put(b, " ");
        print_expr(b, e->as.binary.rhs);
        put(b, ")");
        break;
    }
}

static void print_pattern(Buf *b, const Pattern *p) {
    switch (p->kind) {
    case P_WILDCARD: put(b, "_"); break;
    case P_VARIANT:
        if (!p->has_payload) { put(b, "%s", p->name); break; }
        put(b, "(%s", p->name);
        for (uint32_t i = 0; i < p->bindings.len; i++) {
            const Binding *bd = p->bindings.items[i];
            put(b, " %s", bd->name ? bd->name : "_");
        }
        put(b, ")");
        break;
    case P_INT: put(b, "%lld", (long long)p->as.int_value); break;
    case P_BYTE: put(b, "(byte %u)", p->as.byte_value); break;
    case P_STR: print_bytes(b, p->as.str.bytes, p->as.str.len); break;
    case P_BOOL: put(b, "%s", p->as.bool_value ? "true" : "false"); break;
    }
}

static const char *const assign_spelling[] = { "=", "+=", "-=", "*=", "/=", "%=" };

static void print_stmt(Buf *b, const Stmt *s) {
    switch (s->kind) {
    case S_LET:
        put(b, "(let %s", s->as.let.var.name);
        if (s->as.let.type) { put(b, ": "); print_type(b, s->as.let.type); }
        put(b, " ");
        print_expr(b, s->as.let.init);
        put(b, ")");
        break;
    case S_ASSIGN:
        put(b, "(assign %s ", assign_spelling[s->as.assign.op]);
        print_expr(b, s->as.assign.place);
        put(b, " ");
        print_expr(b, s->as.assign.value);
        put(b, ")");
        break;
    case S_EXPR: put(b, "(expr "); print_expr(b, s->as.expr); put(b, ")"); break;
    case S_DELEGATE:
        put(b, "(delegate ");
        print_expr(b, s->as.delegate.call);
        put(b, " %s)", s->as.delegate.out.name);
        break;
    case S_IF:
        put(b, "(if ");
        print_expr(b, s->as.if_.cond);
        put(b, " ");
        print_stmt(b, s->as.if_.then_block);
        if (s->as.if_.else_stmt) { put(b, " else "); print_stmt(b, s->as.if_.else_stmt); }
        put(b, ")");
        break;
    case S_WHILE:
        put(b, "(while ");
        print_expr(b, s->as.while_.cond);
        put(b, " ");
        print_stmt(b, s->as.while_.body);
        put(b, ")");
        break;
    case S_FOR:
        put(b, "(for %s", s->as.for_.first.name);
        if (s->as.for_.has_second) put(b, " %s", s->as.for_.second.name);
        put(b, " in ");
        print_expr(b, s->as.for_.iter);
        if (s->as.for_.range_hi) { put(b, " .. "); print_expr(b, s->as.for_.range_hi); }
        put(b, " ");
        print_stmt(b, s->as.for_.body);
        put(b, ")");
        break;
    case S_MATCH:
        put(b, "(match ");
        print_expr(b, s->as.match.scrutinee);
        for (uint32_t i = 0; i < s->as.match.arms.len; i++) {
            const MatchArm *a = s->as.match.arms.items[i];
            put(b, " (");
            print_pattern(b, a->pattern);
            put(b, " => ");
            print_stmt(b, a->body);
            put(b, ")");
        }
        put(b, ")");
        break;
    case S_BREAK: put(b, "(break)"); break;
    case S_CONTINUE: put(b, "(continue)"); break;
    case S_RETURN:
        put(b, "(return");
        if (s->as.ret) { put(b, " "); print_expr(b, s->as.ret); }
        put(b, ")");
        break;
    case S_BLOCK:
        put(b, "{");
        for (uint32_t i = 0; i < s->as.block.stmts.len; i++) {
            if (i) put(b, " ");
            print_stmt(b, s->as.block.stmts.items[i]);
        }
        put(b, "}");
        break;
    }
}

static void print_item(Buf *b, const Item *it) {
    static const char *const kinds[] = { "fn", "extern fn", "task", "struct", "enum" };
    put(b, "(%s %s", kinds[it->kind], it->name);
    if (it->kind == I_STRUCT || it->kind == I_ENUM) {
        for (uint32_t i = 0; i < it->fields.len; i++) {
            const Field *f = it->fields.items[i];
            put(b, " (%s", f->name);
            if (f->type) { put(b, " "); print_type(b, f->type); }
            for (uint32_t j = 0; j < f->payload.len; j++) { put(b, " "); print_type(b, f->payload.items[j]); }
            put(b, ")");
        }
        put(b, ")");
        return;
    }
    put(b, " (");
    for (uint32_t i = 0; i < it->params.len; i++) {
        const Param *p = it->params.items[i];
        if (i) put(b, ", ");
        put(b, "%s: %s", p->name, p->mode == MODE_IN ? "in " : p->mode == MODE_OUT ? "out " : "");
        print_type(b, p->type);
    }
    put(b, ")");
    if (it->result) { put(b, " -> "); print_type(b, it->result); }
    if (it->body) { put(b, " "); print_stmt(b, it->body); }
    put(b, ")");
}

/* ---- parsing with captured diagnostics ---- */

typedef struct Parsed {
    Arena arena;
    SourceFile file;
    Program *prog;
    int errors;          /* diag_error calls during the parse */
    char *diags;         /* the JSON lines diag_flush printed */
} Parsed;

static Parsed *parse(const char *src) {
    Parsed *r = calloc(1, sizeof *r);
    if (!r) abort();
    arena_init(&r->arena);
    r->file = (SourceFile){ .path = "test.loam", .text = src, .len = (uint32_t)strlen(src) };

    fflush(stderr);
    FILE *tmp = tmpfile();
    if (!tmp) abort();
    int saved = dup(2);
    dup2(fileno(tmp), 2);

    int before = diag_error_count();
    r->prog = parse_program(&r->arena, &r->file);
    r->errors = diag_error_count() - before;
    diag_flush();

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long size = ftell(tmp);
    if (size < 0) size = 0;
    r->diags = calloc(1, (size_t)size + 1);
    if (!r->diags) abort();
    rewind(tmp);
    size_t got = fread(r->diags, 1, (size_t)size, tmp);
    r->diags[got] = 0;
    fclose(tmp);
    return r;
}

static void release(Parsed *r) {
    arena_free(&r->arena);
    free(r->diags);
    free(r);
}

static void pass(const char *name) {
    printf("PASS %s\n", name);
    passed++;
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    failed++;
}

/* The whole program, one item per line. */
static char *program_sexp(const Program *prog) {
    Buf b = {0};
    put(&b, "%s", "");
    for (uint32_t i = 0; i < prog->items.len; i++) {
        if (i) put(&b, "\n");
        print_item(&b, prog->items.items[i]);
    }
    return b.data;
}

/* Checks that src parses without diagnostics to the items in want. */
static void check_program(const char *name, const char *src, const char *want) {
    Parsed *r = parse(src);
    char *got = program_sexp(r->prog);
    if (r->errors) fail(name, "unexpected diagnostics:\n%s", r->diags);
    else if (strcmp(got, want) != 0) fail(name, "\n  got:  %s\n  want: %s", got, want);
    else pass(name);
    free(got);
    release(r);
}

/* Checks that the statements of `fn f() { body }` print as want. */
static void check_stmts(const char *name, const char *body, const char *want) {
    Buf src = {0};
    put(&src, "fn f() {\n%s\n}\n", body);
    Parsed *r = parse(src.data);
    Buf got = {0};
    put(&got, "%s", "");
    if (r->prog->items.len == 1) {
        const Stmt *blk = ((const Item *)r->prog->items.items[0])->body;
        for (uint32_t i = 0; blk && i < blk->as.block.stmts.len; i++) {
            if (i) put(&got, " ");
            print_stmt(&got, blk->as.block.stmts.items[i]);
        }
    }
    if (r->errors) fail(name, "unexpected diagnostics:\n%s", r->diags);
    else if (strcmp(got.data, want) != 0) fail(name, "\n  got:  %s\n  want: %s", got.data, want);
    else pass(name);
    free(got.data);
    free(src.data);
    release(r);
}

/* Checks that the expression statement `expr;` prints as want. */
static void check_expr(const char *name, const char *expr, const char *want) {
    Buf body = {0}, w = {0};
    put(&body, "%s;", expr);
    put(&w, "(expr %s)", want);
    check_stmts(name, body.data, w.data);
    free(body.data);
    free(w.data);
}

/* ---- diagnostics ---- */

typedef struct Diag {
    char code[8];
    unsigned line, col;
    char message[256];
} Diag;

/* Reads the JSON lines: the first "line", "col", "code" and "message" of
 * each object are the diagnostic's own (the nested ones come later). */
static int read_diags(const char *json, Diag *out, int max) {
    int n = 0;
    for (const char *p = json; *p && n < max;) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        Diag d = {0};
        const char *q;
        if ((q = strstr(p, "\"line\":")) && q < eol) d.line = (unsigned)strtoul(q + 7, NULL, 10);
        if ((q = strstr(p, "\"col\":")) && q < eol) d.col = (unsigned)strtoul(q + 6, NULL, 10);
        if ((q = strstr(p, "\"code\":\"")) && q < eol) snprintf(d.code, sizeof d.code, "%.5s", q + 8);
        if ((q = strstr(p, "\"message\":\"")) && q < eol) {
            q += 11;
            size_t k = 0;
            while (q < eol && *q != '"' && k + 1 < sizeof d.message) {
                if (*q == '\\' && q + 1 < eol) q++;
                d.message[k++] = *q++;
            }
        }
        if (d.code[0]) out[n++] = d;
        p = *eol ? eol + 1 : eol;
    }
    return n;
}

/* Checks that src reports exactly the diagnostics in want, in order:
 * "E0100@3:5" each, separated by spaces. `contains`, when not NULL, must
 * appear in the JSON output (a message or a help line). */
static void check_errors(const char *name, const char *src, const char *want, const char *contains) {
    Parsed *r = parse(src);
    Diag diags[32];
    int n = read_diags(r->diags, diags, 32);
    Buf got = {0};
    put(&got, "%s", "");
    for (int i = 0; i < n; i++) put(&got, "%s%s@%u:%u", i ? " " : "", diags[i].code, diags[i].line, diags[i].col);
    if (strcmp(got.data, want) != 0) fail(name, "\n  got:  %s\n  want: %s\n%s", got.data, want, r->diags);
    else if (r->errors != n) fail(name, "%d errors counted, %d printed", r->errors, n);
    else if (contains && !strstr(r->diags, contains)) fail(name, "output lacks \"%s\":\n%s", contains, r->diags);
    else pass(name);
    free(got.data);
    release(r);
}

/* ---- the cases ---- */

static void test_items(void) {
    check_program("item_fn",
        "fn add(a: Int, b: Int) -> Int { return a + b; }",
        "(fn add (a: Int, b: Int) -> Int {(return (binary + (name a) (name b)))})");
    check_program("item_fn_no_params_trailing_comma",
        "fn f() {}\nfn g(x: Int,) {}",
        "(fn f () {})\n(fn g (x: Int) {})");
    check_program("item_extern_fn",
        "extern fn loam_len(s: Str) -> Int;\nextern fn loam_exit(code: Int);",
        "(extern fn loam_len (s: Str) -> Int)\n(extern fn loam_exit (code: Int))");
    check_program("item_task_modes",
        "task t(src: in Blob, srcs: in [Blob], dst: out Blob, n: Int) {}",
        "(task t (src: in Blob, srcs: in [Blob], dst: out Blob, n: Int) {})");
    check_program("item_struct",
        "struct Point { x: Int, y: Int, }\nstruct Empty {}",
        "(struct Point (x Int) (y Int))\n(struct Empty)");
    check_program("item_enum",
        "enum Shape { Circle(Float), Rect(Float, Float), Empty }",
        "(enum Shape (Circle Float) (Rect Float Float) (Empty))");
    check_program("type_nested",
        "fn f(a: [[Int]], m: Map<Str, [Int]>) -> Map<Int, Map<Str, Int>> {}",
        "(fn f (a: [[Int]], m: Map<Str, [Int]>) -> Map<Int, Map<Str, Int>> {})");
    check_program("type_map_closers",
        "fn f(a: Map<Str, Map<Str, Int> >, b: Map<Int, Map<Int, Map<Int, Bool>>>) {}",
        "(fn f (a: Map<Str, Map<Str, Int>>, b: Map<Int, Map<Int, Map<Int, Bool>>>) {})");
}

static void test_wordcount(void) {
    check_program("wordcount",
        "task wordcount(text: in Blob, counts: out Blob) {\n"
        "    let freq = Map<Str, Int>();\n"
        "    for line in text.lines() {\n"
        "        for word in line.words() {\n"
        "            freq[word] += 1;\n"
        "        }\n"
        "    }\n"
        "    for word, n in freq.sorted() {\n"
        "        counts.print(\"{word}\\t{n}\\n\");\n"
        "    }\n"
        "}\n",
        "(task wordcount (text: in Blob, counts: out Blob) {"
        "(let freq (map Str Int)) "
        "(for line in (call (field (name text) lines)) {"
        "(for word in (call (field (name line) words)) {"
        "(assign += (index (name freq) (name word)) (int 1))})}) "
        "(for word n in (call (field (name freq) sorted)) {"
        "(expr (call (field (name counts) print) "
        "(interp (str \"\") (name word) (str \"\\t\") (name n) (str \"\\n\"))))})})");
}

static void test_statements(void) {
    check_stmts("stmt_let", "let x = 1; let y: [Int] = [];",
        "(let x (int 1)) (let y: [Int] (array))");
    check_stmts("stmt_assign_ops", "x = 1; x += 2; x -= 3; x *= 4; x /= 5; x %= 6;",
        "(assign = (name x) (int 1)) (assign += (name x) (int 2)) (assign -= (name x) (int 3)) "
        "(assign *= (name x) (int 4)) (assign /= (name x) (int 5)) (assign %= (name x) (int 6))");
    check_stmts("stmt_assign_place", "p.x = 1; a[i].y[j] += 2;",
        "(assign = (field (name p) x) (int 1)) "
        "(assign += (index (field (index (name a) (name i)) y) (name j)) (int 2))");
    check_stmts("stmt_assign_any_expr", "f() = 1;", "(assign = (call (name f)) (int 1))");
    check_stmts("stmt_expr", "print(\"hi\"); x;", "(expr (call (name print) (str \"hi\"))) (expr (name x))");
    check_stmts("stmt_delegate", "spawn child(a, 1) -> o;",
        "(delegate (call (name child) (name a) (int 1)) o)");
    check_stmts("stmt_spawn_expr", "let r = spawn t(x); spawn t(y);",
        "(let r (spawn (call (name t) (name x)))) (expr (spawn (call (name t) (name y))))");
    check_stmts("stmt_if", "if a { x; }", "(if (name a) {(expr (name x))})");
    check_stmts("stmt_if_else", "if a { x; } else { y; }", "(if (name a) {(expr (name x))} else {(expr (name y))})");
    check_stmts("stmt_if_else_if", "if a {} else if b {} else if c {} else {}",
        "(if (name a) {} else (if (name b) {} else (if (name c) {} else {})))");
    check_stmts("stmt_while", "while i < n { i += 1; }",
        "(while (binary < (name i) (name n)) {(assign += (name i) (int 1))})");
    check_stmts("stmt_for_one", "for x in xs {}", "(for x in (name xs) {})");
    check_stmts("stmt_for_two", "for i, x in xs {}", "(for i x in (name xs) {})");
    check_stmts("stmt_for_range", "for i in 0..n + 1 { break; }",
        "(for i in (int 0) .. (binary + (name n) (int 1)) {(break)})");
    check_stmts("stmt_for_range_two_names", "for i, x in 0..n {}", "(for i x in (int 0) .. (name n) {})");
    check_stmts("stmt_jumps", "while true { continue; break; }",
        "(while (bool true) {(continue) (break)})");
    check_stmts("stmt_return", "return; return 1 + 2;", "(return) (return (binary + (int 1) (int 2)))");
    check_stmts("stmt_nested_blocks", "{ let a = 1; { a; } } {}", "{(let a (int 1)) {(expr (name a))}} {}");
    check_stmts("stmt_match_enum",
        "match s { Circle(r) => { x; } Rect(w, _) => {}, Empty => {} _ => {} }",
        "(match (name s) ((Circle r) => {(expr (name x))}) ((Rect w _) => {}) (Empty => {}) (_ => {}))");
    check_stmts("stmt_match_literals",
        "match n { 0 => {}, -1 => {}, b'a' => {}, \"s\" => {}, true => {}, false => {}, Unit() => {}, }",
        "(match (name n) (0 => {}) (-1 => {}) ((byte 97) => {}) (\"s\" => {}) (true => {}) (false => {}) ((Unit) => {}))");
    check_stmts("stmt_match_empty", "match x {}", "(match (name x))");
}

static void test_expressions(void) {
    check_expr("expr_literals", "[1, 2.5, true, false, b'z', \"s\"]",
        "(array (int 1) (float 2.5) (bool true) (bool false) (byte 122) (str \"s\"))");
    check_expr("expr_array_trailing_comma", "[[1,], []]", "(array (array (int 1)) (array))");
    check_expr("prec_mul_over_add", "a + b * 2", "(binary + (name a) (binary * (name b) (int 2)))");
    check_expr("prec_parens", "(a + b) * 2", "(binary * (binary + (name a) (name b)) (int 2))");
    check_expr("assoc_sub_left", "a - b - c", "(binary - (binary - (name a) (name b)) (name c))");
    check_expr("assoc_div_rem_left", "a / b % c * d",
        "(binary * (binary % (binary / (name a) (name b)) (name c)) (name d))");
    check_expr("prec_or_and", "a || b && c || d",
        "(binary || (binary || (name a) (binary && (name b) (name c))) (name d))");
    check_expr("prec_cmp_over_and", "a < b && c == d",
        "(binary && (binary < (name a) (name b)) (binary == (name c) (name d)))");
    check_expr("prec_bitor_over_cmp", "a | b == c",
        "(binary == (binary | (name a) (name b)) (name c))");
    check_expr("prec_bit_levels", "a | b ^ c & d",
        "(binary | (name a) (binary ^ (name b) (binary & (name c) (name d))))");
    check_expr("prec_shift_over_bitand", "a & b << 1", "(binary & (name a) (binary << (name b) (int 1)))");
    check_expr("prec_add_over_shift", "a << b + c", "(binary << (name a) (binary + (name b) (name c)))");
    check_expr("shr", "a >> 2", "(binary >> (name a) (int 2))");
    check_expr("shr_assoc_and_prec", "a >> b >> c + 1",
        "(binary >> (binary >> (name a) (name b)) (binary + (name c) (int 1)))");
    check_expr("shr_vs_gt", "a | b >> c > d",
        "(binary > (binary | (name a) (binary >> (name b) (name c))) (name d))");
    check_expr("cmp_all_ops", "[a == b, a != b, a < b, a <= b, a > b, a >= b]",
        "(array (binary == (name a) (name b)) (binary != (name a) (name b)) (binary < (name a) (name b)) "
        "(binary <= (name a) (name b)) (binary > (name a) (name b)) (binary >= (name a) (name b)))");
    check_expr("cmp_parenthesized_chain", "(a < b) == c", "(binary == (binary < (name a) (name b)) (name c))");
    check_expr("unary", "-a * !b", "(binary * (unary - (name a)) (unary ! (name b)))");
    check_expr("unary_nested", "- -x", "(unary - (unary - (name x)))");
    check_expr("postfix_binds_tighter_than_unary", "-a.b()", "(unary - (call (field (name a) b)))");
    check_expr("call_args", "f(a, 1 + 2, g())",
        "(call (name f) (name a) (binary + (int 1) (int 2)) (call (name g)))");
    check_expr("call_named_args", "Point(x: 1, y: z,)", "(call (name Point) x: (int 1) y: (name z))");
    check_expr("method_chain", "s.trim().split(\",\")[0].len()",
        "(call (field (index (call (field (call (field (name s) trim)) split) (str \",\")) (int 0)) len))");
    check_expr("enum_variant", "Shape.Circle(1.0)", "(call (field (name Shape) Circle) (float 1))");
    check_expr("slices", "[s[1..2], s[..n], s[i..], s[..]]",
        "(array (slice (name s) (int 1) (int 2)) (slice (name s) _ (name n)) (slice (name s) (name i) _) "
        "(slice (name s) _ _))");
    check_expr("map_new", "Map<Str, Map<Str, Int>>()", "(map Str Map<Str, Int>)");
    check_expr("map_new_array_value", "Map<Int, [Str]>()", "(map Int [Str])");
    check_expr("spawn_precedence", "spawn t(x).len()", "(spawn (call (field (call (name t) (name x)) len)))");
    check_expr("interp_simple", "\"a{x}b\"", "(interp (str \"a\") (name x) (str \"b\"))");
    check_expr("interp_many", "\"{a + 1}{b}\"",
        "(interp (str \"\") (binary + (name a) (int 1)) (str \"\") (name b) (str \"\"))");
    check_expr("interp_nested", "\"x{f(\"y{z}\")}\"",
        "(interp (str \"x\") (call (name f) (interp (str \"y\") (name z) (str \"\"))) (str \"\"))");
}

/* Spans: a node covers its source text; parentheses are marked. */
static void test_spans(void) {
    const char *name = "spans";
    Parsed *r = parse("fn f() {\n    x = (a + b) * c;\n}\n");
    const Item *it = r->prog->items.len ? r->prog->items.items[0] : NULL;
    const Stmt *s = it && it->body->as.block.stmts.len ? it->body->as.block.stmts.items[0] : NULL;
    if (r->errors || !s || s->kind != S_ASSIGN) {
        fail(name, "did not parse");
    } else {
        const Expr *mul = s->as.assign.value, *sum = mul->as.binary.lhs;
        if (s->span.line != 2 || s->span.col != 5 || s->span.end - s->span.off != 16)
            fail(name, "statement span %u:%u len %u", s->span.line, s->span.col, s->span.end - s->span.off);
        else if (mul->span.col != 9 || mul->span.end - mul->span.off != 11)
            fail(name, "product span %u:%u len %u", mul->span.line, mul->span.col, mul->span.end - mul->span.off);
        else if (!sum->parens || mul->parens || sum->span.col != 9)
            fail(name, "parens flag or span wrong");
        else if (it->span.line != 1 || it->span.col != 1 || it->body->as.block.close.line != 3)
            fail(name, "item or block close span wrong");
        else if (it->name_span.col != 4)
            fail(name, "name span col %u", it->name_span.col);
        else
            pass(name);
    }
    release(r);
}

/* Expressions deeper than AST_MAX_EXPR_DEPTH become poison, once. */
static void test_depth(void) {
    Buf src = {0};
    put(&src, "fn f() {\n    let x = 0");
    for (int i = 0; i < 2500; i++) put(&src, " + 1");
    put(&src, ";\n    let y = 1 + 2;\n}\n");
    Parsed *r = parse(src.data);
    const Stmt *blk = r->prog->items.len ? ((const Item *)r->prog->items.items[0])->body : NULL;
    if (!blk || blk->as.block.stmts.len != 2) fail("depth_limit", "did not parse");
    else if (r->errors != 1 || !strstr(r->diags, "\"code\":\"E0006\"")) fail("depth_limit", "diagnostics:\n%s", r->diags);
    else {
        const Expr *init = ((const Stmt *)blk->as.block.stmts.items[0])->as.let.init;
        if (init->depth > AST_MAX_EXPR_DEPTH) fail("depth_limit", "depth %u kept", init->depth);
        else pass("depth_limit");
    }
    release(r);
    free(src.data);

    /* Unary operators nest on Bison's own stack: running out of it is E0006
     * too, reported once, and the parse stops. */
    Buf deep = {0};
    put(&deep, "fn f() {\n    let x = ");
    for (int i = 0; i < 20000; i++) put(&deep, "-");
    put(&deep, "1;\n}\n");
    r = parse(deep.data);
    Diag d[4];
    int n = read_diags(r->diags, d, 4);
    if (n != 1 || r->errors != 1 || strcmp(d[0].code, "E0006") != 0 || d[0].line != 2)
        fail("parser_stack_exhausted", "diagnostics:\n%s", r->diags);
    else
        pass("parser_stack_exhausted");
    release(r);
    free(deep.data);
}

static void test_errors(void) {
    check_errors("error_missing_semi",
        "fn f() {\n    let x = 1\n}\n",
        "E0100@3:1", "unexpected '}', expected ';'");
    check_errors("error_missing_semi_help",
        "fn f() {\n    g()\n    h();\n}\n",
        "E0100@3:5", "add ';' at the end of line 2");
    check_errors("error_three_separate",
        "fn f() {\n"
        "    let x = ;\n"
        "    let y = 1 + * 2;\n"
        "    x = = 3;\n"
        "    let ok = 1;\n"
        "}\n",
        "E0100@2:13 E0100@3:17 E0100@4:9", NULL);
    check_errors("error_across_items",
        "fn f(a Int) {}\nstruct S { a Int }\nfn g() { return 1 }\nfn ok() {}\n",
        "E0100@1:8 E0100@2:14 E0100@3:19", NULL);
    check_errors("error_one_per_statement",
        "fn f() {\n    let = = = 1 2 3;\n    if a b c { d e f; }\n}\n",
        "E0100@2:9 E0100@3:10", NULL);
    check_errors("error_unclosed_brace",
        "fn f() {\n    let x = 1;\n", "E0101@1:8", NULL);
    check_errors("error_unterminated_string",
        "fn f() {\n    let s = \"abc;\n}\n", "E0021@2:13", NULL);
    check_errors("error_unterminated_interpolation",
        "fn f() {\n    let s = \"a{x\n", "E0021@2:13", NULL);
    check_errors("error_runaway_interpolated_string",
        "fn f() {\n    print(\"{a}\\\");\n    if a { x = 1; }\n    let y = 2;\n}\n", "E0021@2:11", NULL);
    check_errors("error_unterminated_comment",
        "fn f() {\n    let s = 1; /* no end\n", "E0003@2:16", NULL);
    check_errors("error_unclosed_paren",
        "fn f() {\n    g(1, 2\n", "E0101@2:6", NULL);
    check_errors("error_chained_comparison",
        "fn f() {\n    let b = a < b < c;\n}\n", "E0103@2:13", "a < b && b < c");
    check_errors("error_chained_equality",
        "fn f() {\n    let b = a == b != c;\n}\n", "E0103@2:13", NULL);
    check_errors("error_split_shift",
        "fn f() {\n    let b = a > > 2;\n}\n", "E0102@2:15", "'>>'");
    check_errors("error_spawn_not_call",
        "fn f() {\n    let r = spawn t;\n    spawn t.x -> o;\n}\n", "E0100@2:19 E0100@3:11", "'spawn' needs a call");
    check_errors("error_item_expected",
        "let x = 1;\nfn f() {}\n", "E0100@1:1", "declaration");
    check_errors("error_keyword_as_name",
        "fn f() {\n    let in = 1;\n}\n", "E0100@2:9", "keyword");
    check_errors("error_eq_in_condition",
        "fn f() {\n    if a = b { }\n}\n", "E0100@2:10", "'=='");
    check_errors("error_bad_pattern_recovers",
        "fn f() {\n    match x { 1 + => { }, 2 => { } }\n    let y = ;\n}\n",
        "E0100@2:17 E0100@3:13", NULL);
    check_errors("error_stray_close",
        "fn f() {}\n}\nfn g() {}\n", "E0100@2:1", NULL);
    check_errors("error_unexpected_eof",
        "fn f()", "E0100@1:7", "end of file");
    check_errors("error_keywords_as_names_each_reported",
        "fn f() {\n    let in = 1;\n    let match = 2;\n    let Map = 3;\n    let ok = 4;\n}\n",
        "E0100@2:9 E0100@3:9 E0100@4:9", NULL);
    check_errors("error_broken_if_head_with_else",
        "fn f() {\n    if a b { x; } else { y; }\n    let z = 1;\n}\n", "E0100@2:10", NULL);
    check_errors("error_misspelled_match",
        "fn f() {\n    mtch q { 1 => { f(); } _ => {} }\n    let z = ;\n}\n", "E0100@2:10 E0100@3:13", NULL);
    check_errors("error_adjacent_statements",
        "fn f() {\n    x = ;\n    y = ;\n    z = ;\n}\n", "E0100@2:9 E0100@3:9 E0100@4:9", NULL);

    check_errors("error_missing_semi_then_let",
        "fn f() {\n    let a = 1\n    let b = (2 + );\n}\n", "E0100@3:5 E0100@3:18", "end of line 2");
    check_errors("error_task_result",
        "task t() -> Int {}\n", "E0100@1:10", "'out' parameters");
    check_errors("error_resume_at_item",
        "fn f(a: )\nfn g() { let x = ; }\n", "E0100@1:9 E0100@2:18", "expected type, 'in' or 'out'");

    /* Items around a broken one survive. */
    Parsed *r = parse("fn a() {}\nfn b( {}\nfn c() {}\n");
    char *got = program_sexp(r->prog);
    if (strcmp(got, "(fn a () {})\n(fn c () {})") != 0) fail("error_items_survive", "got %s", got);
    else pass("error_items_survive");
    free(got);
    release(r);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);   /* results survive a crash */
    diag_configure(DIAG_JSON, false);
    test_items();
    test_wordcount();
    test_statements();
    test_expressions();
    test_spans();
    test_depth();
    test_errors();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
