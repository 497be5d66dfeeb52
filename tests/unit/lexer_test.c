/* lexer_test.c — unit tests of the lexer (spec §1).
 *
 * Each case is a source text and what lexing it must give, written from the
 * spec: the tokens, in a compact notation (below), the diagnostics as
 * CODE@line:col in position order, optionally the span of every token, and
 * the nesting depth left when TK_END comes. A few cases that need generated
 * input (nesting limit, file size) are functions. Prints PASS/FAIL per case
 * and "N passed, M failed"; exits 1 on any failure.
 *
 * Token notation: the name from token.def (LPAREN, KW_FN, …), with a value
 * for literals: IDENT(name) INT(42) FLOAT(1.5) BYTE(97) STR(text). FLOAT
 * prints the shortest %g form that reads back exactly (1e+09). In STR, bytes
 * outside printable ASCII and '%' itself are written %XX (STR(a%0Ab)).
 * Span notation: line:col@off-end.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Case {
    const char *name;
    const char *src;
    size_t len;          /* 0: strlen(src); set it when src holds a NUL */
    const char *tokens;  /* expected tokens, without the final END */
    const char *diags;   /* expected diagnostics; NULL or "" for none */
    const char *spans;   /* expected spans of the tokens; NULL: not checked */
    int depth;           /* lx.depth when TK_END comes */
} Case;

