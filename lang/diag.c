/* diag.c — collects diagnostics and prints them for people or for tools.
 *
 * Consumes: diag_error/note/help calls from every stage, in any order.
 * Produces: at diag_flush(), the diagnostics sorted by file and position, in
 * text (GCC/Clang style, caret under the span, colour only when asked) or
 * JSON lines. Storage is the process heap in one growable array per kind;
 * flush releases it. At most DIAG_MAX_PER_FILE errors are kept per file, so
 * a file of garbage cannot exhaust memory with messages.
 */
#include "diag.h"

#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DIAG_MAX_PER_FILE = 100 };

typedef struct Note {
    bool has_span;          /* false: a help line */
    Span at;
    char *text;
} Note;

typedef struct Diagnostic {
    DiagCode code;
    Span at;
    char *message;
    Note *notes;
    int note_count, note_cap;
    unsigned seq;           /* arrival order, for a stable sort */
    unsigned file_rank;     /* order in which files were first seen */
} Diagnostic;

static struct {
    DiagFormat format;
    bool colour;
    Diagnostic *items;
    int count, cap;
    int total_errors;
    bool last_dropped;      /* the last diag_error was over the cap */
    /* Per-file counts, for the cap and the file order. */
    const SourceFile *files[64];
    int file_errors[64];
    bool file_capped[64];
    int file_count;
} D;

static const char *const code_names[] = {
#define DIAG(code, title) #code,
#include "diag.def"
#undef DIAG
};
static const char *const code_titles[] = {
#define DIAG(code, title) title,
#include "diag.def"
#undef DIAG
};

const char *diag_code_name(DiagCode code) { return code_names[code]; }
const char *diag_code_title(DiagCode code) { return code_titles[code]; }

void diag_configure(DiagFormat format, bool colour) {
    D.format = format;
    D.colour = colour && format == DIAG_TEXT;
}

int diag_error_count(void) { return D.total_errors; }

Span span_join(Span a, Span b) {
    if (!a.file) return b;
    if (!b.file) return a;
    Span s = a;
    if (b.end > s.end) s.end = b.end;
    return s;
}

static char *vformat(const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) die("bad diagnostic format '%s'", fmt);
    char *s = malloc((size_t)n + 1);
    if (!s) die("out of memory (diagnostic)");
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* Index of a file in D.files; the table is small because one run checks
 * few files at a time (the driver flushes after each). */
static int file_slot(const SourceFile *file) {
    for (int i = 0; i < D.file_count; i++)
        if (D.files[i] == file) return i;
    if (D.file_count == (int)(sizeof D.files / sizeof D.files[0])) {
        /* Forget the oldest; only the cap and ordering use this table. */
        memmove(D.files, D.files + 1, sizeof D.files - sizeof D.files[0]);
        memmove(D.file_errors, D.file_errors + 1, sizeof D.file_errors - sizeof D.file_errors[0]);
        memmove(D.file_capped, D.file_capped + 1, sizeof D.file_capped - sizeof D.file_capped[0]);
        D.file_count--;
    }
    D.files[D.file_count] = file;
    D.file_errors[D.file_count] = 0;
    D.file_capped[D.file_count] = false;
    return D.file_count++;
}

static Diagnostic *push_diagnostic(void) {
    if (D.count == D.cap) {
        D.cap = D.cap ? D.cap * 2 : 16;
        D.items = realloc(D.items, (size_t)D.cap * sizeof *D.items);
        if (!D.items) die("out of memory (diagnostics)");
    }
    Diagnostic *d = &D.items[D.count++];
    memset(d, 0, sizeof *d);
    return d;
}

void diag_error(DiagCode code, Span at, const char *fmt, ...) {
    D.total_errors++;
    int slot = file_slot(at.file);
    if (++D.file_errors[slot] > DIAG_MAX_PER_FILE) {
        D.last_dropped = true;
        D.file_capped[slot] = true;
        return;
    }
    D.last_dropped = false;
    Diagnostic *d = push_diagnostic();
    d->code = code;
    d->at = at;
    d->seq = (unsigned)D.count;
    d->file_rank = (unsigned)slot;
    va_list ap;
    va_start(ap, fmt);
    d->message = vformat(fmt, ap);
    va_end(ap);
}

