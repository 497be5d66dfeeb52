/* diag.h — source files, positions and user-facing diagnostics.
 *
 * Every stage reports problems in the user's program through this module and
 * nothing else. Diagnostics are collected per file, sorted by position and
 * printed by diag_flush() in one of two formats:
 *   text:  file:line:col: error: message [E0301], the source line, a caret
 *          under the span, then note: and help: lines (GCC/Clang style);
 *   json:  one JSON object per line.
 * Our own bugs are not diagnostics: see die() in arena.h.
 */
#ifndef LOAM_DIAG_H
#define LOAM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum DiagCode {
#define DIAG(code, title) code,
#include "diag.def"
#undef DIAG
    DIAG_CODE_COUNT
} DiagCode;

/* A source file loaded in memory. text is NUL-terminated at len. */
typedef struct SourceFile {
    const char *path;
    const char *text;
    uint32_t len;
    bool is_stdlib; /* declared by the standard library: may use extern fn */
} SourceFile;

/* A span of source: byte offsets [off, end) plus the 1-based line/column of
 * off. Every token and AST node carries one. It is also Bison's YYLTYPE. */
typedef struct Span {
    const SourceFile *file;
    uint32_t line, col;
    uint32_t off, end;
} Span;

typedef enum DiagFormat { DIAG_TEXT, DIAG_JSON } DiagFormat;

/* Set once by the driver. colour is ignored for JSON. */
void diag_configure(DiagFormat format, bool colour);

/* Starts a new error. The message starts lowercase, names things in
 * 'quotes', and says what is wrong. */
void diag_error(DiagCode code, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attach a note with its own position to the last error. */
void diag_note(Span at, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a help line (why the rule exists, how to fix it) to the last error.
 * Several help lines print in order. */
void diag_help(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Errors reported since the start (all files). */
int diag_error_count(void);
/* Print and discard all collected diagnostics, sorted by file and position. */
void diag_flush(void);
/* The title of a code from diag.def, and its name ("E0301"). */
const char *diag_code_title(DiagCode code);
const char *diag_code_name(DiagCode code);

/* Joins two spans: from the start of a to the end of b. */
Span span_join(Span a, Span b);

#endif