static const Case cases[] = {
    /* ---- punctuation (§1.5) ---- */
    {.name = "punctuation_all",
     .src = "( ) [ ] { } , ; : . .. -> => = == != < <= > >= + - * / % += -= *= /= %= ! && || & | ^ <<",
     .tokens = "LPAREN RPAREN LBRACKET RBRACKET LBRACE RBRACE COMMA SEMI COLON DOT DOTDOT ARROW "
               "FAT_ARROW ASSIGN EQ NE LT LE GT GE PLUS MINUS STAR SLASH PERCENT PLUS_ASSIGN "
               "MINUS_ASSIGN STAR_ASSIGN SLASH_ASSIGN PERCENT_ASSIGN BANG AND_AND OR_OR AMP PIPE "
               "CARET SHL"},
    {.name = "punctuation_without_spaces",
     .src = "a+=b-=c->d=>e==f!=g<=h>=i*=j%=k/=l",
     .tokens = "IDENT(a) PLUS_ASSIGN IDENT(b) MINUS_ASSIGN IDENT(c) ARROW IDENT(d) FAT_ARROW "
               "IDENT(e) EQ IDENT(f) NE IDENT(g) LE IDENT(h) GE IDENT(i) STAR_ASSIGN IDENT(j) "
               "PERCENT_ASSIGN IDENT(k) SLASH_ASSIGN IDENT(l)"},
    {.name = "punctuation_longest_match",
     .src = "&&& ||| !!= === --> ...",
     .tokens = "AND_AND AMP OR_OR PIPE BANG NE EQ ASSIGN MINUS ARROW DOTDOT DOT"},
    {.name = "shift_right_is_two_gt",
     .src = "a >> b",
     .tokens = "IDENT(a) GT GT IDENT(b)",
     .spans = "1:1@0-1 1:3@2-3 1:4@3-4 1:6@5-6"},
    {.name = "shift_right_assign_is_gt_ge",
     .src = ">>= <<=",
     .tokens = "GT GE SHL ASSIGN"},
    {.name = "nested_map_type_closes_with_two_gt",
     .src = "Map<Str, Map<Str, Int>>()",
     .tokens = "KW_MAP LT IDENT(Str) COMMA KW_MAP LT IDENT(Str) COMMA IDENT(Int) GT GT LPAREN RPAREN"},
    {.name = "dots_field_range",
     .src = "a.b..c",
     .tokens = "IDENT(a) DOT IDENT(b) DOTDOT IDENT(c)"},

    /* ---- identifiers and keywords (§1.3) ---- */
    {.name = "keywords_all",
     .src = "break continue else enum extern false fn for if in let Map match out return spawn "
            "struct task true while _",
     .tokens = "KW_BREAK KW_CONTINUE KW_ELSE KW_ENUM KW_EXTERN KW_FALSE KW_FN KW_FOR KW_IF KW_IN "
               "KW_LET KW_MAP KW_MATCH KW_OUT KW_RETURN KW_SPAWN KW_STRUCT KW_TASK KW_TRUE "
               "KW_WHILE UNDERSCORE"},
    {.name = "keyword_lookalikes_are_identifiers",
     .src = "breaks fnx iff i f map MAP Maps truex tru Break whilE outs",
     .tokens = "IDENT(breaks) IDENT(fnx) IDENT(iff) IDENT(i) IDENT(f) IDENT(map) IDENT(MAP) "
               "IDENT(Maps) IDENT(truex) IDENT(tru) IDENT(Break) IDENT(whilE) IDENT(outs)"},
    {.name = "underscore_alone_is_wildcard",
     .src = "_ _x __ _1 x_ A_b9",
     .tokens = "UNDERSCORE IDENT(_x) IDENT(__) IDENT(_1) IDENT(x_) IDENT(A_b9)"},
    {.name = "b_is_an_identifier_unless_quote_follows",
     .src = "b b2 ba b_",
     .tokens = "IDENT(b) IDENT(b2) IDENT(ba) IDENT(b_)"},

    /* ---- whitespace, lines and columns (§1.1) ---- */
    {.name = "spans_across_lines_and_tabs",
     .src = "let x = 10;\n\tfoo",
     .tokens = "KW_LET IDENT(x) ASSIGN INT(10) SEMI IDENT(foo)",
     .spans = "1:1@0-3 1:5@4-5 1:7@6-7 1:9@8-10 1:11@10-11 2:2@13-16"},
    {.name = "crlf_line_endings",
     .src = "a\r\n  b\r\n",
     .tokens = "IDENT(a) IDENT(b)",
     .spans = "1:1@0-1 2:3@5-6"},
    {.name = "empty_file", .src = "", .tokens = ""},
    {.name = "only_whitespace", .src = " \t\r\n\n ", .tokens = ""},

    /* ---- comments (§1.2) ---- */
    {.name = "line_comment",
     .src = "a // comment ( [ {\nb",
     .tokens = "IDENT(a) IDENT(b)",
     .spans = "1:1@0-1 2:1@19-20"},
    {.name = "line_comment_at_end_of_file", .src = "a // no newline", .tokens = "IDENT(a)"},
    {.name = "block_comment", .src = "a /* x */ b", .tokens = "IDENT(a) IDENT(b)"},
    {.name = "block_comments_nest",
     .src = "a /* x /* y */ z */ b",
     .tokens = "IDENT(a) IDENT(b)"},
    {.name = "block_comment_lines_counted",
     .src = "/* /* */\n */ x",
     .tokens = "IDENT(x)",
     .spans = "2:5@13-14"},
    {.name = "block_comment_slash_star_slash",
     .src = "/*/ */ x /**/y",
     .tokens = "IDENT(x) IDENT(y)"},
    {.name = "slash_forms",
     .src = "a / b /= c/ *d",
     .tokens = "IDENT(a) SLASH IDENT(b) SLASH_ASSIGN IDENT(c) SLASH STAR IDENT(d)"},
    {.name = "utf8_in_comments_is_fine",
     .src = "// héllo → wörld\n/* ✓ /* ü */ */ x",
     .tokens = "IDENT(x)"},
    {.name = "E0003_unterminated_block_comment",
     .src = "x /* a /* b */ c",
     .tokens = "IDENT(x)",
     .diags = "E0003@1:3"},
    {.name = "E0003_reported_at_outermost_opening",
     .src = "y /* a */ z\n  /* b\n /* c */\n",
     .tokens = "IDENT(y) IDENT(z)",
     .diags = "E0003@2:3"},
    {.name = "E0003_hides_unclosed_bracket",
     .src = "f( /* x",
     .tokens = "IDENT(f) LPAREN",
     .diags = "E0003@1:4",
     .depth = 1},

    /* ---- integers (§1.4) ---- */
    {.name = "integers_decimal",
     .src = "0 42 1_000_000 1__0 007",
     .tokens = "INT(0) INT(42) INT(1000000) INT(10) INT(7)"},
    {.name = "integers_with_prefixes",
     .src = "0xff 0xDEAD_beef 0o17 0b1010 0b_1 0x0",
     .tokens = "INT(255) INT(3735928559) INT(15) INT(10) INT(1) INT(0)"},
    {.name = "integer_max",
     .src = "9223372036854775807 0x7fffffffffffffff 0o777777777777777777777",
     .tokens = "INT(9223372036854775807) INT(9223372036854775807) INT(9223372036854775807)"},
    {.name = "E0011_decimal_too_large",
     .src = "x = 9223372036854775808;",
     .tokens = "IDENT(x) ASSIGN INT(0) SEMI",
     .diags = "E0011@1:5"},
    {.name = "E0011_hex_too_large",
     .src = "0x8000000000000000 99999999999999999999999",
     .tokens = "INT(0) INT(0)",
     .diags = "E0011@1:1 E0011@1:20"},
    {.name = "E0010_prefix_without_digits",
     .src = "0x 0o_ 0b;",
     .tokens = "INT(0) INT(0) INT(0) SEMI",
     .diags = "E0010@1:1 E0010@1:4 E0010@1:8"},
    {.name = "E0010_digit_of_wrong_base",
     .src = "0b102 0o9 0xfg",
     .tokens = "INT(0) INT(0) INT(0)",
     .diags = "E0010@1:1 E0010@1:7 E0010@1:11"},
    {.name = "E0010_trailing_underscore",
     .src = "1_000_ 0xff_",
     .tokens = "INT(0) INT(0)",
     .diags = "E0010@1:1 E0010@1:8"},
    {.name = "E0010_letters_after_digits",
     .src = "12ab 0X10 x",
     .tokens = "INT(0) INT(0) IDENT(x)",
     .diags = "E0010@1:1 E0010@1:6"},
    {.name = "range_is_int_dotdot",
     .src = "0..n 1..=2",
     .tokens = "INT(0) DOTDOT IDENT(n) INT(1) DOTDOT ASSIGN INT(2)"},
    {.name = "method_call_on_integer",
     .src = "1.foo() 2.e",
     .tokens = "INT(1) DOT IDENT(foo) LPAREN RPAREN INT(2) DOT IDENT(e)"},
    {.name = "no_float_without_digits_on_both_sides",
     .src = "1. .5 1._5",
     .tokens = "INT(1) DOT DOT INT(5) INT(1) DOT IDENT(_5)"},
    {.name = "minus_is_an_operator",
     .src = "-5 - -9223372036854775807",
     .tokens = "MINUS INT(5) MINUS MINUS INT(9223372036854775807)"},

    /* ---- floats (§1.4) ---- */
    {.name = "floats",
     .src = "1.5 2.0e-3 1e9 6.02_214e23 1E+2 0.5 3.141592653589793 1_0.2_5",
     .tokens = "FLOAT(1.5) FLOAT(0.002) FLOAT(1e+09) FLOAT(6.02214e+23) FLOAT(100) FLOAT(0.5) "
               "FLOAT(3.141592653589793) FLOAT(10.25)"},
    {.name = "float_then_dot",
     .src = "1.5.len",
     .tokens = "FLOAT(1.5) DOT IDENT(len)"},
    {.name = "E0010_exponent_without_digits",
     .src = "1e 2.5e+ 3e_1 4E-;",
     .tokens = "FLOAT(0) FLOAT(0) FLOAT(0) FLOAT(0) SEMI",
     .diags = "E0010@1:1 E0010@1:4 E0010@1:10 E0010@1:15"},
    {.name = "E0010_float_trailing_underscore",
     .src = "1.5_ 1_.5 1e5_",
     .tokens = "FLOAT(0) FLOAT(0) FLOAT(0)",
     .diags = "E0010@1:1 E0010@1:6 E0010@1:11"},
    {.name = "E0010_letters_after_float",
     .src = "1.5f",
     .tokens = "FLOAT(0)",
     .diags = "E0010@1:1"},

    /* ---- booleans and bytes (§1.4) ---- */
    {.name = "booleans_are_keywords", .src = "true false", .tokens = "KW_TRUE KW_FALSE"},
    {.name = "byte_literals",
     .src = "b'a' b' ' b'~' b'\"' b'{' b'}'",
     .tokens = "BYTE(97) BYTE(32) BYTE(126) BYTE(34) BYTE(123) BYTE(125)",
     .spans = "1:1@0-4 1:6@5-9 1:11@10-14 1:16@15-19 1:21@20-24 1:26@25-29"},
    {.name = "byte_escapes",
     .src = "b'\\n' b'\\t' b'\\r' b'\\0' b'\\\\' b'\\\"' b'\\'' b'\\{' b'\\}' b'\\xff' b'\\x41' b'\\x0A'",
     .tokens = "BYTE(10) BYTE(9) BYTE(13) BYTE(0) BYTE(92) BYTE(34) BYTE(39) BYTE(123) BYTE(125) "
               "BYTE(255) BYTE(65) BYTE(10)"},
    {.name = "E0022_empty_byte",
     .src = "b'' x",
     .tokens = "BYTE(0) IDENT(x)",
     .diags = "E0022@1:1"},
    {.name = "E0022_two_bytes",
     .src = "b'ab' x",
     .tokens = "BYTE(0) IDENT(x)",
     .diags = "E0022@1:1"},
    {.name = "E0022_non_ascii_is_several_bytes",
     .src = "b'é' x",
     .tokens = "BYTE(0) IDENT(x)",
     .diags = "E0022@1:1"},
    {.name = "E0022_unterminated_byte",
     .src = "b'a\nx",
     .tokens = "BYTE(0) IDENT(x)",
     .diags = "E0022@1:1",
     .spans = "1:1@0-3 2:1@4-5"},
    {.name = "E0020_unknown_escape_in_byte",
     .src = "b'\\q' b'\\xg'",
     .tokens = "BYTE(0) BYTE(0)",
     .diags = "E0020@1:3 E0020@1:9"},
    {.name = "E0020_unicode_escape_not_in_bytes",
     .src = "b'\\u{41}'",
     .tokens = "BYTE(0)",
     .diags = "E0020@1:3"},

    /* ---- strings (§1.4) ---- */
    {.name = "string_plain",
     .src = "\"hello, world\"",
     .tokens = "STR(hello, world)",
     .spans = "1:1@0-14"},
    {.name = "string_empty", .src = "\"\"", .tokens = "STR()"},
    {.name = "string_escapes",
     .src = "\"\\n\\t\\r\\0\\\\\\\"\\'\\{\\}\\x41\\xff\\x00\"",
     .tokens = "STR(%0A%09%0D%00\\\"'{}A%FF%00)"},
    {.name = "string_unicode_escapes",
     .src = "\"\\u{41}\\u{e9}\\u{20AC}\\u{1F600}\\u{10FFFF}\\u{0}\\u{000041}\"",
     .tokens = "STR(A%C3%A9%E2%82%AC%F0%9F%98%80%F4%8F%BF%BF%00A)"},
    {.name = "string_spans_lines",
     .src = "\"a\nb\" x",
     .tokens = "STR(a%0Ab) IDENT(x)",
     .spans = "1:1@0-5 2:4@6-7"},
    {.name = "columns_count_bytes_after_utf8_string",
     .src = "\"é→\" x\n\"✓\"y",
     .tokens = "STR(%C3%A9%E2%86%92) IDENT(x) STR(%E2%9C%93) IDENT(y)",
     .spans = "1:1@0-7 1:9@8-9 2:1@10-15 2:6@15-16"},
    {.name = "closing_brace_in_text_is_literal",
     .src = "\"a}b\" \"}\"",
     .tokens = "STR(a}b) STR(})"},
    {.name = "escaped_braces_do_not_interpolate",
     .src = "\"\\{x\\}\"",
     .tokens = "STR({x})"},
    {.name = "E0020_unknown_escape",
     .src = "\"a\\qb\\ c\"",
     .tokens = "STR(abc)",
     .diags = "E0020@1:3 E0020@1:6"},
    {.name = "E0020_short_hex_escape",
     .src = "\"\\x4\" \"\\xz\"",
     .tokens = "STR() STR(z)",
     .diags = "E0020@1:2 E0020@1:8"},
    {.name = "E0020_bad_unicode_escapes",
     /*       1234567890123456789012345678901234567890123 */
     .src = "\"\\u{D800}\\u{110000}\\u{}\\u{1234567}\\u41\\u{41\"",
     .tokens = "STR(41)",
     .diags = "E0020@1:2 E0020@1:10 E0020@1:20 E0020@1:24 E0020@1:35 E0020@1:39"},
    {.name = "E0020_backslash_at_end_of_line",
     .src = "\"a\\\nb\"",
     .tokens = "STR(a%0Ab)",
     .diags = "E0020@1:3"},
    {.name = "E0021_unterminated_string",
     .src = "x \"abc\ndef",
     .tokens = "IDENT(x) STR(abc%0Adef)",
     .diags = "E0021@1:3"},
    {.name = "E0021_hides_unclosed_paren",
     .src = "f(\"hello);\n}\n",
     .tokens = "IDENT(f) LPAREN STR(hello);%0A}%0A)",
     .diags = "E0021@1:3",
     .depth = 1},
    {.name = "E0021_backslash_at_end_of_file",
     .src = "\"a\\",
     .tokens = "STR(a)",
     .diags = "E0021@1:1"},

    /* ---- interpolation (§1.4) ---- */
    {.name = "interpolation_pieces",
     .src = "\"a{x}b{y}c\"",
     .tokens = "STR_HEAD(a) IDENT(x) STR_MID(b) IDENT(y) STR_TAIL(c)",
     .spans = "1:1@0-3 1:4@3-4 1:5@4-7 1:8@7-8 1:9@8-11"},
    {.name = "interpolation_only",
     .src = "\"{n}\"",
     .tokens = "STR_HEAD() IDENT(n) STR_TAIL()"},
    {.name = "interpolation_expression_tokens",
     .src = "\"{a + b * 2} items\"",
     .tokens = "STR_HEAD() IDENT(a) PLUS IDENT(b) STAR INT(2) STR_TAIL( items)"},
    {.name = "interpolation_nested_braces",
     .src = "\"v={ {x} }!\"",
     .tokens = "STR_HEAD(v=) LBRACE IDENT(x) RBRACE STR_TAIL(!)"},
    {.name = "interpolation_nested_strings",
     .src = "\"a{f(\"b{c}d\")}e\"",
     .tokens = "STR_HEAD(a) IDENT(f) LPAREN STR_HEAD(b) IDENT(c) STR_TAIL(d) RPAREN STR_TAIL(e)"},
    {.name = "interpolation_plain_string_inside",
     .src = "\"{\"x\"}\"",
     .tokens = "STR_HEAD() STR(x) STR_TAIL()"},
    {.name = "interpolation_extra_closing_brace_is_text",
     .src = "\"{x}}\"",
     .tokens = "STR_HEAD() IDENT(x) STR_TAIL(})"},
    {.name = "interpolation_across_lines",
     .src = "\"a\n{x}\"\ny",
     .tokens = "STR_HEAD(a%0A) IDENT(x) STR_TAIL() IDENT(y)",
     .spans = "1:1@0-4 2:2@4-5 2:3@5-7 3:1@8-9"},
    {.name = "interpolation_after_unicode_escape",
     .src = "\"\\u{41}{x}\\u{42}\"",
     .tokens = "STR_HEAD(A) IDENT(x) STR_TAIL(B)"},
    {.name = "E0020_unclosed_unicode_escape_before_interpolation",
     .src = "\"\\u{41{x}\"",
     .tokens = "STR_HEAD() IDENT(x) STR_TAIL()",
     .diags = "E0020@1:2"},
    {.name = "interpolation_brace_closes_open_paren",
     .src = "\"{f(x}b\"",
     .tokens = "STR_HEAD() IDENT(f) LPAREN IDENT(x) STR_TAIL(b)"},
    {.name = "E0023_empty_interpolation",
     .src = "\"a{}b\" \"{ }{x}\"",
     .tokens = "STR(ab) STR_HEAD() IDENT(x) STR_TAIL()",
     .diags = "E0023@1:3 E0023@1:9"},
    {.name = "E0021_end_of_file_in_interpolation",
     .src = "\"a{x",
     .tokens = "STR_HEAD(a) IDENT(x)",
     .diags = "E0021@1:1",
     .depth = 1},
    {.name = "E0021_unterminated_string_in_interpolation",
     .src = "f(\"a{g(\"b",
     .tokens = "IDENT(f) LPAREN STR_HEAD(a) IDENT(g) LPAREN STR(b)",
     .diags = "E0021@1:3",
     .depth = 3},
    {.name = "E0021_unterminated_after_interpolation",
     .src = " \"a{x}b",
     .tokens = "STR_HEAD(a) IDENT(x) STR_TAIL(b)",
     .diags = "E0021@1:2"},

    /* ---- nesting (§1.6) and unclosed brackets (§2) ---- */
    {.name = "brackets_balanced", .src = "([{}])", .tokens = "LPAREN LBRACKET LBRACE RBRACE RBRACKET RPAREN"},
    {.name = "stray_closers_do_not_pop",
     .src = ") ] }",
     .tokens = "RPAREN RBRACKET RBRACE"},
    {.name = "E0101_mismatched_closer_does_not_pop",
     .src = "(]",
     .tokens = "LPAREN RBRACKET",
     .diags = "E0101@1:1",
     .depth = 1},
    {.name = "brace_closes_brackets_left_open_inside",
     .src = "{(}",
     .tokens = "LBRACE LPAREN RBRACE"},
    {.name = "E0101_unclosed_brace",
     .src = "fn main() {\n    if x {\n}\n",
     .tokens = "KW_FN IDENT(main) LPAREN RPAREN LBRACE KW_IF IDENT(x) LBRACE RBRACE",
     .diags = "E0101@1:11",
     .depth = 1},
    {.name = "E0101_reports_innermost",
     .src = "( [",
     .tokens = "LPAREN LBRACKET",
     .diags = "E0101@1:3",
     .depth = 2},

    /* ---- bad bytes (§1.1, §1.3) ---- */
    {.name = "E0002_nul_in_code",
     .src = "a\0b", .len = 3,
     .tokens = "IDENT(a) IDENT(b)",
     .diags = "E0002@1:2"},
    {.name = "E0002_nul_run_reported_once",
     .src = "a\0\0\0b", .len = 5,
     .tokens = "IDENT(a) IDENT(b)",
     .diags = "E0002@1:2"},
    {.name = "E0002_nul_in_string_and_comment",
     .src = "\"a\0b\" // c\0\nx", .len = 13,
     .tokens = "STR(ab) IDENT(x)",
     .diags = "E0002@1:3 E0002@1:11"},
    {.name = "E0005_unexpected_ascii",
     .src = "a @ b # $ ? ` ~ \\",
     .tokens = "IDENT(a) IDENT(b)",
     .diags = "E0005@1:3 E0005@1:7 E0005@1:9 E0005@1:11 E0005@1:13 E0005@1:15 E0005@1:17"},
    {.name = "E0005_single_quotes",
     .src = "'a'",
     .tokens = "IDENT(a)",
     .diags = "E0005@1:1 E0005@1:3"},
    {.name = "E0005_non_ascii_identifier",
     .src = "naïve = 1",
     .tokens = "IDENT(na) IDENT(ve) ASSIGN INT(1)",
     .diags = "E0005@1:3",
     .spans = "1:1@0-2 1:5@4-6 1:8@7-8 1:10@9-10"},
    {.name = "E0005_control_character_and_bom",
     .src = "\xEF\xBB\xBFx\x01y",
     .tokens = "IDENT(x) IDENT(y)",
     .diags = "E0005@1:1 E0005@1:5"},
    {.name = "E0001_overlong_in_comment",
     .src = "// \xC0\x80 and \xE0\x80\x80\nx",
     .tokens = "IDENT(x)",
     .diags = "E0001@1:4 E0001@1:11",
     .spans = "2:1@14-15"},
    {.name = "E0001_surrogate_in_string",
     .src = "\"a\xED\xA0\x80z\"",
     .tokens = "STR(az)",
     .diags = "E0001@1:3"},
    {.name = "E0001_above_max_code_point",
     .src = "\"\xF4\x90\x80\x80\xF5\x80\x80\x80!\"",
     .tokens = "STR(!)",
     .diags = "E0001@1:2 E0001@1:6"},
    {.name = "E0001_truncated_sequence",
     .src = "\"caf\xE9\" \"\xE2\x82z\"",
     .tokens = "STR(caf) STR(z)",
     .diags = "E0001@1:5 E0001@1:9"},
    {.name = "E0001_truncated_at_end_of_file",
     .src = "x \xF0\x9F\x98",
     .tokens = "IDENT(x)",
     .diags = "E0001@1:3"},
    {.name = "E0001_stray_continuation_bytes_in_code",
     .src = "\x80\x80 \xFF x",
     .tokens = "IDENT(x)",
     .diags = "E0001@1:1 E0001@1:4"},
    {.name = "valid_four_byte_utf8_in_string",
     .src = "\"\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"",
     .tokens = "STR(%F0%9F%98%80%F4%8F%BF%BF)"},

    /* ---- a small program ---- */
    {.name = "program",
     .src = "task main(src: in Blob, dst: out Blob) {\n"
            "    for line in src.lines() {\n"
            "        dst.print(\"{line.len()}: {line}\");\n"
            "    }\n"
            "}\n",
     .tokens = "KW_TASK IDENT(main) LPAREN IDENT(src) COLON KW_IN IDENT(Blob) COMMA IDENT(dst) COLON "
               "KW_OUT IDENT(Blob) RPAREN LBRACE KW_FOR IDENT(line) KW_IN IDENT(src) DOT "
               "IDENT(lines) LPAREN RPAREN LBRACE IDENT(dst) DOT IDENT(print) LPAREN STR_HEAD() "
               "IDENT(line) DOT IDENT(len) LPAREN RPAREN STR_MID(: ) IDENT(line) STR_TAIL() RPAREN "
               "SEMI RBRACE RBRACE"},
};

