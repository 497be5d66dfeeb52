/* grammar.y — the parser (spec §2).
 *
 * Consumes: the tokens of one file (lexer.h). Produces: a Program whose
 * nodes come from the ast_* constructors (ast.h), each with the Span of its
 * source text. Actions are one-line constructor calls; the few syntax rules
 * that are not context-free in LALR(1) terms (no chained comparisons, '>>'
 * written as two adjacent '>', 'spawn' takes a call) are checked by the small
 * helpers below. The parser does nothing else: names and types are checked
 * later (resolve.c, typecheck.c).
 *
 * Errors: a syntax error is E0100 ("unexpected X, expected Y or Z"); the
 * parser then skips to the next ';', over a block, to a '}' or to the
 * keyword that starts the next statement or item, and goes on: one file
 * reports several independent errors, one broken statement reports one.
 * Three things keep cascades out: Bison's own quiet spell (three tokens
 * after an error, cut short by yyerrok at the end of a line, see
 * ends_line), the quiet parse of a block skipped after an error (see
 * `quiet`), and dropping syntax errors inside a string that never ends
 * (see parse_program). Running out of parser stack is E0006 and stops the
 * parse.
 *
 * '>>': there is no '>>' token. yylex() turns a '>' that is followed by
 * another '>' (adjacent or not) into GT_GT, so that one token of lookahead
 * tells a right shift (GT_GT GT) from a comparison (GT); shift_right()
 * then rejects a split '> >' (E0102). A nested Map<K, Map<K, V>> closes
 * with GT_GT GT, so type closers accept either.
 */

%require "3.8"
%define api.pure full
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
/* No conflicts. Reduce/reduce conflicts are always errors in an LALR
 * parser (%expect-rr is for GLR only). */
%expect 0

%parse-param {Parser *p}
%lex-param {Parser *p}

%code requires {
#include "ast.h"
#include "lexer.h"

typedef struct Parser Parser;
typedef struct StrValue { const char *bytes; uint32_t len; } StrValue;
}

%code {
#include <stdio.h>
#include <string.h>

/* The state of one parse, shared by yylex, the actions and the error
 * reporter. */
struct Parser {
    Lexer lx;
    Arena *arena;
    Program *prog;
    Token last;         /* the token yylex returned last: the lookahead */
    Span before_last;   /* the token before it */
    Token peeked;       /* one token read ahead after a '>' */
    bool has_peeked;
    /* The lexer reported an error while reading the token before the end or
     * the end itself (an unterminated string or comment, an unclosed
     * bracket): an "unexpected end of file" would repeat it. */
    bool prev_lex_error, lex_error_at_end;
    /* Where the strings being read opened (an interpolation's STR_HEAD), and
     * where the last string token before the end opened: if the file ends
     * inside it, the code after that point was swallowed by the string. */
    uint32_t string_open[LEX_MAX_NESTING];
    int string_depth;
    uint32_t last_string_open;
    bool last_was_string;
    uint32_t runaway_string;   /* UINT32_MAX when none */
    int quiet;                 /* > 0: inside a block skipped after an error */
    /* Syntax errors (E0100) wait here until the end of the file: those inside
     * a string that never ends are dropped (see parse_program). */
    List pending;        /* of SyntaxError* */
};

typedef struct SyntaxError {
    Span at;
    const char *message, *help;   /* help may be NULL */
} SyntaxError;

static int yylex(YYSTYPE *value, YYLTYPE *loc, Parser *p);
static void yyerror(YYLTYPE *loc, Parser *p, const char *msg);

/* The zero-length span at the end of s: where an empty rule sits. */
static Span span_after(Span s) {
    Span r = s;
    if (s.file) {
        for (uint32_t i = s.off; i < s.end && i < s.file->len; i++) {
            if (s.file->text[i] == '\n') { r.line++; r.col = 1; }
            else r.col++;
        }
    }
    r.off = s.end;
    return r;
}

/* A rule's span runs from its first token to the end of its last; an empty
 * rule gets a zero-length span just after the previous token. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
    do {                                                                    \
        if (N) {                                                            \
            (Cur) = YYRHSLOC(Rhs, 1);                                       \
            (Cur).end = YYRHSLOC(Rhs, N).end;                               \
        } else {                                                            \
            (Cur) = span_after(YYRHSLOC(Rhs, 0));                           \
        }                                                                   \
    } while (0)

#define NO_SPAN ((Span){0})

static List list_of(void *x) {
    List l = {0};
    list_push(ast_arena(), &l, x);
    return l;
}

static List list_add(List l, void *x) {
    list_push(ast_arena(), &l, x);
    return l;
}

/* One piece of an interpolated string: an E_STR, possibly empty. */
static Expr *str_piece(StrValue s, Span at) { return ast_str(s.bytes, s.len, at); }

static bool is_comparison(const Expr *e) {
    return e->kind == E_BINARY && !e->parens && e->as.binary.op >= BIN_EQ && e->as.binary.op <= BIN_GE;
}

/* cmp_expr: comparisons do not chain (spec §2): `a < b < c` is E0103 unless
 * the left comparison is parenthesized. The chain becomes a poison node so
 * that the checker does not add a type error to it. */
static Expr *compare(BinaryOp op, Expr *lhs, Expr *rhs, Span at) {
    if (!is_comparison(lhs)) return ast_binary(op, lhs, rhs, at);
    diag_error(E0103, at, "comparison operators cannot be chained");
    diag_help("'a %s b %s c' does not compare 'b' with both sides; write 'a %s b && b %s c'",
              binary_op_spelling(lhs->as.binary.op), binary_op_spelling(op),
              binary_op_spelling(lhs->as.binary.op), binary_op_spelling(op));
    return ast_poison(at);
}

/* shift_expr: shift_expr '>' '>' add_expr, the two '>' adjacent (spec §1.5).
 * A split `> >` still parses as a shift so that nothing cascades. */
static Expr *shift_right(Expr *lhs, Span first, Span second, Expr *rhs, Span at) {
    if (first.end != second.off) {
        diag_error(E0102, span_join(first, second), "'> >' is not an operator");
        diag_help("write '>>' without a space for a right shift");
    }
    return ast_binary(BIN_SHR, lhs, rhs, at);
}

/* task_decl with '-> type': a task has no result type (spec §4). Reported
 * here, where the message can say why, and parsed as if it had none. */
static Item *task_with_result(const char *name, Span name_span, List params, Span arrow,
                              TypeExpr *result, Stmt *body, Span at) {
    diag_error(E0100, span_join(arrow, result->span), "a task has no result type");
    diag_help("a task hands its results over through its 'out' parameters: "
              "remove '-> T' and write to a parameter such as 'result: out Blob'");
    return ast_fn(I_TASK, name, name_span, params, NULL, body, at);
}

/* After an error, a ';' or '}' that ends its line (comments aside) ends
 * the broken statement: the parser then reports the next error at once
 * (yyerrok) instead of staying quiet for Bison's three tokens, so that
 * consecutive broken lines each get their message. In the middle of a line
 * the rest is more likely the same mistake, and stays quiet. */
static bool ends_line(Span s) {
    if (!s.file) return true;
    const char *t = s.file->text;
    uint32_t i = s.end, n = s.file->len;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r')) i++;
    if (i + 1 < n && t[i] == '/' && (t[i + 1] == '/' || t[i + 1] == '*')) return true;
    return i >= n || t[i] == '\n';
}
#define RESYNC(at) do { if (ends_line(at)) yyerrok; } while (0)

/* 'spawn' call: the operand of spawn must be a call (spec §6). */
static Expr *spawn_call(Expr *operand) {
    if (operand->kind == E_CALL || operand->kind == E_POISON) return operand;
    diag_error(E0100, operand->span, "'spawn' needs a call");
    diag_help("spawn starts a task: write 'spawn name(arguments)'");
    return ast_poison(operand->span);
}
}

