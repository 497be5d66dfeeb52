/* emit.c — optimise a lowered module and write it out (design §3).
 *
 * Consumes: a module that lower_program() built and verified. Produces: a
 * file of textual IR, assembly or an ELF object. The pipeline is LLVM's new
 * pass manager, default<On>, run through LLVMRunPasses; the target machine
 * is x86-64 with static relocation and the small code model, so that the
 * output depends only on the module and the options (reproducible images).
 */
#include "emit.h"

#include "arena.h"

#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *copy_string(const char *s) {
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (!c) die("out of memory");
    memcpy(c, s, n + 1);
    return c;
}

/* Takes an LLVM message: returns a malloc'd copy and disposes the original. */
static char *take_message(char *llvm_message, const char *fallback) {
    char *c = copy_string(llvm_message ? llvm_message : fallback);
    if (llvm_message) LLVMDisposeMessage(llvm_message);
    return c;
}

LLVMTargetMachineRef emit_target_machine(const LowerOptions *opts, char **error) {
    static bool initialised;
    if (!initialised) {
        LLVMInitializeX86TargetInfo();
        LLVMInitializeX86Target();
        LLVMInitializeX86TargetMC();
        LLVMInitializeX86AsmPrinter();
        initialised = true;
    }
    const char *triple = opts->target_triple ? opts->target_triple : LOAM_HOSTED_TRIPLE;
    LLVMTargetRef target;
    *error = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, error)) return NULL;
    LLVMCodeGenOptLevel level = opts->opt_level <= 0   ? LLVMCodeGenLevelNone
                                : opts->opt_level == 1 ? LLVMCodeGenLevelLess
                                : opts->opt_level == 2 ? LLVMCodeGenLevelDefault
                                                       : LLVMCodeGenLevelAggressive;
    /* A kernel-less μVM has no red zone to spare for interrupts: the kernel
     * code model and soft features are the pvh port's business later. */
    return LLVMCreateTargetMachine(target, triple, "x86-64", "", level, LLVMRelocStatic, LLVMCodeModelSmall);
}

static bool write_all(const char *path, const char *data, size_t len, char **error) {
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (!f) {
        char buf[512];
        snprintf(buf, sizeof buf, "cannot open '%s' for writing", path);
        *error = copy_string(buf);
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok &= f == stdout ? fflush(f) == 0 : fclose(f) == 0;
    if (!ok) {
        char buf[512];
        snprintf(buf, sizeof buf, "cannot write '%s'", path);
        *error = copy_string(buf);
    }
    return ok;
}

bool emit_module(LLVMModuleRef m, const LowerOptions *opts, const char *path, int kind, char **error) {
    *error = NULL;
    char *message = NULL;
    LLVMTargetMachineRef tm = emit_target_machine(opts, &message);
    if (!tm) {
        *error = take_message(message, "unknown target");
        return false;
    }
    LLVMPassBuilderOptionsRef pass_options = LLVMCreatePassBuilderOptions();
    char pipeline[32];
    int level = opts->opt_level < 0 ? 0 : opts->opt_level > 3 ? 3 : opts->opt_level;
    snprintf(pipeline, sizeof pipeline, "default<O%d>", level);
    LLVMErrorRef err = LLVMRunPasses(m, pipeline, tm, pass_options);
    LLVMDisposePassBuilderOptions(pass_options);
    bool ok = true;
    if (err) {
        char *text = LLVMGetErrorMessage(err);
        *error = copy_string(text);
        LLVMDisposeErrorMessage(text);
        ok = false;
    } else if (kind == EMIT_LLVM) {
        char *text = LLVMPrintModuleToString(m);
        ok = write_all(path, text, strlen(text), error);
        LLVMDisposeMessage(text);
    } else {
        LLVMCodeGenFileType type = kind == EMIT_ASM ? LLVMAssemblyFile : LLVMObjectFile;
        LLVMMemoryBufferRef buffer = NULL;
        if (strcmp(path, "-") != 0) {
            /* EmitToFile takes a non-const path in the C API. */
            char *file = copy_string(path);
            if (LLVMTargetMachineEmitToFile(tm, m, file, type, &message)) {
                *error = take_message(message, "code generation failed");
                ok = false;
            }
            free(file);
        } else if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, type, &message, &buffer)) {
            *error = take_message(message, "code generation failed");
            ok = false;
        } else {
            ok = write_all(path, LLVMGetBufferStart(buffer), LLVMGetBufferSize(buffer), error);
            LLVMDisposeMemoryBuffer(buffer);
        }
    }
    LLVMDisposeTargetMachine(tm);
    return ok;
}