/* ---- formatting what the lexer gives ---- */

typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (b->s && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
        if (b->len == 0) b->s[0] = 0;
    }
}

static const char *const token_names[TK_COUNT] = {
#define TOK(name, spelling) [TK_##name] = #name,
#include "token.def"
#undef TOK
};

static void put_token(Buf *b, const Token *t) {
    put(b, "%s%s", b->len ? " " : "", token_names[t->kind]);
    switch (t->kind) {
    case TK_IDENT: put(b, "(%s)", t->as.name); break;
    case TK_INT: put(b, "(%lld)", (long long)t->as.int_value); break;
    case TK_BYTE: put(b, "(%u)", t->as.byte_value); break;
    case TK_FLOAT: {
        char num[64];
        for (int digits = 6; digits <= 17; digits++) {
            snprintf(num, sizeof num, "%.*g", digits, t->as.float_value);
            if (strtod(num, NULL) == t->as.float_value) break;
        }
        put(b, "(%s)", num);
        break;
    }
    case TK_STR: case TK_STR_HEAD: case TK_STR_MID: case TK_STR_TAIL:
        put(b, "(");
        for (uint32_t i = 0; i < t->as.str.len; i++) {
            unsigned char c = (unsigned char)t->as.str.bytes[i];
            if (c < 0x20 || c >= 0x7F || c == '%') put(b, "%%%02X", c);
            else put(b, "%c", c);
        }
        if (t->as.str.bytes[t->as.str.len] != 0) put(b, "<not NUL-terminated>");
        put(b, ")");
        break;
    default: break;
    }
}