%union {
    int64_t int_value;
    double float_value;
    uint8_t byte_value;
    const char *name;
    StrValue str;
    Expr *expr;
    Stmt *stmt;
    Item *item;
    TypeExpr *type;
    Pattern *pattern;
    Binding *binding;
    MatchArm *arm;
    Param *param;
    Field *field;
    Arg *arg;
    List list;
    BinaryOp binop;
    AssignOp assignop;
    Mode mode;
}

%destructor { p->quiet = $$ - 1; } quiet

%initial-action { @$ = (Span){ .file = p->lx.file, .line = 1, .col = 1 }; }

/* One token per line of token.def, same name, its spelling as the alias. */
%token END 0 "end of file"
%token <name> IDENT "identifier"
%token <int_value> INT "integer"
%token <float_value> FLOAT "float"
%token <byte_value> BYTE "byte"
%token <str> STR "string"
/* The three pieces of an interpolated string need aliases of their own;
 * messages call them "string" and "'}'" (see symbol_spelling). */
%token <str> STR_HEAD "string with '{'"
%token <str> STR_MID "'}' of an interpolation, then '{'"
%token <str> STR_TAIL "'}' of an interpolation"

%token KW_BREAK "'break'"
%token KW_CONTINUE "'continue'"
%token KW_ELSE "'else'"
%token KW_ENUM "'enum'"
%token KW_EXTERN "'extern'"
%token KW_FALSE "'false'"
%token KW_FN "'fn'"
%token KW_FOR "'for'"
%token KW_IF "'if'"
%token KW_IN "'in'"
%token KW_LET "'let'"
%token KW_MAP "'Map'"
%token KW_MATCH "'match'"
%token KW_OUT "'out'"
%token KW_RETURN "'return'"
%token KW_SPAWN "'spawn'"
%token KW_STRUCT "'struct'"
%token KW_TASK "'task'"
%token KW_TRUE "'true'"
%token KW_WHILE "'while'"
%token UNDERSCORE "'_'"

%token LPAREN "'('"
%token RPAREN "')'"
%token LBRACKET "'['"
%token RBRACKET "']'"
%token LBRACE "'{'"
%token RBRACE "'}'"
%token COMMA "','"
%token SEMI "';'"
%token COLON "':'"
%token DOT "'.'"
%token DOTDOT "'..'"
%token ARROW "'->'"
%token FAT_ARROW "'=>'"
%token ASSIGN "'='"
%token EQ "'=='"
%token NE "'!='"
%token LT "'<'"
%token LE "'<='"
%token GT "'>'"
%token GE "'>='"
%token PLUS "'+'"
%token MINUS "'-'"
%token STAR "'*'"
%token SLASH "'/'"
%token PERCENT "'%'"
%token PLUS_ASSIGN "'+='"
%token MINUS_ASSIGN "'-='"
%token STAR_ASSIGN "'*='"
%token SLASH_ASSIGN "'/='"
%token PERCENT_ASSIGN "'%='"
%token BANG "'!'"
%token AND_AND "'&&'"
%token OR_OR "'||'"
%token AMP "'&'"
%token PIPE "'|'"
%token CARET "'^'"
%token SHL "'<<'"