static void add_note(bool has_span, Span at, char *text) {
    if (D.last_dropped || D.count == 0) {
        free(text);
        return;
    }
    Diagnostic *d = &D.items[D.count - 1];
    if (d->note_count == d->note_cap) {
        d->note_cap = d->note_cap ? d->note_cap * 2 : 4;
        d->notes = realloc(d->notes, (size_t)d->note_cap * sizeof *d->notes);
        if (!d->notes) die("out of memory (notes)");
    }
    d->notes[d->note_count++] = (Note){has_span, at, text};
}

void diag_note(Span at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    add_note(true, at, text);
}

void diag_help(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    add_note(false, (Span){0}, text);
}

static int compare_diagnostics(const void *pa, const void *pb) {
    const Diagnostic *a = pa, *b = pb;
    if (a->file_rank != b->file_rank) return a->file_rank < b->file_rank ? -1 : 1;
    if (a->at.off != b->at.off) return a->at.off < b->at.off ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- text output ---- */

#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_CYAN "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_RESET "\033[0m"

static const char *colour(const char *code) { return D.colour ? code : ""; }

/* Longest stretch of a line shown around the caret. */
enum { LINE_WINDOW = 160 };

static void print_source_line(FILE *out, Span at) {
    const SourceFile *f = at.file;
    if (!f || !f->text || at.off > f->len) return;
    uint32_t start = at.off, end = at.off;
    while (start > 0 && f->text[start - 1] != '\n') start--;
    while (end < f->len && f->text[end] != '\n') end++;
    /* Show a window of a very long line, so that the caret stays in view. */
    uint32_t shown_start = start, shown_end = end;
    if (end - start > LINE_WINDOW) {
        shown_start = at.off > start + LINE_WINDOW / 2 ? at.off - LINE_WINDOW / 2 : start;
        shown_end = shown_start + LINE_WINDOW < end ? shown_start + LINE_WINDOW : end;
    }
    char gutter[16];
    int width = snprintf(gutter, sizeof gutter, "%u", at.line);
    fprintf(out, " %s |%s", gutter, shown_start > start ? " ..." : " ");
    for (uint32_t i = shown_start; i < shown_end; i++) {
        unsigned char c = (unsigned char)f->text[i];
        fputc(c == '\t' || c == '\r' || c >= 0x20 ? (c == '\r' ? ' ' : c) : '?', out);
    }
    fputs(shown_end < end ? "...\n" : "\n", out);

    fprintf(out, " %*s |%s", width, "", shown_start > start ? "    " : " ");
    /* Pad with the same whitespace, counting a multi-byte character once. */
    for (uint32_t i = shown_start; i < at.off; i++) {
        unsigned char c = (unsigned char)f->text[i];
        if ((c & 0xC0) == 0x80) continue;
        fputc(c == '\t' ? '\t' : ' ', out);
    }
    uint32_t caret_end = at.end > at.off ? at.end : at.off + 1;
    if (caret_end > shown_end) caret_end = shown_end > at.off ? shown_end : at.off + 1;
    fputs(colour(C_GREEN), out);
    fputc('^', out);
    for (uint32_t i = at.off + 1; i < caret_end; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80) fputc('~', out);
    fprintf(out, "%s\n", colour(C_RESET));
}

static void print_location(FILE *out, Span at) {
    if (at.file && at.line == 0) fprintf(out, "%s%s:%s ", colour(C_BOLD), at.file->path, colour(C_RESET));
    else if (at.file) fprintf(out, "%s%s:%u:%u:%s ", colour(C_BOLD), at.file->path, at.line, at.col, colour(C_RESET));
    else fprintf(out, "%sloam:%s ", colour(C_BOLD), colour(C_RESET));
}

static void print_text(FILE *out, const Diagnostic *d) {
    print_location(out, d->at);
    fprintf(out, "%serror:%s %s%s [%s]%s\n", colour(C_RED), colour(C_RESET), colour(C_BOLD), d->message,
            code_names[d->code], colour(C_RESET));
    if (d->at.file) print_source_line(out, d->at);
    for (int i = 0; i < d->note_count; i++) {
        const Note *n = &d->notes[i];
        if (!n->has_span) continue;
        print_location(out, n->at);
        fprintf(out, "%snote:%s %s\n", colour(C_CYAN), colour(C_RESET), n->text);
        if (n->at.file) print_source_line(out, n->at);
    }
    for (int i = 0; i < d->note_count; i++) {
        const Note *n = &d->notes[i];
        if (n->has_span) continue;
        fprintf(out, "  %shelp:%s %s\n", colour(C_GREEN), colour(C_RESET), n->text);
    }
}

/* ---- JSON output ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static int utf8_length(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    int len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, min = 0x10000;
    else return 0;
    if ((size_t)len > n) return 0;
    unsigned cp = c & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static void print_json_string(FILE *out, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c), i++;
        else if (c == '\n') fputs("\\n", out), i++;
        else if (c == '\t') fputs("\\t", out), i++;
        else if (c < 0x20) fprintf(out, "\\u%04x", c), i++;
        else {
            int len = utf8_length(p + i, n - i);
            if (len == 0) fputs("\\ufffd", out), i++;  /* never emit invalid JSON */
            else fwrite(p + i, 1, (size_t)len, out), i += (size_t)len;
        }
    }
    fputc('"', out);
}