/* ---- capturing diagnostics ---- */

/* Flushes the diagnostics with stderr sent to a temporary file, and
 * returns them as "CODE@line:col …" read from the JSON lines. */
static void flush_diagnostics(Buf *out) {
    fflush(stdout);
    fflush(stderr);
    FILE *tmp = tmpfile();
    if (!tmp) abort();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    diag_flush();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[8192];
    while (fgets(line, sizeof line, tmp)) {
        const char *code = strstr(line, "\"code\"");
        const char *ln = strstr(line, "\"line\"");
        const char *col = strstr(line, "\"col\"");
        if (!code || !ln || !col) {
            put(out, "%s<unparsed: %s>", out->len ? " " : "", line);
            continue;
        }
        code += 6;
        while (*code == ' ' || *code == ':' || *code == '"') code++;
        ln += 6;
        while (*ln == ' ' || *ln == ':') ln++;
        col += 5;
        while (*col == ' ' || *col == ':') col++;
        put(out, "%s%.5s@%ld:%ld", out->len ? " " : "", code, strtol(ln, NULL, 10),
            strtol(col, NULL, 10));
    }
    fclose(tmp);
}

/* ---- running cases ---- */

static int passed, failed;

static void report(const char *name, bool ok, const char *what, const char *want, const char *got) {
    if (ok) return;
    printf("FAIL %s: %s\n  want: %s\n  got:  %s\n", name, what, want, got);
}