/* Not in token.def: a '>' whose next token is another '>', adjacent or not
 * (see yylex and shift_right). */
%token GT_GT "'>>'"

%type <item> item fn_decl extern_fn task_decl struct_decl enum_decl
%type <list> params param_list fields field_list variants variant_list
%type <list> types type_list stmts arms bindings binding_list
%type <list> args arg_list elems elem_list interp_head
%type <param> param
%type <mode> mode
%type <type> type opt_result
%type <field> field variant
%type <stmt> block stmt keyword_stmt if_stmt for_stmt match_stmt
%type <binding> binding pattern_binding
%type <arm> arm
%type <pattern> pattern
%type <assignop> assign_op
%type <binop> cmp_op add_op mul_op
%type <expr> expr or_expr and_expr cmp_expr bor_expr bxor_expr band_expr
%type <expr> shift_expr add_expr mul_expr unary_expr postfix_expr primary
%type <expr> opt_expr
%type <arg> arg
%type <int_value> quiet

%%

/* program: item* — each item goes into the Program as soon as it is parsed,
 * so that the items before a fatal error survive. After an error, skip to a
 * ';', a '}', over a whole block, to the next item, or over a statement
 * (statements outside a function, often after a '}' too many, are dropped
 * one error each). */
program
    : %empty
    | program item              { list_push(p->arena, &p->prog->items, $2); }
    | program error SEMI        { RESYNC(@3); }
    | program error RBRACE      { RESYNC(@3); }
    | program error block       { RESYNC(@3); }
    | program error keyword_stmt { RESYNC(@3); }
    | program error item        { list_push(p->arena, &p->prog->items, $3); yyerrok; }
    ;

item
    : fn_decl | extern_fn | task_decl | struct_decl | enum_decl
    ;

/* fn_decl: 'fn' NAME '(' param,* ')' ('->' type)? block */
fn_decl
    : KW_FN IDENT LPAREN params RPAREN opt_result block
                                { $$ = ast_fn(I_FN, $2, @2, $4, $6, $7, @$); }
    ;

/* extern_fn: 'extern' 'fn' NAME '(' param,* ')' ('->' type)? ';' */
extern_fn
    : KW_EXTERN KW_FN IDENT LPAREN params RPAREN opt_result SEMI
                                { $$ = ast_fn(I_EXTERN_FN, $3, @3, $5, $7, NULL, @$); }
    ;

/* task_decl: 'task' NAME '(' param,* ')' block */
task_decl
    : KW_TASK IDENT LPAREN params RPAREN block
                                { $$ = ast_fn(I_TASK, $2, @2, $4, NULL, $6, @$); }
    | KW_TASK IDENT LPAREN params RPAREN ARROW type block
                                { $$ = task_with_result($2, @2, $4, @6, $7, $8, @$); }
    ;

opt_result
    : %empty                    { $$ = NULL; }
    | ARROW type                { $$ = $2; }
    ;

/* struct_decl: 'struct' NAME '{' (NAME ':' type),* '}' */
struct_decl
    : KW_STRUCT IDENT LBRACE fields RBRACE
                                { $$ = ast_struct(I_STRUCT, $2, @2, $4, @$); }
    ;

/* enum_decl: 'enum' NAME '{' (NAME ('(' type,* ')')?),* '}' */
enum_decl
    : KW_ENUM IDENT LBRACE variants RBRACE
                                { $$ = ast_struct(I_ENUM, $2, @2, $4, @$); }
    ;

/* param,* */
params
    : %empty                    { $$ = (List){0}; }
    | param_list
    | param_list COMMA
    ;

param_list
    : param                     { $$ = list_of($1); }
    | param_list COMMA param    { $$ = list_add($1, $3); }
    ;

/* param: NAME ':' mode? type */
param
    : IDENT COLON type          { $$ = ast_param($1, @1, MODE_NONE, NO_SPAN, $3, @$); }
    | IDENT COLON mode type     { $$ = ast_param($1, @1, $3, @3, $4, @$); }
    ;

/* mode: 'in' | 'out' */
mode
    : KW_IN                     { $$ = MODE_IN; }
    | KW_OUT                    { $$ = MODE_OUT; }
    ;

fields
    : %empty                    { $$ = (List){0}; }
    | field_list
    | field_list COMMA
    ;

field_list
    : field                     { $$ = list_of($1); }
    | field_list COMMA field    { $$ = list_add($1, $3); }
    ;

field
    : IDENT COLON type          { $$ = ast_field_decl($1, $3, @$); }
    ;

variants
    : %empty                    { $$ = (List){0}; }
    | variant_list
    | variant_list COMMA
    ;

variant_list
    : variant                   { $$ = list_of($1); }
    | variant_list COMMA variant { $$ = list_add($1, $3); }
    ;

