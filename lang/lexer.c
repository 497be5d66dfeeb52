/* lexer.c — source bytes to tokens (spec §1).
 *
 * Consumes: one SourceFile, whose text MUST be NUL-terminated at len: that
 * NUL is the sentinel that stops every scanning loop, so no hot loop tests
 * for the end of the buffer. Produces: one Token per lexer_next() call, with
 * an exact Span; literals are decoded (strings into the arena, identifiers
 * interned). Every byte of the file is either part of a token, whitespace, a
 * comment, or reported through diag.h and skipped; lexing then goes on.
 *
 * Interpolated strings: the '{' that starts an embedded expression is pushed
 * on the nesting stack as TK_STR_HEAD (its `at` is the opening quote of the
 * string, where an unterminated string is reported); the '}' that pops it
 * resumes the string text. So the whole lexer state is pos/line/col plus the
 * stack.
 */
#include "lexer.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_SOURCE_BYTES = 64u << 20 }; /* spec §1.1 */

/* Character classes, one table lookup per byte in the hot loops. */
enum {
    C_IDENT = 1 << 0,     /* [A-Za-z0-9_] */
    C_ALPHA = 1 << 1,     /* [A-Za-z_]: starts an identifier */
    C_DIGIT = 1 << 2,     /* [0-9] */
    C_DIGIT_SEP = 1 << 3, /* [0-9_] */
    C_HEX = 1 << 4,       /* [0-9a-fA-F] */
    C_SPACE = 1 << 5,     /* ' ' '\t' '\r' (not '\n': it counts lines) */
    C_LINE = 1 << 6,      /* passes through a // comment: ASCII but NUL, '\n' */
    C_BLOCK = 1 << 7,     /* passes through a block comment: C_LINE but '*', '/' */
    C_STR = 1 << 8,       /* copied verbatim from string text: C_LINE but '"', '\\', '{' */
    C_STR_SCAN = 1 << 9,  /* skipped when sizing string text: all but NUL, '"', '\\', '{' */
};

#define IN(c, lo, hi) ((c) >= (lo) && (c) <= (hi))
#define CLS(c)                                                                              \
    ((IN(c, '0', '9') || IN(c, 'a', 'z') || IN(c, 'A', 'Z') || (c) == '_' ? C_IDENT : 0) |  \
     (IN(c, 'a', 'z') || IN(c, 'A', 'Z') || (c) == '_' ? C_ALPHA : 0) |                     \
     (IN(c, '0', '9') ? C_DIGIT : 0) | (IN(c, '0', '9') || (c) == '_' ? C_DIGIT_SEP : 0) |  \
     (IN(c, '0', '9') || IN(c, 'a', 'f') || IN(c, 'A', 'F') ? C_HEX : 0) |                 \
     ((c) == ' ' || (c) == '\t' || (c) == '\r' ? C_SPACE : 0) |                             \
     (IN(c, 1, 127) && (c) != '\n' ? C_LINE : 0) |                                          \
     (IN(c, 1, 127) && (c) != '\n' && (c) != '*' && (c) != '/' ? C_BLOCK : 0) |             \
     (IN(c, 1, 127) && (c) != '\n' && (c) != '"' && (c) != '\\' && (c) != '{' ? C_STR : 0) | \
     ((c) != 0 && (c) != '"' && (c) != '\\' && (c) != '{' ? C_STR_SCAN : 0))
#define R4(c) CLS(c), CLS((c) + 1), CLS((c) + 2), CLS((c) + 3)
#define R16(c) R4(c), R4((c) + 4), R4((c) + 8), R4((c) + 12)
#define R64(c) R16(c), R16((c) + 16), R16((c) + 32), R16((c) + 48)
static const uint16_t char_class[256] = {R64(0), R64(64), R64(128), R64(192)};

/* Where the lexer is: kept in locals while a token is scanned, and written
 * back to lx->pos/line/col when it is returned. */
typedef struct Cursor {
    const uint8_t *p;          /* next byte */
    const uint8_t *line_start; /* first byte of the current line */
    uint32_t line;
} Cursor;

static const uint8_t *text_of(const Lexer *lx) { return (const uint8_t *)lx->file->text; }
static const uint8_t *end_of(const Lexer *lx) { return text_of(lx) + lx->file->len; }

/* The span [from, to); from MUST be on the cursor's current line. */
static Span span_here(const Lexer *lx, const Cursor *c, const uint8_t *from, const uint8_t *to) {
    const uint8_t *base = text_of(lx);
    return (Span){lx->file, c->line, (uint32_t)(from - c->line_start) + 1,
                  (uint32_t)(from - base), (uint32_t)(to - base)};
}