/* Lexes src to the end; fills the token, span and diagnostic strings. */
static int lex_all(const char *src, size_t len, Buf *toks, Buf *spans, Buf *diags, Lexer *lx, Arena *arena) {
    SourceFile *file = arena_alloc(arena, sizeof *file);
    char *text = arena_alloc(arena, len + 1);
    memcpy(text, src, len);
    file->path = "test.loam";
    file->text = text;
    file->len = (uint32_t)len;
    lexer_init(lx, arena, file);
    int count = 0;
    for (;;) {
        Token t = lexer_next(lx);
        if (t.kind == TK_END) break;
        put_token(toks, &t);
        put(spans, "%s%u:%u@%u-%u", spans->len ? " " : "", t.span.line, t.span.col, t.span.off,
            t.span.end);
        if (++count > 100000) {
            put(toks, " <no end>");
            break;
        }
    }
    /* The end is sticky. */
    Token again = lexer_next(lx);
    if (again.kind != TK_END) put(toks, " <token after END>");
    flush_diagnostics(diags);
    return count;
}

static void run_case(const Case *c) {
    Arena arena;
    arena_init(&arena);
    Lexer lx;
    Buf toks = {0}, spans = {0}, diags = {0};
    put(&toks, "%s", "");
    put(&spans, "%s", "");
    put(&diags, "%s", "");
    lex_all(c->src, c->len ? c->len : strlen(c->src), &toks, &spans, &diags, &lx, &arena);
    const char *want_diags = c->diags ? c->diags : "";
    bool ok_toks = strcmp(toks.s, c->tokens) == 0;
    bool ok_diags = strcmp(diags.s, want_diags) == 0;
    bool ok_spans = !c->spans || strcmp(spans.s, c->spans) == 0;
    bool ok_depth = lx.depth == c->depth;
    if (ok_toks && ok_diags && ok_spans && ok_depth) {
        printf("PASS %s\n", c->name);
        passed++;
    } else {
        report(c->name, ok_toks, "tokens", c->tokens, toks.s);
        report(c->name, ok_diags, "diagnostics", want_diags, diags.s);
        if (c->spans) report(c->name, ok_spans, "spans", c->spans, spans.s);
        if (!ok_depth) printf("FAIL %s: depth at end is %d, want %d\n", c->name, lx.depth, c->depth);
        failed++;
    }
    free(toks.s);
    free(spans.s);
    free(diags.s);
    arena_free(&arena);
}