variant
    : IDENT                     { $$ = ast_variant_decl($1, (List){0}, @$); }
    | IDENT LPAREN types RPAREN { $$ = ast_variant_decl($1, $3, @$); }
    ;

/* type,* */
types
    : %empty                    { $$ = (List){0}; }
    | type_list
    | type_list COMMA
    ;

type_list
    : type                      { $$ = list_of($1); }
    | type_list COMMA type      { $$ = list_add($1, $3); }
    ;

/* type: NAME | '[' type ']' | 'Map' '<' type ',' type '>'
 * The closing '>' of a Map whose value is a Map arrives as GT_GT. */
type
    : IDENT                     { $$ = ast_type_name($1, @$); }
    | LBRACKET type RBRACKET    { $$ = ast_type_array($2, @$); }
    | KW_MAP LT type COMMA type close_angle
                                { $$ = ast_type_map($3, $5, @$); }
    ;

close_angle
    : GT
    | GT_GT
    ;

/* block: '{' stmt* '}' */
block
    : LBRACE stmts RBRACE       { $$ = ast_block($2, @3, @$); }
    | LBRACE stmts error RBRACE { $$ = ast_block($2, @4, @$); RESYNC(@4); }
    ;

/* stmt* — after an error, skip to a ';', over a block (and its 'else'
 * blocks: the error was in an if's condition), or to the keyword that starts
 * the next statement (so that a missing ';' does not swallow the statement
 * after it); a '}' ends the block (see block). See ends_line for yyerrok. */
stmts
    : %empty                    { $$ = (List){0}; }
    | stmts stmt                { $$ = list_add($1, $2); }
    | stmts error SEMI          { $$ = $1; RESYNC(@3); }
    | stmts error quiet block   { $$ = $1; p->quiet = $3 - 1; RESYNC(@4); }
    | stmts error quiet block KW_ELSE block
                                { $$ = $1; p->quiet = $3 - 1; RESYNC(@6); }
    | stmts error quiet block KW_ELSE if_stmt
                                { $$ = $1; p->quiet = $3 - 1; RESYNC(@6); }
    | stmts error keyword_stmt  { $$ = list_add($1, $3); RESYNC(@3); }
    ;

/* The block after a broken statement head is parsed quietly: it may be a
 * match's arms, or the body of something that was not a statement. The
 * level (the value of `quiet`) is restored when the rule using it is
 * reduced, or when error recovery pops it off the stack (%destructor). */
quiet
    : %empty                    { $$ = ++p->quiet; }
    ;

/* stmt (spec §2). Assignment takes any expression on the left; typecheck.c
 * checks that it is a place (E0235). */
stmt
    : keyword_stmt
    | expr assign_op expr SEMI  { $$ = ast_assign($2, $1, $3, @$); }
    | expr SEMI                 { $$ = ast_expr_stmt($1, @$); }
    | KW_SPAWN postfix_expr ARROW IDENT SEMI
                                { $$ = ast_delegate(spawn_call($2), $4, @4, @$); }
    | block
    ;

/* The statements that start with a keyword of their own: error recovery
 * may resume at one (see stmts). */
keyword_stmt
    : KW_LET IDENT ASSIGN expr SEMI
                                { $$ = ast_let($2, @2, NULL, $4, @$); }
    | KW_LET IDENT COLON type ASSIGN expr SEMI
                                { $$ = ast_let($2, @2, $4, $6, @$); }
    | if_stmt
    | KW_WHILE expr block       { $$ = ast_while($2, $3, @$); }
    | for_stmt
    | match_stmt
    | KW_BREAK SEMI             { $$ = ast_jump(S_BREAK, @$); }
    | KW_CONTINUE SEMI          { $$ = ast_jump(S_CONTINUE, @$); }
    | KW_RETURN SEMI            { $$ = ast_return(NULL, @$); }
    | KW_RETURN expr SEMI       { $$ = ast_return($2, @$); }
    ;

assign_op
    : ASSIGN                    { $$ = AS_SET; }
    | PLUS_ASSIGN               { $$ = AS_ADD; }
    | MINUS_ASSIGN              { $$ = AS_SUB; }
    | STAR_ASSIGN               { $$ = AS_MUL; }
    | SLASH_ASSIGN              { $$ = AS_DIV; }
    | PERCENT_ASSIGN            { $$ = AS_REM; }
    ;

/* if_stmt: 'if' expr block ('else' (block | if_stmt))? */
if_stmt
    : KW_IF expr block          { $$ = ast_if($2, $3, NULL, @$); }
    | KW_IF expr block KW_ELSE block
                                { $$ = ast_if($2, $3, $5, @$); }
    | KW_IF expr block KW_ELSE if_stmt
                                { $$ = ast_if($2, $3, $5, @$); }
    ;

/* for_stmt: 'for' NAME (',' NAME)? 'in' expr block
 *         | 'for' NAME 'in' expr '..' expr block
 * A range with two names parses too: typecheck.c reports it (E0254), with
 * a clearer message than a syntax error could give. */