/* Line and column of the end of a span (its last byte + 1). */
static void span_end_position(Span at, uint32_t *line, uint32_t *col) {
    *line = at.line;
    *col = at.col;
    if (!at.file || at.end <= at.off) return;
    const char *t = at.file->text;
    uint32_t end = at.end <= at.file->len ? at.end : at.file->len;
    for (uint32_t i = at.off; i < end; i++) {
        if (t[i] == '\n') (*line)++, *col = 1;
        else (*col)++;
    }
}

static void print_json(FILE *out, const Diagnostic *d) {
    uint32_t end_line, end_col;
    span_end_position(d->at, &end_line, &end_col);
    fputs("{\"file\":", out);
    print_json_string(out, d->at.file ? d->at.file->path : "");
    fprintf(out, ",\"line\":%u,\"col\":%u,\"end\":{\"line\":%u,\"col\":%u}", d->at.line, d->at.col, end_line,
            end_col);
    fprintf(out, ",\"severity\":\"error\",\"code\":\"%s\",\"message\":", code_names[d->code]);
    print_json_string(out, d->message);
    fputs(",\"help\":[", out);
    bool first = true;
    for (int i = 0; i < d->note_count; i++) {
        if (d->notes[i].has_span) continue;
        if (!first) fputc(',', out);
        print_json_string(out, d->notes[i].text);
        first = false;
    }
    fputs("],\"notes\":[", out);
    first = true;
    for (int i = 0; i < d->note_count; i++) {
        const Note *n = &d->notes[i];
        if (!n->has_span) continue;
        if (!first) fputc(',', out);
        fputs("{\"file\":", out);
        print_json_string(out, n->at.file ? n->at.file->path : "");
        fprintf(out, ",\"line\":%u,\"col\":%u,\"message\":", n->at.line, n->at.col);
        print_json_string(out, n->text);
        fputc('}', out);
        first = false;
    }
    fputs("]}\n", out);
}

void diag_flush(void) {
    if (D.count) qsort(D.items, (size_t)D.count, sizeof *D.items, compare_diagnostics);
    FILE *out = stderr;
    for (int i = 0; i < D.count; i++) {
        Diagnostic *d = &D.items[i];
        if (D.format == DIAG_JSON) print_json(out, d);
        else print_text(out, d);
        free(d->message);
        for (int j = 0; j < d->note_count; j++) free(d->notes[j].text);
        free(d->notes);
    }
    if (D.format == DIAG_TEXT) {
        for (int i = 0; i < D.file_count; i++)
            if (D.file_capped[i])
                fprintf(out, "%s: %d errors in all; only the first %d are shown\n", D.files[i] ? D.files[i]->path : "loam",
                        D.file_errors[i], DIAG_MAX_PER_FILE);
    }
    fflush(out);
    free(D.items);
    D.items = NULL;
    D.count = D.cap = 0;
    D.file_count = 0;
    D.last_dropped = false;
}