/* A case built in code: prints PASS or FAIL with the first problem. */
static void check(const char *name, bool ok, const char *detail) {
    if (ok) {
        printf("PASS %s\n", name);
        passed++;
    } else {
        printf("FAIL %s: %s\n", name, detail);
        failed++;
    }
}

/* §1.6: 256 brackets nest; the 257th is E0006 at itself, and the lexer
 * stops (every call returns TK_END, depth stays > 0). */
static void test_nesting_limit(void) {
    char src[300];
    Arena arena;
    Lexer lx;
    Buf toks = {0}, spans = {0}, diags = {0};

    memset(src, '(', 256);
    src[256] = 0;
    arena_init(&arena);
    int n = lex_all(src, 256, &toks, &spans, &diags, &lx, &arena);
    check("nesting_256_is_allowed", n == 256 && diags.s && strcmp(diags.s, "E0101@1:256") == 0 &&
          lx.depth == 256 && !lx.fatal, diags.s ? diags.s : "no diagnostics");
    arena_free(&arena);
    free(toks.s), free(spans.s), free(diags.s);
    toks = spans = diags = (Buf){0};

    memcpy(src, "[{", 2);
    memset(src + 2, '(', 260);
    strcpy(src + 262, "))");
    arena_init(&arena);
    n = lex_all(src, strlen(src), &toks, &spans, &diags, &lx, &arena);
    Token after = lexer_next(&lx);
    check("E0006_bracket_257_deep", n == 256 && diags.s && strcmp(diags.s, "E0006@1:257") == 0 &&
          lx.fatal && lx.depth > 0 && after.kind == TK_END && after.span.off == 256,
          diags.s ? diags.s : "no diagnostics");
    arena_free(&arena);
    free(toks.s), free(spans.s), free(diags.s);
    toks = spans = diags = (Buf){0};

    /* Interpolations count too: "{"{"{… — the 257th '{' is at offset 513. */
    char isrc[600];
    for (int i = 0; i < 270; i++) isrc[2 * i] = '"', isrc[2 * i + 1] = '{';
    isrc[540] = 0;
    arena_init(&arena);
    n = lex_all(isrc, strlen(isrc), &toks, &spans, &diags, &lx, &arena);
    check("E0006_interpolation_257_deep", n == 256 && diags.s && strcmp(diags.s, "E0006@1:514") == 0 &&
          lx.fatal && strncmp(toks.s, "STR_HEAD() STR_HEAD()", 21) == 0,
          diags.s ? diags.s : "no diagnostics");
    arena_free(&arena);
    free(toks.s), free(spans.s), free(diags.s);
}