for_stmt
    : KW_FOR binding KW_IN expr block
                                { $$ = ast_for($2, NULL, $4, NULL, $5, @$); }
    | KW_FOR binding COMMA binding KW_IN expr block
                                { $$ = ast_for($2, $4, $6, NULL, $7, @$); }
    | KW_FOR binding KW_IN expr DOTDOT expr block
                                { $$ = ast_for($2, NULL, $4, $6, $7, @$); }
    | KW_FOR binding COMMA binding KW_IN expr DOTDOT expr block
                                { $$ = ast_for($2, $4, $6, $8, $9, @$); }
    ;

binding
    : IDENT                     { $$ = ast_binding($1, @$); }
    ;

/* match_stmt: 'match' expr '{' (pattern '=>' block ','?)* '}' */
match_stmt
    : KW_MATCH expr LBRACE arms RBRACE
                                { $$ = ast_match($2, $4, @$); }
    | KW_MATCH expr LBRACE arms error RBRACE
                                { $$ = ast_match($2, $4, @$); RESYNC(@6); }
    ;

arms
    : %empty                    { $$ = (List){0}; }
    | arms arm                  { $$ = list_add($1, $2); }
    | arms error block          { $$ = $1; RESYNC(@3); }
    | arms error block COMMA    { $$ = $1; RESYNC(@4); }
    ;

arm
    : pattern FAT_ARROW block   { $$ = ast_arm($1, $3, @$); }
    | pattern FAT_ARROW block COMMA
                                { $$ = ast_arm($1, $3, @$); }
    ;

/* pattern: '_' | NAME | NAME '(' (NAME | '_'),* ')' | literal | '-' INT */
pattern
    : UNDERSCORE                { $$ = ast_pattern(P_WILDCARD, @$); }
    | IDENT                     { $$ = ast_pattern_variant($1, false, (List){0}, @$); }
    | IDENT LPAREN bindings RPAREN
                                { $$ = ast_pattern_variant($1, true, $3, @$); }
    | INT                       { $$ = ast_pattern_int($1, @$); }
    | MINUS INT                 { $$ = ast_pattern_int(-$2, @$); }
    | BYTE                      { $$ = ast_pattern_byte($1, @$); }
    | STR                       { $$ = ast_pattern_str($1.bytes, $1.len, @$); }
    | KW_TRUE                   { $$ = ast_pattern_bool(true, @$); }
    | KW_FALSE                  { $$ = ast_pattern_bool(false, @$); }
    ;

bindings
    : %empty                    { $$ = (List){0}; }
    | binding_list
    | binding_list COMMA
    ;

binding_list
    : pattern_binding           { $$ = list_of($1); }
    | binding_list COMMA pattern_binding
                                { $$ = list_add($1, $3); }
    ;

pattern_binding
    : IDENT                     { $$ = ast_binding($1, @$); }
    | UNDERSCORE                { $$ = ast_binding(NULL, @$); }
    ;

/* Expressions, loosest first (spec §2 precedence table). Every binary
 * level is left-recursive: left-associative, and the parser stack stays
 * flat however long the chain. */
expr
    : or_expr
    ;

or_expr
    : and_expr
    | or_expr OR_OR and_expr    { $$ = ast_binary(BIN_LOGIC_OR, $1, $3, @$); }
    ;

and_expr
    : cmp_expr
    | and_expr AND_AND cmp_expr { $$ = ast_binary(BIN_LOGIC_AND, $1, $3, @$); }
    ;

cmp_expr
    : bor_expr
    | cmp_expr cmp_op bor_expr  { $$ = compare($2, $1, $3, @$); }
    ;

cmp_op
    : EQ                        { $$ = BIN_EQ; }
    | NE                        { $$ = BIN_NE; }
    | LT                        { $$ = BIN_LT; }
    | LE                        { $$ = BIN_LE; }
    | GT                        { $$ = BIN_GT; }
    | GE                        { $$ = BIN_GE; }
    ;

bor_expr
    : bxor_expr
    | bor_expr PIPE bxor_expr   { $$ = ast_binary(BIN_OR, $1, $3, @$); }
    ;

bxor_expr
    : band_expr
    | bxor_expr CARET band_expr { $$ = ast_binary(BIN_XOR, $1, $3, @$); }
    ;

band_expr
    : shift_expr
    | band_expr AMP shift_expr  { $$ = ast_binary(BIN_AND, $1, $3, @$); }
    ;

shift_expr
    : add_expr
    | shift_expr SHL add_expr   { $$ = ast_binary(BIN_SHL, $1, $3, @$); }
    | shift_expr GT_GT GT add_expr
                                { $$ = shift_right($1, @2, @3, $4, @$); }
    ;

add_expr
    : mul_expr
    | add_expr add_op mul_expr  { $$ = ast_binary($2, $1, $3, @$); }
    ;

add_op
    : PLUS                      { $$ = BIN_ADD; }
    | MINUS                     { $$ = BIN_SUB; }
    ;

mul_expr
    : unary_expr
    | mul_expr mul_op unary_expr { $$ = ast_binary($2, $1, $3, @$); }
    ;

mul_op
    : STAR                      { $$ = BIN_MUL; }
    | SLASH                     { $$ = BIN_DIV; }
    | PERCENT                   { $$ = BIN_REM; }
    ;

/* unary: ('-' | '!') unary | 'spawn' call | postfix */
unary_expr
    : postfix_expr
    | MINUS unary_expr          { $$ = ast_unary(UN_NEG, $2, @$); }
    | BANG unary_expr           { $$ = ast_unary(UN_NOT, $2, @$); }
    | KW_SPAWN postfix_expr     { $$ = ast_spawn(spawn_call($2), @$); }
    ;

