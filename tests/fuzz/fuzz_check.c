/* fuzz_check.c — libFuzzer harness for the whole front end: bytes → lexer →
 * parser → resolve → types → caps → diagnostics.
 *
 * Each input is one source file, checked in a fresh arena that is released
 * at the end, exactly as the driver checks one file. What must hold for
 * every input: no crash, no sanitizer report, no leak, no die() (libFuzzer
 * treats exit() as a crash), no time-out, and diagnostics printed as valid
 * JSON Lines. The diagnostics themselves are not compared with anything.
 *
 * Output: diag_flush() writes to the `stderr` stream. Once, at start-up, the
 * harness points that stream at /dev/null — only the FILE *, not file
 * descriptor 2, so libFuzzer's progress lines and the sanitizers' reports
 * (which write to fd 2) still show. Each run instead flushes into a memory
 * stream, checks that the JSON is well formed, and throws it away.
 * Inputs of odd length are reported in text format instead, so that the
 * caret-drawing code (print_source_line) is fuzzed too.
 *
 * The diag module keeps global state (the collected diagnostics, per-file
 * counts): diag_flush() at the end of every run resets it.
 */
#define _GNU_SOURCE /* open_memstream; glibc lets a program assign stderr */
#include "ast.h"
#include "check.h"
#include "diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where stderr points between runs; die() messages land here too (the
 * stack trace libFuzzer prints on exit() says where die() was called). */
static FILE *null_stream;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    null_stream = fopen("/dev/null", "w");
    if (!null_stream) {
        perror("fuzz_check: /dev/null");
        abort();
    }
    stderr = null_stream;
    return 0;
}

/* ---- a strict JSON checker for the diagnostics (RFC 8259) ---- */

typedef struct Json {
    const unsigned char *p, *end;
    int depth;
} Json;

static void json_space(Json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')) j->p++;
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static int utf8_sequence(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0], cp, min;
    int len;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, min = 0x10000;
    else return 0;
    if (end - p < len) return 0;
    cp = c & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static int json_value(Json *j);

static int json_string(Json *j) {
    if (j->p == j->end || *j->p != '"') return 0;
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        unsigned c = *j->p;
        if (c < 0x20) return 0;
        if (c == '\\') {
            j->p++;
            if (j->p == j->end) return 0;
            c = *j->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (j->p == j->end || !strchr("0123456789abcdefABCDEF", *j->p) || *j->p == 0) return 0;
            } else if (!strchr("\"\\/bfnrt", (int)c) || c == 0) {
                return 0;
            }
            continue;
        }
        int len = utf8_sequence(j->p, j->end);
        if (len == 0) return 0;
        j->p += len;
    }
    if (j->p == j->end) return 0;
    j->p++;
    return 1;
}

static int json_number(Json *j) {
    const unsigned char *start = j->p;
    if (j->p < j->end && *j->p == '-') j->p++;
    if (j->p < j->end && *j->p == '0') j->p++;
    else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    else return 0;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (j->p == j->end || *j->p < '0' || *j->p > '9') return 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (j->p == j->end || *j->p < '0' || *j->p > '9') return 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    return j->p > start;
}

static int json_literal(Json *j, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return 0;
    j->p += n;
    return 1;
}

/* object: '{' (string ':' value),* '}'   array: '[' value,* ']' */
static int json_container(Json *j, unsigned char open, unsigned char close) {
    if (++j->depth > 64) return 0;
    j->p++;
    json_space(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 1;
    }
    for (;;) {
        if (open == '{') {
            if (!json_string(j)) return 0;
            json_space(j);
            if (j->p == j->end || *j->p++ != ':') return 0;
        }
        if (!json_value(j)) return 0;
        json_space(j);
        if (j->p == j->end) return 0;
        unsigned char c = *j->p++;
        if (c == close) break;
        if (c != ',') return 0;
        json_space(j);
    }
    j->depth--;
    return 1;
}

static int json_value(Json *j) {
    json_space(j);
    if (j->p == j->end) return 0;
    switch (*j->p) {
    case '{': return json_container(j, '{', '}');
    case '[': return json_container(j, '[', ']');
    case '"': return json_string(j);
    case 't': return json_literal(j, "true");
    case 'f': return json_literal(j, "false");
    case 'n': return json_literal(j, "null");
    default: return json_number(j);
    }
}

/* Every line of text[0, len) is one JSON object. */
static void check_json_lines(const char *text, size_t len) {
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    while (p < end) {
        const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) {
            fprintf(null_stream, "diagnostics do not end with a newline\n");
            __builtin_trap();
        }
        Json j = {p, eol, 0};
        if (p == eol || *p != '{' || !json_value(&j) || j.p != eol) {
            /* A deliberate crash: libFuzzer saves the input. The offending
             * line is in the `text` buffer, visible in a debugger. */
            __builtin_trap();
        }
        p = eol + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The driver refuses files over 64 MiB before parsing (E0004). */
    if (size > (64u << 20)) return -1;

    /* The lexer relies on text[len] == 0; an exact-size copy lets ASan catch
     * any read past it. */
    char *text = malloc(size + 1);
    if (!text) return -1;
    memcpy(text, data, size);
    text[size] = 0;
    SourceFile file = {.path = "fuzz.loam", .text = text, .len = (uint32_t)size, .is_stdlib = false};

    bool json = size % 2 == 0;
    diag_configure(json ? DIAG_JSON : DIAG_TEXT, false);

    Arena arena;
    arena_init(&arena);
    Program *program = parse_program(&arena, &file);
    CheckOptions options = {.allow_extern = false};
    check_program(&arena, program, &options);

    char *output = NULL;
    size_t output_len = 0;
    FILE *memory = open_memstream(&output, &output_len);
    if (!memory) abort();
    stderr = memory;
    diag_flush();
    stderr = null_stream;
    fclose(memory);
    if (json) check_json_lines(output, output_len);
    free(output);

    arena_free(&arena);
    free(text);
    return 0;
}