/* §1.1: a file over 64 MiB is E0004, about the whole file (line and column
 * 0), and gives no tokens. */
static void test_file_too_large(void) {
    size_t len = (64u << 20) + 1;
    char *big = malloc(len + 1);
    if (!big) {
        check("E0004_file_too_large", false, "cannot allocate the test input");
        return;
    }
    memset(big, ' ', len);
    big[len] = 0;
    memcpy(big, "fn x", 4);
    SourceFile file = {"big.loam", big, (uint32_t)len, false};
    Arena arena;
    arena_init(&arena);
    Lexer lx;
    lexer_init(&lx, &arena, &file);
    Token t = lexer_next(&lx);
    Buf diags = {0};
    put(&diags, "%s", "");
    flush_diagnostics(&diags);
    check("E0004_file_too_large", t.kind == TK_END && strcmp(diags.s, "E0004@0:0") == 0, diags.s);
    free(diags.s);
    arena_free(&arena);
    free(big);

    /* Exactly 64 MiB is allowed. */
    len = 64u << 20;
    big = malloc(len + 1);
    if (!big) return;
    memset(big, ' ', len);
    big[len] = 0;
    memcpy(big + len - 1, "x", 1);
    file = (SourceFile){"big.loam", big, (uint32_t)len, false};
    arena_init(&arena);
    int before = diag_error_count();
    lexer_init(&lx, &arena, &file);
    t = lexer_next(&lx);
    bool ok = t.kind == TK_IDENT && t.span.col == len && diag_error_count() == before;
    check("file_of_64MiB_is_allowed", ok, "did not lex the last byte");
    arena_free(&arena);
    free(big);
}

