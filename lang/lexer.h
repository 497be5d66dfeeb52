/* lexer.h — turns a SourceFile into tokens (spec §1).
 *
 * Consumes: the bytes of one source file. Produces: one token per call.
 * The lexer validates UTF-8, strips comments, decodes literals (escapes,
 * '_' separators) and splits interpolated strings into STR_HEAD, the tokens
 * of each embedded expression, STR_MID, …, STR_TAIL. Lexical errors are
 * reported through diag.h and lexing goes on where it can; after a fatal
 * error (nesting too deep, see §1.6) every further call returns TK_END.
 * There is no '>>' token: the grammar joins two adjacent '>' (spec §1.5).
 */
#ifndef LOAM_LEXER_H
#define LOAM_LEXER_H

#include "arena.h"
#include "diag.h"

typedef enum TokenKind {
#define TOK(name, spelling) TK_##name,
#include "token.def"
#undef TOK
    TK_COUNT
} TokenKind;

typedef struct Token {
    TokenKind kind;
    Span span;
    union {
        int64_t int_value;   /* TK_INT */
        double float_value;  /* TK_FLOAT */
        uint8_t byte_value;  /* TK_BYTE */
        const char *name;    /* TK_IDENT: interned */
        struct {             /* TK_STR*: decoded bytes, NUL-terminated, may hold NULs */
            const char *bytes;
            uint32_t len;
        } str;
    } as;
} Token;

/* Maximum nesting of brackets and interpolations (spec §1.6). */
enum { LEX_MAX_NESTING = 256 };

typedef struct Lexer {
    Arena *arena;
    const SourceFile *file;
    uint32_t pos, line, col;
    /* One entry per open bracket or interpolation: which, and where. An
     * interpolation is TK_STR_HEAD, at the opening quote of its string. */
    struct { TokenKind open; Span at; } nest[LEX_MAX_NESTING];
    int depth;
    bool fatal;
    /* The end was reached, or a string or comment ran into it: unclosed
     * brackets are reported at most once, and never on top of E0003/E0021. */
    bool eof_seen;
} Lexer;

/* file must stay alive as long as the tokens; strings go into arena. */
void lexer_init(Lexer *lx, Arena *arena, const SourceFile *file);
Token lexer_next(Lexer *lx);

/* Spelling for messages: "'('", "identifier", … */
const char *token_spelling(TokenKind kind);

#endif