static unsigned hex_value(uint8_t ch) {
    return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

/* ---- UTF-8 (spec §1.1) ---- */

typedef enum Utf8Status {
    U_OK, U_STRAY, U_OVERLONG, U_SURROGATE, U_TOO_BIG, U_BAD_BYTE, U_TRUNCATED
} Utf8Status;

/* Decodes the sequence at p, p[0] >= 0x80 (Unicode Table 3-7). *len is its
 * length when valid, else the number of bytes to skip: the lead byte and the
 * continuation bytes that belong to it. Reads no further than the first byte
 * that is not a continuation byte, so the NUL sentinel stops it. */
static Utf8Status utf8_decode(const uint8_t *p, int *len, uint32_t *cp) {
    uint8_t b = p[0], lo = 0x80, hi = 0xBF;
    Utf8Status range_error = U_OK;
    int n, k = 1;
    if (b < 0xC0) {
        while ((p[k] & 0xC0) == 0x80) k++;
        *len = k;
        return U_STRAY;
    }
    if (b < 0xC2 || b > 0xF4) { /* C0 C1 (overlong ASCII), F5..FF: never in UTF-8 */
        while (k < 4 && (p[k] & 0xC0) == 0x80) k++;
        *len = k;
        return U_BAD_BYTE;
    }
    if (b < 0xE0) n = 2;
    else if (b < 0xF0) n = 3;
    else n = 4;
    if (b == 0xE0) lo = 0xA0, range_error = U_OVERLONG;
    else if (b == 0xED) hi = 0x9F, range_error = U_SURROGATE;
    else if (b == 0xF0) lo = 0x90, range_error = U_OVERLONG;
    else if (b == 0xF4) hi = 0x8F, range_error = U_TOO_BIG;
    if ((p[1] & 0xC0) != 0x80) {
        *len = 1;
        return U_TRUNCATED;
    }
    if (p[1] < lo || p[1] > hi) {
        while (k < n && (p[k] & 0xC0) == 0x80) k++;
        *len = k;
        return range_error;
    }
    for (k = 2; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *len = k;
            return U_TRUNCATED;
        }
    }
    uint32_t v = b & (0x7F >> n);
    for (k = 1; k < n; k++) v = v << 6 | (p[k] & 0x3F);
    *cp = v;
    *len = n;
    return U_OK;
}

/* Checks the character at p (p[0] >= 0x80): returns its length if it is
 * valid UTF-8, else reports E0001 at it and returns minus the number of
 * bytes to skip. */
static int utf8_check(Lexer *lx, const Cursor *c, const uint8_t *p, uint32_t *cp) {
    int n;
    Utf8Status st = utf8_decode(p, &n, cp);
    if (st == U_OK) return n;
    Span at = span_here(lx, c, p, p + n);
    switch (st) {
    case U_STRAY:
        diag_error(E0001, at, "invalid UTF-8: unexpected continuation byte 0x%02X", p[0]);
        break;
    case U_OVERLONG:
        diag_error(E0001, at, "invalid UTF-8: overlong encoding starting with byte 0x%02X", p[0]);
        break;
    case U_SURROGATE:
        diag_error(E0001, at, "invalid UTF-8: encoded surrogate (U+D800 to U+DFFF are not characters)");
        break;
    case U_TOO_BIG:
        diag_error(E0001, at, "invalid UTF-8: sequence encodes a value above U+10FFFF");
        break;
    case U_BAD_BYTE:
        diag_error(E0001, at, "invalid UTF-8: byte 0x%02X never occurs in UTF-8", p[0]);
        break;
    default:
        diag_error(E0001, at, "invalid UTF-8: sequence starting with byte 0x%02X is cut short", p[0]);
        break;
    }
    diag_help("a Loam source file must be UTF-8 text; re-save it as UTF-8, and write raw bytes "
              "in a string as '\\xHH'");
    return -n;
}

