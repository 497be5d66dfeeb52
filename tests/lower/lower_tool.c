/* lower_tool.c — the test driver of the lowering: parse, check, lower, emit.
 *
 *   lower_tool [--emit=llvm|asm|obj] [-O0|-O1|-O2|-O3] [--no-yield] [-g] [--target=TRIPLE]
 *              [--task NAME] [-o PATH] FILE.loam
 *
 * Writes the module to PATH (default "-", stdout). Exit status: 0 when the
 * file compiles, 1 when it has errors (diagnostics on stderr, including
 * "not yet supported"), 2 on an internal error (a module that does not
 * verify dies inside lower_program). The real driver is compiler/driver.c.
 */
#include "check.h"
#include "emit.h"
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *text = malloc(cap);
    for (size_t got; text && (got = fread(text + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap) text = realloc(text, cap *= 2);
    }
    fclose(f);
    if (!text) return NULL;
    text[n] = 0;
    *len = n;
    return text;
}

int main(int argc, char **argv) {
    LowerOptions opts = {.yields = true, .opt_level = 0};
    int kind = EMIT_LLVM;
    const char *out = "-", *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--emit=llvm") == 0) kind = EMIT_LLVM;
        else if (strcmp(a, "--emit=asm") == 0) kind = EMIT_ASM;
        else if (strcmp(a, "--emit=obj") == 0) kind = EMIT_OBJ;
        else if (strcmp(a, "--no-yield") == 0) opts.yields = false;
        else if (strcmp(a, "-g") == 0) opts.debug_info = true;
        else if (strncmp(a, "--target=", 9) == 0) opts.target_triple = a + 9;
        else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) opts.opt_level = a[2] - '0';
        else if (strcmp(a, "-o") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(a, "--task") == 0 && i + 1 < argc) opts.root_task = argv[++i];
        else if (a[0] != '-' && !path) path = a;
        else {
            fprintf(stderr, "usage: lower_tool [--emit=llvm|asm|obj] [-O0..3] [--no-yield] [-g] [--target=TRIPLE] [--task NAME] [-o PATH] FILE\n");
            return 1;
        }
    }
    if (!path) {
        fprintf(stderr, "lower_tool: no input file\n");
        return 1;
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "lower_tool: cannot read '%s'\n", path);
        return 1;
    }
    Arena arena;
    arena_init(&arena);
    SourceFile file = {.path = path, .text = text, .len = (uint32_t)len};
    diag_configure(DIAG_TEXT, false);
    Program *program = parse_program(&arena, &file);
    CheckOptions check = {.allow_extern = true};
    check_program(&arena, program, &check);
    int status = 0;
    if (diag_error_count() == 0) {
        LLVMContextRef ctx = LLVMContextCreate();
        LLVMModuleRef m = lower_program(ctx, program, &opts);
        if (m) {
            char *error = NULL;
            if (!emit_module(m, &opts, out, kind, &error)) {
                fprintf(stderr, "lower_tool: %s\n", error);
                free(error);
                status = 1;
            }
            LLVMDisposeModule(m);
        }
        LLVMContextDispose(ctx);
    }
    diag_flush();
    if (diag_error_count() > 0) status = 1;
    arena_free(&arena);
    free(text);
    return status;
}
