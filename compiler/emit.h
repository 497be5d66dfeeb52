/* emit.h — from a verified LLVM module to a file: the optimisation pipeline
 * and the target machine (design §3).
 *
 * Consumes: a module built by lower_program() (already verified). Produces:
 * textual IR, assembly or an ELF object. The only code that touches
 * llvm-c/TargetMachine.h and llvm-c/Transforms/PassBuilder.h.
 */
#ifndef LOAM_EMIT_H
#define LOAM_EMIT_H

#include "lower.h"

#include <llvm-c/TargetMachine.h>

enum { EMIT_LLVM, EMIT_ASM, EMIT_OBJ };

/* The default target triple of hosted images. */
#define LOAM_HOSTED_TRIPLE "x86_64-unknown-linux-gnu"
/* The target triple of μVM images (--target muvm). */
#define LOAM_MUVM_TRIPLE "x86_64-unknown-none-elf"

/* A target machine for opts->target_triple (NULL: hosted), CPU x86-64,
 * static relocation, small code model, at opts->opt_level. Returns NULL and
 * sets *error (free with LLVMDisposeMessage) when the target is unknown.
 * The caller disposes it with LLVMDisposeTargetMachine. */
LLVMTargetMachineRef emit_target_machine(const LowerOptions *opts, char **error);

/* Runs the pass pipeline default<O0..O3> (opts->opt_level) on m, then
 * writes it to path ("-" is stdout) as kind (EMIT_LLVM, EMIT_ASM,
 * EMIT_OBJ). Returns false and sets *error (malloc'd, free with free())
 * on failure. The module stays owned by the caller. */
bool emit_module(LLVMModuleRef m, const LowerOptions *opts, const char *path, int kind, char **error);

#endif