static int utf8_encode(uint32_t v, uint8_t out[4]) {
    if (v < 0x80) {
        out[0] = (uint8_t)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (uint8_t)(0xC0 | v >> 6);
        out[1] = (uint8_t)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (uint8_t)(0xE0 | v >> 12);
        out[1] = (uint8_t)(0x80 | (v >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (v & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | v >> 18);
    out[1] = (uint8_t)(0x80 | (v >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (v >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (v & 0x3F));
    return 4;
}

/* Reports the run of NUL bytes at p, which is before the end (E0002), and
 * returns the byte after it. */
static const uint8_t *skip_nuls(Lexer *lx, const Cursor *c, const uint8_t *p) {
    const uint8_t *q = p, *end = end_of(lx);
    while (q < end && *q == 0) q++;
    diag_error(E0002, span_here(lx, c, p, q), "NUL byte in source");
    diag_help("a source file is text; to put a zero byte in a string, write '\\0'");
    return q;
}

/* ---- nesting (spec §1.6) ---- */

/* Pushes an open bracket or interpolation, remembered at `where`. One level
 * too deep reports E0006 at `at` and makes the lexer fatal. */
static bool push(Lexer *lx, TokenKind open, Span where, Span at) {
    if (lx->depth == LEX_MAX_NESTING) {
        diag_error(E0006, at, "brackets nest too deeply: this one is more than %d levels deep",
                   LEX_MAX_NESTING);
        diag_help("brackets and string interpolations nest at most %d deep; move inner parts "
                  "into 'let' bindings or functions",
                  LEX_MAX_NESTING);
        lx->fatal = true;
        return false;
    }
    lx->nest[lx->depth].open = open;
    lx->nest[lx->depth].at = where;
    lx->depth++;
    return true;
}

/* The opening quote of the outermost string still open, else `own`. */
static Span outermost_quote(const Lexer *lx, Span own) {
    for (int i = 0; i < lx->depth; i++)
        if (lx->nest[i].open == TK_STR_HEAD) return lx->nest[i].at;
    return own;
}

static void report_unterminated_string(Lexer *lx, Span quote) {
    diag_error(E0021, quote, "unterminated string: the file ends before its closing '\"'");
    diag_help("add a '\"' where the string ends; inside a string, write '\\\"' for a quote and "
              "close every '{' interpolation with '}'");
    lx->eof_seen = true;
}

/* ---- comments (spec §1.2) ---- */

static void skip_line_comment(Lexer *lx, Cursor *c) {
    const uint8_t *p = c->p + 2, *end = end_of(lx);
    for (;;) {
        while (char_class[*p] & C_LINE) p++;
        if (*p == '\n' || p == end) break;
        if (*p == 0) {
            p = skip_nuls(lx, c, p);
        } else {
            uint32_t cp;
            int n = utf8_check(lx, c, p, &cp);
            p += n > 0 ? n : -n;
        }
    }
    c->p = p;
}

/* Block comments nest: only a count is needed, never a stack. */
static void skip_block_comment(Lexer *lx, Cursor *c) {
    const uint8_t *p = c->p + 2, *end = end_of(lx);
    Span open = span_here(lx, c, c->p, p);
    size_t level = 1;
    for (;;) {
        while (char_class[*p] & C_BLOCK) p++;
        switch (*p) {
        case '*':
            if (p[1] != '/') {
                p++;
                break;
            }
            p += 2;
            if (--level == 0) goto done;
            break;
        case '/':
            if (p[1] == '*') {
                p += 2;
                level++;
            } else {
                p++;
            }
            break;
        case '\n':
            p++;
            c->line++;
            c->line_start = p;
            break;
        case 0:
            if (p == end) {
                diag_error(E0003, open, "unterminated block comment: the file ends before its '*/'");
                diag_help("add '*/' where the comment ends; comments nest, so every '/*' inside "
                          "it needs its own '*/'");
                lx->eof_seen = true;
                goto done;
            }
            p = skip_nuls(lx, c, p);
            break;
        default: {
            uint32_t cp;
            int n = utf8_check(lx, c, p, &cp);
            p += n > 0 ? n : -n;
            break;
        }
        }
    }
done:
    c->p = p;
}

/* ---- identifiers and keywords (spec §1.3) ---- */

static TokenKind keyword(const uint8_t *s, size_t n) {
#define IS(word) (n == sizeof word - 1 && memcmp(s, word, sizeof word - 1) == 0)
    switch (s[0]) {
    case 'M': return IS("Map") ? TK_KW_MAP : TK_IDENT;
    case '_': return n == 1 ? TK_UNDERSCORE : TK_IDENT;
    case 'b': return IS("break") ? TK_KW_BREAK : TK_IDENT;
    case 'c': return IS("continue") ? TK_KW_CONTINUE : TK_IDENT;
    case 'e':
        if (IS("else")) return TK_KW_ELSE;
        if (IS("enum")) return TK_KW_ENUM;
        return IS("extern") ? TK_KW_EXTERN : TK_IDENT;
    case 'f':
        if (IS("fn")) return TK_KW_FN;
        if (IS("for")) return TK_KW_FOR;
        return IS("false") ? TK_KW_FALSE : TK_IDENT;
    case 'i':
        if (IS("if")) return TK_KW_IF;
        return IS("in") ? TK_KW_IN : TK_IDENT;
    case 'l': return IS("let") ? TK_KW_LET : TK_IDENT;
    case 'm': return IS("match") ? TK_KW_MATCH : TK_IDENT;
    case 'o': return IS("out") ? TK_KW_OUT : TK_IDENT;
    case 'r': return IS("return") ? TK_KW_RETURN : TK_IDENT;
    case 's':
        if (IS("spawn")) return TK_KW_SPAWN;
        return IS("struct") ? TK_KW_STRUCT : TK_IDENT;
    case 't':
        if (IS("task")) return TK_KW_TASK;
        return IS("true") ? TK_KW_TRUE : TK_IDENT;
    case 'w': return IS("while") ? TK_KW_WHILE : TK_IDENT;
    default: return TK_IDENT;
    }
#undef IS
}

/* A direct-mapped cache in front of intern(), which hashes and compares
 * every identifier in full: most names recur, and this cache answers them
 * with one probe and one memcmp. Interned names live for the whole run, so
 * entries never go stale. */
enum { NAME_CACHE_SIZE = 4096 };
static struct {
    const char *name;
    uint32_t len;
} name_cache[NAME_CACHE_SIZE];

static const char *intern_name(const uint8_t *s, size_t n, uint32_t hash) {
    uint32_t slot = (hash ^ hash >> 13) & (NAME_CACHE_SIZE - 1);
    if (name_cache[slot].len == n && memcmp(name_cache[slot].name, s, n) == 0)
        return name_cache[slot].name;
    const char *name = intern((const char *)s, n);
    name_cache[slot].name = name;
    name_cache[slot].len = (uint32_t)n;
    return name;
}

/* ---- numbers (spec §1.4) ---- */

static void bad_number(Lexer *lx, const Cursor *c, const uint8_t *start, const uint8_t *p,
                       DiagCode code, const char *message, const char *help) {
    diag_error(code, span_here(lx, c, start, p), "%s", message);
    if (help) diag_help("%s", help);
}

/* What is wrong with a '_' that ends a run of digits, given what follows. */
static const char *misplaced_separator(uint8_t next) {
    if (next == '.') return "'_' cannot come right before the '.' of a number";
    if (next == 'e' || next == 'E') return "'_' cannot come right before the exponent of a number";
    return "a number cannot end with '_'";
}

/* integer: [0-9][0-9_]* | '0x' [0-9a-fA-F_]+ | '0o' [0-7_]+ | '0b' [01_]+
 * float:   [0-9][0-9_]* ('.' [0-9][0-9_]*)? ([eE] [+-]? [0-9][0-9_]*)?,
 *          with a fraction or an exponent or both.
 * The literal runs on over letters and digits ('12ab', '0x1g' are one
 * malformed number, not a number and a name); a '.' belongs to it only when a
 * digit follows, so '0..n' and '1.foo()' start with an integer. */
static TokenKind lex_number(Lexer *lx, Cursor *c, int64_t *int_value, double *float_value) {
    const uint8_t *start = c->p, *p = start;
    uint64_t v = 0;
    bool overflow = false;
    *int_value = 0;
    *float_value = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
        unsigned base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
        const uint8_t *bad = NULL;
        bool digits = false;
        p += 2;
        while (char_class[*p] & C_IDENT) {
            uint8_t ch = *p;
            unsigned d = ch == '_' ? 0 : (char_class[ch] & C_DIGIT) ? ch - '0' : (ch | 0x20) - 'a' + 10;
            if (ch == '_') {
                /* a separator */
            } else if (d >= base) {
                if (!bad) bad = p;
            } else {
                digits = true;
                if (v > ((uint64_t)INT64_MAX - d) / base) overflow = true;
                else v = v * base + d;
            }
            p++;
        }
        c->p = p;
        const char *kind = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        const char *help = base == 16 ? "a hexadecimal literal uses the digits 0-9 and a-f, as in 0xff"
                           : base == 8 ? "an octal literal uses the digits 0-7, as in 0o17"
                                       : "a binary literal uses the digits 0 and 1, as in 0b1010";
        if (bad) {
            diag_error(E0010, span_here(lx, c, start, p), "invalid digit '%c' in %s literal", *bad,
                       kind);
            diag_help("%s", help);
        } else if (!digits) {
            diag_error(E0010, span_here(lx, c, start, p), "'0%c' is not followed by any %s digit",
                       start[1], kind);
            diag_help("%s", help);
        } else if (p[-1] == '_') {
            bad_number(lx, c, start, p, E0010, "a number cannot end with '_'",
                       "'_' may only separate digits; remove the trailing '_'");
        } else if (overflow) {
            bad_number(lx, c, start, p, E0011, "integer literal is too large for an Int",
                       "the largest Int is 9223372036854775807 (0x7fffffffffffffff)");
        } else {
            *int_value = (int64_t)v;
        }
        return TK_INT;
    }

    /* decimal */
    const char *bad = NULL, *help = NULL;
    bool is_float = false;
    while (char_class[*p] & C_DIGIT_SEP) {
        unsigned d = *p - '0';
        if (*p != '_') {
            if (v > ((uint64_t)INT64_MAX - d) / 10) overflow = true;
            else v = v * 10 + d;
        }
        p++;
    }
    if (p[-1] == '_') bad = misplaced_separator(*p);
    if (*p == '.' && (char_class[p[1]] & C_DIGIT)) {
        is_float = true;
        p++;
        while (char_class[*p] & C_DIGIT_SEP) p++;
        if (p[-1] == '_' && !bad) bad = misplaced_separator(*p);
    }
    if (bad) help = "'_' may only separate digits; remove the trailing '_'";
    if (*p == 'e' || *p == 'E') {
        is_float = true;
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(char_class[*p] & C_DIGIT)) {
            if (!bad) {
                bad = "the exponent of this number has no digits";
                help = "write digits after the 'e', as in 1e9 or 2.5e-3";
            }
        } else {
            while (char_class[*p] & C_DIGIT_SEP) p++;
            if (p[-1] == '_' && !bad) {
                bad = misplaced_separator(*p);
                help = "'_' may only separate digits; remove the trailing '_'";
            }
        }
    }
    if (char_class[*p] & C_IDENT) {
        const uint8_t *letter = p;
        while (char_class[*p] & C_IDENT) p++;
        if (!bad) {
            c->p = p;
            diag_error(E0010, span_here(lx, c, start, p), "invalid character '%c' in number",
                       *letter);
            if (start[0] == '0' && letter == start + 1 &&
                (*letter == 'X' || *letter == 'O' || *letter == 'B'))
                diag_help("number prefixes are lowercase: '0x', '0o' and '0b'");
            else
                diag_help("a name cannot start with a digit");
            return is_float ? TK_FLOAT : TK_INT;
        }
    }
    c->p = p;
    if (bad) {
        bad_number(lx, c, start, p, E0010, bad, help);
        return is_float ? TK_FLOAT : TK_INT;
    }
    if (!is_float) {
        if (overflow)
            bad_number(lx, c, start, p, E0011, "integer literal is too large for an Int",
                       "the largest Int is 9223372036854775807 (2^63 - 1)");
        else
            *int_value = (int64_t)v;
        return TK_INT;
    }
    /* strtod on a copy without the separators. */
    char small[64];
    size_t n = (size_t)(p - start);
    char *buf = n < sizeof small ? small : arena_alloc(lx->arena, n + 1);
    size_t k = 0;
    for (const uint8_t *q = start; q < p; q++)
        if (*q != '_') buf[k++] = (char)*q;
    buf[k] = 0;
    *float_value = strtod(buf, NULL);
    return TK_FLOAT;
}

/* ---- escapes, strings and byte literals (spec §1.4) ---- */

/* The end of a '\u' escape at p: '\u', then '{', hex digits and '}' as far as
 * they are there. Shared by the sizing and the decoding pass of a string so
 * that both stop at the same '{'. */
static const uint8_t *skip_u_escape(const uint8_t *p) {
    if (p[2] != '{') return p + 2;
    const uint8_t *q = p + 3;
    while (char_class[*q] & C_HEX) q++;
    return *q == '}' ? q + 1 : q;
}

/* escape: '\' ( [ntr0\\"'{}] | 'x' HEX HEX | 'u' '{' HEX{1,6} '}' )
 * p is at the backslash. Writes the decoded bytes to out and returns their
 * count; after an error (E0020, span over the escape) returns 0. *next is set
 * past the escape; it never passes a newline, NUL or the end. */
static int lex_escape(Lexer *lx, const Cursor *c, const uint8_t *p, bool in_string,
                      uint8_t out[4], const uint8_t **next) {
    uint8_t e = p[1];
    *next = p + 2;
    switch (e) {
    case 'n': out[0] = '\n'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case '0': out[0] = 0; return 1;
    case '\\': case '"': case '\'': case '{': case '}':
        out[0] = e;
        return 1;
    case 'x':
        if ((char_class[p[2]] & C_HEX) && (char_class[p[3]] & C_HEX)) {
            out[0] = (uint8_t)(hex_value(p[2]) << 4 | hex_value(p[3]));
            *next = p + 4;
            return 1;
        }
        *next = p + 2 + ((char_class[p[2]] & C_HEX) != 0);
        diag_error(E0020, span_here(lx, c, p, *next), "'\\x' must be followed by two hex digits");
        diag_help("write one byte as '\\x' and two hex digits, as in '\\x0a' or '\\xff'");
        return 0;
    case 'u': {
        const uint8_t *q = skip_u_escape(p);
        Span at = span_here(lx, c, p, q);
        *next = q;
        if (!in_string) {
            diag_error(E0020, at, "'\\u{...}' escapes are allowed only in strings");
            diag_help("a byte literal holds one byte: write it as '\\xHH'");
            return 0;
        }
        if (p[2] != '{') {
            diag_error(E0020, at, "'\\u' must be followed by '{', 1 to 6 hex digits and '}'");
            diag_help("write a Unicode character by its code point, as in '\\u{e9}' for 'é'");
            return 0;
        }
        const uint8_t *digits = p + 3, *digits_end = digits;
        while (char_class[*digits_end] & C_HEX) digits_end++;
        size_t nd = (size_t)(digits_end - digits);
        if (*digits_end != '}' || nd == 0 || nd > 6) {
            diag_error(E0020, at, "'\\u{...}' needs 1 to 6 hex digits and a closing '}'");
            diag_help("write a Unicode character by its code point, as in '\\u{e9}' for 'é'");
            return 0;
        }
        uint32_t v = 0;
        for (const uint8_t *d = digits; d < digits_end; d++) v = v << 4 | hex_value(*d);
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            diag_error(E0020, at, "'\\u{%.*s}' is not a Unicode scalar value", (int)nd,
                       (const char *)digits);
            diag_help("a scalar value is at most 10FFFF and not a surrogate (D800 to DFFF)");
            return 0;
        }
        return utf8_encode(v, out);
    }
    default:
        break;
    }
    /* Not an escape. */
    if (e >= 0x20 && e < 0x7F) {
        diag_error(E0020, span_here(lx, c, p, p + 2), "unknown escape sequence '\\%c'", e);
    } else if (e == 0 && p + 1 == end_of(lx)) {
        *next = p + 1; /* the string or byte is unterminated: the caller reports it */
        return 0;
    } else {
        int len;
        uint32_t cp;
        *next = p + 1;
        if (e >= 0x80 && utf8_decode(p + 1, &len, &cp) == U_OK) {
            *next = p + 1 + len;
            diag_error(E0020, span_here(lx, c, p, *next), "unknown escape sequence '\\%.*s'", len,
                       (const char *)p + 1);
        } else if (e == '\n' || (e == '\r' && p[2] == '\n')) {
            diag_error(E0020, span_here(lx, c, p, p + 1),
                       "'\\' at the end of a line is not an escape sequence");
        } else {
            diag_error(E0020, span_here(lx, c, p, p + 1),
                       "'\\' is not followed by an escape character");
        }
    }
    if (in_string)
        diag_help("the escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\{ \\} \\xHH and \\u{...}; "
                  "write '\\\\' for a backslash");
    else
        diag_help("the escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\{ \\} and \\xHH; "
                  "write '\\\\' for a backslash");
    return 0;
}

/* '{' then spaces or tabs then '}': an empty interpolation. Its length, or 0. */
static size_t empty_interpolation(const uint8_t *p) {
    const uint8_t *q = p + 1;
    while (*q == ' ' || *q == '\t') q++;
    return *q == '}' ? (size_t)(q + 1 - p) : 0;
}

/* string: '"' (text | escape | '{' expr '}')* '"'
 * Lexes string text from c->p (past the opening '"', or past the '}' that
 * closed an interpolation when `resumed`) to the closing '"' (TK_STR or
 * TK_STR_TAIL) or to the '{' of an interpolation, which it pushes
 * (TK_STR_HEAD or TK_STR_MID). `quote` is this string's opening quote.
 * After a fatal error returns TK_END with c->p at the '{'. */
static TokenKind lex_string(Lexer *lx, Cursor *c, bool resumed, Span quote, const char **bytes,
                            uint32_t *len) {
    const uint8_t *end = end_of(lx), *p = c->p;

    /* Sizing pass: the decoded text is never longer than its source, and it
     * stops where the decoding pass will stop. */
    const uint8_t *q = p;
    for (;;) {
        while (char_class[*q] & C_STR_SCAN) q++;
        if (*q == '\\') {
            q = q[1] == 'u' ? skip_u_escape(q) : q + 1 + (q + 1 != end);
        } else if (*q == '{' && empty_interpolation(q)) {
            q += empty_interpolation(q);
        } else if (*q == 0 && q != end) {
            q++;
        } else {
            break; /* '"', '{' or the end */
        }
    }
    size_t bound = (size_t)(q - p);
    /* Empty pieces ("{x}") are common: they share one empty string. */
    uint8_t *out = bound ? arena_alloc(lx->arena, bound + 1) : NULL, *o = out;

    TokenKind kind;
    for (;;) {
        while (char_class[*p] & C_STR) *o++ = *p++;
        switch (*p) {
        case '"':
            p++;
            kind = resumed ? TK_STR_TAIL : TK_STR;
            goto done;
        case '{': {
            size_t n = empty_interpolation(p);
            if (n) {
                diag_error(E0023, span_here(lx, c, p, p + n), "empty interpolation '{}' in a string");
                diag_help("put an expression between the braces, or write '\\{' and '\\}' for "
                          "literal braces");
                p += n;
                continue;
            }
            Span brace = span_here(lx, c, p, p + 1);
            if (!push(lx, TK_STR_HEAD, quote, brace)) {
                c->p = p;
                return TK_END;
            }
            p++;
            kind = resumed ? TK_STR_MID : TK_STR_HEAD;
            goto done;
        }
        case '\n':
            *o++ = *p++;
            c->line++;
            c->line_start = p;
            continue;
        case '\\': {
            uint8_t buf[4];
            int n = lex_escape(lx, c, p, true, buf, &p);
            memcpy(o, buf, (size_t)n);
            o += n;
            continue;
        }
        case 0:
            if (p == end) {
                report_unterminated_string(lx, outermost_quote(lx, quote));
                kind = resumed ? TK_STR_TAIL : TK_STR;
                goto done;
            }
            p = skip_nuls(lx, c, p);
            continue;
        default: { /* a byte >= 0x80 */
            uint32_t cp;
            int n = utf8_check(lx, c, p, &cp);
            if (n > 0) {
                memcpy(o, p, (size_t)n);
                o += n;
                p += n;
            } else {
                p -= n;
            }
            continue;
        }
        }
    }
done:
    c->p = p;
    if (!out) {
        *bytes = "";
        *len = 0;
        return kind;
    }
    if ((size_t)(o - out) > bound) die("string decoding overran its bound of %zu bytes", bound);
    *o = 0;
    *bytes = (const char *)out;
    *len = (uint32_t)(o - out);
    return kind;
}

/* byte: 'b' '\'' (char | escape) '\'' — exactly one byte. c->p is at the 'b'.
 * After an error the token is still a TK_BYTE (of value 0), so the parser
 * does not report it again. */
static uint8_t lex_byte(Lexer *lx, Cursor *c) {
    const uint8_t *start = c->p, *p = start + 2, *end = end_of(lx);
    uint8_t b = *p;
    uint8_t value = 0;
    bool ok = true;
    if (b == '\'') {
        c->p = p + 1;
        diag_error(E0022, span_here(lx, c, start, p + 1), "empty byte literal");
        diag_help("a byte literal holds exactly one byte, as in b'a' or b'\\n'");
        return 0;
    }
    if (b == '\n' || b == '\r' || p == end || (b == '\\' && p + 1 == end)) {
        c->p = p;
        diag_error(E0022, span_here(lx, c, start, p), "unterminated byte literal");
        diag_help("close it with '\\''; write a newline as b'\\n'");
        return 0;
    }
    if (b == '\\') {
        uint8_t buf[4];
        int n = lex_escape(lx, c, p, false, buf, &p);
        if (n == 1) value = buf[0];
        else ok = false;
    } else if (b == 0) {
        p = skip_nuls(lx, c, p);
        ok = false;
    } else if (b >= 0x80) {
        uint32_t cp;
        int n = utf8_check(lx, c, p, &cp);
        if (n > 0) {
            diag_error(E0022, span_here(lx, c, start, p + n),
                       "'%.*s' is %d bytes in UTF-8, but a byte literal holds exactly one byte", n,
                       (const char *)p, n);
            diag_help("use a string for text, or write a single byte as b'\\xHH'");
            p += n;
        } else {
            p -= n;
        }
        ok = false;
    } else {
        value = b;
        p++;
    }
    if (*p == '\'') {
        c->p = p + 1;
        return ok ? value : 0;
    }
    /* Look for the closing quote on this line. */
    const uint8_t *q = p;
    for (;;) {
        if (*q == '\'' || *q == '\n' || *q == 0) break;
        if (*q == '\\' && q[1] != '\n' && q[1] != 0) {
            q += 2;
        } else if (*q >= 0x80) {
            uint32_t cp;
            int n = utf8_check(lx, c, q, &cp);
            q += n > 0 ? n : -n;
        } else {
            q++;
        }
    }
    if (*q == '\'') {
        c->p = q + 1;
        if (ok) {
            diag_error(E0022, span_here(lx, c, start, q + 1),
                       "byte literal holds more than one byte");
            diag_help("a byte literal holds exactly one byte; use a string for several");
        }
    } else {
        c->p = p;
        if (ok) {
            diag_error(E0022, span_here(lx, c, start, p), "unterminated byte literal");
            diag_help("close it with '\\''");
        }
    }
    return 0;
}

/* ---- the token loop ---- */

static void unexpected_character(Lexer *lx, Cursor *c) {
    const uint8_t *p = c->p;
    uint8_t b = *p;
    if (b < 0x80) {
        c->p = p + 1;
        Span at = span_here(lx, c, p, p + 1);
        if (b >= 0x20 && b < 0x7F)
            diag_error(E0005, at, "unexpected character '%c'", b);
        else
            diag_error(E0005, at, "unexpected control character U+%04X", b);
        if (b == '\'')
            diag_help("a byte literal is written b'x', and a string \"text\"");
        else if (b == '#')
            diag_help("a comment starts with '//'");
        else if (b == '~')
            diag_help("bitwise not is written '!'");
        return;
    }
    uint32_t cp;
    int n = utf8_check(lx, c, p, &cp);
    if (n < 0) {
        c->p = p - n;
        return;
    }
    c->p = p + n;
    diag_error(E0005, span_here(lx, c, p, p + n), "unexpected character U+%04X '%.*s'", cp, n,
               (const char *)p);
    if (cp == 0xFEFF)
        diag_help("this is a byte order mark; save the file as UTF-8 without one");
    else if (cp == 0x00A0)
        diag_help("this is a no-break space; replace it with an ordinary space");
    else if (cp == 0x201C || cp == 0x201D)
        diag_help("strings are quoted with the ASCII '\"'");
    else
        diag_help("names and operators are ASCII; other characters may appear only in strings "
                  "and comments");
}

static const TokenKind closer_of[TK_COUNT] = {
    [TK_LPAREN] = TK_RPAREN, [TK_LBRACKET] = TK_RBRACKET, [TK_LBRACE] = TK_RBRACE,
};

/* At the end of the file: an unclosed bracket or interpolation is reported
 * once, where it opened (E0101, E0021), unless a string or comment that ran
 * into the end already was. depth stays > 0 to tell the parser. */
static void report_unclosed(Lexer *lx) {
    if (lx->eof_seen) return;
    lx->eof_seen = true;
    if (lx->depth == 0) return;
    for (int i = 0; i < lx->depth; i++) {
        if (lx->nest[i].open == TK_STR_HEAD) {
            report_unterminated_string(lx, lx->nest[i].at);
            return;
        }
    }
    TokenKind open = lx->nest[lx->depth - 1].open;
    diag_error(E0101, lx->nest[lx->depth - 1].at,
               "unclosed %s: the file ends before its matching %s", token_spelling(open),
               token_spelling(closer_of[open]));
    diag_help("add the matching %s", token_spelling(closer_of[open]));
}

void lexer_init(Lexer *lx, Arena *arena, const SourceFile *file) {
    memset(lx, 0, sizeof *lx);
    lx->arena = arena;
    lx->file = file;
    lx->line = 1;
    lx->col = 1;
    if (file->len > MAX_SOURCE_BYTES) {
        /* About the whole file: line and column 0 (spec/diagnostics.md). */
        diag_error(E0004, (Span){file, 0, 0, 0, 0},
                   "source file is too large: %u bytes, over the limit of 64 MiB", file->len);
        diag_help("split the program into smaller files");
        lx->fatal = true;
    }
}

/* The token is assembled once, at the end, from scalars, by returning a
 * compound literal, which compilers build in the caller's return slot:
 * filling a local Token field by field and then copying it out with wide
 * moves stalls store forwarding, which cost half the lexer's time. */
Token lexer_next(Lexer *lx) {
    const uint8_t *base = text_of(lx), *end = end_of(lx);
    Cursor c = {base + lx->pos, base + lx->pos - (lx->col - 1), lx->line};
    TokenKind kind;
    const uint8_t *start;
    uint32_t line, col;
    int64_t int_value = 0;  /* TK_INT, TK_BYTE */
    double float_value = 0; /* TK_FLOAT */
    const char *bytes = NULL; /* TK_IDENT, TK_STR* */
    uint32_t len = 0;         /* TK_STR* */

    if (lx->fatal) goto fatal;
    for (;;) {
        const uint8_t *p = c.p;
        for (;;) {
            if (char_class[*p] & C_SPACE) {
                p++;
                /* indentation comes in runs; the NUL sentinel stops this */
                while (p[0] == ' ' && p[1] == ' ' && p[2] == ' ' && p[3] == ' ') p += 4;
            } else if (*p == '\n') {
                p++;
                c.line++;
                c.line_start = p;
            } else {
                break;
            }
        }
        c.p = start = p;
        line = c.line;
        col = (uint32_t)(p - c.line_start) + 1;
        uint8_t b = *p;

        if (char_class[b] & C_ALPHA) {
            if (b == 'b' && p[1] == '\'') {
                kind = TK_BYTE;
                int_value = lex_byte(lx, &c);
                goto done;
            }
            const uint8_t *q = p + 1;
            uint32_t hash = b;
            while (char_class[*q] & C_IDENT) hash = (hash << 5 | hash >> 27) ^ *q++;
            size_t n = (size_t)(q - p);
            c.p = q;
            kind = keyword(p, n);
            if (kind == TK_IDENT) bytes = intern_name(p, n, hash);
            goto done;
        }
        if (char_class[b] & C_DIGIT) {
            kind = lex_number(lx, &c, &int_value, &float_value);
            goto done;
        }

        size_t width = 1;
        switch (b) {
        case '(': kind = TK_LPAREN; goto open;
        case '[': kind = TK_LBRACKET; goto open;
        case '{': kind = TK_LBRACE; goto open;
        case ')': kind = TK_RPAREN; goto close;
        case ']': kind = TK_RBRACKET; goto close;
        case '}': {
            /* '}' closes the innermost '{' or interpolation, and any
             * brackets left open inside it. */
            int i = lx->depth;
            while (i > 0 && lx->nest[i - 1].open != TK_LBRACE && lx->nest[i - 1].open != TK_STR_HEAD)
                i--;
            if (i > 0) {
                lx->depth = i - 1;
                if (lx->nest[i - 1].open == TK_STR_HEAD) {
                    c.p = p + 1;
                    kind = lex_string(lx, &c, true, lx->nest[i - 1].at, &bytes, &len);
                    if (kind == TK_END) goto fatal;
                    goto done;
                }
            }
            kind = TK_RBRACE;
            break;
        }
        case ',': kind = TK_COMMA; break;
        case ';': kind = TK_SEMI; break;
        case ':': kind = TK_COLON; break;
        case '^': kind = TK_CARET; break;
        case '.':
            if (p[1] == '.') kind = TK_DOTDOT, width = 2;
            else kind = TK_DOT;
            break;
        case '-':
            if (p[1] == '>') kind = TK_ARROW, width = 2;
            else if (p[1] == '=') kind = TK_MINUS_ASSIGN, width = 2;
            else kind = TK_MINUS;
            break;
        case '=':
            if (p[1] == '>') kind = TK_FAT_ARROW, width = 2;
            else if (p[1] == '=') kind = TK_EQ, width = 2;
            else kind = TK_ASSIGN;
            break;
        case '!':
            if (p[1] == '=') kind = TK_NE, width = 2;
            else kind = TK_BANG;
            break;
        case '<':
            if (p[1] == '=') kind = TK_LE, width = 2;
            else if (p[1] == '<') kind = TK_SHL, width = 2;
            else kind = TK_LT;
            break;
        case '>': /* never '>>' (spec §1.5) */
            if (p[1] == '=') kind = TK_GE, width = 2;
            else kind = TK_GT;
            break;
        case '+':
            if (p[1] == '=') kind = TK_PLUS_ASSIGN, width = 2;
            else kind = TK_PLUS;
            break;
        case '*':
            if (p[1] == '=') kind = TK_STAR_ASSIGN, width = 2;
            else kind = TK_STAR;
            break;
        case '%':
            if (p[1] == '=') kind = TK_PERCENT_ASSIGN, width = 2;
            else kind = TK_PERCENT;
            break;
        case '&':
            if (p[1] == '&') kind = TK_AND_AND, width = 2;
            else kind = TK_AMP;
            break;
        case '|':
            if (p[1] == '|') kind = TK_OR_OR, width = 2;
            else kind = TK_PIPE;
            break;
        case '/':
            if (p[1] == '/') {
                skip_line_comment(lx, &c);
                continue;
            }
            if (p[1] == '*') {
                skip_block_comment(lx, &c);
                continue;
            }
            if (p[1] == '=') kind = TK_SLASH_ASSIGN, width = 2;
            else kind = TK_SLASH;
            break;
        case '"':
            c.p = p + 1;
            kind = lex_string(lx, &c, false, span_here(lx, &c, p, p + 1), &bytes, &len);
            if (kind == TK_END) goto fatal;
            goto done;
        case 0:
            if (p == end) {
                report_unclosed(lx);
                kind = TK_END;
                goto done;
            }
            c.p = skip_nuls(lx, &c, p);
            continue;
        default:
            unexpected_character(lx, &c);
            continue;
        }
        c.p = p + width;
        goto done;

    open:
        c.p = p + 1;
        if (!push(lx, kind, span_here(lx, &c, p, p + 1), span_here(lx, &c, p, p + 1))) {
            c.p = p;
            goto fatal;
        }
        goto done;
    close:
        c.p = p + 1;
        if (lx->depth > 0 && closer_of[lx->nest[lx->depth - 1].open] == kind) lx->depth--;
        goto done;
    }

done:
    lx->pos = (uint32_t)(c.p - base);
    lx->line = c.line;
    lx->col = (uint32_t)(c.p - c.line_start) + 1;
    Span span = {lx->file, line, col, (uint32_t)(start - base), (uint32_t)(c.p - base)};
    switch (kind) {
    case TK_IDENT: return (Token){.kind = kind, .span = span, .as.name = bytes};
    case TK_INT: return (Token){.kind = kind, .span = span, .as.int_value = int_value};
    case TK_BYTE: return (Token){.kind = kind, .span = span, .as.byte_value = (uint8_t)int_value};
    case TK_FLOAT: return (Token){.kind = kind, .span = span, .as.float_value = float_value};
    case TK_STR: case TK_STR_HEAD: case TK_STR_MID: case TK_STR_TAIL:
        return (Token){.kind = kind, .span = span, .as.str = {bytes, len}};
    default: return (Token){.kind = kind, .span = span};
    }

fatal: /* nesting too deep (now or before): c.p is at the bracket, and stays */
    lx->pos = (uint32_t)(c.p - base);
    lx->line = c.line;
    lx->col = (uint32_t)(c.p - c.line_start) + 1;
    return (Token){.kind = TK_END, .span = span_here(lx, &c, c.p, c.p)};
}

static const char *const spellings[TK_COUNT] = {
#define TOK(name, spelling) [TK_##name] = spelling,
#include "token.def"
#undef TOK
};

const char *token_spelling(TokenKind kind) {
    if ((unsigned)kind >= TK_COUNT) die("token_spelling: bad token kind %d", (int)kind);
    return spellings[kind];
}