/* postfix: call '()', index '[]', slice '[..]', field/method '.' */
postfix_expr
    : primary
    | postfix_expr LPAREN args RPAREN
                                { $$ = ast_call($1, $3, @$); }
    | postfix_expr DOT IDENT    { $$ = ast_field($1, $3, @3, @$); }
    | postfix_expr LBRACKET expr RBRACKET
                                { $$ = ast_index($1, $3, @$); }
    | postfix_expr LBRACKET opt_expr DOTDOT opt_expr RBRACKET
                                { $$ = ast_slice($1, $3, $5, @$); }
    ;

opt_expr
    : %empty                    { $$ = NULL; }
    | expr
    ;

/* arg,* */
args
    : %empty                    { $$ = (List){0}; }
    | arg_list
    | arg_list COMMA
    ;

arg_list
    : arg                       { $$ = list_of($1); }
    | arg_list COMMA arg        { $$ = list_add($1, $3); }
    ;

/* arg: expr | NAME ':' expr */
arg
    : expr                      { $$ = ast_arg(NULL, NO_SPAN, $1); }
    | IDENT COLON expr          { $$ = ast_arg($1, @1, $3); }
    ;

primary
    : INT                       { $$ = ast_int($1, @$); }
    | FLOAT                     { $$ = ast_float($1, @$); }
    | BYTE                      { $$ = ast_byte($1, @$); }
    | KW_TRUE                   { $$ = ast_bool(true, @$); }
    | KW_FALSE                  { $$ = ast_bool(false, @$); }
    | STR                       { $$ = ast_str($1.bytes, $1.len, @$); }
    | interp_head STR_TAIL      { $$ = ast_interp(list_add($1, str_piece($2, @2)), @$); }
    | IDENT                     { $$ = ast_name($1, @$); }
    | LPAREN expr RPAREN        { $$ = ast_parens($2, @$); }
    | LBRACKET elems RBRACKET   { $$ = ast_array($2, @$); }
    | KW_MAP LT type COMMA type close_angle LPAREN RPAREN
                                { $$ = ast_map_new($3, $5, @$); }
    ;

/* "text{ expr }text{ expr }text": pieces and expressions alternate. */
interp_head
    : STR_HEAD expr             { $$ = list_add(list_of(str_piece($1, @1)), $2); }
    | interp_head STR_MID expr  { $$ = list_add(list_add($1, str_piece($2, @2)), $3); }
    ;

/* expr,* */
elems
    : %empty                    { $$ = (List){0}; }
    | elem_list
    | elem_list COMMA
    ;

elem_list
    : expr                      { $$ = list_of($1); }
    | elem_list COMMA expr      { $$ = list_add($1, $3); }
    ;

%%

/* Bison's token number for each TokenKind; TK_END is Bison's end of input. */
static const int bison_token[TK_COUNT] = {
#define TOK(name, spelling) [TK_##name] = name,
#include "token.def"
#undef TOK
};

static Token lex(Parser *p) {
    int before = diag_error_count();
    Token t = lexer_next(&p->lx);
    bool error = diag_error_count() > before;
    if (t.kind == TK_END) {
        p->lex_error_at_end = error || p->prev_lex_error;
        if (p->last_was_string && p->prev_lex_error) p->runaway_string = p->last_string_open;
    }
    p->last_was_string = false;
    switch (t.kind) {
    case TK_STR_HEAD:
        if (p->string_depth < LEX_MAX_NESTING) p->string_open[p->string_depth++] = t.span.off;
        break;
    case TK_STR_TAIL:
        p->last_string_open = p->string_depth > 0 ? p->string_open[--p->string_depth] : t.span.off;
        p->last_was_string = true;
        break;
    case TK_STR:
        p->last_string_open = t.span.off;
        p->last_was_string = true;
        break;
    default: break;
    }
    p->prev_lex_error = error;
    return t;
}

static Token read_token(Parser *p) {
    if (p->has_peeked) {
        p->has_peeked = false;
        return p->peeked;
    }
    return lex(p);
}

static int yylex(YYSTYPE *value, YYLTYPE *loc, Parser *p) {
    Token t = read_token(p);
    p->before_last = p->last.span;
    p->last = t;
    *loc = t.span;
    switch (t.kind) {
    case TK_IDENT: value->name = t.as.name; break;
    case TK_INT: value->int_value = t.as.int_value; break;
    case TK_FLOAT: value->float_value = t.as.float_value; break;
    case TK_BYTE: value->byte_value = t.as.byte_value; break;
    case TK_STR: case TK_STR_HEAD: case TK_STR_MID: case TK_STR_TAIL:
        value->str = (StrValue){ t.as.str.bytes, t.as.str.len };
        break;
    case TK_GT:
        p->peeked = lex(p);
        p->has_peeked = true;
        if (p->peeked.kind == TK_GT) return GT_GT;
        break;
    default: break;
    }
    return bison_token[t.kind];
}

/* Bison calls yyerror only when its stack is full (YYMAXDEPTH): the input
 * nests too deeply for the parser, which then stops. */