/* The end is reported once, however often the parser asks. */
static void test_end_is_sticky(void) {
    SourceFile file = {"t.loam", "f(", 2, false};
    Arena arena;
    arena_init(&arena);
    Lexer lx;
    lexer_init(&lx, &arena, &file);
    int before = diag_error_count(), ends = 0;
    for (int i = 0; i < 6; i++) ends += lexer_next(&lx).kind == TK_END;
    Token t = lexer_next(&lx);
    bool ok = ends == 4 && t.kind == TK_END && t.span.off == 2 && t.span.end == 2 &&
              t.span.line == 1 && t.span.col == 3 && diag_error_count() == before + 1;
    Buf diags = {0};
    put(&diags, "%s", "");
    flush_diagnostics(&diags);
    check("end_is_sticky_and_reported_once", ok && strcmp(diags.s, "E0101@1:2") == 0, diags.s);
    free(diags.s);
    arena_free(&arena);
}

static void test_spelling_and_interning(void) {
    bool ok = strcmp(token_spelling(TK_LPAREN), "'('") == 0 &&
              strcmp(token_spelling(TK_IDENT), "identifier") == 0 &&
              strcmp(token_spelling(TK_END), "end of file") == 0 &&
              strcmp(token_spelling(TK_KW_MAP), "'Map'") == 0 &&
              strcmp(token_spelling(TK_SHL), "'<<'") == 0 &&
              strcmp(token_spelling(TK_STR_MID), "string") == 0;
    for (int k = 0; k < TK_COUNT; k++) ok = ok && token_spelling((TokenKind)k) != NULL;
    check("token_spelling", ok, "a spelling differs from token.def");

    SourceFile a = {"a.loam", "count x", 7, false}, b = {"b.loam", "(count)", 7, false};
    Arena arena;
    arena_init(&arena);
    Lexer la, lb;
    lexer_init(&la, &arena, &a);
    lexer_init(&lb, &arena, &b);
    Token ta = lexer_next(&la);
    lexer_next(&lb);
    Token tb = lexer_next(&lb);
    check("identifiers_are_interned", ta.kind == TK_IDENT && tb.kind == TK_IDENT &&
          ta.as.name == tb.as.name && ta.as.name == intern("count", 5),
          "equal names are different pointers");
    arena_free(&arena);
}

int main(void) {
    diag_configure(DIAG_JSON, false);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
    test_nesting_limit();
    test_end_is_sticky();
    test_spelling_and_interning();
    test_file_too_large();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