static void yyerror(YYLTYPE *loc, Parser *p, const char *msg) {
    (void)msg;
    diag_error(E0006, *loc, "expression or statement nested too deeply");
    diag_help("split it into smaller parts, using 'let' for intermediate values");
}

/* Messages name tokens by their spelling (the %token aliases), except the
 * pieces of interpolated strings, whose aliases must differ from "string". */
static const char *symbol_spelling(yysymbol_kind_t s) {
    switch (s) {
    case YYSYMBOL_STR_HEAD: return "string";
    case YYSYMBOL_STR_MID: case YYSYMBOL_STR_TAIL: return "'}'";
    case YYSYMBOL_GT_GT: return "'>'";
    default: return yysymbol_name(s);
    }
}

/* Expected tokens, grouped: after an operand, the operators that could
 * continue it are left out ("expected ';'" rather than thirty tokens), and
 * the tokens that start an expression, statement, type, pattern or item are
 * named as such. */
static const yysymbol_kind_t group_operators[] = {
    YYSYMBOL_OR_OR, YYSYMBOL_AND_AND, YYSYMBOL_EQ, YYSYMBOL_NE, YYSYMBOL_LT, YYSYMBOL_LE,
    YYSYMBOL_GT, YYSYMBOL_GE, YYSYMBOL_GT_GT, YYSYMBOL_PIPE, YYSYMBOL_CARET, YYSYMBOL_AMP,
    YYSYMBOL_SHL, YYSYMBOL_PLUS, YYSYMBOL_MINUS, YYSYMBOL_STAR, YYSYMBOL_SLASH,
    YYSYMBOL_PERCENT, YYSYMBOL_LPAREN, YYSYMBOL_LBRACKET, YYSYMBOL_DOT,
    YYSYMBOL_ASSIGN, YYSYMBOL_PLUS_ASSIGN, YYSYMBOL_MINUS_ASSIGN, YYSYMBOL_STAR_ASSIGN,
    YYSYMBOL_SLASH_ASSIGN, YYSYMBOL_PERCENT_ASSIGN, YYSYMBOL_YYEMPTY,
};
static const yysymbol_kind_t group_expr[] = {
    YYSYMBOL_IDENT, YYSYMBOL_INT, YYSYMBOL_FLOAT, YYSYMBOL_BYTE, YYSYMBOL_STR,
    YYSYMBOL_STR_HEAD, YYSYMBOL_KW_TRUE, YYSYMBOL_KW_FALSE, YYSYMBOL_LPAREN,
    YYSYMBOL_LBRACKET, YYSYMBOL_KW_MAP, YYSYMBOL_KW_SPAWN, YYSYMBOL_MINUS, YYSYMBOL_BANG,
    YYSYMBOL_YYEMPTY,
};
static const yysymbol_kind_t group_stmt[] = {
    YYSYMBOL_KW_LET, YYSYMBOL_KW_IF, YYSYMBOL_KW_WHILE, YYSYMBOL_KW_FOR, YYSYMBOL_KW_MATCH,
    YYSYMBOL_KW_BREAK, YYSYMBOL_KW_CONTINUE, YYSYMBOL_KW_RETURN, YYSYMBOL_LBRACE,
    YYSYMBOL_YYEMPTY,
};
static const yysymbol_kind_t group_type[] = {
    YYSYMBOL_IDENT, YYSYMBOL_LBRACKET, YYSYMBOL_KW_MAP, YYSYMBOL_YYEMPTY,
};
static const yysymbol_kind_t group_pattern[] = {
    YYSYMBOL_UNDERSCORE, YYSYMBOL_IDENT, YYSYMBOL_INT, YYSYMBOL_MINUS, YYSYMBOL_BYTE,
    YYSYMBOL_STR, YYSYMBOL_KW_TRUE, YYSYMBOL_KW_FALSE, YYSYMBOL_YYEMPTY,
};
static const yysymbol_kind_t group_item[] = {
    YYSYMBOL_KW_FN, YYSYMBOL_KW_EXTERN, YYSYMBOL_KW_TASK, YYSYMBOL_KW_STRUCT,
    YYSYMBOL_KW_ENUM, YYSYMBOL_YYEMPTY,
};

static void drop_group(bool *set, const yysymbol_kind_t *group) {
    for (; *group != YYSYMBOL_YYEMPTY; group++) set[*group] = false;
}

/* The keywords are contiguous in token.def, from 'break' to 'while'. */
static bool is_keyword(yysymbol_kind_t s) {
    return s >= YYSYMBOL_KW_BREAK && s <= YYSYMBOL_KW_WHILE;
}

static bool is_item_keyword(yysymbol_kind_t s) {
    for (const yysymbol_kind_t *k = group_item; *k != YYSYMBOL_YYEMPTY; k++)
        if (*k == s) return true;
    return false;
}

/* E0100: "unexpected X, expected Y or Z", with a help line where the fix
 * is clear. Silent after a fatal lexical error, and at the end of a file
 * when the lexer already said why it ended early (E0101 unclosed bracket,
 * E0021 unterminated string, E0003 unterminated comment). */
static int yyreport_syntax_error(const yypcontext_t *ctx, Parser *p) {
    yysymbol_kind_t got = yypcontext_token(ctx);
    Span at = *yypcontext_location(ctx);
    if (p->lx.fatal || p->quiet > 0) return 0;
    if (got == YYSYMBOL_YYEOF && (p->lx.depth > 0 || p->lex_error_at_end)) return 0;

    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
    if (n < 0) return n;
    bool set[YYNTOKENS] = {0};
    for (int i = 0; i < n; i++) set[expected[i]] = true;
    set[YYSYMBOL_YYEOF] = false;

    /* Classify the context from tokens that only one kind of context takes. */
    const char *names[YYNTOKENS + 8];
    int count = 0;
    bool after_operand = set[YYSYMBOL_STAR];
    bool want_stmt = set[YYSYMBOL_KW_LET];
    bool want_expr = set[YYSYMBOL_INT] && set[YYSYMBOL_BANG];
    bool want_pattern = set[YYSYMBOL_UNDERSCORE] && set[YYSYMBOL_INT] && !want_expr;
    bool want_type = set[YYSYMBOL_KW_MAP] && !set[YYSYMBOL_INT];
    bool want_item = set[YYSYMBOL_KW_FN];
    bool want_name = set[YYSYMBOL_IDENT];
    if (after_operand) drop_group(set, group_operators);
    if (want_stmt) { drop_group(set, group_stmt); names[count++] = "statement"; }
    if (want_stmt || want_expr) {
        drop_group(set, group_expr);
        if (!want_stmt) names[count++] = "expression";
        set[YYSYMBOL_KW_SPAWN] = false;
    }
    if (want_pattern) { drop_group(set, group_pattern); names[count++] = "pattern"; }
    if (want_type) { drop_group(set, group_type); names[count++] = "type"; }
    if (want_item) { drop_group(set, group_item); names[count++] = "declaration"; }
    /* Only one of the pieces of an interpolation is named. */
    if (set[YYSYMBOL_STR_MID] && set[YYSYMBOL_STR_TAIL]) set[YYSYMBOL_STR_MID] = false;
    for (int s = 0; s < YYNTOKENS; s++)
        if (set[s]) names[count++] = symbol_spelling((yysymbol_kind_t)s);

    char what[160];
    if (got == YYSYMBOL_IDENT && p->last.kind == TK_IDENT)
        snprintf(what, sizeof what, "identifier '%s'", p->last.as.name);
    else
        snprintf(what, sizeof what, "%s", symbol_spelling(got));

    char list[400] = "";
    if (count > 0 && count <= 4) {
        size_t len = 0;
        for (int i = 0; i < count; i++) {
            const char *sep = i == 0 ? "" : i == count - 1 ? " or " : ", ";
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", sep, names[i]);
            if (len >= sizeof list) break;
        }
    }
    char message[600], help[300] = "";
    if (list[0]) snprintf(message, sizeof message, "unexpected %s, expected %s", what, list);
    else snprintf(message, sizeof message, "unexpected %s", what);

    bool only_semi = count == 1 && set[YYSYMBOL_SEMI];
    uint32_t prev_line = span_after(p->before_last).line;
    if (only_semi && at.line > prev_line)
        snprintf(help, sizeof help, "add ';' at the end of line %u: every statement ends with one",
                 prev_line);
    else if (only_semi)
        snprintf(help, sizeof help, "add ';' before %s: every statement ends with one", what);
    else if (got == YYSYMBOL_ASSIGN && set[YYSYMBOL_LBRACE])
        snprintf(help, sizeof help, "to compare two values, write '=='");
    else if (want_item && !want_stmt)
        snprintf(help, sizeof help, "a file holds only declarations: 'fn', 'extern fn', 'task', 'struct' "
                 "and 'enum'; statements go inside a function or task");
    else if (is_keyword(got) && !is_item_keyword(got)
             && (want_name || want_type || want_expr || want_pattern))
        snprintf(help, sizeof help, "%s is a keyword and cannot be used as a name", symbol_spelling(got));

    SyntaxError *e = arena_alloc(p->arena, sizeof *e);
    e->at = at;
    e->message = arena_strndup(p->arena, message, strlen(message));
    e->help = help[0] ? arena_strndup(p->arena, help, strlen(help)) : NULL;
    list_push(p->arena, &p->pending, e);
    return 0;
}

/* program: item* (spec §2). */
Program *parse_program(Arena *arena, const SourceFile *file) {
    Parser *p = arena_alloc(arena, sizeof *p);
    p->arena = arena;
    p->prog = arena_alloc(arena, sizeof *p->prog);
    p->prog->file = file;
    p->runaway_string = UINT32_MAX;
    ast_begin(arena);
    lexer_init(&p->lx, arena, file);
    yyparse(p);

    /* A string still open at the end (E0021) swallowed the code after it,
     * and its '{'s made interpolations of that code: syntax errors there
     * are consequences, not mistakes of their own. */
    uint32_t cut = p->runaway_string;
    for (int i = 0; i < p->lx.depth; i++)
        if (p->lx.nest[i].open == TK_STR_HEAD && p->lx.nest[i].at.off < cut) cut = p->lx.nest[i].at.off;
    for (uint32_t i = 0; i < p->pending.len; i++) {
        const SyntaxError *e = p->pending.items[i];
        if (e->at.off > cut) continue;
        diag_error(E0100, e->at, "%s", e->message);
        if (e->help) diag_help("%s", e->help);
    }
    return p->prog;
}
